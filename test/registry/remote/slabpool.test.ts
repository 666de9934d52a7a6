import { describe, expect, it } from 'vitest';
import { SLAB_BYTES, SlabPool } from '../../../src/registry/remote/slabpool.js';

describe('SlabPool', () => {
  it.each([
    [1, true],
    [4096, true],
    [SLAB_BYTES, true],
    [0, false],
    [-1, false],
    [1.5, false],
    [Number.NaN, false],
    [Number.POSITIVE_INFINITY, false],
  ])('slab size %s valid=%s', (size, valid) => {
    if (valid) expect(new SlabPool(size).take().length).toBe(size);
    else expect(() => new SlabPool(size)).toThrow(/slab size must be a positive integer/);
  });

  it('hands out shared memory and reuses a slab only once every hold is released', () => {
    const pool = new SlabPool(1024);
    const a = pool.take();
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    const view = a.subarray(100, 200);
    expect(pool.owns(view)).toBe(true);
    pool.retain(view); // a reader
    pool.retain(view); // the hash thread
    pool.release(a); // the socket moved on
    pool.release(view);
    expect(pool.freeCount).toBe(0);
    expect(pool.take().buffer).not.toBe(a.buffer); // still held: a new slab
    pool.release(view);
    expect(pool.freeCount).toBe(1);
    expect(pool.owns(view)).toBe(false);
    expect(pool.take().buffer).toBe(a.buffer); // reused
  });

  it('ignores memory that is not its own, and extra releases', () => {
    const pool = new SlabPool(64);
    const foreign = Buffer.alloc(64);
    expect(pool.owns(foreign)).toBe(false);
    pool.retain(foreign);
    pool.release(foreign);
    const s = pool.take();
    pool.release(s);
    pool.release(s);
    expect(pool.freeCount).toBe(1);
  });

  it('keeps at most a few free slabs', () => {
    const pool = new SlabPool(16);
    const slabs = Array.from({ length: 20 }, () => pool.take());
    for (const s of slabs) pool.release(s);
    expect(pool.freeCount).toBe(12);
  });
});
