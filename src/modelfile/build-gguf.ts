/**
 * GGUF layers for create: the media type of each weights blob (from `general.type`), the
 * config fields Ollama derives from the GGUF headers, and blob verification for
 * `FROM sha256:<hex>`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { BadRequestError } from '../api/errors.js';
import { readGGUF, type GGUFInfo } from '../registry/gguf/index.js';
import type { Store } from '../registry/store/index.js';
import { MediaType, type ConfigV2 } from '../registry/store/types.js';

/** The media type Ollama gives a GGUF blob: adapter, projector or model. */
export function ggufMediaType(info: GGUFInfo): string {
  const t = (info.generalType ?? '').toLowerCase();
  if (t === 'adapter') return MediaType.adapter;
  if (t === 'projector' || t === 'mmproj' || info.architecture === 'clip') return MediaType.projector;
  return MediaType.model;
}

/** Reads a blob's GGUF header with the bounded reader (GGUFError, 400, on bad input). */
export async function readBlobGGUF(store: Store, digest: string): Promise<GGUFInfo> {
  if (!(await store.hasBlob(digest))) throw new BadRequestError(`blob ${digest} not found`);
  return readGGUF(store.blobPath(digest));
}

/**
 * Folds one GGUF layer into the config as Ollama does: the first non-empty format, family,
 * parameter size and file type win; every architecture is appended to `model_families`.
 */
export function applyGGUFToConfig(config: ConfigV2, info: GGUFInfo, mediaType?: string): void {
  config.model_format ||= 'gguf';
  config.model_family ||= info.architecture;
  config.model_type ||= info.parameterSize;
  config.file_type ||= info.fileType;
  config.model_families = [...(config.model_families ?? []), info.architecture];
  if (mediaType === MediaType.model) applyArchitectureDefaults(config, info.architecture);
}

/**
 * Renderer and parser Ollama implies from a weights GGUF's architecture when none is set. Ollama
 * also maps `gemma4` → `gemma4`; that renderer is not ported yet, so a local gemma4 GGUF keeps
 * rendering through its template instead of answering 500 (docs/renderers.md).
 */
const ARCH_RENDERER: Record<string, string> = {
  laguna: 'laguna',
  nemotron_h: 'nemotron-3-nano',
  nemotron_h_moe: 'nemotron-3-nano',
  nemotron_h_omni: 'nemotron-3-nano',
};

export function applyArchitectureDefaults(config: ConfigV2, architecture: string): void {
  const name = Object.hasOwn(ARCH_RENDERER, architecture) ? ARCH_RENDERER[architecture] : undefined;
  if (!name || (config.renderer && config.parser)) return;
  config.renderer ||= name;
  config.parser ||= name;
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
