// NdjsonWriter (src/server/ndjson.ts) on a fake response with fake timers; the window's timing
// itself is WriteCoalescer's (coalesce.test.ts).
import { describe, expect, it, vi } from 'vitest';
import { NdjsonWriter, TOKEN_STREAM_COALESCE_MS } from '../../src/server/ndjson.js';
import { fakeRes, useFakeStreamTimers } from '../helpers/fakeres.js';

describe('NdjsonWriter', () => {
  useFakeStreamTimers();

  it('without a window every line is its own write', () => {
    const f = fakeRes();
    const w = new NdjsonWriter(f.res);
    expect(w.write({ a: 1 })).toBe(true);
    expect(w.write({ a: 2 })).toBe(true);
    expect(f.writes).toEqual(['{"a":1}\n', '{"a":2}\n']);
    expect(f.heads).toEqual([200]);
    w.end();
    expect(f.ended()).toBe(true);
  });

  it('a negative or zero window means no coalescing', () => {
    for (const coalesceMs of [0, -3]) {
      const f = fakeRes();
      const w = new NdjsonWriter(f.res, undefined, { coalesceMs });
      w.write({ a: 1 });
      w.write({ a: 2 });
      expect(f.writes).toHaveLength(2);
    }
  });

  it('with a window, the first line goes at once with the status; later lines of one turn become one write on the next turn', () => {
    const f = fakeRes();
    const w = new NdjsonWriter(f.res, undefined, { coalesceMs: 5 });
    w.write({ t: 0 });
    expect(f.heads).toEqual([200]);
    expect(f.writes).toEqual(['{"t":0}\n']);
    vi.advanceTimersByTime(5);
    w.write({ t: 1 });
    w.write({ t: 2 });
    expect(f.writes).toEqual(['{"t":0}\n']);
    vi.advanceTimersByTime(0);
    expect(f.writes).toEqual(['{"t":0}\n', '{"t":1}\n{"t":2}\n']);
  });

  it('end() writes held lines before ending; nothing is written after', () => {
    const f = fakeRes();
    const w = new NdjsonWriter(f.res, undefined, { coalesceMs: 5 });
    w.write({ t: 0 });
    w.write({ t: 1 });
    w.write({ done: true });
    w.end();
    expect(f.writes.join('')).toBe('{"t":0}\n{"t":1}\n{"done":true}\n');
    expect(f.ended()).toBe(true);
    vi.advanceTimersByTime(10);
    expect(f.writes.join('')).toBe('{"t":0}\n{"t":1}\n{"done":true}\n');
  });

  it('fail() after streaming began writes held lines, then the error line', () => {
    const f = fakeRes();
    const w = new NdjsonWriter(f.res, undefined, { coalesceMs: 5 });
    w.write({ t: 0 });
    w.write({ t: 1 });
    w.fail(new Error('runner died'));
    expect(f.writes.join('')).toBe('{"t":0}\n{"t":1}\n{"error":"runner died"}\n');
    expect(f.ended()).toBe(true);
  });

  it('a client gone while lines are held: they are dropped and write() reports false', () => {
    const f = fakeRes();
    const w = new NdjsonWriter(f.res, undefined, { coalesceMs: 5 });
    w.write({ t: 0 });
    vi.advanceTimersByTime(0);
    w.write({ t: 1 });
    f.destroy();
    vi.advanceTimersByTime(20);
    expect(f.writes).toEqual(['{"t":0}\n']);
    expect(w.write({ t: 2 })).toBe(false);
    expect(w.open).toBe(false);
  });

  it('orders fields as Go does when given a wire type', () => {
    const f = fakeRes();
    const w = new NdjsonWriter(f.res, 'GenerateResponse', { coalesceMs: TOKEN_STREAM_COALESCE_MS });
    w.write({ done: false, response: 'hi', created_at: 'T', model: 'm' });
    w.flush();
    expect(f.writes).toEqual(['{"model":"m","created_at":"T","response":"hi","done":false}\n']);
  });
});
