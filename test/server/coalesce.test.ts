// WriteCoalescer (src/server/coalesce.ts): when held token-stream text is written.
import { describe, expect, it, vi } from 'vitest';
import { TOKEN_STREAM_COALESCE_MS, WriteCoalescer } from '../../src/server/coalesce.js';
import { useFakeStreamTimers } from '../helpers/fakeres.js';

function recorder(windowMs: number): { c: WriteCoalescer; writes: string[] } {
  const writes: string[] = [];
  return { c: new WriteCoalescer((t) => writes.push(t), windowMs), writes };
}

describe('WriteCoalescer with fake timers', () => {
  useFakeStreamTimers();

  it.each([0, -3, Number.NaN, Number.POSITIVE_INFINITY])('window %s: every push is written at once', (w) => {
    const { c, writes } = recorder(w);
    c.push('a');
    c.push('b');
    expect(writes).toEqual(['a', 'b']);
  });

  it('the first push is written at once, inside push()', () => {
    const { c, writes } = recorder(5);
    c.push('a');
    expect(writes).toEqual(['a']);
    c.push('b'); // inside the window: held
    expect(writes).toEqual(['a']);
    vi.advanceTimersByTime(10);
    expect(writes).toEqual(['a', 'b']);
  });

  it('pushes inside the window are held past its end until the next push (no timer write while tokens flow)', () => {
    const { c, writes } = recorder(5);
    c.push('0');
    vi.advanceTimersByTime(1);
    c.push('1');
    vi.advanceTimersByTime(2);
    c.push('2');
    vi.advanceTimersByTime(3); // 6 ms after the first write: the window is over, nothing written yet
    expect(writes).toEqual(['0']);
    c.push('3'); // the first push after the window: everything goes out right after this turn
    expect(writes).toEqual(['0']);
    vi.advanceTimersByTime(0);
    expect(writes).toEqual(['0', '123']);
  });

  it('a stream that pauses: held text is written two windows after the previous write', () => {
    const { c, writes } = recorder(5);
    c.push('0');
    vi.advanceTimersByTime(0);
    vi.advanceTimersByTime(2);
    c.push('1');
    vi.advanceTimersByTime(7); // 9 ms after the write
    expect(writes).toEqual(['0']);
    vi.advanceTimersByTime(1); // 10 ms
    expect(writes).toEqual(['0', '1']);
    vi.advanceTimersByTime(50);
    expect(writes).toEqual(['0', '1']);
  });

  it('a push that comes at least one window after the previous write is never held', () => {
    const { c, writes } = recorder(5);
    for (let i = 0; i < 4; i++) {
      c.push(String(i));
      vi.advanceTimersByTime(0);
      expect(writes).toHaveLength(i + 1);
      vi.advanceTimersByTime(5);
    }
    expect(writes).toEqual(['0', '1', '2', '3']);
  });

  it('flush() writes now and cancels the pending write', () => {
    const { c, writes } = recorder(5);
    c.push('a');
    c.flush();
    expect(writes).toEqual(['a']);
    c.push('b'); // inside the window after the flush: held, backstop timer
    c.flush();
    expect(writes).toEqual(['a', 'b']);
    vi.advanceTimersByTime(20);
    expect(writes).toEqual(['a', 'b']);
    c.flush(); // nothing held: no empty write
    expect(writes).toEqual(['a', 'b']);
  });

  it('discard() drops held text and pending writes', () => {
    const { c, writes } = recorder(5);
    c.push('a');
    c.push('b');
    c.discard();
    vi.advanceTimersByTime(20);
    c.flush();
    expect(writes).toEqual(['a']);
  });
});

describe('WriteCoalescer on the real event loop', () => {
  it('held text the event loop has not got round to writing for two windows is written by the next push', () => {
    const { c, writes } = recorder(5);
    c.push('0');
    c.push('1'); // held: a backstop timer is due two windows after the first write
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); // the thread is busy; no timer runs
    expect(writes).toEqual(['0']);
    c.push('2');
    expect(writes).toEqual(['0', '12']);
  });

  it('after the first write, a piece past the window is written after the microtasks the same token queued (the runtime starts the next decode in them)', async () => {
    const log: string[] = [];
    const c = new WriteCoalescer((t) => log.push(`write ${t}`), 16);
    c.push('a');
    expect(log).toEqual(['write a']);
    await new Promise((r) => setTimeout(r, 20));
    c.push('b');
    void Promise.resolve()
      .then(() => log.push('microtask 1'))
      .then(() => log.push('microtask 2'))
      .then(() => log.push('microtask 3'));
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['write a', 'microtask 1', 'microtask 2', 'microtask 3', 'write b']);
  });

  it('the token-stream window is one 60 Hz frame at most', () => {
    expect(TOKEN_STREAM_COALESCE_MS).toBeGreaterThan(0);
    expect(TOKEN_STREAM_COALESCE_MS).toBeLessThanOrEqual(16);
  });
});
