/**
 * Writing a download's bytes to the partial file, with O_DIRECT where the file system allows.
 *
 * Buffered writes of a big blob cost more CPU than anything else in a pull: every byte is
 * copied into page-cache pages (on a VM that hands free memory back to its host, getting those
 * pages can cost several times the copy), and the fsync before the rename then writes them all
 * out again. O_DIRECT hands the bytes to the disk from our own
 * memory instead: measured on the 2-vCPU VM, 1 GiB costs 0.1 s of system time instead of
 * 0.7–2.5 s, and the final fsync has almost nothing left to do. The page cache is not filled,
 * so a later model load reads from disk, as it would after a reboot.
 *
 * O_DIRECT wants the file offset, the length and the memory address aligned (4096 covers
 * every common block size). The received bytes sit at arbitrary places in the receive slabs,
 * so a PartWriter copies them into aligned staging slabs (views from the same SlabPool,
 * so the hash thread still reads them in place) and writes each full staging slab with one
 * O_DIRECT write. The unaligned ends of a part (before its first aligned offset, after its
 * last) go through the ordinary file handle; no page is ever written both ways at once.
 * Anything the file system refuses (EINVAL: tmpfs, odd alignment) turns O_DIRECT off for the
 * rest of the download and the bytes go the buffered way.
 */
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { tempBlobPath } from '../store/blobs.js';
import { ALIGN, type SlabPool } from './slabpool.js';

/** Staged bytes older than this are written at the next write() (progress, resume points). */
const STAGE_MAX_MS = 100;

/** Blobs from this size on are written with O_DIRECT (smaller ones are not worth a second fd). */
export const DIRECT_MIN_BYTES = 32 * 1024 * 1024;

/** The O_DIRECT handle of one partial file, shared by every part of the download. */
export class DirectFile {
  private disabled = false;

  private constructor(
    private readonly fh: FileHandle,
    /** A page of real data (O_DIRECT, unlinked) that memory alignment is probed against. */
    private readonly probe: FileHandle,
  ) {}

  /** Opens `path` for O_DIRECT writes, or null where the platform or file system has none. */
  static async open(path: string): Promise<DirectFile | null> {
    const flag = fs.constants.O_DIRECT;
    if (!flag) return null;
    let fh: FileHandle | undefined;
    // The partial file cannot serve for the probe: O_DIRECT reads of a hole (a fresh,
    // truncated partial) skip the alignment check. So a page of real data beside it does.
    // A store temp file, which start-up prune removes if left.
    const probePath = tempBlobPath(dirname(path));
    try {
      fh = await open(path, fs.constants.O_RDWR | flag);
      const w = await open(probePath, 'w', 0o600);
      try {
        await w.write(Buffer.alloc(ALIGN, 1), 0, ALIGN, 0);
        await w.datasync();
      } finally {
        await w.close();
      }
      const probe = await open(probePath, fs.constants.O_RDONLY | flag);
      return new DirectFile(fh, probe);
    } catch {
      await fh?.close().catch(() => undefined);
      return null;
    } finally {
      await fs.promises.rm(probePath, { force: true }).catch(() => undefined);
    }
  }

  get usable(): boolean {
    return !this.disabled;
  }

  /** From now on every write of this download goes the buffered way. */
  disable(): void {
    this.disabled = true;
  }

  /**
   * Where in `sab` memory is aligned as the disk wants it: the offset at which a 4096-byte
   * O_DIRECT read into it succeeds (EINVAL means misaligned). glibc puts large allocations 16
   * bytes past a page boundary, so 4096 − 16 is tried first. Reads the probe page.
   */
  findAligned = (sab: SharedArrayBuffer): number | null => {
    const candidates = [ALIGN - 16, 0];
    for (let at = 16; at < ALIGN - 16; at += 16) candidates.push(at);
    for (const at of candidates) {
      if (at + ALIGN > sab.byteLength) continue;
      try {
        fs.readSync(this.probe.fd, new Uint8Array(sab, at, ALIGN), 0, ALIGN, 0);
        return at;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EINVAL') return null;
      }
    }
    return null;
  };

  /** Writes `buf` (aligned address and length) at `at` (aligned); false if O_DIRECT refused it. */
  async write(buf: Buffer, at: number): Promise<boolean> {
    if (this.disabled) return false;
    try {
      for (let off = 0; off < buf.length; ) {
        const { bytesWritten } = await this.fh.write(buf, off, buf.length - off, at + off);
        if (bytesWritten <= 0 || bytesWritten % ALIGN !== 0) throw Object.assign(new Error('short O_DIRECT write'), { code: 'EINVAL' });
        off += bytesWritten;
      }
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EINVAL') throw e;
      this.disabled = true;
      return false;
    }
  }

  async close(): Promise<void> {
    await this.probe.close();
    await this.fh.close();
  }
}

/** Bytes now in the file from `at` on, as views the caller holds (one hold each). */
export interface Written {
  at: number;
  views: Buffer[];
  bytes: number;
}

/**
 * Writes one part attempt's bytes, which arrive in order from `start` on. `write()` takes the
 * holds of the buffers it is given and returns what reached the file; `end()` writes what is
 * still staged.
 */
export class PartWriter {
  private staging: Buffer | null = null;
  private staged = 0;
  /** When the oldest staged byte arrived (for slow links: see write()). */
  private stagedSince = 0;
  /** File offset of staging[0] (while staging), or of the next byte. */
  private pos: number;

  constructor(
    private readonly fh: FileHandle,
    private readonly direct: DirectFile | null,
    private readonly pool: SlabPool | undefined,
    start: number,
  ) {
    this.pos = start;
  }

  /** `bufs` (`n` bytes together) continue the part; resolves with the bytes written so far. */
  async write(bufs: Buffer[], n: number): Promise<Written[]> {
    if (!this.direct?.usable || !this.pool) return [...(await this.end()), await this.buffered(bufs, n)];
    const out: Written[] = [];
    for (let i = 0; i < bufs.length; i++) {
      const b = bufs[i]!;
      for (let off = 0; off < b.length; ) {
        if (!this.staging) {
          this.staging = this.pool.takeAligned(this.direct.findAligned);
          this.staged = 0;
          if (!this.staging) {
            // No aligned memory to be had: O_DIRECT off, the rest goes the buffered way (the
            // holds of b and what follows pass to the caller with the views).
            this.direct.disable();
            const rest = [b.subarray(off), ...bufs.slice(i + 1)];
            return [...out, await this.buffered(rest, rest.reduce((a, x) => a + x.length, 0))];
          }
        }
        const k = Math.min(b.length - off, this.room() - this.staged);
        if (this.staged === 0) this.stagedSince = Date.now();
        b.copy(this.staging, this.staged, off, off + k);
        this.staged += k;
        off += k;
        if (this.staged === this.room()) out.push(await this.flushStaged());
      }
      this.pool.release(b);
    }
    // On a slow link a staging slab takes long to fill, and staged bytes are neither on disk
    // (resume points) nor counted (progress): once they are STAGE_MAX_MS old, the whole pages
    // among them are written now and the rest (< 4096 bytes) moves to a fresh slab.
    if (this.staging && this.staged >= ALIGN && this.pos % ALIGN === 0 && Date.now() - this.stagedSince >= STAGE_MAX_MS) {
      out.push(await this.flushPages());
    }
    return out;
  }

  /** Writes the whole pages staged (pos is aligned), keeping the rest staged in a new slab. */
  private async flushPages(): Promise<Written> {
    const pages = this.staged - (this.staged % ALIGN);
    const rest = this.staged - pages;
    const next = rest ? this.pool!.takeAligned(this.direct!.findAligned) : null;
    if (rest && !next) return this.flushStaged(); // no slab for the rest: all of it now (its tail buffered)
    const old = this.staging!;
    if (next) old.copy(next, 0, pages, this.staged);
    this.staging = next;
    this.staged = rest;
    this.stagedSince = Date.now();
    return this.writeOut(old.subarray(0, pages));
  }

  private async buffered(bufs: Buffer[], n: number): Promise<Written> {
    await writeAllAt(this.fh, bufs, this.pos, n);
    const w: Written = { at: this.pos, views: bufs, bytes: n };
    this.pos += n;
    return w;
  }

  /** Writes whatever is staged (at the end of the part attempt). */
  async end(): Promise<Written[]> {
    return this.staging && this.staged ? [await this.flushStaged()] : [];
  }

  /** Lets go of staged bytes that will not be written (the part attempt failed for good). */
  drop(): void {
    if (this.staging) this.pool?.release(this.staging);
    this.staging = null;
  }

  /** A staging slab's capacity now: up to the next aligned offset, then whole slabs. */
  private room(): number {
    const mis = this.pos % ALIGN;
    return mis ? Math.min(ALIGN - mis, this.staging!.length) : this.staging!.length;
  }

  private async flushStaged(): Promise<Written> {
    const buf = this.staging!.subarray(0, this.staged);
    this.staging = null;
    return this.writeOut(buf);
  }

  /** Writes `buf` at pos: its whole pages with O_DIRECT when pos is aligned, the rest buffered. */
  private async writeOut(buf: Buffer): Promise<Written> {
    const at = this.pos;
    const aligned = at % ALIGN === 0 ? buf.length - (buf.length % ALIGN) : 0;
    if (!aligned || !(await this.direct!.write(buf.subarray(0, aligned), at))) {
      await writeAllAt(this.fh, [buf], at, buf.length);
    } else if (aligned < buf.length) {
      await writeAllAt(this.fh, [buf.subarray(aligned)], at + aligned, buf.length - aligned);
    }
    this.pos += buf.length;
    return { at, views: [buf], bytes: buf.length };
  }
}

/** Writes `bufs` (`n` bytes together) at `at`, continuing after short writes. */
export async function writeAllAt(fh: FileHandle, bufs: Buffer[], at: number, n: number): Promise<void> {
  const { bytesWritten } = await fh.writev(bufs, at);
  if (bytesWritten >= n) return;
  const rest = Buffer.concat(bufs).subarray(bytesWritten);
  for (let off = 0; off < rest.length; ) {
    const r = await fh.write(rest, off, rest.length - off, at + bytesWritten + off);
    if (r.bytesWritten <= 0) throw new Error('could not write to the partial file');
    off += r.bytesWritten;
  }
}
