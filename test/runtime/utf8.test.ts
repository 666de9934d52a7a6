import { describe, expect, it } from 'vitest';
import { MAX_PENDING, TokenTextAssembler } from '../../src/runtime/utf8.js';

/** A fake byte-level tokenizer: each token is one byte of UTF-8; decoding replaces broken bytes. */
const bytes = [...Buffer.from('aé😀b')];
const detok = (toks: readonly number[]): string => Buffer.from(toks.map((t) => bytes[t]!)).toString('utf8');

describe('TokenTextAssembler', () => {
  it('never emits a broken character', () => {
    const a = new TokenTextAssembler(detok);
    const out = bytes.map((_, i) => a.push(i));
    out.push(a.flush());
    expect(out.join('')).toBe('aé😀b');
    for (const piece of out) expect(piece).not.toContain('\uFFFD');
    expect(out).toEqual(['a', '', 'é', '', '', '', '😀', 'b', '']);
  });
  it('gives up after MAX_PENDING tokens on an invalid sequence', () => {
    const bad = [0xff, 0xff, 0xff, 0xff, 0x41];
    const d = (t: readonly number[]): string => Buffer.from(t.map((i) => bad[i]!)).toString('utf8');
    const a = new TokenTextAssembler(d);
    const out = bad.map((_, i) => a.push(i));
    expect(out.slice(0, MAX_PENDING - 1).every((s) => s === '')).toBe(true);
    expect(out[MAX_PENDING - 1]).toContain('\uFFFD');
    expect(out[4]).toBe('A');
  });
  it('passes the previous tokens as context', () => {
    const seen: number[][] = [];
    const a = new TokenTextAssembler((t, last) => {
      seen.push([...last]);
      return 'x';
    }, [1, 2, 3]);
    a.push(10);
    a.push(11);
    expect(seen).toEqual([[1, 2, 3], [1, 2, 3, 10]]);
  });
  it('flush with nothing pending is empty', () => {
    expect(new TokenTextAssembler(detok).flush()).toBe('');
  });
});
