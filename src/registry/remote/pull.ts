/**
 * `pullModel`: manifest → every missing blob (verified, resumable) → manifest written last,
 * byte-identical → superseded layers pruned. Progress exactly as Ollama streams it (§7.3).
 */
import { createHash } from 'node:crypto';
import type { ModelName } from '../name.js';
import { RegistryClient, type ClientOptions } from './client.js';
import { downloadBlob, type DownloadTuning } from './download.js';
import { RegistryError, throwIfAborted } from './errors.js';
import { header, readCapped } from './http.js';
import { MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, parseRemoteManifest } from './manifest.js';
import { blobReporter, toAsyncIterable, type ProgressEvent, type ProgressFn } from './progress.js';
import { manifestDigests, storePort, type StoreInput } from './storeport.js';
import { manifestURL, remoteRef } from './url.js';

export interface PullOptions extends ClientOptions, DownloadTuning {
  signal?: AbortSignal;
  /** Keep layers of the replaced manifest (Ollama's OLLAMA_NOPRUNE); default from env. */
  noPrune?: boolean;
  /** Also report through a callback (in addition to the returned iterable). */
  onProgress?: ProgressFn;
  maxManifestBytes?: number;
  progressIntervalMs?: number;
}

function envFlag(v: string | undefined): boolean {
  return !!v && !['0', 'false', 'no', 'off', ''].includes(v.toLowerCase());
}

function wrapManifestError(e: unknown): never {
  if (e instanceof RegistryError && !e.message.startsWith('pull model manifest')) {
    const w = new RegistryError(`pull model manifest: ${e.message}`, e.status, e.code);
    throw w;
  }
  throw e;
}

/** Pulls `name` into `store`; resolves when done. Progress goes to `emit`. */
export async function pull(store: StoreInput, name: string | ModelName, opts: PullOptions, emit: ProgressFn): Promise<void> {
  const ref = remoteRef(name, opts.insecure);
  const port = storePort(store);
  const signal = opts.signal;
  throwIfAborted(signal);
  emit({ status: 'pulling manifest' });
  const client = new RegistryClient(ref, opts);

  let raw: Buffer;
  let manifest;
  try {
    const res = await client.send({ method: 'GET', url: manifestURL(ref), headers: { accept: MANIFEST_ACCEPT }, access: 'pull', signal });
    if (res.status !== 200) throw await client.errorFrom(res, 'GET manifest');
    raw = await readCapped(res, opts.maxManifestBytes ?? MAX_MANIFEST_BYTES, 'manifest');
    const said = header(res.headers, 'docker-content-digest');
    const actual = 'sha256:' + createHash('sha256').update(raw).digest('hex');
    if (said && /^sha256:/.test(said) && said !== actual) {
      throw new RegistryError(`manifest digest mismatch: registry says ${said}, body is ${actual}`, 502, 'BAD_REMOTE');
    }
    manifest = parseRemoteManifest(raw, header(res.headers, 'content-type'));
  } catch (e) {
    wrapManifestError(e);
  }

  const old = await port.readManifest(ref.name);
  const blobs = [...manifest.layers, manifest.config];
  // Other writers sharing the store must not prune these before the manifest names them.
  const lease = await port.lease?.(blobs.map((b) => b.digest));
  try {
    await fetchAndCommit();
  } finally {
    await lease?.release();
  }

  async function fetchAndCommit(): Promise<void> {
    const seen = new Set<string>();
    for (const b of blobs) {
      if (seen.has(b.digest)) continue;
      seen.add(b.digest);
      throwIfAborted(signal);
      const rep = blobReporter('pulling', b.digest, b.size, emit, opts.progressIntervalMs);
      if (await port.hasBlob(b.digest)) {
        rep.update(b.size, true);
        continue;
      }
      rep.update(0, true);
      await downloadBlob(client, port, b, { ...opts, signal, onProgress: (n) => rep.update(n) });
      rep.update(b.size, true);
    }

    emit({ status: 'verifying sha256 digest' });
    emit({ status: 'writing manifest' });
    const digests = [...seen];
    await port.writeManifest(ref.name, raw, digests);

    const noPrune = opts.noPrune ?? envFlag((opts.env ?? process.env).OLLAMA_NOPRUNE);
    if (old && !noPrune) {
      const now = new Set(digests);
      const unused = manifestDigests(old).filter((d) => !now.has(d));
      if (unused.length) {
        emit({ status: 'removing unused layers' });
        await port.removeUnreferenced([...new Set(unused)]);
      }
    }
    emit({ status: 'success' });
  }
}

/**
 * Pulls a model, yielding Ollama's progress objects: `pulling manifest`, `pulling <12hex>`
 * (digest/total/completed), `verifying sha256 digest`, `writing manifest`,
 * `removing unused layers` (when layers were superseded), `success`. Errors are thrown from
 * the iteration (RegistryError and subclasses, with `status`).
 */
export function pullModel(store: StoreInput, name: string | ModelName, opts: PullOptions = {}): AsyncIterable<ProgressEvent> {
  return toAsyncIterable<ProgressEvent>((emit) =>
    pull(store, name, opts, (p) => {
      emit(p);
      opts.onProgress?.(p);
    }),
  );
}
