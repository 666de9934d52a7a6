/**
 * Fetching one part of a blob into the partial file: the ranged GET (the lean GET of
 * fastget.ts for plain http to the registry, else the full client), its checks (status,
 * Content-Range, sizes), bounded retries, restarts of stalled transfers, and the receive
 * loop: large batched writes, `Completed` advanced only after the bytes are written, then the
 * bytes handed to the sequential hasher.
 */
import type { FileHandle } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { RegistryClient } from './client.js';
import { AbortedError, BadRemoteError, NotFoundError, RegistryError } from './errors.js';
import { PartWriter, type DirectFile, type Written } from './directwrite.js';
import { fastGet } from './fastget.js';
import { discard, header, proxied, rawRequest, type RawResponse } from './http.js';
import { writeDescriptor, type Part } from './parts.js';
import type { SequentialHasher } from './seqhash.js';
import { blobURL } from './url.js';

export interface DownloadTuning {
  /** Bytes per part; default Ollama's total/16 clamped to [100 MB, 1000 MB], or the whole
   *  blob in one part from a loopback registry. */
  partSize?: number;
  /** Parts downloaded at once per blob (default 8). */
  maxParallel?: number;
  /** Attempts per part before giving up (default 6). */
  maxAttempts?: number;
  /** First back-off delay in ms, doubled per attempt (default 1000). */
  backoffMs?: number;
  /** A part with no bytes for this long is restarted (default 30 000 ms). */
  stallMs?: number;
  /** Stall restarts allowed per part (not counted as attempts; default 10). */
  maxStalls?: number;
  /** Hash on a worker thread (default: blobs of THREAD_MIN_BYTES = 32 MiB and more). */
  hashOnThread?: boolean;
  /** Write with O_DIRECT where the file system allows (default: blobs of DIRECT_MIN_BYTES =
   *  32 MiB and more; directwrite.ts). */
  directIO?: boolean;
}

export interface BlobRequest {
  digest: string;
  size: number;
}

export class Fatal extends Error {
  constructor(readonly err: RegistryError) {
    super(err.message);
  }
}
class Stalled extends Error {}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new AbortedError());
    const t = setTimeout(() => {
      signal.removeEventListener('abort', on);
      resolve();
    }, ms);
    const on = () => {
      clearTimeout(t);
      reject(new AbortedError());
    };
    signal.addEventListener('abort', on, { once: true });
  });
}

/** How often a part's descriptor is rewritten while bytes arrive (for kill -9 resume). */
const DESCRIPTOR_INTERVAL_MS = 250;

export interface Direct {
  /** Cross-host URL to fetch parts from without credentials, or null = the registry URL. */
  url: string | null;
  /** False once the lean GET (fastget.ts) was answered with anything but a plain 206 (auth,
   *  redirects, errors): from then on every part goes through the full client. */
  fast?: boolean;
}

/** A part's response: from the full client or the lean GET. */
interface PartResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

/**
 * Where the bytes come from: the registry itself (200/206), or a CDN it redirects to (307 to
 * another host: followed without credentials, after the SSRF check in the client).
 */
export async function resolveDirect(client: RegistryClient, blob: BlobRequest, t: DownloadTuning, signal: AbortSignal): Promise<Direct> {
  const url = blobURL(client.ref, blob.digest);
  for (let attempt = 1; ; attempt++) {
    let res: RawResponse;
    try {
      res = await client.send({ method: 'GET', url, access: 'pull', signal, headers: { range: 'bytes=0-0' }, redirects: 'same-host' });
    } catch (e) {
      if (signal.aborted) throw new AbortedError();
      if (!(e instanceof RegistryError) || e.code !== 'NETWORK' || attempt >= (t.maxAttempts ?? 6)) throw e;
      await sleep((t.backoffMs ?? 1000) * 2 ** (attempt - 1), signal);
      continue;
    }
    if (res.status >= 300 && res.status < 400) {
      const loc = header(res.headers, 'location')!;
      discard(res);
      return { url: new URL(loc, url).toString() };
    }
    if (res.status === 200 || res.status === 206) {
      discard(res);
      return { url: null };
    }
    if (res.status >= 500 && attempt < (t.maxAttempts ?? 6)) {
      discard(res);
      await sleep((t.backoffMs ?? 1000) * 2 ** (attempt - 1), signal);
      continue;
    }
    if (res.status === 404) {
      discard(res);
      throw new NotFoundError(`blob ${blob.digest} not found in ${client.ref.repo}`);
    }
    throw await client.errorFrom(res, `pulling ${blob.digest.slice(7, 19)}`);
  }
}

function parseContentRange(v: string | undefined): { start: number; end: number; total: number } | null {
  const m = v && /^bytes (\d+)-(\d+)\/(\d+)$/.exec(v.trim());
  return m ? { start: Number(m[1]), end: Number(m[2]), total: Number(m[3]) } : null;
}

function larger(blob: BlobRequest, actual: number | string): Fatal {
  return new Fatal(new BadRemoteError(`blob ${blob.digest} is larger than the manifest declares (${actual} > ${blob.size} bytes); refusing it`));
}

/** What every part of one blob's download shares. */
export interface PartJob {
  client: RegistryClient;
  direct: Direct;
  blob: BlobRequest;
  fh: FileHandle;
  partialPath: string;
  t: DownloadTuning;
  signal: AbortSignal;
  hasher: SequentialHasher;
  /** The partial file's O_DIRECT handle (directwrite.ts), or null for buffered writes only. */
  odirect: DirectFile | null;
  onBytes: (written: number) => void;
}

export async function fetchPart(job: PartJob, p: Part): Promise<void> {
  const { blob, partialPath, t, signal } = job;
  const maxAttempts = t.maxAttempts ?? 6;
  let attempts = 0;
  let stalls = 0;
  while (p.Completed < p.Size) {
    try {
      await partAttempt(job, p);
    } catch (e) {
      if (signal.aborted) throw new AbortedError();
      if (e instanceof Fatal || e instanceof AbortedError) throw e;
      // A refused redirect or address, or a bad answer: trying again cannot help.
      if (e instanceof BadRemoteError) throw new Fatal(e);
      if (e instanceof Stalled) {
        if (++stalls > (t.maxStalls ?? 10)) {
          throw new Fatal(new RegistryError(`pulling ${blob.digest.slice(7, 19)}: the download stalled too many times`, 504, 'STALLED'));
        }
        continue;
      }
      if (++attempts >= maxAttempts) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new Fatal(new RegistryError(`pulling ${blob.digest.slice(7, 19)}: giving up after ${attempts} attempts: ${msg}`, 502, 'RETRIES'));
      }
      await sleep((t.backoffMs ?? 1000) * 2 ** (attempts - 1), signal);
    } finally {
      await writeDescriptor(partialPath, p).catch(() => undefined);
    }
  }
}

async function partAttempt(job: PartJob, p: Part): Promise<void> {
  const { client, direct, blob, fh, partialPath, t, signal, hasher, onBytes } = job;
  const start = p.Offset + p.Completed;
  const end = p.Offset + p.Size - 1;
  const headers = { range: `bytes=${start}-${end}` };
  let fast: PartResponse | null = null;
  if (!direct.url && direct.fast !== false && !proxied(blobURL(client.ref, blob.digest), client.opts.env)) {
    // Plain http to the registry itself, not through a proxy: the lean GET, when the registry
    // answers it simply.
    fast = await fastGet(blobURL(client.ref, blob.digest), headers, { signal, headersTimeoutMs: t.stallMs ?? 30_000, pool: hasher.pool });
    if (!fast) direct.fast = false;
  }
  const res: PartResponse = fast ?? (await slowGet(client, direct, blob, headers, t, signal));
  let limit = end + 1; // absolute offset we may write up to
  if (res.status === 206) {
    const cr = parseContentRange(header(res.headers, 'content-range'));
    if (!cr || cr.start !== start) {
      drop(res);
      throw new Fatal(new BadRemoteError(`registry answered a range request with a wrong Content-Range (${header(res.headers, 'content-range') ?? 'none'})`));
    }
    if (cr.total > blob.size) {
      drop(res);
      throw larger(blob, cr.total);
    }
    if (cr.total < blob.size || cr.end < end) {
      drop(res);
      throw new Fatal(new BadRemoteError(`blob ${blob.digest} is smaller than the manifest declares (${cr.total} < ${blob.size} bytes)`));
    }
  } else {
    // A 200 ignores the range: the body is the whole blob, usable only from offset 0.
    const len = Number(header(res.headers, 'content-length'));
    if (Number.isFinite(len) && len > blob.size) {
      drop(res);
      throw larger(blob, len);
    }
    if (start !== 0) {
      drop(res);
      throw new Fatal(new BadRemoteError('registry does not support ranged requests, cannot resume this part'));
    }
  }
  const lastPart = end === blob.size - 1;
  const writer = new PartWriter(fh, job.odirect, hasher.pool, start);
  // Bytes that reached the file: complete, to the hasher, progress.
  const landed = (written: Written[]) => {
    for (const w of written) {
      p.Completed = w.at + w.bytes - p.Offset;
      hasher.offer(w.at, w.views);
      if (hasher.pool) for (const b of w.views) hasher.pool.release(b);
      onBytes(w.bytes);
    }
  };
  await new Promise<void>((resolve, reject) => {
    let chain = Promise.resolve();
    let pos = start; // absolute offset of the next byte received
    let batch: Buffer[] = [];
    let batchBytes = 0;
    let queued = 0; // bytes handed to the write chain, not yet written
    let paused = false;
    let done = false;
    let lastSaved = Date.now();
    let lastFlush = lastSaved;
    const timer = setTimeout(() => finish(new Stalled('stalled')), t.stallMs ?? 30_000);
    // Received bytes are written in large batches (one writev each), then marked complete and
    // handed to the hasher; the socket is paused only when too much is waiting for the disk.
    const flush = () => {
      if (!batchBytes) return;
      lastFlush = Date.now();
      const bufs = batch;
      const n = batchBytes;
      batch = [];
      batchBytes = 0;
      queued += n;
      chain = chain.then(async () => {
        landed(await writer.write(bufs, n));
        await hasher.room(); // the socket waits (paused) while the hash thread catches up
        if (Date.now() - lastSaved > DESCRIPTOR_INTERVAL_MS) {
          lastSaved = Date.now();
          await writeDescriptor(partialPath, p);
        }
        queued -= n;
        if (paused && !done && queued < MAX_QUEUED) {
          paused = false;
          res.body.resume();
        }
      });
      chain.catch((e: unknown) => finish(e));
      if (queued >= MAX_QUEUED && !paused) {
        paused = true;
        res.body.pause();
      }
    };
    function finish(e?: unknown): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      res.body.removeAllListeners('data');
      if (e) res.body.destroy();
      // Bytes received before a cut or stall are good: keep them, so the retry resumes after
      // them. A protocol breach (Fatal) discards them.
      if (!(e instanceof Fatal)) {
        flush();
        chain = chain.then(async () => landed(await writer.end()));
      } else chain = chain.then(() => writer.drop());
      chain.then(() => (e ? reject(e) : resolve()), reject);
    }
    res.body.on('data', (chunk: Buffer) => {
      if (done) return;
      timer.refresh();
      let c = chunk;
      if (pos + c.length > limit) {
        if (lastPart || res.status === 206) return finish(larger(blob, `${pos + c.length}+`));
        c = c.subarray(0, limit - pos);
      }
      pos += c.length;
      batch.push(c);
      batchBytes += c.length;
      if (batchBytes >= WRITE_BATCH || Date.now() - lastFlush >= FLUSH_INTERVAL_MS) flush();
      if (pos >= limit && res.status === 200 && !lastPart) finish();
    });
    res.body.on('end', () => {
      if (pos < limit) finish(new RegistryError(`connection closed after ${pos - start} of ${limit - start} bytes`, 502, 'NETWORK'));
      else finish();
    });
    res.body.on('error', (e) => finish(signal.aborted ? new AbortedError() : new RegistryError(e.message, 502, 'NETWORK')));
    res.body.on('aborted', () => finish(new RegistryError('connection reset', 502, 'NETWORK')));
    res.body.on('close', () => {
      if (pos < limit) finish(signal.aborted ? new AbortedError() : new RegistryError(`connection closed after ${pos - start} of ${limit - start} bytes`, 502, 'NETWORK'));
    });
  });
}

/** Bytes received per disk write. */
const WRITE_BATCH = 4 * 1024 * 1024;
/** A batch older than this is written even if small (slow links: progress, resume points). */
const FLUSH_INTERVAL_MS = 100;
/** Received bytes waiting for the disk before the socket is paused. */
const MAX_QUEUED = 4 * WRITE_BATCH;

/** A part's GET through the full client (auth, redirects) or to the direct URL; error
 *  statuses become errors, so what returns is a 200 or 206. */
async function slowGet(
  client: RegistryClient,
  direct: Direct,
  blob: BlobRequest,
  headers: Record<string, string>,
  t: DownloadTuning,
  signal: AbortSignal,
): Promise<RawResponse> {
  let res: RawResponse;
  if (direct.url) {
    client.checkRemoteURL(direct.url);
    res = await rawRequest({
      method: 'GET',
      url: direct.url,
      headers,
      signal,
      insecureTLS: client.ref.insecure,
      guard: client.where,
      env: client.opts.env,
      headersTimeoutMs: t.stallMs ?? 30_000,
    });
  } else {
    const url = blobURL(client.ref, blob.digest);
    res = await client.send({ method: 'GET', url, headers, access: 'pull', signal, redirects: 'same-host' });
    if (res.status >= 300 && res.status < 400) {
      direct.url = new URL(header(res.headers, 'location')!, url).toString();
      discard(res);
      throw new RegistryError('redirected', 502, 'NETWORK'); // retried against the direct URL
    }
  }
  if (res.status === 416) {
    discard(res); // distribution's 416 has a lying Content-Length: never read it
    throw new Fatal(new BadRemoteError(`blob ${blob.digest} is smaller than the manifest declares (${blob.size} bytes)`));
  }
  if (res.status === 404) {
    discard(res);
    throw new Fatal(new NotFoundError(`blob ${blob.digest} not found in ${client.ref.repo}`));
  }
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
    throw new Fatal(await client.errorFrom(res, `pulling ${blob.digest.slice(7, 19)}`));
  }
  if (res.status !== 200 && res.status !== 206) {
    discard(res);
    throw new RegistryError(`server answered ${res.status}`, 502, 'NETWORK');
  }
  return res;
}

function drop(res: PartResponse): void {
  res.body.resume();
  res.body.destroy();
}
