// SseWriter (src/server/openai/sse.ts): frames, [DONE], errors, and the token-stream window.
import { describe, expect, it, vi } from 'vitest';
import { SSE_DONE, SseWriter } from '../../../src/server/openai/sse.js';
import { fakeRes, useFakeStreamTimers } from '../../helpers/fakeres.js';

describe('SseWriter', () => {
  useFakeStreamTimers();

  it('without a window each chunk is one data frame, written at once; done() ends with [DONE]', () => {
    const f = fakeRes();
    const w = new SseWriter(f.res);
    w.write({ a: 1 });
    w.write({ a: 2 });
    expect(f.writes).toEqual(['data: {"a":1}\n\n', 'data: {"a":2}\n\n']);
    w.done();
    expect(f.writes.at(-1)).toBe(SSE_DONE);
    expect(f.ended()).toBe(true);
  });

  it('with a window, the first frame goes at once; later frames of one turn are one write; done() writes held frames before [DONE]', () => {
    const f = fakeRes();
    const w = new SseWriter(f.res, { coalesceMs: 16 });
    w.write({ a: 1 });
    expect(f.heads).toEqual([200]);
    expect(f.writes).toEqual(['data: {"a":1}\n\n']);
    vi.advanceTimersByTime(16);
    w.write({ a: 2 });
    w.write({ a: 3 });
    expect(f.writes).toHaveLength(1);
    vi.advanceTimersByTime(0);
    expect(f.writes).toEqual(['data: {"a":1}\n\n', 'data: {"a":2}\n\ndata: {"a":3}\n\n']);
    w.write({ a: 4 });
    w.done();
    expect(f.writes.join('')).toBe(`data: {"a":1}\n\ndata: {"a":2}\n\ndata: {"a":3}\n\ndata: {"a":4}\n\n${SSE_DONE}`);
  });

  it('an error after streaming began: held frames, then the error frame, then the end', () => {
    const f = fakeRes();
    const w = new SseWriter(f.res, { coalesceMs: 16 });
    w.write({ a: 1 });
    w.fail(new Error('runner died'));
    const text = f.writes.join('');
    expect(text.startsWith('data: {"a":1}\n\n')).toBe(true);
    expect(text).toContain('runner died');
    expect(f.ended()).toBe(true);
  });

  it('a client gone: held frames are dropped and write() reports false', () => {
    const f = fakeRes();
    const w = new SseWriter(f.res, { coalesceMs: 16 });
    w.write({ a: 1 }); // the first frame is written at once
    w.write({ a: 2 }); // held
    f.destroy();
    vi.advanceTimersByTime(50);
    expect(f.writes).toEqual(['data: {"a":1}\n\n']);
    expect(w.write({ a: 3 })).toBe(false);
  });
});
