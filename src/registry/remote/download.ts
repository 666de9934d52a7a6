/**
 * Downloading one blob: ranged parts in parallel into `-partial` (resumable from the part
 * descriptors, also across processes), bounded retries with exponential back-off, restart of
 * stalled parts, sha256 verification before the rename into place. Concurrent requests for
 * the same blob in this process share one download.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import type { RegistryClient } from './client.js';
import { AbortedError, BadRemoteError, DigestMismatchError, NotFoundError, RegistryError } from './errors.js';
import { discard, header, rawRequest, type RawResponse } from './http.js';
import { loadParts, planParts, removePartial, writeDescriptor, type Part } from './parts.js';
import type { StorePort } from './storeport.js';
import { blobURL } from './url.js';

export interface DownloadTuning {
  /** Bytes per part; default Ollama's total/16 clamped to [100 MB, 1000 MB]. */
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
}

export interface BlobRequest {
  digest: string;
  size: number;
}

class Fatal extends Error {
  constructor(readonly err: RegistryError) {
    super(err.message);
  }
}
class Stalled extends Error {}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
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

interface Shared {
  promise: Promise<void>;
  completed: number;
  listeners: Set<(n: number) => void>;
  joiners: number;
  controller: AbortController;
}

const inflight = new Map<string, Shared>();

/** How often a part's descriptor is rewritten while bytes arrive (for kill -9 resume). */
const DESCRIPTOR_INTERVAL_MS = 250;

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
  let parts = await loadParts(partialPath, blob.size);
  if (!parts) {
    await removePartial(partialPath);
    parts = planParts(blob.size, t.partSize);
    const fh = await open(partialPath, 'w', 0o644);
    await fh.truncate(blob.size);
    await fh.close();
    for (const p of parts) await writeDescriptor(partialPath, p);
  }
  const sum = () => parts!.reduce((a, p) => a + p.Completed, 0);
  progress(sum());

  const fh = await open(partialPath, 'r+');
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
      const worker = async () => {
        for (let p = queue.shift(); p && !firstError; p = queue.shift()) {
          try {
            await fetchPart(client, direct, blob, p, fh, partialPath, t, local.signal, () => progress(sum()));
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
    await fh.sync();
  } catch (e) {
    if (e instanceof BadRemoteError || e instanceof NotFoundError) discardPartial = true;
    throw e;
  } finally {
    signal.removeEventListener('abort', onOuter);
    await fh.close();
    if (discardPartial) await removePartial(partialPath);
  }
  const got = await hashFile(partialPath);
  if (got !== blob.digest) {
    await removePartial(partialPath);
    throw new DigestMismatchError(blob.digest, got);
  }
  await rename(partialPath, final);
  await removePartial(partialPath);
  progress(blob.size);
}

async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return 'sha256:' + h.digest('hex');
}

interface Direct {
  /** Cross-host URL to fetch parts from without credentials, or null = the registry URL. */
  url: string | null;
}

/**
 * Where the bytes come from: the registry itself (200/206), or a CDN it redirects to (307 to
 * another host: followed without credentials, after the SSRF check in the client).
 */
async function resolveDirect(client: RegistryClient, blob: BlobRequest, t: DownloadTuning, signal: AbortSignal): Promise<Direct> {
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

async function fetchPart(
  client: RegistryClient,
  direct: Direct,
  blob: BlobRequest,
  p: Part,
  fh: FileHandle,
  partialPath: string,
  t: DownloadTuning,
  signal: AbortSignal,
  onBytes: () => void,
): Promise<void> {
  const maxAttempts = t.maxAttempts ?? 6;
  let attempts = 0;
  let stalls = 0;
  while (p.Completed < p.Size) {
    try {
      await partAttempt(client, direct, blob, p, fh, partialPath, t, signal, onBytes);
    } catch (e) {
      if (signal.aborted) throw new AbortedError();
      if (e instanceof Fatal || e instanceof AbortedError) throw e;
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

async function partAttempt(
  client: RegistryClient,
  direct: Direct,
  blob: BlobRequest,
  p: Part,
  fh: FileHandle,
  partialPath: string,
  t: DownloadTuning,
  signal: AbortSignal,
  onBytes: () => void,
): Promise<void> {
  const start = p.Offset + p.Completed;
  const end = p.Offset + p.Size - 1;
  const headers = { range: `bytes=${start}-${end}` };
  let res: RawResponse;
  if (direct.url) {
    client.checkRemoteURL(direct.url);
    res = await rawRequest({
      method: 'GET',
      url: direct.url,
      headers,
      signal,
      insecureTLS: client.ref.insecure,
      blockLocal: !client.registryIsLocal,
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
  let limit = end + 1; // absolute offset we may write up to
  if (res.status === 206) {
    const cr = parseContentRange(header(res.headers, 'content-range'));
    if (!cr || cr.start !== start) {
      discard(res);
      throw new Fatal(new BadRemoteError(`registry answered a range request with a wrong Content-Range (${header(res.headers, 'content-range') ?? 'none'})`));
    }
    if (cr.total > blob.size) {
      discard(res);
      throw larger(blob, cr.total);
    }
    if (cr.total < blob.size || cr.end < end) {
      discard(res);
      throw new Fatal(new BadRemoteError(`blob ${blob.digest} is smaller than the manifest declares (${cr.total} < ${blob.size} bytes)`));
    }
  } else {
    // A 200 ignores the range: the body is the whole blob, usable only from offset 0.
    const len = Number(header(res.headers, 'content-length'));
    if (Number.isFinite(len) && len > blob.size) {
      discard(res);
      throw larger(blob, len);
    }
    if (start !== 0) {
      discard(res);
      throw new Fatal(new BadRemoteError('registry does not support ranged requests, cannot resume this part'));
    }
  }
  const lastPart = end === blob.size - 1;
  await new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let chain = Promise.resolve();
    let pos = start;
    let done = false;
    let lastSaved = Date.now();
    const finish = (e?: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      res.body.removeAllListeners('data');
      if (e) res.body.destroy();
      chain.then(() => (e ? reject(e) : resolve()), reject);
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(new Stalled('stalled')), t.stallMs ?? 30_000);
    };
    arm();
    res.body.on('data', (chunk: Buffer) => {
      arm();
      let c = chunk;
      if (pos + c.length > limit) {
        if (lastPart || res.status === 206) return finish(larger(blob, `${pos + c.length}+`));
        c = c.subarray(0, limit - pos);
      }
      const at = pos;
      pos += c.length;
      res.body.pause();
      chain = chain.then(async () => {
        await fh.write(c, 0, c.length, at);
        p.Completed = at + c.length - p.Offset;
        onBytes();
        if (Date.now() - lastSaved > DESCRIPTOR_INTERVAL_MS) {
          lastSaved = Date.now();
          await writeDescriptor(partialPath, p);
        }
        if (!done) res.body.resume();
      });
      chain.catch((e) => finish(e));
      if (pos >= limit && res.status === 200 && !lastPart) {
        finish();
      }
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
