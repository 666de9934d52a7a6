// A stand-in for node:http's ServerResponse that records what the stream writers do with it.
import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, vi } from 'vitest';

export interface FakeRes {
  res: ServerResponse;
  writes: string[];
  heads: number[];
  ended: () => boolean;
  destroy: () => void;
}

export function fakeRes(): FakeRes {
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


/** Fake timers for the stream writers' coalescing (timeouts, immediates and the clock) in every test. */
export function useFakeStreamTimers(): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}
