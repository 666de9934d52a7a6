/**
 * `create --quantize` in the build (#16 item 1), with Ollama 0.33's rules (server/create.go):
 * every weights layer (`application/vnd.ollama.image.model`) is quantized to the asked type
 * unless it already has it; only F16, BF16 and F32 sources can be. Checked while preparing
 * (400, nothing written); done at commit by the injected `quantize` (llama-quantize, run by the
 * server), into a temp file in blobs/ that becomes a blob only once it is complete and hashed.
 */
import { rm } from 'node:fs/promises';
import type { ProgressResponse } from '../api/types.js';
import { BadRequestError } from '../api/errors.js';
import { readGGUF, type GGUFInfo } from '../registry/gguf/index.js';
import { QUANTIZE_SOURCE_TYPES } from '../registry/gguf/filetypes.js';
import type { Store } from '../registry/store/index.js';
import { needsCompatQuantize, restoreEmbedded } from '../registry/compat/restore.js';
import { translateGGUF } from '../registry/compat/translate.js';
import type { QuantizeJob } from '../runtime/quantize.js';
import { MediaType, type ConfigV2 } from '../registry/store/types.js';
import type { LayerList, PendingLayer } from './build-layers.js';

/** Runs the quantizer (the server injects runtime's runLlamaQuantize): `input` GGUF → `output` GGUF of `type`. */
export type QuantizeFn = (job: QuantizeJob) => Promise<void>;

/** Ollama's progress digest for a conversion (not a real digest). */
/** The digest Ollama's conversion progress lines carry. */
export const CONVERSION_DIGEST = '0000000000000000000';

/**
 * Marks the weights layers to quantize. Throws Ollama's 400 for a source that cannot be
 * quantized, and a clear 400 when this server has no quantizer.
 */
export function planQuantize(list: LayerList, want: { type: string; asked: string }, available: boolean): void {
  for (const item of list.items) {
    if (item.layer.mediaType !== MediaType.model || !item.gguf) continue;
    if (!QUANTIZE_SOURCE_TYPES.includes(item.gguf.fileType)) {
      throw new BadRequestError('quantization is only supported for F16, BF16 and F32 models');
    }
    if (item.gguf.fileType === want.type) continue;
    if (!available) throw new BadRequestError('quantization is unavailable on this server: llama-quantize was not built at install (`npm run build:native`)');
    item.quantize = { from: item.gguf.fileType, ...want };
  }
}

/** Quantizes the marked layers; each gets its new blob, status line and the config its file type. */
export async function quantizeLayers(
  list: LayerList,
  config: ConfigV2,
  deps: { store: Store; quantize?: QuantizeFn },
  emit: (p: ProgressResponse) => void,
  signal?: AbortSignal,
): Promise<void> {
  let firstModel = true;
  for (const item of list.items) {
    if (item.layer.mediaType !== MediaType.model) continue;
    const isFirst = firstModel;
    firstModel = false;
    if (!item.quantize) continue;
    if (!deps.quantize) throw new BadRequestError('quantization is unavailable on this server');
    const newType = await quantizeOne(item, list, deps.store, deps.quantize, emit, signal);
    if (isFirst) config.file_type = newType;
  }
}

/**
 * A converted GGUF (quantized, merged) written to `tmp` becomes the layer's blob: published (hash,
 * rename), read back, and the layer's digest, size, status and GGUF facts updated. `tmp` is gone
 * afterwards whatever happens.
 */
export async function adoptConverted(item: PendingLayer, store: Store, tmp: string, emit: (p: ProgressResponse) => void, signal?: AbortSignal): Promise<GGUFInfo> {
  emit({ status: 'verifying conversion' });
  const r = await store.publishTempFile(tmp, signal);
  const info = await readGGUF(store.blobPath(r.digest));
  item.layer = { ...item.layer, digest: r.digest, size: r.size };
  item.status = `${r.existed ? 'using existing' : 'creating new'} layer ${r.digest}`;
  item.gguf = { arch: info.architecture, fileType: info.fileType };
  return info;
}

async function quantizeOne(
  item: PendingLayer,
  list: LayerList,
  store: Store,
  quantize: QuantizeFn,
  emit: (p: ProgressResponse) => void,
  signal?: AbortSignal,
): Promise<string> {
  const q = item.quantize!;
  const size = item.layer.size;
  const status = `quantizing ${q.from} model to ${q.asked}`;
  emit({ status, digest: CONVERSION_DIGEST, total: size, completed: 0 });
  const tmp = await store.newTempBlobFile();
  const source = store.blobPath(item.layer.digest);
  // A published file with embedded towers: quantize its translation, then restore (restore.ts).
  const compat = await needsCompatQuantize(source);
  const scratch: string[] = [];
  let done = false;
  try {
    let input = source;
    let output = tmp;
    if (compat) {
      input = await store.newTempBlobFile();
      output = await store.newTempBlobFile();
      scratch.push(input, output);
      await translateGGUF(source, input, signal);
    }
    await quantize({
      input,
      output,
      arch: item.gguf!.arch,
      type: q.type,
      onProgress: (n, total) => {
        if (total > 0) emit({ status, digest: CONVERSION_DIGEST, total: size, completed: Math.floor((size * Math.min(n, total)) / total) });
      },
      signal,
    });
    if (compat) await restoreEmbedded(source, output, tmp);
    list.removed.push(item.layer.digest);
    done = true;
    const info = await adoptConverted(item, store, tmp, emit, signal);
    delete item.quantize;
    return info.fileType;
  } finally {
    if (!done) await rm(tmp, { force: true }).catch(() => {});
    for (const f of scratch) await rm(f, { force: true }).catch(() => {});
  }
}
