/**
 * Hashing a blob while its parts download, so no second pass over the file is needed.
 *
 * The sha256 must consume the bytes in order, but parts arrive in parallel and out of order.
 * The hasher keeps one frontier (`hashed`): bytes below it are in the hash. A byte is *final*
 * once it has been written to the partial file and its part's `Completed` covers it (a
 * resumed or restarted part continues at `Offset + Completed` and never rewrites bytes below
 * it). The hasher takes the bytes at the frontier from memory when a writer hands them over
 * right after writing them (`offer`), and otherwise reads final bytes back from the partial
 * file (page cache) as soon as the bytes before them are final: bytes resumed from a previous
 * run, and later parts once the earlier ones finish. `digest()` hashes whatever remains.
 *
 * Big blobs are hashed on a worker thread instead: sha256 costs about as much CPU as receiving
 * the bytes, so on the main thread it would slow the download by half; on the second core it
 * runs alongside. Bytes offered in slabs of a SlabPool (shared memory) are hashed there in
 * place, the slab held until the thread is past them; other final bytes the thread reads back
 * from the partial file.
 */
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { Part } from './parts.js';
import type { SlabPool } from './slabpool.js';

/** Bytes read back from the partial file per read. */
const READ_CHUNK = 4 * 1024 * 1024;

/** Blobs from this size on are hashed on a worker thread (its start costs a few ms). */
export const THREAD_MIN_BYTES = 32 * 1024 * 1024;

/** Most bytes handed to the thread in slabs and not yet hashed. */
const MAX_SHARED_LAG = 16 * 1024 * 1024;

export interface HasherOptions {
  /** Hash on a worker thread that reads the file at `path` (default: total ≥ THREAD_MIN_BYTES). */
  thread?: boolean;
  /** The pool the offered bytes may come from: the thread hashes those in place. */
  pool?: SlabPool;
}

/** The worker: hashes the file at workerData.path up to each `upTo` it is sent. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const fd = openSync(workerData.path, 'r');
const h = createHash('sha256');
const buf = Buffer.allocUnsafe(${READ_CHUNK});
let pos = 0;
parentPort.on('message', (m) => {
  try {
    for (const r of m.shared || []) {
      if (r.at !== pos) throw new Error('shared bytes at ' + r.at + ' do not continue the hash at ' + pos);
      h.update(new Uint8Array(r.sab, r.off, r.len));
      pos += r.len;
    }
    while (pos < m.upTo) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, m.upTo - pos), pos);
      if (n <= 0) throw new Error('partial file is shorter than expected at offset ' + pos);
      h.update(buf.subarray(0, n));
      pos += n;
    }
    if (m.finish) {
      closeSync(fd);
      parentPort.postMessage({ hashed: pos, digest: 'sha256:' + h.digest('hex') });
    } else parentPort.postMessage({ hashed: pos });
  } catch (e) {
    parentPort.postMessage({ error: String((e && e.message) || e) });
  }
});
`;

/** Bytes `len` at `off` of shared slab `sab`, which are the file's bytes from `at`. */
interface SharedRange {
  sab: SharedArrayBuffer;
  off: number;
  len: number;
  at: number;
}

interface WorkerReply {
  hashed?: number;
  digest?: string;
  error?: string;
}

/** The worker-thread side of the hasher. */
class ThreadHash {
  private readonly worker: Worker;
  hashed = 0;
  sent = 0;
  private failure: Error | undefined;
  private waiting: { resolve: (d: string) => void; reject: (e: Error) => void } | null = null;
  /** Slab views handed to the thread, released once it has hashed past `end`. */
  private held: { end: number; views: Uint8Array[] }[] = [];
  /** Woken once the thread is less than MAX_SHARED_LAG behind (or has failed). */
  private roomWaiters: (() => void)[] = [];

  constructor(
    path: string,
    private readonly pool?: SlabPool,
  ) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path } });
    this.worker.unref();
    this.worker.on('message', (m: WorkerReply) => {
      if (m.error !== undefined) return this.fail(new Error(`hashing the download: ${m.error}`));
      if (m.hashed !== undefined) {
        this.hashed = m.hashed;
        while (this.held.length && this.held[0]!.end <= m.hashed) for (const v of this.held.shift()!.views) this.pool?.release(v);
        if (this.hasRoom()) this.wakeRoom();
      }
      if (m.digest !== undefined) {
        const w = this.waiting;
        this.waiting = null;
        w?.resolve(m.digest);
      }
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', () => this.fail(new Error('hashing the download: the hash thread stopped')));
  }

  hasRoom(): boolean {
    return this.sent - this.hashed < MAX_SHARED_LAG || this.failure !== undefined;
  }

  /** Resolves once the thread is less than MAX_SHARED_LAG bytes behind what it was sent. */
  room(): Promise<void> {
    if (this.hasRoom()) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  private wakeRoom(): void {
    for (const w of this.roomWaiters.splice(0)) w();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.wakeRoom();
    const w = this.waiting;
    this.waiting = null;
    w?.reject(this.failure);
  }

  /**
   * Hands the thread `views` (pool slabs), which are the bytes from `at` = `sent` on, to hash
   * in place; they stay held until it is past them. Contiguous views of one slab travel as one
   * range.
   */
  shared(at: number, views: readonly Uint8Array[]): void {
    if (this.failure || at !== this.sent || !this.pool) return;
    const ranges: SharedRange[] = [];
    let pos = at;
    for (const v of views) {
      const last = ranges[ranges.length - 1];
      if (last && last.sab === v.buffer && last.off + last.len === v.byteOffset) last.len += v.length;
      else ranges.push({ sab: v.buffer as SharedArrayBuffer, off: v.byteOffset, len: v.length, at: pos });
      pos += v.length;
      this.pool.retain(v);
    }
    this.held.push({ end: pos, views: [...views] });
    this.sent = pos;
    this.worker.postMessage({ shared: ranges, upTo: pos });
  }

  upTo(end: number): void {
    if (end <= this.sent || this.failure) return;
    this.sent = end;
    this.worker.postMessage({ upTo: end });
  }

  digest(total: number): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.sent = total;
      this.worker.postMessage({ upTo: total, finish: true });
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('hashing the download: closed');
    this.wakeRoom();
    await this.worker.terminate();
  }
}

export class SequentialHasher {
  private readonly h: Hash = createHash('sha256');
  private frontier = 0;
  private reading: Promise<void> | null = null;
  private failure: unknown;
  private buf: Buffer | null = null;
  private readonly thread: ThreadHash | null;

  /**
   * `fh` is the partial file opened for reading, `path` its path (for the worker thread);
   * `parts` must be contiguous from offset 0 and are read live (their `Completed` grows).
   */
  constructor(
    private readonly fh: FileHandle,
    path: string,
    private readonly parts: readonly Part[],
    private readonly total: number,
    opts: HasherOptions = {},
  ) {
    this.pool = opts.pool;
    this.thread = (opts.thread ?? total >= THREAD_MIN_BYTES) ? new ThreadHash(path, opts.pool) : null;
  }

  /** The pool the receive loop reads into (its slabs are hashed in place on the thread). */
  readonly pool: SlabPool | undefined;

  /** Bytes already in the hash. */
  get hashed(): number {
    return this.thread ? this.thread.hashed : this.frontier;
  }

  /** End of the final bytes contiguous from the frontier. */
  finalEnd(): number {
    let end = this.frontier;
    for (const p of this.parts) {
      if (p.Offset + p.Size <= end) continue;
      if (p.Offset > end) break;
      end = p.Offset + p.Completed;
      if (p.Completed < p.Size) break;
    }
    return Math.min(end, this.total);
  }

  /**
   * Bytes from `at` on (`data`, or the buffers in order) have just been written and are final
   * (their part's `Completed` already covers them). Hashed from memory when they continue the
   * frontier (on the thread: when they lie in slabs of the pool); otherwise the hasher reads
   * them back later. The caller may release its own holds on pool slabs right after.
   */
  offer(at: number, data: Uint8Array | readonly Uint8Array[]): void {
    const bufs = data instanceof Uint8Array ? [data] : data;
    if (this.thread) {
      const pool = this.pool;
      // A thread lagging far behind reads the bytes back from the file instead, so held slabs
      // (memory) stay bounded.
      const t = this.thread;
      if (pool && at === t.sent && t.hasRoom() && bufs.every((b) => pool.owns(b))) t.shared(at, bufs);
    } else if (!this.reading && at === this.frontier) {
      for (const b of bufs) this.h.update(b);
      this.frontier += bufs.reduce((a, b) => a + b.length, 0);
    }
    this.poke();
  }

  /**
   * Resolves once the hash thread is close enough behind the offered bytes to take more slabs
   * in place (at once without a thread). A receive loop waiting on it before reading more keeps
   * the thread busy with sha256 only: sha256 is the slowest stage on a fast link, and reading
   * back bytes it could not take in place would only slow it further.
   */
  room(): Promise<void> {
    return this.thread ? this.thread.room() : Promise.resolve();
  }

  /** Starts reading final bytes back from the file if the frontier lags behind them. */
  poke(): void {
    if (this.thread) {
      this.frontier = this.finalEnd();
      this.thread.upTo(this.frontier);
      return;
    }
    if (this.reading || this.failure !== undefined || this.finalEnd() <= this.frontier) return;
    this.reading = this.catchUp().then(
      () => {
        this.reading = null;
      },
      (e: unknown) => {
        this.failure = e;
        this.reading = null;
      },
    );
  }

  private async catchUp(): Promise<void> {
    for (let end = this.finalEnd(); end > this.frontier; end = this.finalEnd()) {
      const n = Math.min(end - this.frontier, READ_CHUNK);
      this.buf ??= Buffer.allocUnsafe(READ_CHUNK);
      const { bytesRead } = await this.fh.read(this.buf, 0, n, this.frontier);
      if (bytesRead <= 0) throw new Error(`partial file is shorter than expected at offset ${this.frontier}`);
      this.h.update(this.buf.subarray(0, bytesRead));
      this.frontier += bytesRead;
    }
  }

  /** Waits for any read-back in flight and stops the worker thread (call before closing the
   *  file; always, also after a failure). */
  async close(): Promise<void> {
    while (this.reading) await this.reading;
    await this.thread?.close();
  }

  /** Hashes what is left (every part must be complete) and returns `sha256:<hex>`. */
  async digest(): Promise<string> {
    while (this.reading) await this.reading;
    if (this.failure !== undefined) throw this.failure;
    if (this.thread) {
      const end = this.finalEnd();
      if (end !== this.total) throw new Error(`only ${end} of ${this.total} bytes are complete`);
      return this.thread.digest(this.total);
    }
    await this.catchUp();
    if (this.frontier !== this.total) throw new Error(`only ${this.frontier} of ${this.total} bytes are complete`);
    this.buf = null;
    return 'sha256:' + this.h.digest('hex');
  }
}
