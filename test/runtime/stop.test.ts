import { describe, expect, it } from 'vitest';
import { StopDetector } from '../../src/runtime/stop.js';

function run(stops: string[], pieces: string[]): { out: string[]; stopped: boolean; matched?: string } {
  const d = new StopDetector(stops);
  const out: string[] = [];
  for (const p of pieces) {
    const r = d.push(p);
    out.push(r.emit);
    if (r.stopped) return { out, stopped: true, matched: r.matched };
  }
  out.push(d.flush());
  return { out, stopped: false };
}

describe('StopDetector', () => {
  it('passes everything through without stops', () => {
    expect(run([], ['a', 'b'])).toEqual({ out: ['a', 'b', ''], stopped: false });
  });
  it('ignores empty stop strings', () => {
    expect(run([''], ['ab'])).toEqual({ out: ['ab', ''], stopped: false });
  });
  it('stops inside one piece and drops the stop text and the rest', () => {
    expect(run(['END'], ['abcENDxyz'])).toEqual({ out: ['abc'], stopped: true, matched: 'END' });
  });
  it('holds back a partial match across pieces', () => {
    expect(run(['END'], ['abE', 'N', 'Dz'])).toEqual({ out: ['ab', '', ''], stopped: true, matched: 'END' });
  });
  it('releases a held partial match that did not complete', () => {
    expect(run(['END'], ['abE', 'Nx'])).toEqual({ out: ['ab', 'ENx', ''], stopped: false });
  });
  it('releases a held tail at the end', () => {
    expect(run(['END'], ['abEN'])).toEqual({ out: ['ab', 'EN'], stopped: false });
  });
  it('earliest of several stops wins', () => {
    expect(run(['yz', 'b'], ['abcxyz'])).toMatchObject({ out: ['a'], matched: 'b' });
  });
  it('holds the longest possible partial of several stops', () => {
    const d = new StopDetector(['xx1', 'x2']);
    expect(d.push('ax').emit).toBe('a');
    expect(d.push('x').emit).toBe('');
    expect(d.push('1')).toEqual({ emit: '', stopped: true, matched: 'xx1' });
  });
  it('stop at the very start emits nothing', () => {
    expect(run(['\n'], ['\nhello'])).toEqual({ out: [''], stopped: true, matched: '\n' });
  });
  it('multi-character unicode stop', () => {
    expect(run(['😀!'], ['hi 😀', '!'])).toEqual({ out: ['hi ', ''], stopped: true, matched: '😀!' });
  });
  it('push after stop emits nothing', () => {
    const d = new StopDetector(['a']);
    d.push('a');
    expect(d.push('more')).toEqual({ emit: '', stopped: true });
    expect(d.flush()).toBe('');
  });
});
