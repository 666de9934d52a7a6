/**
 * Downloading one blob: ranged parts (in parallel from a remote registry, one part from a
 * loopback one) into `-partial` (resumable from the part descriptors, also across processes),
 * hashed while they arrive (seqhash.ts: no second pass over the file), written with O_DIRECT
 * where possible (directwrite.ts), fsync, then the rename into place if the sha256 matches. Part transfers, retries and stall restarts: partfetch.ts.
 * Concurrent requests for the same blob in this process share one download; other processes on
 * the same store wait behind its download lock (store/leases.ts).
 */
import { open, rename } from 'node:fs/promises';
import type { RegistryClient } from './client.js';
import { AbortedError, BadRemoteError, DigestMismatchError, NotFoundError } from './errors.js';
import { DIRECT_MIN_BYTES, DirectFile } from './directwrite.js';
import { fetchPart, Fatal, resolveDirect, type BlobRequest, type DownloadTuning, type PartJob } from './partfetch.js';
import { loadParts, planParts, removePartial, writeDescriptor } from './parts.js';
import { SequentialHasher } from './seqhash.js';
import { SlabPool } from './slabpool.js';
import type { StorePort } from './storeport.js';
import { tryDownloadLock } from '../store/leases.js';

export type { BlobRequest, DownloadTuning } from './partfetch.js';

interface Shared {
  promise: Promise<void>;
  completed: number;
  listeners: Set<(n: number) => void>;
  joiners: number;
  controller: AbortController;
}

const inflight = new Map<string, Shared>();


/**
 * Downloads `blob` into the store unless present. `onProgress(completedBytes)` is called as
 * bytes arrive. Shares the transfer with any concurrent call for the same blob path.
 */
export async function downloadBlob(
  client: RegistryClient,
  port: StorePort,
  blob: BlobRequest,
  opts: DownloadTuning & { signal?: AbortSignal; onProgress?: (completed: number) => void } = {},
): Promise<void> {
  const key = port.blobPath(blob.digest);
  let shared = inflight.get(key);
  if (!shared) {
    const controller = new AbortController();
    const s: Shared = { promise: Promise.resolve(), completed: 0, listeners: new Set(), joiners: 0, controller };
    s.promise = runDownload(client, port, blob, opts, controller.signal, (n) => {
      s.completed = n;
      for (const l of s.listeners) l(n);
    }).finally(() => inflight.delete(key));
    inflight.set(key, s);
    shared = s;
  }
  const s = shared;
  s.joiners++;
  const listener = (n: number) => opts.onProgress?.(n);
  s.listeners.add(listener);
  if (s.completed) listener(s.completed);
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      s.promise,
      new Promise<never>((_, reject) => {
        if (!opts.signal) return;
        onAbort = () => {
          // The last interested caller gone: stop the transfer and wait until its part
          // descriptors are written, so the partial data is ready for a later resume.
          if (s.joiners === 1) {
            s.controller.abort();
            s.promise.then(
              () => reject(new AbortedError()),
              () => reject(new AbortedError()),
            );
          } else reject(new AbortedError());
        };
        if (opts.signal.aborted) onAbort();
        else opts.signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    s.listeners.delete(listener);
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    s.joiners--;
  }
}

/** Bytes written between background flushes to disk. */
const SYNC_EVERY = 64 * 1024 * 1024;

async function runDownload(
  client: RegistryClient,
  port: StorePort,
  blob: BlobRequest,
  t: DownloadTuning,
  signal: AbortSignal,
  progress: (n: number) => void,
): Promise<void> {
  await port.ensureBlobsDir();
  const final = port.blobPath(blob.digest);
  if (await port.hasBlob(blob.digest)) return progress(blob.size);
  const partialPath = `${final}-partial`;
  // One writer per partial file, across processes sharing the store: the others wait for the
  // blob (showing the holder's progress) and take over if the holder dies.
  let lock = await tryDownloadLock(port.blobsDir, blob.digest);
  while (!lock) {
    const theirs = await loadParts(partialPath, blob.size).catch(() => null);
    if (theirs) progress(theirs.reduce((a, p) => a + p.Completed, 0));
    await sleep(LOCK_POLL_MS, signal);
    if (await port.hasBlob(blob.digest)) return progress(blob.size);
    lock = await tryDownloadLock(port.blobsDir, blob.digest);
  }
  try {
    if (await port.hasBlob(blob.digest)) return progress(blob.size);
    await downloadLocked(client, blob, t, signal, progress, partialPath, final);
  } finally {
    await lock.release();
  }
}

/** How often a process waiting for another's download looks again. */
const LOCK_POLL_MS = 500;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new AbortedError());
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new AbortedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function downloadLocked(
  client: RegistryClient,
  blob: BlobRequest,
  t: DownloadTuning,
  signal: AbortSignal,
  progress: (n: number) => void,
  partialPath: string,
  final: string,
): Promise<void> {
  let parts = await loadParts(partialPath, blob.size);
  if (!parts) {
    await removePartial(partialPath);
    // A loopback registry is as fast on one connection as on many (measured: parallel parts
    // only add overhead and defer the hashing of later parts), so it gets one part.
    parts = planParts(blob.size, t.partSize ?? (client.registryIsLocal ? blob.size : undefined));
    const fh = await open(partialPath, 'w', 0o644);
    await fh.truncate(blob.size);
    await fh.close();
    for (const p of parts) await writeDescriptor(partialPath, p);
  }
  const sum = () => parts!.reduce((a, p) => a + p.Completed, 0);
  progress(sum());

  const fh = await open(partialPath, 'r+');
  const odirect = (t.directIO ?? blob.size >= DIRECT_MIN_BYTES) ? await DirectFile.open(partialPath) : null;
  // Hashes while the bytes arrive; bytes resumed from an earlier run are read back now.
  // Received bytes land in reused shared slabs, which the hash thread reads in place.
  const hasher = new SequentialHasher(fh, partialPath, parts, blob.size, { thread: t.hashOnThread, pool: new SlabPool() });
  hasher.poke();
  // Written bytes go to disk in the background as they accumulate (Linux would otherwise
  // start writeback only at 10% of RAM dirty), so the fsync before the rename finds little; with
  // O_DIRECT the bytes are on the disk already.
  let unsynced = 0;
  let syncing: Promise<void> | null = null;
  const wrote = (n: number) => {
    unsynced += n;
    if (unsynced < SYNC_EVERY || syncing || odirect?.usable) return;
    unsynced = 0;
    syncing = fh.datasync().then(
      () => void (syncing = null),
      () => void (syncing = null),
    );
  };
  let got: string | undefined;
  let discardPartial = false;
  const local = new AbortController();
  const onOuter = () => local.abort();
  signal.addEventListener('abort', onOuter, { once: true });
  try {
    const pending = parts.filter((p) => p.Completed < p.Size);
    if (pending.length) {
      const direct = await resolveDirect(client, blob, t, local.signal);
      const queue = [...pending];
      let firstError: unknown;
      const job: PartJob = {
        client, direct, blob, fh, partialPath, t, signal: local.signal, hasher, odirect,
        onBytes: (n) => {
          wrote(n);
          progress(sum());
        },
      };
      const worker = async () => {
        for (let p = queue.shift(); p && !firstError; p = queue.shift()) {
          try {
            await fetchPart(job, p);
          } catch (e) {
            firstError ??= e;
            local.abort();
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(t.maxParallel ?? 8, pending.length) }, worker));
      if (signal.aborted) throw new AbortedError();
      if (firstError instanceof Fatal) {
        // The remote broke the protocol (wrong size, bad redirect, gone): its bytes are not
        // worth resuming from. Network trouble and aborts keep the partial data instead.
        if (firstError.err instanceof BadRemoteError || firstError.err instanceof NotFoundError) discardPartial = true;
        throw firstError.err;
      }
      if (firstError) throw firstError;
    }
    // A blob is visible under its name only once durable (as the store's own writer does):
    // the last fsync runs while the hash thread finishes.
    const flushed = async () => {
      await syncing;
      await fh.sync();
    };
    [got] = await Promise.all([hasher.digest(), flushed()]);
  } catch (e) {
    if (e instanceof BadRemoteError || e instanceof NotFoundError) discardPartial = true;
    throw e;
  } finally {
    signal.removeEventListener('abort', onOuter);
    await hasher.close();
    await syncing;
    await odirect?.close();
    await fh.close();
    if (discardPartial) await removePartial(partialPath);
  }
  if (got !== blob.digest) {
    await removePartial(partialPath);
    throw new DigestMismatchError(blob.digest, got);
  }
  await rename(partialPath, final);
  await removePartial(partialPath);
  progress(blob.size);
}
