/**
 * Uploading one blob (reference §7.4): HEAD (already there → done), cross-repo mount when the
 * layer came from another repository of the same registry, else one monolithic PUT `?digest=`
 * streaming the whole file (what `curl -T` does; the fastest path) or, for Ollama's registry,
 * when a chunk size is set, or when the registry refuses the monolithic PUT (413/405/501),
 * sequential PATCHes (never parallel: distribution corrupts concurrent PATCHes) and a final
 * PUT `?digest=`. A 307 on PATCH (Ollama's registry) sends that part by PUT to the redirect
 * target, without credentials. The file is read once: the digest comes from the manifest.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tryParseModelName } from '../name.js';
import type { RegistryClient } from './client.js';
import { AbortedError, BadRemoteError, RegistryError } from './errors.js';
import { discard, header, rawRequest, type RawResponse } from './http.js';
import { planParts } from './parts.js';
import type { StorePort } from './storeport.js';
import { blobURL, isOllamaHost, uploadStartURL } from './url.js';

export interface UploadTuning {
  /** Blobs up to this size go in one PUT; bigger ones in PATCHes of this size. Default: no
   *  limit (one monolithic PUT), except for Ollama's registry, which gets Ollama's part size
   *  (total/16 clamped to [100 MB, 1000 MB]) as Ollama sends it. */
  uploadChunkSize?: number;
  /** Attempts per blob upload (a failed session is restarted from scratch; default 3). */
  maxAttempts?: number;
  backoffMs?: number;
}

export interface UploadBlob {
  digest: string;
  size: number;
  from?: string;
}

export type UploadResult = 'exists' | 'mounted' | 'uploaded';

/** Bytes per read of the file being uploaded (large reads: fewer syscalls and socket writes). */
const READ_CHUNK = 1024 * 1024;

/** Statuses of a monolithic PUT that mean "send it in chunks instead". */
const NO_MONOLITHIC = new Set([405, 413, 501]);

function withQuery(url: string, q: string): string {
  return url + (url.includes('?') ? '&' : '?') + q;
}

/** The repository to mount from: `layer.from` naming a model on the same registry. */
export function mountSource(client: RegistryClient, from: string | undefined): string | null {
  if (!from) return null;
  const n = tryParseModelName(from);
  if (!n || n.host.toLowerCase() !== client.ref.host.toLowerCase()) return null;
  const repo = `${n.namespace}/${n.model}`;
  return repo === client.ref.repo ? null : repo;
}

export async function uploadBlob(
  client: RegistryClient,
  port: StorePort,
  blob: UploadBlob,
  opts: UploadTuning & { signal?: AbortSignal; onStart?: () => void; onProgress?: (n: number) => void } = {},
): Promise<UploadResult> {
  const { signal } = opts;
  const path = port.blobPath(blob.digest);
  const st = await stat(path).catch(() => null);
  if (!st?.isFile()) throw new RegistryError(`blob ${blob.digest} is missing from the local store`, 500, 'MISSING_BLOB');
  if (st.size !== blob.size) {
    throw new RegistryError(`blob ${blob.digest} is ${st.size} bytes on disk but the manifest says ${blob.size}`, 500, 'SIZE');
  }
  const head = await client.send({ method: 'HEAD', url: blobURL(client.ref, blob.digest), access: 'push', signal });
  discard(head);
  if (head.status === 200) return 'exists';
  if (head.status !== 404) throw await client.errorFrom(head, `HEAD blob ${blob.digest.slice(7, 19)}`);

  const from = mountSource(client, blob.from);
  opts.onStart?.();
  const maxAttempts = opts.maxAttempts ?? 3;
  const chunk = opts.uploadChunkSize ?? planParts(blob.size)[0]?.Size ?? 1;
  let monolithic = opts.uploadChunkSize !== undefined || isOllamaHost(client.ref.host) ? blob.size <= chunk : true;
  for (let attempt = 1; ; attempt++) {
    try {
      const start = await client.send({
        method: 'POST',
        url: uploadStartURL(client.ref, from ? { digest: blob.digest, from } : undefined),
        headers: { 'content-length': '0' },
        access: 'push',
        signal,
        redirects: 'none',
      });
      if (start.status === 201 && from) {
        discard(start);
        return 'mounted';
      }
      if (start.status !== 202) throw await client.errorFrom(start, 'starting upload');
      let loc = nextLocation(client, start);
      discard(start);
      let sent = 0;
      const progress = (n: number) => {
        sent += n;
        opts.onProgress?.(sent);
      };
      if (monolithic) {
        const res = await client.send({
          method: 'PUT',
          url: withQuery(loc, `digest=${blob.digest}`),
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
          body: () => counted(path, 0, blob.size - 1, progress, () => (sent = 0)),
          access: 'push',
          signal,
          redirects: 'none',
        });
        if (NO_MONOLITHIC.has(res.status)) {
          // The registry wants chunks: start over in PATCHes (not counted as an attempt).
          discard(res);
          monolithic = false;
          attempt--;
          continue;
        }
        if (res.status !== 201) throw await client.errorFrom(res, `uploading ${blob.digest.slice(7, 19)}`);
        discard(res);
        return 'uploaded';
      }
      for (const p of planParts(blob.size, chunk)) {
        loc = await patchPart(client, loc, path, p.Offset, p.Offset + p.Size - 1, progress, signal);
      }
      const done = await client.send({
        method: 'PUT',
        url: withQuery(loc, `digest=${blob.digest}`),
        headers: { 'content-length': '0' },
        access: 'push',
        signal,
        redirects: 'none',
      });
      if (done.status !== 201) throw await client.errorFrom(done, `finishing upload of ${blob.digest.slice(7, 19)}`);
      discard(done);
      return 'uploaded';
    } catch (e) {
      if (signal?.aborted) throw new AbortedError();
      const retryable = e instanceof RegistryError && !(e instanceof BadRemoteError) && (e.code === 'NETWORK' || e.status === 502);
      if (!retryable || attempt >= maxAttempts) throw e;
      await new Promise((r) => setTimeout(r, (opts.backoffMs ?? 1000) * 2 ** (attempt - 1)));
    }
  }
}

function nextLocation(client: RegistryClient, res: RawResponse): string {
  const loc = header(res.headers, 'docker-upload-location') ?? header(res.headers, 'location');
  if (!loc) throw new RegistryError('registry did not say where to upload (no Location header)', 502, 'BAD_REMOTE');
  const abs = new URL(loc, res.url).toString();
  client.checkRemoteURL(abs);
  return abs;
}

function counted(path: string, start: number, end: number, onBytes: (n: number) => void, reset: () => void) {
  reset();
  const s = createReadStream(path, { start, end, highWaterMark: READ_CHUNK });
  s.on('data', (c) => onBytes((c as Buffer).length));
  return s;
}

async function patchPart(
  client: RegistryClient,
  loc: string,
  path: string,
  start: number,
  end: number,
  onBytes: (n: number) => void,
  signal?: AbortSignal,
): Promise<string> {
  const len = String(end - start + 1);
  let base = 0;
  const res = await client.send({
    method: 'PATCH',
    url: loc,
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': len,
      'content-range': `${start}-${end}`,
      'x-redirect-uploads': '1',
    },
    body: () => counted(path, start, end, (n) => {
      base += n;
      onBytes(n);
    }, () => (base = 0)),
    access: 'push',
    signal,
    redirects: 'none',
  });
  if (res.status === 307 || res.status === 308) {
    const target = new URL(header(res.headers, 'location') ?? '', loc).toString();
    client.checkRemoteURL(target);
    const next = nextFromRedirect(client, res, loc);
    discard(res);
    const put = await rawRequest({
      method: 'PUT',
      url: target,
      headers: { 'content-type': 'application/octet-stream', 'content-length': len },
      body: () => createReadStream(path, { start, end, highWaterMark: READ_CHUNK }),
      signal,
      insecureTLS: client.ref.insecure,
      guard: client.where,
      env: client.opts.env,
    });
    discard(put);
    if (put.status >= 300) throw new RegistryError(`uploading part to ${new URL(target).host}: ${put.status}`, 502, 'NETWORK');
    return next;
  }
  if (res.status !== 202) throw await client.errorFrom(res, 'uploading part');
  const next = nextLocation(client, res);
  discard(res);
  return next;
}

function nextFromRedirect(client: RegistryClient, res: RawResponse, current: string): string {
  const loc = header(res.headers, 'docker-upload-location');
  if (!loc) return current;
  const abs = new URL(loc, current).toString();
  client.checkRemoteURL(abs);
  return abs;
}
