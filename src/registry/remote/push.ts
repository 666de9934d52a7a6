/**
 * `pushModel`: local manifest → every blob (HEAD / mount / upload) → manifest PUT with its
 * exact bytes and content type. Progress exactly as Ollama streams it (§7.4).
 */
import { displayShortest, type ModelName } from '../name.js';
import { RegistryClient, type ClientOptions } from './client.js';
import { RegistryError, throwIfAborted, UnauthorizedError } from './errors.js';
import { discard } from './http.js';
import { DOCKER_MANIFEST, parseRemoteManifest } from './manifest.js';
import { blobReporter, toAsyncIterable, type ProgressEvent, type ProgressFn } from './progress.js';
import { storePort, type StoreInput } from './storeport.js';
import { uploadBlob, type UploadTuning } from './upload.js';
import { isOllamaHost, manifestURL, remoteRef } from './url.js';

export interface PushOptions extends ClientOptions, UploadTuning {
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  progressIntervalMs?: number;
}

export async function push(store: StoreInput, name: string | ModelName, opts: PushOptions, emit: ProgressFn): Promise<void> {
  const ref = remoteRef(name, opts.insecure);
  const port = storePort(store);
  const signal = opts.signal;
  emit({ status: 'retrieving manifest' });
  const raw = await port.readManifest(ref.name);
  if (!raw) {
    emit({ status: "couldn't retrieve manifest" });
    throw new RegistryError(`model '${displayShortest(ref.name)}' not found`, 404, 'NOT_FOUND');
  }
  const manifest = parseRemoteManifest(raw);
  const client = new RegistryClient(ref, opts);
  try {
    const seen = new Set<string>();
    for (const b of [...manifest.layers, manifest.config]) {
      if (seen.has(b.digest)) continue;
      seen.add(b.digest);
      throwIfAborted(signal);
      const rep = blobReporter('pushing', b.digest, b.size, emit, opts.progressIntervalMs);
      await uploadBlob(client, port, b, { ...opts, signal, onStart: () => rep.update(0, true), onProgress: (n) => rep.update(n) });
      rep.update(b.size, true);
    }
    emit({ status: 'pushing manifest' });
    const res = await client.send({
      method: 'PUT',
      url: manifestURL(ref),
      headers: { 'content-type': manifest.mediaType === 'application/json' ? DOCKER_MANIFEST : manifest.mediaType },
      body: raw,
      access: 'push',
      signal,
      redirects: 'none',
    });
    if (res.status !== 201 && res.status !== 200) throw await client.errorFrom(res, 'pushing manifest');
    discard(res);
  } catch (e) {
    if (e instanceof UnauthorizedError && isOllamaHost(ref.host)) {
      throw new UnauthorizedError('unauthorized: access denied; you need to be signed in to push models to ollama.com (run `ollama signin`)');
    }
    throw e;
  }
  emit({ status: 'success' });
}

/**
 * Pushes a model, yielding `retrieving manifest`, `pushing <12hex>` (digest/total/completed),
 * `pushing manifest`, `success`. Errors are thrown from the iteration.
 */
export function pushModel(store: StoreInput, name: string | ModelName, opts: PushOptions = {}): AsyncIterable<ProgressEvent> {
  return toAsyncIterable<ProgressEvent>((emit) =>
    push(store, name, opts, (p) => {
      emit(p);
      opts.onProgress?.(p);
    }),
  );
}
