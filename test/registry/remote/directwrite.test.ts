import { randomBytes } from 'node:crypto';
import fs, { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi, type TestContext } from 'vitest';
import { DirectFile, PartWriter, type Written } from '../../../src/registry/remote/directwrite.js';
import { ALIGN, SlabPool } from '../../../src/registry/remote/slabpool.js';
import { prng as uint32Prng } from '../../helpers/gguf/writer.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const SLAB = 64 * KiB;
const SIZE = 3 * MiB + 777; // the partial file; its end is unaligned
const data = randomBytes(SIZE); // the blob, by absolute offset
const background = randomBytes(SIZE); // what a "filled" partial holds before the download

const floorA = (x: number) => x - (x % ALIGN);
const ceilA = (x: number) => floorA(x + ALIGN - 1);
/** Bytes of [start, end) a PartWriter should write with O_DIRECT: the whole aligned pages. */
const directShare = (start: number, end: number) => Math.max(0, floorA(end) - ceilA(start));

/** Seeded PRNG in [0, 1) (the GGUF writer's mulberry32), so a failing chunking can be replayed. */
function prng(seed: number): () => number {
  const next = uint32Prng(seed);
  return () => next() / 4294967296;
}

/** Body chunk sizes as a socket delivers them: some tiny, some a few KiB, some a whole slab. */
function chunkSize(rnd: () => number): number {
  const r = rnd();
  if (r < 0.2) return 1 + Math.floor(rnd() * 100);
  if (r < 0.6) return 1 + Math.floor(rnd() * 8000);
  return 1 + Math.floor(rnd() * 70_000);
}

/**
 * What this machine's tmp file system does: whether it takes O_DIRECT at all, whether it
 * refuses misaligned memory (ext4 and xfs do; tmpfs since Linux 6.6 takes O_DIRECT at any
 * alignment), and whether O_DIRECT reads of a hole skip that check (then a probe read of a
 * fresh partial proves nothing).
 */
async function probeMachine(): Promise<{ direct: boolean; strict: boolean; holesBlind: boolean }> {
  const d = mkdtempSync(path.join(os.tmpdir(), 'tollama-directprobe-'));
  try {
    const f = path.join(d, 'probe');
    writeFileSync(f, '');
    fs.truncateSync(f, 64 * KiB);
    const df = await DirectFile.open(f);
    if (!df) return { direct: false, strict: false, holesBlind: false };
    await df.close();
    const fd = fs.openSync(f, fs.constants.O_RDWR | fs.constants.O_DIRECT);
    // Offset 1 of a SharedArrayBuffer cannot be aligned to any block size.
    const misaligned = new Uint8Array(new SharedArrayBuffer(2 * ALIGN), 1, ALIGN);
    const takes = (io: () => void) => {
      try {
        io();
        return true;
      } catch {
        return false;
      }
    };
    try {
      const holesBlind = takes(() => fs.readSync(fd, misaligned, 0, ALIGN, 0)); // offset 0 is a hole
      const strict = !takes(() => fs.writeSync(fd, misaligned, 0, ALIGN, ALIGN));
      return { direct: true, strict, holesBlind: strict && holesBlind };
    } finally {
      fs.closeSync(fd);
    }
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}
const MACHINE = await probeMachine();
const NO_DIRECT = `O_DIRECT is not available on ${os.tmpdir()} (DirectFile.open returned null): direct-specific assertions skipped`;
function needDirect(ctx: TestContext): void {
  if (!MACHINE.direct) ctx.skip(NO_DIRECT);
}
function needStrictDirect(ctx: TestContext): void {
  needDirect(ctx);
  if (!MACHINE.strict) ctx.skip(`O_DIRECT on ${os.tmpdir()} takes misaligned memory (tmpfs?): nothing to refuse, skipped`);
}

let dir: string;
let file: string;
let fh: FileHandle;
const closers: (() => Promise<void>)[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tollama-directwrite-'));
  file = path.join(dir, 'blob-partial');
});
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

/** Creates the partial file: "sparse" as download.ts does (truncate), or "filled" with
 *  `background` (so bytes outside the written ranges can be told apart, and offset 0 holds
 *  data for findAligned's probe read). Opens the ordinary handle `fh`. */
async function makePartial(kind: 'sparse' | 'filled'): Promise<void> {
  if (kind === 'filled') writeFileSync(file, background);
  else {
    writeFileSync(file, '');
    fs.truncateSync(file, SIZE);
  }
  fh = await open(file, 'r+');
  closers.push(() => fh.close());
}

async function openDirect(): Promise<DirectFile | null> {
  const d = await DirectFile.open(file);
  if (d) closers.push(() => d.close());
  return d;
}

interface DirectLog {
  /** Every O_DIRECT write attempted: where, how long, whether the file system took it. */
  calls: { at: number; len: number; ok: boolean; byteOffset: number }[];
}

/** Records the writes of a real DirectFile. */
function spyDirect(d: DirectFile): DirectLog {
  const log: DirectLog = { calls: [] };
  const write = d.write.bind(d);
  d.write = async (buf: Buffer, at: number) => {
    const ok = await write(buf, at);
    log.calls.push({ at, len: buf.length, ok, byteOffset: buf.byteOffset });
    return ok;
  };
  return log;
}

/**
 * A stand-in DirectFile for machines without O_DIRECT: it claims that offset ALIGN − 16 of
 * every slab is aligned, checks that writes are aligned in the file, in length, and start at
 * that offset of their slab, and writes through a second ordinary handle. `refuseFrom`: the
 * write with this index (0-based) and later ones are refused, as EINVAL would be.
 */
async function simulatedDirect(refuseFrom = Infinity): Promise<{ d: DirectFile; log: DirectLog }> {
  const h = await open(file, 'r+');
  closers.push(() => h.close());
  const log: DirectLog = { calls: [] };
  let disabled = false;
  const d = {
    get usable() {
      return !disabled;
    },
    disable() {
      disabled = true;
    },
    findAligned: (sab: SharedArrayBuffer) => (sab.byteLength >= 2 * ALIGN ? ALIGN - 16 : null),
    async write(buf: Buffer, at: number) {
      if (at % ALIGN || buf.length % ALIGN || !buf.length || buf.byteOffset !== ALIGN - 16) {
        throw new Error(`misaligned O_DIRECT write: ${buf.length} bytes at ${at} from byteOffset ${buf.byteOffset}`);
      }
      if (disabled) return false; // not tried, as DirectFile does
      const ok = log.calls.length < refuseFrom;
      log.calls.push({ at, len: buf.length, ok, byteOffset: buf.byteOffset });
      if (!ok) {
        disabled = true;
        return false;
      }
      for (let off = 0; off < buf.length; ) off += (await h.write(buf, off, buf.length - off, at + off)).bytesWritten;
      return true;
    },
    async close() {},
  };
  return { d: d as unknown as DirectFile, log };
}

/** Records the ranges written through the ordinary handle `fh`. */
function spyBuffered(): { ranges: [number, number][] } {
  const out = { ranges: [] as [number, number][] };
  const writev = fh.writev.bind(fh);
  const write = fh.write.bind(fh) as (b: Buffer, o: number, l: number, p: number) => Promise<{ bytesWritten: number }>;
  vi.spyOn(fh, 'writev').mockImplementation(async (bufs: readonly NodeJS.ArrayBufferView[], at?: number | null) => {
    out.ranges.push([at!, at! + bufs.reduce((a, b) => a + b.byteLength, 0)]);
    return writev(bufs, at ?? undefined);
  });
  vi.spyOn(fh, 'write').mockImplementation((async (b: Buffer, o: number, l: number, p: number) => {
    out.ranges.push([p, p + l]);
    return write(b, o, l, p);
  }) as never);
  return out;
}

/** Pages (ALIGN) touched by the given ranges. */
function pages(ranges: [number, number][]): Set<number> {
  const s = new Set<number>();
  for (const [a, b] of ranges) for (let p = floorA(a); p < b; p += ALIGN) s.add(p);
  return s;
}

/**
 * Plays the receive loop of one part: body chunks land as views in receive slabs of `pool`
 * (each chunk holding its slab once), batches of chunks go to `writer.write()`, and what
 * landed is checked (contiguous, in order, the right bytes, views held) and released.
 */
class Receiver {
  pos: number;
  /** File offset up to which spans have landed. */
  landed: number;
  readonly spans: Written[] = [];
  private slab: Buffer | null = null;
  private fill = 0;

  constructor(
    readonly writer: PartWriter,
    readonly pool: SlabPool,
    readonly start: number,
    readonly end: number,
    readonly rnd: () => number,
    readonly seen: Set<ArrayBufferLike>,
  ) {
    this.pos = start;
    this.landed = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Receives up to a dozen chunks and writes them as one batch. */
  async step(): Promise<void> {
    const batch: Buffer[] = [];
    let n = 0;
    const chunks = 1 + Math.floor(this.rnd() * 12);
    for (let i = 0; i < chunks && this.pos < this.end; i++) {
      if (!this.slab || this.fill === this.pool.slabBytes) {
        if (this.slab) this.pool.release(this.slab);
        this.slab = this.pool.take();
        this.seen.add(this.slab.buffer);
        this.fill = 0;
      }
      const k = Math.min(chunkSize(this.rnd), this.end - this.pos, this.pool.slabBytes - this.fill);
      const c = this.slab.subarray(this.fill, this.fill + k);
      data.copy(c, 0, this.pos, this.pos + k);
      this.pool.retain(c);
      batch.push(c);
      this.fill += k;
      this.pos += k;
      n += k;
    }
    this.land(await this.writer.write(batch, n));
  }

  async run(): Promise<void> {
    while (!this.done) await this.step();
    await this.finish();
  }

  /** The part's body ended: the receive slab goes, what is staged is written. */
  async finish(): Promise<void> {
    if (this.slab) this.pool.release(this.slab);
    this.slab = null;
    this.land(await this.writer.end());
    expect(this.landed).toBe(this.end);
  }

  private land(ws: Written[]): void {
    for (const w of ws) {
      expect(w.at).toBe(this.landed);
      expect(w.views.reduce((a, v) => a + v.length, 0)).toBe(w.bytes);
      expect(w.at + w.bytes).toBeLessThanOrEqual(this.pos);
      expect(Buffer.concat(w.views).equals(data.subarray(w.at, w.at + w.bytes))).toBe(true);
      for (const v of w.views) {
        expect(this.pool.owns(v)).toBe(true); // the hold passed to us
        this.seen.add(v.buffer);
        this.pool.release(v);
      }
      this.landed += w.bytes;
      this.spans.push(w);
    }
  }
}

/** The file holds `data` in the given ranges and `outside` (the original bytes) elsewhere. */
function expectFile(ranges: [number, number][], outside: Buffer): void {
  const got = readFileSync(file);
  expect(got.length).toBe(SIZE);
  const want = Buffer.from(outside);
  for (const [a, b] of ranges) data.copy(want, a, a, b);
  for (const [a, b] of ranges) {
    const same = got.subarray(a, b).equals(want.subarray(a, b));
    expect(same, `bytes [${a}, ${b}) differ from the source`).toBe(true);
  }
  // First differing offset, if any, for a readable failure.
  let first = -1;
  if (!got.equals(want)) for (first = 0; got[first] === want[first]; first++);
  expect(first, 'first offset where the file differs from the expected bytes').toBe(-1);
}

/** No slab that went through the pool is still held by anyone. */
function expectNoHolds(pool: SlabPool, seen: Set<ArrayBufferLike>): void {
  expect(seen.size).toBeGreaterThan(0);
  for (const sab of seen) expect(pool.owns(new Uint8Array(sab as SharedArrayBuffer, 0, 1))).toBe(false);
  expect(pool.freeCount).toBeGreaterThan(0);
}

type Mode = 'direct' | 'simulated' | 'buffered';

/** A DirectFile for `mode` (real, stand-in, none) with its write log. */
async function directFor(mode: Mode, ctx: TestContext): Promise<{ d: DirectFile | null; log: DirectLog | null }> {
  if (mode === 'buffered') return { d: null, log: null };
  if (mode === 'simulated') return simulatedDirect();
  needDirect(ctx);
  const d = await openDirect();
  expect(d).not.toBeNull();
  return { d, log: spyDirect(d!) };
}

describe('PartWriter: content identity', () => {
  const cases: [string, number, number][] = [
    ['unaligned start, unaligned end', 12_345, SIZE - 4321],
    ['start 0, end of file', 0, SIZE],
    ['aligned start mid-file, unaligned end', 3 * SLAB, 2 * MiB + 5],
    ['within one page', 5000, 6000],
    ['aligned start, less than a page', 2 * ALIGN, 2 * ALIGN + 100],
    ['unaligned start, one slab and a bit', 100, 100 + SLAB + ALIGN],
  ];

  describe.each(['filled', 'sparse'] as const)('%s partial file', (kind) => {
    it.for(
      (['direct', 'simulated', 'buffered'] as Mode[]).flatMap((mode) => cases.map(([label, s, e]) => [mode, label, s, e] as const)),
    )('%s: %s [%i, %i)', async ([mode, _label, start, end], ctx) => {
      await makePartial(kind);
      const { d, log } = await directFor(mode, ctx);
      const buffered = spyBuffered();
      const pool = new SlabPool(SLAB);
      const seen = new Set<ArrayBufferLike>();
      const r = new Receiver(new PartWriter(fh, d, pool, start), pool, start, end, prng(start ^ end), seen);
      await r.run();

      expect(r.spans[0]!.at).toBe(start);
      expect(r.spans.reduce((a, w) => a + w.bytes, 0)).toBe(end - start);
      expectFile([[start, end]], kind === 'filled' ? background : Buffer.alloc(SIZE));
      expectNoHolds(pool, seen);

      if (!log) return;
      // Every whole page went the O_DIRECT way, and no page was written both ways.
      expect(d!.usable).toBe(true);
      expect(log.calls.every((c) => c.ok && c.at % ALIGN === 0 && c.len % ALIGN === 0 && c.len > 0)).toBe(true);
      expect(log.calls.reduce((a, c) => a + c.len, 0)).toBe(directShare(start, end));
      const directPages = pages(log.calls.map((c) => [c.at, c.at + c.len]));
      for (const p of pages(buffered.ranges)) expect(directPages.has(p), `page ${p} written both ways`).toBe(false);
      if (directShare(start, end) >= SLAB) expect(Math.max(...log.calls.map((c) => c.len))).toBe(SLAB); // whole slabs at a time
    });
  });
});

describe('PartWriter: parts of one file', () => {
  it.for(['direct', 'simulated', 'buffered'] as Mode[])(
    '%s: two parts with an unaligned boundary, written interleaved',
    async (mode, ctx) => {
      await makePartial('filled');
      const { d, log } = await directFor(mode, ctx);
      const buffered = spyBuffered();
      const pool = new SlabPool(SLAB);
      const seen = new Set<ArrayBufferLike>();
      const [s, mid, e] = [12_345, 1.5 * MiB + 1234, SIZE - 999];
      const a = new Receiver(new PartWriter(fh, d, pool, s), pool, s, mid, prng(1), seen);
      const b = new Receiver(new PartWriter(fh, d, pool, mid), pool, mid, e, prng(2), seen);
      // Both parts write at once, as parallel connections do.
      await Promise.all([a.run(), b.run()]);

      expectFile([[s, e]], background);
      expectNoHolds(pool, seen);
      if (!log) return;
      expect(d!.usable).toBe(true);
      expect(log.calls.every((c) => c.ok)).toBe(true);
      expect(log.calls.reduce((x, c) => x + c.len, 0)).toBe(directShare(s, mid) + directShare(mid, e));
      const directPages = pages(log.calls.map((c) => [c.at, c.at + c.len]));
      for (const p of pages(buffered.ranges)) expect(directPages.has(p), `page ${p} written both ways`).toBe(false);
    },
  );

  it('sequential interleaving: parts take turns batch by batch', async () => {
    await makePartial('filled');
    const { d } = await simulatedDirect();
    const pool = new SlabPool(SLAB);
    const seen = new Set<ArrayBufferLike>();
    const bounds = [7, 700_001, 1_400_003, SIZE];
    const rs = bounds.slice(0, -1).map((s, i) => new Receiver(new PartWriter(fh, d, pool, s), pool, s, bounds[i + 1]!, prng(10 + i), seen));
    const rnd = prng(99);
    for (let live = rs.filter((r) => !r.done); live.length; live = rs.filter((r) => !r.done)) {
      await live[Math.floor(rnd() * live.length)]!.step();
    }
    for (const r of rs) await r.finish();
    expectFile([[7, SIZE]], background);
    expectNoHolds(pool, seen);
  });
});

describe('PartWriter: fallbacks', () => {
  /** Chunks of `data` from `at`, each a view of a fresh receive slab (held once). */
  function chunks(pool: SlabPool, at: number, sizes: number[]): { bufs: Buffer[]; n: number } {
    const bufs = sizes.map((k, i) => {
      const slab = pool.take();
      const off = 17 * i;
      if (off + k > pool.slabBytes) throw new Error(`chunk ${i} (${k} bytes) does not fit its slab`);
      const c = slab.subarray(off, off + k);
      data.copy(c, 0, at, at + k);
      at += k;
      return c;
    });
    return { bufs, n: sizes.reduce((a, k) => a + k, 0) };
  }

  it('without a DirectFile writes the given buffers and hands them back as the views', async () => {
    await makePartial('filled');
    const pool = new SlabPool(SLAB);
    const w = new PartWriter(fh, null, pool, 12_345);
    const { bufs, n } = chunks(pool, 12_345, [1000, 5000, 1]);
    const out = await w.write(bufs, n);
    expect(out).toHaveLength(1);
    expect(out[0]!.at).toBe(12_345);
    expect(out[0]!.bytes).toBe(n);
    expect(out[0]!.views).toHaveLength(3);
    out[0]!.views.forEach((v, i) => expect(v).toBe(bufs[i]));
    for (const v of out[0]!.views) expect(pool.owns(v)).toBe(true);
    const next = chunks(pool, 12_345 + n, [300]);
    expect((await w.write(next.bufs, next.n)).map((x) => x.at)).toEqual([12_345 + n]);
    expect(await w.end()).toEqual([]);
    expectFile([[12_345, 12_345 + n + 300]], background);
  });

  it('without a pool writes buffered even with a DirectFile', async () => {
    await makePartial('filled');
    const { d, log } = await simulatedDirect();
    const bufs = [data.subarray(8192, 20_000), data.subarray(20_000, 90_000)];
    const w = new PartWriter(fh, d, undefined, 8192);
    const out = await w.write(bufs, 90_000 - 8192);
    expect(out).toEqual([{ at: 8192, views: bufs, bytes: 90_000 - 8192 }]);
    expect(await w.end()).toEqual([]);
    expect(log.calls).toHaveLength(0);
    expectFile([[8192, 90_000]], background);
  });

  it.for(['direct', 'simulated'] as Mode[])(
    '%s: findAligned finding nothing before the first write turns O_DIRECT off, bytes go buffered',
    async (mode, ctx) => {
      await makePartial('filled');
      const { d, log } = await directFor(mode, ctx);
      d!.findAligned = () => null;
      const pool = new SlabPool(SLAB);
      const { bufs, n } = chunks(pool, 12_345, [60_000, 3, 40_000]);
      const w = new PartWriter(fh, d, pool, 12_345);
      const out = await w.write(bufs, n);
      expect(d!.usable).toBe(false);
      expect(out).toHaveLength(1);
      expect(out[0]).toMatchObject({ at: 12_345, bytes: n });
      expect(out[0]!.views).toHaveLength(3);
      out[0]!.views.forEach((v, i) => expect(v.buffer).toBe(bufs[i]!.buffer));
      for (const v of out[0]!.views) pool.release(v);
      expect(await w.end()).toEqual([]);
      expect(log!.calls).toHaveLength(0);
      expectFile([[12_345, 12_345 + n]], background);
      const seen = new Set<ArrayBufferLike>(bufs.map((b) => b.buffer));
      expectNoHolds(pool, seen);
      expect(pool.freeCount).toBe(4); // the three receive slabs and the one findAligned refused
    },
  );

  it.for(['direct', 'simulated'] as Mode[])(
    '%s: no aligned slab to be had mid-stream: the rest goes buffered, bytes intact',
    async (mode, ctx) => {
      await makePartial('filled');
      const { d, log } = await directFor(mode, ctx);
      const pool = new SlabPool(SLAB);
      let granted = 0;
      const takeAligned = pool.takeAligned.bind(pool);
      pool.takeAligned = (f) => (granted++ < 5 ? takeAligned(f) : null);
      const seen = new Set<ArrayBufferLike>();
      const [s, e] = [12_345, SIZE - 4321];
      const r = new Receiver(new PartWriter(fh, d, pool, s), pool, s, e, prng(5), seen);
      await r.run();
      expect(d!.usable).toBe(false);
      expect(log!.calls.length).toBeGreaterThan(0);
      expect(log!.calls.every((c) => c.ok)).toBe(true);
      expectFile([[s, e]], background);
      expectNoHolds(pool, seen);
    },
  );

  it('an O_DIRECT write refused mid-stream (EINVAL) is written buffered, the rest too', async () => {
    await makePartial('filled');
    const { d, log } = await simulatedDirect(3);
    const pool = new SlabPool(SLAB);
    const seen = new Set<ArrayBufferLike>();
    const [s, e] = [12_345, SIZE - 4321];
    const r = new Receiver(new PartWriter(fh, d, pool, s), pool, s, e, prng(6), seen);
    await r.run();
    expect(d.usable).toBe(false);
    expect(log.calls.map((c) => c.ok)).toEqual([true, true, true, false]);
    expectFile([[s, e]], background);
    expectNoHolds(pool, seen);
  });

  it('direct: the kernel refusing unaligned memory (EINVAL) turns O_DIRECT off, bytes go buffered', async (ctx) => {
    needStrictDirect(ctx);
    await makePartial('filled');
    const d = (await openDirect())!;
    const log = spyDirect(d);
    const real = d.findAligned;
    d.findAligned = (sab) => {
      const at = real(sab);
      return at === null ? null : at === 0 ? 1 : at - 1; // never aligned
    };
    const pool = new SlabPool(SLAB);
    const seen = new Set<ArrayBufferLike>();
    const r = new Receiver(new PartWriter(fh, d, pool, 0), pool, 0, SIZE, prng(7), seen);
    await r.run();
    expect(d.usable).toBe(false);
    expect(log.calls.map((c) => c.ok)).toEqual([false]);
    expectFile([[0, SIZE]], background);
    expectNoHolds(pool, seen);
  });

  it('O_DIRECT turned off by another part while bytes are staged: they are written buffered first', async () => {
    await makePartial('filled');
    const { d, log } = await simulatedDirect();
    const pool = new SlabPool(SLAB);
    const w = new PartWriter(fh, d, pool, 8192);
    const first = chunks(pool, 8192, [SLAB, 1000]); // one slab direct, 1000 bytes staged
    const out1 = await w.write(first.bufs, first.n);
    expect(out1.map((x) => [x.at, x.bytes])).toEqual([[8192, SLAB]]);
    d.disable();
    const second = chunks(pool, 8192 + SLAB + 1000, [500]);
    const out2 = await w.write(second.bufs, 500);
    expect(out2.map((x) => [x.at, x.bytes])).toEqual([
      [8192 + SLAB, 1000],
      [8192 + SLAB + 1000, 500],
    ]);
    expect(out2[1]!.views[0]).toBe(second.bufs[0]);
    expect(await w.end()).toEqual([]);
    expect(log.calls.map((c) => [c.at, c.len, c.ok])).toEqual([[8192, SLAB, true]]);
    expectFile([[8192, 8192 + SLAB + 1500]], background);
  });

  it('drop() lets go of the staged slab, end() then writes nothing', async () => {
    await makePartial('filled');
    const { d, log } = await simulatedDirect();
    const pool = new SlabPool(SLAB);
    const { bufs, n } = chunks(pool, 8192, [1000]);
    const w = new PartWriter(fh, d, pool, 8192);
    expect(await w.write(bufs, n)).toEqual([]); // staged, not written
    expect(pool.owns(bufs[0]!)).toBe(false); // the writer released the received bytes
    expect(pool.freeCount).toBe(1);
    w.drop();
    expect(pool.freeCount).toBe(2); // and the staging slab
    w.drop(); // harmless twice
    expect(pool.freeCount).toBe(2);
    expect(await w.end()).toEqual([]);
    expect(log.calls).toHaveLength(0);
    expectFile([], background);
  });
});

describe('PartWriter: slow links', () => {
  it('staged bytes older than 100 ms are written (whole pages) at the next write; the rest stays staged', async () => {
    await makePartial('filled');
    const { d, log } = await simulatedDirect();
    const pool = new SlabPool(SLAB);
    const give = (at: number, k: number) => {
      const c = pool.take().subarray(0, k);
      data.copy(c, 0, at, at + k);
      return c;
    };
    const now = vi.spyOn(Date, 'now');
    try {
      now.mockReturnValue(1_000);
      const w = new PartWriter(fh, d, pool, 8192);
      expect(await w.write([give(8192, 5000)], 5000)).toEqual([]); // fresh: staged
      now.mockReturnValue(1_050);
      expect(await w.write([give(13192, 1000)], 1000)).toEqual([]); // 50 ms: still staged
      now.mockReturnValue(1_150);
      const out = await w.write([give(14192, 3000)], 3000); // 150 ms: 9000 staged → 2 pages out
      expect(out.map((x) => [x.at, x.bytes])).toEqual([[8192, 8192]]);
      for (const x of out) for (const v of x.views) pool.release(v);
      const rest = await w.end();
      expect(rest.map((x) => [x.at, x.bytes])).toEqual([[16384, 808]]);
      for (const x of rest) for (const v of x.views) pool.release(v);
      expect(log.calls.map((c) => [c.at, c.len, c.ok])).toEqual([[8192, 8192, true]]);
      expectFile([[8192, 8192 + 9000]], background);
      expect(pool.freeCount).toBeGreaterThan(0);
    } finally {
      now.mockRestore();
    }
  });
});

describe('SlabPool.takeAligned', () => {
  it('asks findAligned once per slab, across take/release cycles', () => {
    const pool = new SlabPool(SLAB);
    const asked: SharedArrayBuffer[] = [];
    const find = (sab: SharedArrayBuffer) => (asked.push(sab), 80);
    const a = pool.takeAligned(find)!;
    const b = pool.takeAligned(find)!; // a is held: a second slab
    expect(asked).toHaveLength(2);
    expect(a.buffer).not.toBe(b.buffer);
    pool.release(a);
    pool.release(b);
    for (let i = 0; i < 5; i++) {
      const x = pool.takeAligned(find)!;
      const y = pool.take(); // the other slab, as a receive slab
      expect(x.buffer).not.toBe(y.buffer);
      expect([a.buffer, b.buffer]).toContain(x.buffer);
      expect([a.buffer, b.buffer]).toContain(y.buffer);
      pool.release(y);
      pool.release(x);
    }
    expect(asked).toHaveLength(2);
    expect(asked[0]).toBe(a.buffer);
    expect(asked[1]).toBe(b.buffer);
  });

  it('hands out slabBytes from the aligned offset, held once, in the same memory as take()', () => {
    const pool = new SlabPool(SLAB);
    const v = pool.takeAligned(() => ALIGN - 16)!;
    expect(v.length).toBe(SLAB);
    expect(v.byteOffset).toBe(ALIGN - 16);
    expect(v.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(v.buffer.byteLength).toBeGreaterThanOrEqual(ALIGN - 16 + SLAB);
    expect(pool.owns(v)).toBe(true);
    pool.retain(v.subarray(10, 20));
    pool.release(v);
    expect(pool.owns(v)).toBe(true); // one hold left
    pool.release(v);
    expect(pool.owns(v)).toBe(false);
    expect(pool.freeCount).toBe(1);
    const t = pool.take();
    expect(t.buffer).toBe(v.buffer);
    expect(t.length).toBe(SLAB);
    t[ALIGN - 16] = 42;
    expect(v[0]).toBe(42); // same memory
  });

  it.each([
    ['null', null],
    ['negative', -16],
    ['past the room for a whole slab', ALIGN + 16],
  ])('returns null and keeps the slab free when findAligned answers %s', (_label, answer) => {
    const pool = new SlabPool(SLAB);
    let asked = 0;
    const find = () => (asked++, answer);
    expect(pool.takeAligned(find)).toBeNull();
    expect(pool.freeCount).toBe(1);
    expect(pool.takeAligned(find)).toBeNull(); // remembered: not asked again
    expect(asked).toBe(1);
    expect(pool.freeCount).toBe(1);
    const t = pool.take(); // the slab still serves as a receive slab
    expect(t.length).toBe(SLAB);
    expect(pool.freeCount).toBe(0);
  });

  it.each([0, 16, ALIGN - 16, ALIGN])('accepts offset %i (a whole slab fits after it)', (at) => {
    const pool = new SlabPool(SLAB);
    const v = pool.takeAligned(() => at)!;
    expect(v).not.toBeNull();
    expect(v.byteOffset).toBe(at);
    expect(v.length).toBe(SLAB);
  });
});

describe('DirectFile', () => {
  it('open() returns null for a file that cannot be opened', async () => {
    expect(await DirectFile.open(path.join(dir, 'missing'))).toBeNull();
  });

  it('findAligned finds where O_DIRECT writes work, without changing the file', async (ctx) => {
    needDirect(ctx);
    await makePartial('filled');
    const d = (await openDirect())!;
    for (const bytes of [SLAB + ALIGN, 4 * MiB + ALIGN]) {
      const sab = new SharedArrayBuffer(bytes);
      const at = d.findAligned(sab);
      expect(at).not.toBeNull();
      expect(at! % 16).toBe(0);
      expect(at!).toBeLessThan(ALIGN);
      const view = Buffer.from(sab, at!, 2 * ALIGN);
      data.copy(view, 0, 8192, 8192 + 2 * ALIGN);
      expect(await d.write(view, 8192)).toBe(true);
    }
    expect(d.usable).toBe(true);
    expectFile([[8192, 8192 + 2 * ALIGN]], background);
  });

  it('findAligned returns null for memory smaller than a page', async (ctx) => {
    needDirect(ctx);
    await makePartial('filled');
    const d = (await openDirect())!;
    expect(d.findAligned(new SharedArrayBuffer(ALIGN - 1))).toBeNull();
  });

  it('write() refused for an unaligned file offset: false, and O_DIRECT stays off', async (ctx) => {
    needStrictDirect(ctx);
    await makePartial('filled');
    const d = (await openDirect())!;
    const sab = new SharedArrayBuffer(SLAB + ALIGN);
    const at = d.findAligned(sab)!;
    const view = Buffer.from(sab, at, ALIGN);
    expect(await d.write(view, 100)).toBe(false);
    expect(d.usable).toBe(false);
    expect(await d.write(view, 0)).toBe(false); // not even tried
    expectFile([], background);
  });

  // O_DIRECT reads of a hole (the fresh, truncated partial) do not check memory alignment on
  // ext4/iomap, so findAligned probes against a page of real data instead; a probe against
  // the partial would answer ALIGN - 16 for every slab, right or wrong.
  it.skipIf(!MACHINE.holesBlind)('findAligned works on a fresh (sparse) partial file', async () => {
    await makePartial('sparse');
    const d = (await openDirect())!;
    const check = await open(path.join(dir, 'check'), fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_DIRECT);
    closers.push(() => check.close());
    for (let i = 0; i < 8; i++) {
      const sab = new SharedArrayBuffer(SLAB + ALIGN);
      const at = d.findAligned(sab);
      expect(at).not.toBeNull();
      await check.write(new Uint8Array(sab, at!, ALIGN), 0, ALIGN, 0); // EINVAL if at is not aligned
    }
  });
});
