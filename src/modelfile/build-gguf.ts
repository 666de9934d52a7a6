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
