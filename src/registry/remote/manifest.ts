/**
 * Validation of manifests that come from a registry (untrusted input: CVE-2024-37032,
 * CVE-2025-1975). Every digest passes `assertDigest` here, before any path or URL is built.
 */
import { isValidDigest } from '../digest.js';
import { BadRemoteError } from './errors.js';

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** Sent on every manifest GET: without OCI types distribution hides OCI manifests (404). */
export const MANIFEST_ACCEPT = [DOCKER_MANIFEST, OCI_MANIFEST, DOCKER_LIST, OCI_INDEX].join(', ');

export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** Layer media types a model may hold (reference §4.3). */
export const KNOWN_LAYER_TYPES: ReadonlySet<string> = new Set(
  ['model', 'adapter', 'projector', 'draft', 'template', 'prompt', 'system', 'params', 'messages', 'license', 'embed', 'tensor', 'json'].map(
    (t) => `application/vnd.ollama.image.${t}`,
  ),
);

export interface RemoteLayer {
  mediaType: string;
  digest: string;
  size: number;
  from?: string;
}

export interface RemoteManifest {
  mediaType: string;
  config: RemoteLayer;
  layers: RemoteLayer[];
}

function bad(msg: string): never {
  throw new BadRemoteError(`invalid manifest: ${msg}`);
}

function checkBlob(x: unknown, where: string, layer: boolean): RemoteLayer {
  if (!x || typeof x !== 'object' || Array.isArray(x)) bad(`${where} is not an object`);
  const o = x as Record<string, unknown>;
  if (typeof o.mediaType !== 'string' || !o.mediaType) bad(`${where} has no mediaType`);
  if (!isValidDigest(o.digest)) {
    bad(`${where} has an invalid digest ${JSON.stringify(String(o.digest).slice(0, 80))} (want sha256: and 64 lowercase hex digits)`);
  }
  if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0) bad(`${where} has an invalid size`);
  if (layer && !KNOWN_LAYER_TYPES.has(o.mediaType)) {
    bad(`${where} has unsupported media type ${JSON.stringify(o.mediaType.slice(0, 100))}`);
  }
  const out: RemoteLayer = { mediaType: o.mediaType, digest: o.digest, size: o.size };
  if (typeof o.from === 'string') out.from = o.from;
  return out;
}

/**
 * Parses manifest bytes. `contentType` is the response's Content-Type (may be empty).
 * Manifest lists / indexes are refused with a clear message (models are single manifests).
 */
export function parseRemoteManifest(raw: Buffer, contentType = ''): RemoteManifest {
  let m: unknown;
  try {
    m = JSON.parse(raw.toString('utf8'));
  } catch {
    bad('not valid JSON');
  }
  if (!m || typeof m !== 'object' || Array.isArray(m)) bad('not a JSON object');
  const o = m as Record<string, unknown>;
  const ct = contentType.split(';')[0]!.trim().toLowerCase();
  const mt = typeof o.mediaType === 'string' ? o.mediaType : ct;
  if (mt === DOCKER_LIST || mt === OCI_INDEX || Array.isArray(o.manifests)) {
    bad('it is a manifest list (multi-platform image index); models are single manifests');
  }
  if (o.schemaVersion !== 2) bad('schemaVersion must be 2');
  if (mt && mt !== DOCKER_MANIFEST && mt !== OCI_MANIFEST && mt !== 'application/json') {
    bad(`unsupported manifest media type ${JSON.stringify(mt.slice(0, 100))}`);
  }
  if (!Array.isArray(o.layers)) bad('layers are missing');
  if (o.layers.length === 0) bad('it has no layers');
  if (o.layers.length > 10_000) bad('too many layers');
  const layers = o.layers.map((l, i) => checkBlob(l, `layer ${i}`, true));
  const config = checkBlob(o.config, 'config', false);
  return { mediaType: mt || DOCKER_MANIFEST, config, layers };
}
