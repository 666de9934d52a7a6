import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planParts, type Part } from '../../../src/registry/remote/parts.js';
import { SequentialHasher, THREAD_MIN_BYTES } from '../../../src/registry/remote/seqhash.js';
import { SlabPool } from '../../../src/registry/remote/slabpool.js';

const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

let dir: string;
let file: string;
let fh: FileHandle;
const data = randomBytes(10 * 1024 * 1024 + 123);

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tollama-seqhash-'));
  file = path.join(dir, 'blob-partial');
  writeFileSync(file, Buffer.alloc(data.length)); // pre-sized, zero-filled, like a fresh partial
  fh = await open(file, 'r+');
});
afterEach(async () => {
  await fh.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Lets a read-back in flight finish (main thread), or waits until `want` bytes are hashed. */
async function settle(h: SequentialHasher, want?: number): Promise<void> {
  for (let i = 0; i < 200 && (want === undefined ? i < 5 : h.hashed < want); i++) await new Promise((r) => setTimeout(r, 5));
}

/** Writes `[at, at+n)` of `data` into the file, marks it complete in `p` and offers it. */
async function deliver(h: SequentialHasher, p: Part, n: number, offer = true): Promise<void> {
  const at = p.Offset + p.Completed;
  const chunk = data.subarray(at, at + n);
  await fh.write(chunk, 0, chunk.length, at);
  p.Completed += chunk.length;
  if (offer) h.offer(at, chunk);
}

describe('SequentialHasher on the main thread', () => {
  it('hashes one part streamed in order from memory, without reading the file', async () => {
    const parts = planParts(data.length, data.length);
    const h = new SequentialHasher(fh, file, parts, data.length, { thread: false });
    while (parts[0]!.Completed < parts[0]!.Size) {
      await deliver(h, parts[0]!, 300_001);
      expect(h.hashed).toBe(parts[0]!.Completed); // never behind: consumed from memory
    }
    expect(await h.digest()).toBe(sha(data));
  });

  it('uses the worker thread by default only for big blobs', () => {
    expect(THREAD_MIN_BYTES).toBeGreaterThan(data.length);
  });
});

describe.each([
  ['main thread', false],
  ['worker thread', true],
])('SequentialHasher (%s)', (_label, thread) => {
  const hashers: SequentialHasher[] = [];
  const make = (parts: Part[]) => {
    const h = new SequentialHasher(fh, file, parts, data.length, { thread });
    hashers.push(h);
    return h;
  };
  afterEach(async () => {
    for (const h of hashers.splice(0)) await h.close();
  });

  it.each([
    ['in order', [0, 1, 2, 3]],
    ['reversed', [3, 2, 1, 0]],
    ['interleaved', [2, 0, 3, 1]],
  ])('hashes parts completed %s (later parts read back from the file)', async (_label, order) => {
    const parts = planParts(data.length, 3_000_000);
    expect(parts).toHaveLength(4);
    const h = make(parts);
    // Deliver in rounds of 1 MB per part, in the given order, so parts interleave.
    while (parts.some((p) => p.Completed < p.Size)) {
      for (const i of order) {
        const p = parts[i]!;
        if (p.Completed < p.Size) await deliver(h, p, Math.min(1_000_000, p.Size - p.Completed));
      }
      await settle(h);
    }
    expect(await h.digest()).toBe(sha(data));
  });

  it('hashes bytes resumed from an earlier run from disk, then continues from memory', async () => {
    const parts = planParts(data.length, 4_000_000);
    // An earlier run wrote the first 1.5 MB of part 0 and all of part 1.
    await deliver(make(parts), parts[0]!, 1_500_000, false);
    await deliver(make(parts), parts[1]!, parts[1]!.Size, false);
    const h = make(parts);
    h.poke();
    await settle(h, 1_500_000);
    expect(h.hashed).toBe(1_500_000);
    for (const p of [parts[2]!, parts[0]!]) while (p.Completed < p.Size) await deliver(h, p, 777_777);
    expect(await h.digest()).toBe(sha(data));
  });

  it('never hashes bytes that are not final: garbage past Completed is ignored', async () => {
    const parts = planParts(data.length, 5_000_000);
    const h = make(parts);
    // A cut attempt wrote bytes past what its part records (not complete): they get overwritten.
    await fh.write(randomBytes(2_000_000), 0, 2_000_000, 0);
    h.poke();
    await settle(h);
    expect(h.hashed).toBe(0);
    for (const p of parts) while (p.Completed < p.Size) await deliver(h, p, 1_000_000);
    expect(await h.digest()).toBe(sha(data));
  });

  it('reports the digest of what is on disk, so a flipped byte is caught', async () => {
    const parts = planParts(data.length, data.length);
    const h = make(parts);
    const bad = Buffer.from(data);
    bad[5_000_000]! ^= 1;
    await fh.write(bad, 0, bad.length, 0);
    parts[0]!.Completed = bad.length;
    h.offer(0, bad);
    expect(await h.digest()).not.toBe(sha(data));
  });

  it('refuses a digest while parts are incomplete', async () => {
    const parts = planParts(data.length, 3_000_000);
    const h = make(parts);
    await deliver(h, parts[0]!, parts[0]!.Size);
    await deliver(h, parts[2]!, 100);
    await expect(h.digest()).rejects.toThrow(/only 3000000 of 10485883 bytes are complete/);
  });

  it('reports a read failure from digest()', async () => {
    const parts = planParts(data.length, data.length);
    parts[0]!.Completed = data.length; // claims bytes a closed file cannot give back
    const h = make(parts);
    await fh.close();
    if (thread) await import('node:fs/promises').then((f) => f.truncate(file, 10)); // the thread reads by path
    h.poke();
    await expect(h.digest()).rejects.toThrow();
    fh = await open(file, 'r'); // for afterEach
  });
});

describe('SequentialHasher with pool slabs (worker thread)', () => {
  /** Copies `[at, at+n)` of `data` into pool slabs (as the receive loop does), writes it to the
   *  file, marks it complete and offers the views; then drops the reader's holds. */
  async function deliverShared(h: SequentialHasher, pool: SlabPool, p: Part, n: number, write = true): Promise<Buffer[]> {
    const at = p.Offset + p.Completed;
    const views: Buffer[] = [];
    for (let o = 0; o < n; ) {
      const slab = pool.take();
      const len = Math.min(slab.length, n - o);
      data.copy(slab, 0, at + o, at + o + len);
      views.push(slab.subarray(0, len / 2 | 0), slab.subarray(len / 2 | 0, len)); // two contiguous views
      o += len;
    }
    if (write) await fh.writev(views, at);
    p.Completed += n;
    h.offer(at, views);
    for (const v of views) pool.release(v);
    return views;
  }

  it('hashes the slabs in place (not from the file) and frees them once hashed', async () => {
    const pool = new SlabPool(1024 * 1024);
    const parts = planParts(data.length, data.length);
    const h = new SequentialHasher(fh, file, parts, data.length, { thread: true, pool });
    try {
      // The bytes are never written: the file holds zeros, so only hashing the slabs in
      // place gives the right digest.
      const first = await deliverShared(h, pool, parts[0]!, 3_000_000, false);
      await settle(h, 3_000_000);
      expect(h.hashed).toBe(3_000_000);
      expect(pool.owns(first[0]!)).toBe(false); // released after hashing
      while (parts[0]!.Completed < parts[0]!.Size) await deliverShared(h, pool, parts[0]!, Math.min(2_500_000, parts[0]!.Size - parts[0]!.Completed), false);
      expect(await h.digest()).toBe(sha(data));
    } finally {
      await h.close();
    }
  });

  it('mixes slabs, plain buffers and resumed bytes read from the file', async () => {
    const pool = new SlabPool(512 * 1024);
    const parts = planParts(data.length, 4_000_000);
    await deliver(new SequentialHasher(fh, file, parts, data.length, { thread: false }), parts[0]!, 1_000_000, false); // resumed
    const h = new SequentialHasher(fh, file, parts, data.length, { thread: true, pool });
    try {
      h.poke();
      await deliverShared(h, pool, parts[0]!, 1_000_000);
      await deliver(h, parts[0]!, 500_000); // plain memory: read back from the file
      await deliverShared(h, pool, parts[0]!, parts[0]!.Size - parts[0]!.Completed);
      for (const p of parts.slice(1)) while (p.Completed < p.Size) await deliverShared(h, pool, p, Math.min(1_300_000, p.Size - p.Completed));
      expect(await h.digest()).toBe(sha(data));
    } finally {
      await h.close();
    }
  });
});
