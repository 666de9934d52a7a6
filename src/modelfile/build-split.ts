/**
 * Split GGUF weights (llama.cpp's `gguf-split` shards, `<prefix>-00001-of-00003.gguf` …) in a
 * create, as Ollama 0.33 does (server/create.go): the shards of one model are recognised by
 * their `split.count` / `split.no` metadata and file names, checked with Ollama's messages, and
 * become ONE weights layer at commit: llama-quantize `COPY` reads the shards (linked under their
 * llama.cpp names, as llama.cpp finds the rest from the first) and writes a single GGUF, which
 * replaces them. The shards' own blobs are then unreferenced and pruned.
 */
import { link, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { BadRequestError } from '../api/errors.js';
import type { ProgressResponse } from '../api/types.js';
import type { GGUFInfo } from '../registry/gguf/index.js';
import type { Store } from '../registry/store/index.js';
import type { ConfigV2 } from '../registry/store/types.js';
import type { LayerList, PendingLayer } from './build-layers.js';
import { adoptConverted, CONVERSION_DIGEST, type QuantizeFn } from './build-quantize.js';

/** One shard: its blob and the name it was sent under. */
export interface SplitPart {
  digest: string;
  name: string;
  size: number;
}

/** A weights shard as found in the files: the group it belongs to and its place. */
export interface SplitShard {
  key: string;
  index: number;
  count: number;
  item: PendingLayer;
  info: GGUFInfo;
  name: string;
}

const SPLIT_NAME = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/;

/** Ollama's splitGGUFName: prefix, 0-based index and count from a llama.cpp shard file name. */
export function splitName(name: string): { prefix: string; index: number; count: number } | null {
  const m = SPLIT_NAME.exec(path.posix.basename(name));
  if (!m) return null;
  const index = Number(m[2]);
  const count = Number(m[3]);
  if (index === 0 || count === 0 || index > 0xffff || count > 0xffff) return null;
  return { prefix: m[1]!, index: index - 1, count };
}

/** A uint16-sized integer metadata value (Ollama's splitGGUFUint), also under `<arch>.`. */
function splitUint(info: GGUFInfo, key: string): number | undefined {
  for (const k of [key, `${info.architecture}.${key}`]) {
    const v = info.metadata.get(k);
    const n = typeof v === 'bigint' ? Number(v) : v;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffff) return n;
  }
  return undefined;
}

/**
 * The shard facts of a weights GGUF, or null when it is not a shard (no `split.count`, or 1).
 * Throws Ollama's 400s for a shard whose name or metadata do not agree.
 */
export function splitShard(item: PendingLayer, info: GGUFInfo, name: string): SplitShard | null {
  const count = splitUint(info, 'split.count');
  if (count === undefined || count <= 1) return null;
  const n = splitName(name);
  if (!n) throw new BadRequestError(`split GGUF ${JSON.stringify(name)} must use llama.cpp split filename pattern`);
  if (n.count !== count) throw new BadRequestError(`split GGUF ${JSON.stringify(name)} filename count ${n.count} does not match metadata count ${count}`);
  const no = splitUint(info, 'split.no');
  if (no === undefined) throw new BadRequestError(`split GGUF ${JSON.stringify(name)} is missing split.no metadata`);
  if (no !== n.index) throw new BadRequestError(`split GGUF ${JSON.stringify(name)} filename index ${n.index} does not match metadata index ${no}`);
  return { key: `${item.layer.mediaType}:${n.prefix}:${count}`, index: no, count, item, info, name };
}

/**
 * The shards of one group in order (Ollama's mergeSplitGGUFLayers checks): the first shard's
 * layer, carrying every part, and its header (the one with the model's metadata).
 */
export function mergeGroup(shards: readonly SplitShard[]): { item: PendingLayer; info: GGUFInfo } {
  const first = shards[0]!;
  const count = first.count;
  if (shards.length !== count) throw new BadRequestError(`split GGUF ${JSON.stringify(first.name)} has ${shards.length} shards, expected ${count}`);
  const byIndex: Array<SplitShard | undefined> = new Array(count);
  for (const s of shards) {
    if (s.index >= count) throw new BadRequestError(`split GGUF ${JSON.stringify(s.name)} has invalid shard index ${s.index}`);
    if (byIndex[s.index]) throw new BadRequestError(`split GGUF has duplicate shard index ${s.index}`);
    byIndex[s.index] = s;
  }
  const primary = byIndex[0];
  if (!primary) throw new BadRequestError('split GGUF is missing first shard');
  const parts: SplitPart[] = [];
  for (let i = 0; i < count; i++) {
    const s = byIndex[i];
    if (!s) throw new BadRequestError(`split GGUF ${JSON.stringify(primary.name)} is missing shard ${i}`);
    parts.push({ digest: s.item.layer.digest, name: s.name, size: s.item.layer.size });
  }
  primary.item.splitParts = parts;
  return { item: primary.item, info: primary.info };
}

/**
 * At commit: each layer with shards becomes one GGUF (llama-quantize COPY), whose blob, size and
 * status replace the first shard's; the shards' blobs go on the build's removed list.
 */
export async function mergeSplitLayers(
  list: LayerList,
  config: ConfigV2,
  deps: { store: Store; quantize?: QuantizeFn },
  emit: (p: ProgressResponse) => void,
  signal?: AbortSignal,
): Promise<void> {
  for (const item of list.items) {
    const parts = item.splitParts;
    if (!parts) continue;
    if (!deps.quantize) throw new BadRequestError('split GGUF models need llama-quantize, which was not built at install (`npm run build:native`)');
    const total = parts.reduce((a, p) => a + p.size, 0);
    const status = `merging ${parts.length} split GGUF files`;
    emit({ status, digest: CONVERSION_DIGEST, total, completed: 0 });
    // llama.cpp finds shards 2…n from the first one's name: link them under their names, in
    // blobs/ as unfinished files (a killed create leaves only what prune removes)
    const out = await deps.store.newTempBlobFile();
    const five = (n: number) => String(n).padStart(5, '0');
    const links = parts.map((_, i) => `${out}-${five(i + 1)}-of-${five(parts.length)}.gguf`);
    let done = false;
    try {
      for (const [i, p] of parts.entries()) {
        const blob = deps.store.blobPath(p.digest);
        await link(blob, links[i]!).catch(() => symlink(blob, links[i]!));
      }
      await deps.quantize({
        input: links[0]!,
        output: out,
        arch: item.gguf?.arch ?? '',
        type: 'COPY',
        onProgress: (n, all) => {
          if (all > 0) emit({ status, digest: CONVERSION_DIGEST, total, completed: Math.floor((total * Math.min(n, all)) / all) });
        },
        signal,
      });
      done = true;
      const info = await adoptConverted(item, deps.store, out, emit, signal);
      for (const p of parts) list.removed.push(p.digest);
      delete item.splitParts;
      // the whole model's size, not the first shard's
      config.model_type = info.parameterSize;
    } finally {
      if (!done) await rm(out, { force: true }).catch(() => {});
      for (const l of links) await rm(l, { force: true }).catch(() => {});
    }
  }
}
