/**
 * Content-addressed blobs: `blobs/sha256-<hex>`. A blob only becomes visible under its name
 * once its bytes are on disk (fsynced) and hash to that name: writers stream into a temp file
 * in `blobs/` (`sha256-tmp-…`, never a valid digest name, so prune removes leftovers), hash
 * while writing, then rename. Concurrent writers of one blob are safe: rename is atomic and
 * both temp files hold the same bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, open, readdir, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { assertDigest, digestToFileName, isValidDigest } from '../digest.js';
import {
  BlobNotFoundError,
  BlobTooLargeError,
  DigestMismatchError,
  InvalidSourceError,
  StoreError,
} from './errors.js';
import { isNotFound, type StorePaths } from './paths.js';

export type BlobSource = Uint8Array | string | AsyncIterable<Uint8Array | string>;

export interface BlobWriteResult {
  digest: string;
  size: number;
  /** True when the blob was already in the store (nothing was written). */
  existed: boolean;
}

export interface WriteBlobOptions {
  /** The digest the bytes must hash to; checked before the blob becomes visible. */
  expected?: string;
  /** Refuse bodies larger than this many bytes (BlobTooLargeError, 413). */
  maxBytes?: number;
  signal?: AbortSignal;
}

const TEMP_PREFIX = 'sha256-tmp-';

export function isTempBlobName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX);
}

/** A fresh temp-file path in `blobsDir` (`sha256-tmp-<pid>-<random>`, removed by prune if left). */
export function tempBlobPath(blobsDir: string): string {
  return path.join(blobsDir, `${TEMP_PREFIX}${process.pid}-${randomBytes(8).toString('hex')}`);
}

function tempPath(paths: StorePaths): string {
  return tempBlobPath(paths.blobsDir);
}

export async function ensureBlobsDir(paths: StorePaths): Promise<void> {
  await mkdir(paths.blobsDir, { recursive: true, mode: 0o755 });
}

/** The blob's size, or null when it is not in the store. */
export async function statBlob(paths: StorePaths, digest: string): Promise<{ size: number; mtime: Date } | null> {
  const p = paths.blobPath(digest);
  try {
    const st = await stat(p);
    if (!st.isFile()) return null;
    return { size: st.size, mtime: st.mtime };
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}

async function* chunksOf(source: BlobSource): AsyncIterable<Uint8Array> {
  if (typeof source === 'string') {
    yield Buffer.from(source, 'utf8');
  } else if (source instanceof Uint8Array) {
    yield source;
  } else {
    for await (const c of source) yield typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
  }
}

async function removeQuietly(p: string): Promise<void> {
  await unlink(p).catch(() => undefined);
}

/** fsync a directory so a rename in it survives a crash (best effort: not all FS allow it). */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* not supported here */
  }
}

/**
 * Moves a fully written, verified temp file to its blob name. When the blob appeared in the
 * meantime (a concurrent writer), the temp file is dropped and `existed` is true.
 */
async function publish(paths: StorePaths, tmp: string, digest: string, size: number): Promise<BlobWriteResult> {
  const final = paths.blobPath(digest);
  if ((await statBlob(paths, digest)) !== null) {
    await removeQuietly(tmp);
    return { digest, size, existed: true };
  }
  await rename(tmp, final);
  await syncDir(paths.blobsDir);
  return { digest, size, existed: false };
}

const WRITE_BATCH = 4 << 20;
const SYNC_EVERY = 64 << 20;

/**
 * Writes a stream of chunks in order as large batches, one write in flight at a time, so the
 * caller hashes the next bytes while the previous ones go to the file; written data is flushed to
 * disk in the background every 64 MiB, so the final fsync finds little left to do.
 */
class BatchWriter {
  private parts: Uint8Array[] = [];
  private bytes = 0;
  private inflight: Promise<void> = Promise.resolve();
  private failed: unknown = undefined;
  private unsynced = 0;
  private syncing: Promise<void> | null = null;

  constructor(private readonly fh: FileHandle) {}

  async add(chunk: Uint8Array): Promise<void> {
    this.parts.push(chunk);
    this.bytes += chunk.byteLength;
    if (this.bytes >= WRITE_BATCH) await this.flush();
  }

  async finish(): Promise<void> {
    await this.flush();
    await this.inflight;
    await this.syncing;
    if (this.failed !== undefined) throw this.failed;
  }

  private async flush(): Promise<void> {
    if (this.bytes === 0) return;
    const buf = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.bytes);
    this.parts = [];
    this.bytes = 0;
    await this.inflight;
    if (this.failed !== undefined) throw this.failed;
    this.inflight = this.writeAll(buf).catch((e: unknown) => {
      this.failed = e;
    });
  }

  private async writeAll(buf: Uint8Array): Promise<void> {
    let off = 0;
    while (off < buf.byteLength) {
      const { bytesWritten } = await this.fh.write(buf, off, buf.byteLength - off);
      off += bytesWritten;
    }
    this.unsynced += buf.byteLength;
    if (this.unsynced >= SYNC_EVERY && !this.syncing) {
      this.unsynced = 0;
      this.syncing = this.fh.datasync().then(
        () => void (this.syncing = null),
        () => void (this.syncing = null),
      );
    }
  }
}

/** Streams `source` into the store. See the module comment for the guarantees. */
export async function writeBlob(
  paths: StorePaths,
  source: BlobSource,
  opts: WriteBlobOptions = {},
): Promise<BlobWriteResult> {
  const expected = opts.expected === undefined ? undefined : assertDigest(opts.expected);
  if (expected) {
    const st = await statBlob(paths, expected);
    if (st) return { digest: expected, size: st.size, existed: true };
  }
  await ensureBlobsDir(paths);
  const tmp = tempPath(paths);
  const fh = await open(tmp, 'wx', 0o644);
  let closed = false;
  try {
    const hash = createHash('sha256');
    const writer = new BatchWriter(fh);
    let size = 0;
    for await (const chunk of chunksOf(source)) {
      opts.signal?.throwIfAborted();
      size += chunk.byteLength;
      if (opts.maxBytes !== undefined && size > opts.maxBytes) throw new BlobTooLargeError(opts.maxBytes);
      // The previous batch is being written while this chunk is hashed.
      hash.update(chunk);
      await writer.add(chunk);
    }
    await writer.finish();
    opts.signal?.throwIfAborted();
    await fh.sync();
    await fh.close();
    closed = true;
    const digest = 'sha256:' + hash.digest('hex');
    if (expected && digest !== expected) throw new DigestMismatchError(expected, digest);
    return await publish(paths, tmp, digest, size);
  } catch (e) {
    if (!closed) await fh.close().catch(() => undefined);
    await removeQuietly(tmp);
    throw e;
  }
}

/** sha256 and size of a file, read as a stream. */
export async function hashFile(file: string, signal?: AbortSignal): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20, signal })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).byteLength;
  }
  return { digest: 'sha256:' + hash.digest('hex'), size };
}

/**
 * Copies a local file into the store: hash it, copy-on-write clone (plain copy where the file
 * system cannot clone) into a temp name, re-hash the copy, rename. An existing blob is never
 * written again. Only regular files are accepted (symlinks are followed); errors never name
 * the host path.
 */
export async function importFile(
  paths: StorePaths,
  file: string,
  opts: { expected?: string; signal?: AbortSignal } = {},
): Promise<BlobWriteResult> {
  const expected = opts.expected === undefined ? undefined : assertDigest(opts.expected);
  let st;
  try {
    st = await stat(file);
  } catch {
    throw new InvalidSourceError('file does not exist or is not readable');
  }
  if (!st.isFile()) throw new InvalidSourceError('not a regular file');
  const src = await hashFile(file, opts.signal);
  if (expected && src.digest !== expected) throw new DigestMismatchError(expected, src.digest);
  const have = await statBlob(paths, src.digest);
  if (have) return { digest: src.digest, size: have.size, existed: true };

  await ensureBlobsDir(paths);
  const tmp = tempPath(paths);
  try {
    await copyFile(file, tmp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    await makeDurable(tmp);
    const copied = await hashFile(tmp, opts.signal);
    if (copied.digest !== src.digest) {
      throw new StoreError('the file changed while it was being imported; try again', 409);
    }
    return await publish(paths, tmp, src.digest, src.size);
  } catch (e) {
    await removeQuietly(tmp);
    throw e;
  }
}

/** A finished temp file: the blob mode (0644) and its bytes on disk. */
async function makeDurable(tmp: string): Promise<void> {
  await chmod(tmp, 0o644);
  const fh = await open(tmp, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** A fresh temp-file path in blobs/ for a file another writer fills (quantize); see publishTempFile. */
export async function newTempBlobFile(paths: StorePaths): Promise<string> {
  await ensureBlobsDir(paths);
  return tempPath(paths);
}

/**
 * Makes a finished temp file (from newTempBlobFile) a blob: fsync, hash, rename to its digest.
 * The temp file is gone afterwards whatever happens.
 */
export async function publishTempFile(paths: StorePaths, tmp: string, signal?: AbortSignal): Promise<BlobWriteResult> {
  try {
    await makeDurable(tmp);
    const h = await hashFile(tmp, signal);
    return await publish(paths, tmp, h.digest, h.size);
  } catch (e) {
    await removeQuietly(tmp);
    throw e;
  }
}

/** Reads a whole blob, refusing blobs over `maxBytes` (config, params, template blobs …). */
export async function readBlob(paths: StorePaths, digest: string, maxBytes: number): Promise<Buffer> {
  const st = await statBlob(paths, digest);
  if (!st) throw new BlobNotFoundError(digest);
  if (st.size > maxBytes) throw new BlobTooLargeError(maxBytes);
  return readFile(paths.blobPath(digest));
}

/** Deletes a blob; a missing blob is not an error. */
export async function removeBlob(paths: StorePaths, digest: string): Promise<boolean> {
  try {
    await unlink(paths.blobPath(digest));
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** Ollama's fixBlobs: rename blobs written as `sha256:<hex>` to `sha256-<hex>`. */
export async function fixBlobNames(paths: StorePaths): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(paths.blobsDir);
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
  const fixed: string[] = [];
  for (const name of names) {
    if (!isValidDigest(name)) continue;
    await rename(path.join(paths.blobsDir, name), path.join(paths.blobsDir, digestToFileName(name)));
    fixed.push(name);
  }
  return fixed;
}
