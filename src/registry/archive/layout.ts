/**
 * The OCI image layout Tollama exports (https://github.com/opencontainers/image-spec,
 * image-layout.md):
 *
 *   oci-layout            {"imageLayoutVersion":"1.0.0"}
 *   index.json            one descriptor per model, named by `org.opencontainers.image.ref.name`
 *   blobs/sha256/<hex>    each manifest (the stored bytes), config and layer, once
 *
 * The ref name is the model's full name (`registry.ollama.ai/library/stories:latest`).
 *
 * Ollama's manifests are Docker schema-2 with Ollama layer media types, which OCI tools such as
 * skopeo refuse to parse as Docker manifests ("unsupported docker v2s2 media type"), while they
 * accept any layer type in an OCI manifest. So index.json names an OCI manifest with the same
 * config and layers (`ociManifestBytes`), and its `ai.tollama.ollama.manifest` annotation names
 * the Ollama manifest, also in `blobs/`, whose exact bytes import restores (same model ID).
 */
import { isValidDigest } from '../digest.js';
import { fullName, parseModelName, type ModelName } from '../name.js';
import { MANIFEST_MEDIA_TYPE, type Layer, type Manifest } from '../store/index.js';
import { ArchiveError } from './errors.js';

export const OCI_LAYOUT = { imageLayoutVersion: '1.0.0' } as const;
export const OCI_INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
/** On an index descriptor: the digest of the Ollama manifest (stored bytes) of that model. */
export const OLLAMA_MANIFEST_ANNOTATION = 'ai.tollama.ollama.manifest';
export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json';
/** index.json and oci-layout are small; anything bigger is refused before it is read. */
export const MAX_INDEX_BYTES = 4 << 20;
export const MAX_INDEX_MODELS = 10_000;

export interface IndexEntry {
  name: ModelName;
  /** Digest of the manifest blob the descriptor names. */
  digest: string;
  size: number;
  mediaType: string;
  /** Digest of the Ollama manifest to restore (the annotation), else `digest`. */
  ollamaDigest: string;
}

/**
 * The OCI twin of an Ollama manifest: same config and layer digests and sizes, OCI media types
 * for the manifest and config, layer media types unchanged. Deterministic bytes.
 */
export function ociManifestBytes(m: Manifest): Buffer {
  const desc = (l: Layer, mediaType = l.mediaType) => ({ mediaType, digest: l.digest, size: l.size });
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      config: desc(m.config, OCI_CONFIG_MEDIA_TYPE),
      layers: m.layers.map((l) => desc(l)),
    }),
  );
}

/** The bytes of `oci-layout`. */
export function ociLayoutBytes(): Buffer {
  return Buffer.from(JSON.stringify(OCI_LAYOUT));
}

/** The bytes of `index.json` for some models. */
export function indexBytes(
  models: ReadonlyArray<{ name: ModelName; digest: string; size: number; ollamaDigest: string }>,
): Buffer {
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX_MEDIA_TYPE,
    manifests: models.map((m) => ({
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      digest: m.digest,
      size: m.size,
      annotations: { [REF_NAME_ANNOTATION]: fullName(m.name), [OLLAMA_MANIFEST_ANNOTATION]: m.ollamaDigest },
    })),
  };
  return Buffer.from(JSON.stringify(index, null, 2) + '\n');
}

function parseJSON(raw: Buffer, what: string): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ArchiveError(`${what} is not valid JSON`);
  }
}

/** Checks `oci-layout`. */
export function parseOciLayout(raw: Buffer): void {
  const v = parseJSON(raw, 'oci-layout') as { imageLayoutVersion?: unknown } | null;
  if (typeof v !== 'object' || v === null || typeof v.imageLayoutVersion !== 'string') {
    throw new ArchiveError('oci-layout has no imageLayoutVersion');
  }
  if (!v.imageLayoutVersion.startsWith('1.')) {
    throw new ArchiveError(`unsupported OCI layout version ${JSON.stringify(v.imageLayoutVersion.slice(0, 20))}`);
  }
}

/**
 * Parses `index.json`: every descriptor needs a valid digest, a size and a valid model name in
 * its ref-name annotation (a bare `tag` ref, as some tools write, is refused: it names no model).
 */
export function parseIndex(raw: Buffer): IndexEntry[] {
  const v = parseJSON(raw, 'index.json') as Record<string, unknown> | null;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ArchiveError('index.json is not a JSON object');
  if (v.schemaVersion !== 2) throw new ArchiveError('index.json: schemaVersion must be 2');
  if (!Array.isArray(v.manifests)) throw new ArchiveError('index.json has no manifests');
  if (v.manifests.length === 0) throw new ArchiveError('index.json names no models');
  if (v.manifests.length > MAX_INDEX_MODELS) throw new ArchiveError('index.json names too many models');
  const out: IndexEntry[] = [];
  v.manifests.forEach((d: unknown, i: number) => {
    const where = `index.json: manifest ${i}`;
    if (typeof d !== 'object' || d === null || Array.isArray(d)) throw new ArchiveError(`${where} is not an object`);
    const o = d as Record<string, unknown>;
    if (!isValidDigest(o.digest)) throw new ArchiveError(`${where} has an invalid digest`);
    if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0) throw new ArchiveError(`${where} has an invalid size`);
    const ann = o.annotations as Record<string, unknown> | undefined;
    const ref = ann && typeof ann === 'object' ? ann[REF_NAME_ANNOTATION] : undefined;
    if (typeof ref !== 'string' || ref === '') throw new ArchiveError(`${where} has no ${REF_NAME_ANNOTATION} annotation`);
    let name: ModelName;
    try {
      name = parseModelName(ref);
    } catch (e) {
      throw new ArchiveError(`${where}: ${JSON.stringify(ref.slice(0, 100))} is not a valid model name (${(e as Error).message})`);
    }
    const mediaType = typeof o.mediaType === 'string' ? o.mediaType : MANIFEST_MEDIA_TYPE;
    const orig = ann![OLLAMA_MANIFEST_ANNOTATION];
    if (orig !== undefined && !isValidDigest(orig)) throw new ArchiveError(`${where} has an invalid ${OLLAMA_MANIFEST_ANNOTATION} annotation`);
    out.push({ name, digest: o.digest, size: o.size, mediaType, ollamaDigest: orig ?? o.digest });
  });
  return out;
}
