// NdjsonWriter's coalescing window (src/server/ndjson.ts), on a fake response with fake timers.
import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NdjsonWriter, TOKEN_STREAM_COALESCE_MS } from '../../src/server/ndjson.js';

interface FakeRes {
  res: ServerResponse;
  writes: string[];
  heads: number[];
  ended: () => boolean;
  destroy: () => void;
}

function fakeRes(): FakeRes {
  const writes: string[] = [];
  const heads: number[] = [];
  let ended = false;
  let destroyed = false;
  const res = {
    writeHead: (status: number) => heads.push(status),
    write: (chunk: string) => writes.push(chunk),
    end: (chunk?: string) => {
      if (chunk) writes.push(chunk);
      ended = true;
    },
    get destroyed() {
      return destroyed;
    },
    get writableEnded() {
      return ended;
    },
    setHeader: () => {},
    getHeader: () => undefined,
    headersSent: false,
  } as unknown as ServerResponse;
  return { res, writes, heads, ended: () => ended, destroy: () => (destroyed = true) };
}

describe('NdjsonWriter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

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

  it('the first line goes out at once; lines within the window go out together when it ends', () => {
    const f = fakeRes();
    const w = new NdjsonWriter(f.res, undefined, { coalesceMs: 5 });
    w.write({ t: 0 });
    expect(f.writes).toEqual(['{"t":0}\n']);
    vi.advanceTimersByTime(1);
    w.write({ t: 1 });
    vi.advanceTimersByTime(1);
    w.write({ t: 2 });
    expect(f.writes).toHaveLength(1);
    vi.advanceTimersByTime(2);
    expect(f.writes).toHaveLength(1); // 4 ms after the first write
    vi.advanceTimersByTime(1);
    expect(f.writes).toEqual(['{"t":0}\n', '{"t":1}\n{"t":2}\n']);
  });

  it('a line after a quiet window is never delayed', () => {
    const f = fakeRes();
    const w = new NdjsonWriter(f.res, undefined, { coalesceMs: 5 });
    for (let i = 0; i < 4; i++) {
      w.write({ i });
      expect(f.writes).toHaveLength(i + 1);
      vi.advanceTimersByTime(5);
    }
    expect(f.writes.join('')).toBe('{"i":0}\n{"i":1}\n{"i":2}\n{"i":3}\n');
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
    w.write({ t: 1 });
    f.destroy();
    vi.advanceTimersByTime(5);
    expect(f.writes).toEqual(['{"t":0}\n']);
    expect(w.write({ t: 2 })).toBe(false);
    expect(w.open).toBe(false);
  });

  it('orders fields as Go does when given a wire type', () => {
    const f = fakeRes();
    const w = new NdjsonWriter(f.res, 'GenerateResponse', { coalesceMs: TOKEN_STREAM_COALESCE_MS });
    w.write({ done: false, response: 'hi', created_at: 'T', model: 'm' });
    expect(f.writes).toEqual(['{"model":"m","created_at":"T","response":"hi","done":false}\n']);
  });

  it('the token-stream window is small', () => {
    expect(TOKEN_STREAM_COALESCE_MS).toBeGreaterThan(0);
    expect(TOKEN_STREAM_COALESCE_MS).toBeLessThanOrEqual(16);
  });
});
