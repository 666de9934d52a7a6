import { describe, expect, it } from 'vitest';
import { blobReporter, toAsyncIterable, type ProgressEvent } from '../../../src/registry/remote/progress.js';

const D = 'sha256:' + '0123456789ab'.padEnd(64, 'f');

describe('blobReporter', () => {
  it('labels with the first 12 hex digits, forces first/last, throttles the rest, caps completed', () => {
    const out: ProgressEvent[] = [];
    const r = blobReporter('pulling', D, 100, (p) => out.push(p), 1e9);
    r.update(0, true);
    r.update(10);
    r.update(20);
    r.update(150, true);
    expect(out).toEqual([
      { status: 'pulling 0123456789ab', digest: D, total: 100, completed: 0 },
      { status: 'pulling 0123456789ab', digest: D, total: 100, completed: 100 },
    ]);
  });
});

describe('toAsyncIterable', () => {
  it('yields everything then throws the producer error', async () => {
    const it = toAsyncIterable<number>(async (emit) => {
      emit(1);
      await new Promise((r) => setTimeout(r, 1));
      emit(2);
      throw new Error('boom');
    });
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const v of it) got.push(v);
      })(),
    ).rejects.toThrow('boom');
    expect(got).toEqual([1, 2]);
  });
});
