/**
 * GGUF layers for create: the media type of each weights blob (from `general.type`), the
 * config fields Ollama derives from the GGUF headers, and blob verification for
 * `FROM sha256:<hex>`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { ProgressResponse } from '../api/types.js';
import { addStringMetadata } from '../registry/gguf/rewrite.js';
import type { LayerList } from './build-layers.js';
import { BadRequestError } from '../api/errors.js';
import { readGGUF, type GGUFInfo } from '../registry/gguf/index.js';
import type { Store } from '../registry/store/index.js';
import { MediaType, type ConfigV2 } from '../registry/store/types.js';

/** Ollama's KV lookup: keys outside `general.` / `tokenizer.` are under the architecture. */
function kv(info: GGUFInfo, key: string): unknown {
  return info.metadata.get(/^(general|tokenizer)\./.test(key) ? key : `${info.architecture}.${key}`);
}
const kvUint = (info: GGUFInfo, key: string): number => {
  const v = kv(info, key);
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : 0;
};
const kvTrue = (info: GGUFInfo, key: string): boolean => kv(info, key) === true;

/**
 * Ollama's isProjectorGGUF (server/create.go): `general.type` projector or mmproj; a standalone
 * vision model (`vision.block_count` without `block_count`); or a `clip` GGUF with a vision or
 * audio encoder and no `block_count`.
 */
export function isProjectorGGUF(info: GGUFInfo): boolean {
  const kind = String(info.metadata.get('general.type') ?? '');
  if (kind === 'projector' || kind === 'mmproj') return true;
  if (kvUint(info, 'block_count') === 0 && kvUint(info, 'vision.block_count') > 0) return true;
  return info.architecture === 'clip' && kvUint(info, 'block_count') === 0 && (kvTrue(info, 'has_vision_encoder') || kvTrue(info, 'has_audio_encoder'));
}

/** The media type Ollama gives a GGUF blob: adapter, projector or model (server/create.go ggufLayers). */
export function ggufMediaType(info: GGUFInfo): string {
  if (info.metadata.get('general.type') === 'adapter') return MediaType.adapter;
  if (isProjectorGGUF(info)) return MediaType.projector;
  return MediaType.model;
}

/**
 * Ollama's needsDefaultLlavaProjectorType: a `clip` vision projector with neither
 * `clip.projector_type` nor `clip.vision.projector_type` (older LLaVA conversions). Create writes
 * `clip.projector_type = mlp` into it; libmtmd refuses it otherwise.
 */
export function needsDefaultLlavaProjectorType(info: GGUFInfo): boolean {
  if (info.architecture !== 'clip' || !kvTrue(info, 'has_vision_encoder')) return false;
  return !info.metadata.has('clip.projector_type') && !info.metadata.has('clip.vision.projector_type');
}

/**
 * Writes `clip.projector_type = mlp` into the projector layers marked by the build (Ollama's
 * addDefaultLlavaProjectorType): status `updating GGUF projector metadata`, a new blob replaces
 * the uploaded one, which is pruned if nothing else uses it.
 */
export async function updateProjectorLayers(list: LayerList, store: Store, emit: (p: ProgressResponse) => void, signal?: AbortSignal): Promise<void> {
  for (const item of list.items) {
    if (!item.defaultProjectorType) continue;
    emit({ status: 'updating GGUF projector metadata' });
    const tmp = await store.newTempBlobFile();
    let published = false;
    try {
      await addStringMetadata(store.blobPath(item.layer.digest), tmp, 'clip.projector_type', 'mlp', signal);
      const r = await store.publishTempFile(tmp, signal);
      published = true;
      list.removed.push(item.layer.digest);
      item.layer = { ...item.layer, digest: r.digest, size: r.size };
      item.status = `${r.existed ? 'using existing' : 'creating new'} layer ${r.digest}`;
      delete item.defaultProjectorType;
    } finally {
      if (!published) await rm(tmp, { force: true }).catch(() => {});
    }
  }
}

/** Reads a blob's GGUF header with the bounded reader (GGUFError, 400, on bad input). */
export async function readBlobGGUF(store: Store, digest: string): Promise<GGUFInfo> {
  if (!(await store.hasBlob(digest))) throw new BadRequestError(`blob ${digest} not found`);
  return readGGUF(store.blobPath(digest));
}

/**
 * Folds one GGUF layer into the config as Ollama does: the first non-empty format, family,
 * parameter size and file type win; every architecture is appended to `model_families`.
 * Returns the `stop` parameter the architecture implies, if any (see applyArchitectureDefaults).
 */
export function applyGGUFToConfig(config: ConfigV2, info: GGUFInfo, mediaType?: string): string[] | undefined {
  config.model_format ||= 'gguf';
  config.model_family ||= info.architecture;
  config.model_type ||= info.parameterSize;
  config.file_type ||= info.fileType;
  config.model_families = [...(config.model_families ?? []), info.architecture];
  return mediaType === MediaType.model ? applyArchitectureDefaults(config, info.architecture) : undefined;
}

interface ArchDefaults {
  renderer: string;
  parser: string;
  /** Set as the create's `stop` parameter when the request has none. */
  stop?: string[];
}

/**
 * Renderer and parser Ollama implies from a weights GGUF's architecture when none is set
 * (`gemma4` is narrowed to gemma4-small / gemma4-large when a prompt is built), and for gemma4
 * a `stop` of `<turn|>`.
 */
const ARCH_DEFAULTS: Record<string, ArchDefaults> = {
  gemma4: { renderer: 'gemma4', parser: 'gemma4', stop: ['<turn|>'] },
  laguna: { renderer: 'laguna', parser: 'laguna' },
  nemotron_h: { renderer: 'nemotron-3-nano', parser: 'nemotron-3-nano' },
  nemotron_h_moe: { renderer: 'nemotron-3-nano', parser: 'nemotron-3-nano' },
  nemotron_h_omni: { renderer: 'nemotron-3-nano', parser: 'nemotron-3-nano' },
};

/** Fills a missing renderer/parser from the architecture; returns the implied `stop`, if any. */
export function applyArchitectureDefaults(config: ConfigV2, architecture: string): string[] | undefined {
  const d = Object.hasOwn(ARCH_DEFAULTS, architecture) ? ARCH_DEFAULTS[architecture] : undefined;
  if (!d || (config.renderer && config.parser)) return undefined;
  config.renderer ||= d.renderer;
  config.parser ||= d.parser;
  return d.stop ? [...d.stop] : undefined;
}

/** A blob whose bytes do not hash to its name. */
export class CorruptBlobError extends BadRequestError {
  constructor(readonly digest: string) {
    super(`blob ${digest} does not match its contents (the file in blobs/ is damaged or misnamed)`);
    this.name = 'CorruptBlobError';
  }
}

/** Re-hashes a blob in the store and refuses it unless it hashes to its own name. */
export async function verifyBlob(store: Store, digest: string, signal?: AbortSignal): Promise<void> {
  if (!(await store.hasBlob(digest))) throw new BadRequestError(`blob ${digest} not found`);
  const h = createHash('sha256');
  for await (const chunk of createReadStream(store.blobPath(digest), { highWaterMark: 1 << 20, signal })) {
    h.update(chunk as Buffer);
  }
  if (`sha256:${h.digest('hex')}` !== digest) throw new CorruptBlobError(digest);
}
