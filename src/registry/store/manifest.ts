/**
 * Manifests: strict parsing (every digest through the shared validator before anything can
 * turn it into a path), and atomic writes (temp file in the same directory, fsync, rename;
 * directories 0755, files 0644).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { isValidDigest } from '../digest.js';
import { InvalidManifestError } from './errors.js';
import { MediaType, type Layer, type Manifest } from './types.js';

/** Manifests are small; anything bigger is refused before parsing. */
export const MAX_MANIFEST_BYTES = 4 << 20;
export const MAX_LAYERS = 10_000;

const KNOWN_MEDIA_TYPES = new Set<string>(Object.values(MediaType));

export interface ParseManifestOptions {
  /** Reject layer media types Ollama does not know (use for manifests from a registry). */
  strictMediaTypes?: boolean;
  /** Reject manifests without layers (use for manifests from a registry). */
  requireLayers?: boolean;
}

function parseLayer(v: unknown, where: string, opts: ParseManifestOptions): Layer {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidManifestError(`${where} is not an object`);
  const o = v as Record<string, unknown>;
  if (typeof o.mediaType !== 'string' || o.mediaType === '') throw new InvalidManifestError(`${where} has no mediaType`);
  if (!isValidDigest(o.digest)) throw new InvalidManifestError(`${where} has an invalid digest`);
  if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0) {
    throw new InvalidManifestError(`${where} has an invalid size`);
  }
  if (o.from !== undefined && typeof o.from !== 'string') throw new InvalidManifestError(`${where} has an invalid "from"`);
  if (o.name !== undefined && typeof o.name !== 'string') throw new InvalidManifestError(`${where} has an invalid "name"`);
  if (opts.strictMediaTypes && where !== 'config' && !KNOWN_MEDIA_TYPES.has(o.mediaType)) {
    throw new InvalidManifestError(`${where} has an unknown media type`);
  }
  const layer: Layer = { mediaType: o.mediaType, digest: o.digest, size: o.size };
  if (o.from) layer.from = o.from as string;
  if (o.name) layer.name = o.name as string;
  return layer;
}

/** Parses and validates manifest bytes. Throws InvalidManifestError (400). */
export function parseManifest(raw: Buffer | string, opts: ParseManifestOptions = {}): Manifest {
  const buf = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  if (buf.length > MAX_MANIFEST_BYTES) throw new InvalidManifestError('too large');
  let v: unknown;
  try {
    v = JSON.parse(buf.toString('utf8'));
  } catch {
    throw new InvalidManifestError('not valid JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidManifestError('not a JSON object');
  const o = v as Record<string, unknown>;
  if (o.schemaVersion !== 2) throw new InvalidManifestError('schemaVersion must be 2');
  if (o.mediaType !== undefined && typeof o.mediaType !== 'string') throw new InvalidManifestError('invalid mediaType');
  const config = parseLayer(o.config, 'config', opts);
  if (!Array.isArray(o.layers)) throw new InvalidManifestError('layers is not an array');
  if (o.layers.length > MAX_LAYERS) throw new InvalidManifestError('too many layers');
  if (opts.requireLayers && o.layers.length === 0) throw new InvalidManifestError('no layers');
  const layers = o.layers.map((l, i) => parseLayer(l, `layer ${i}`, opts));
  return { schemaVersion: 2, mediaType: (o.mediaType as string | undefined) ?? '', config, layers };
}

/** Every blob a manifest needs: the config and each layer (de-duplicated, in order). */
export function manifestDigests(m: Manifest): string[] {
  return [...new Set([m.config.digest, ...m.layers.map((l) => l.digest)])];
}

/** Σ layer sizes + config size (Ollama's model size). */
export function manifestSize(m: Manifest): number {
  return m.layers.reduce((s, l) => s + l.size, m.config.size);
}

/** Bare hex sha256 of the manifest bytes (the `digest` of /api/tags; the ID is its first 12). */
export function manifestDigestHex(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

/** Writes `bytes` to `file` atomically (temp + fsync + rename), creating directories 0755. */
export async function writeFileAtomic(file: string, bytes: Buffer): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const fh = await open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  try {
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
