/**
 * `ollama export`: models as one OCI image layout tar (layout.ts), streamed straight from the
 * store with no temporary copy. Entry order: `oci-layout`, `index.json`, the manifests (for each
 * model its OCI manifest, then its Ollama manifest byte for byte), then
 * every config and layer blob once (models sharing a base share its blob). Because index.json
 * and the manifests come first, an importer knows every name and digest before the big blobs
 * arrive. Each blob is re-hashed while it is streamed; a blob damaged on disk aborts the export
 * (the archive then lacks its end marker and any importer refuses it).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { digestHex } from '../digest.js';
import { displayShortest, namesEqual, type ModelName } from '../name.js';
import { manifestDigests, type Manifest, type Store } from '../store/index.js';
import { ArchiveError } from './errors.js';
import { indexBytes, ociLayoutBytes, ociManifestBytes } from './layout.js';
import { BLOCK, END_OF_ARCHIVE, tarEntrySize, tarHeader, tarPadding } from './tarheader.js';

export interface ExportModel {
  name: ModelName;
  /** Shortest display name. */
  shortName: string;
  /** The manifest bytes exactly as stored, and their digest (`sha256:<hex>`). */
  raw: Buffer;
  digest: string;
  manifest: Manifest;
  /** Its OCI twin (layout.ts) and that one's digest: what index.json names. */
  oci: Buffer;
  ociDigest: string;
}

export interface ExportBlob {
  digest: string;
  size: number;
}

export interface ExportPlan {
  models: ExportModel[];
  /** Config and layer blobs, each once, in archive order. */
  blobs: ExportBlob[];
  /** The exact number of bytes the archive will have. */
  size: number;
}

export interface ExportProgress {
  digest: string;
  completed: number;
  total: number;
}

export interface ExportOptions {
  signal?: AbortSignal;
  onProgress?: (p: ExportProgress) => void;
}

const DIRS = ['blobs/', 'blobs/sha256/'];
const READ_CHUNK = 1 << 20;

function blobEntryName(digest: string): string {
  return `blobs/sha256/${digestHex(digest)}`;
}

/**
 * Resolves the models to export and checks every blob is in the store with its recorded size
 * (so an export that starts can only fail on damaged bytes). Unknown model → 404.
 */
export async function planExport(store: Store, names: ReadonlyArray<string | ModelName>): Promise<ExportPlan> {
  if (names.length === 0) throw new ArchiveError('no models to export');
  const models: ExportModel[] = [];
  for (const input of names) {
    const m = await store.readModel(input);
    if (models.some((x) => namesEqual(x.name, m.name))) continue;
    const oci = ociManifestBytes(m.manifest);
    models.push({
      name: m.name,
      shortName: displayShortest(m.name),
      raw: m.raw,
      digest: `sha256:${m.digest}`,
      manifest: m.manifest,
      oci,
      ociDigest: `sha256:${createHash('sha256').update(oci).digest('hex')}`,
    });
  }
  const blobs: ExportBlob[] = [];
  const seen = new Set<string>(models.flatMap((m) => [m.digest, m.ociDigest]));
  for (const m of models) {
    const sizes = new Map([m.manifest.config, ...m.manifest.layers].map((l) => [l.digest, l.size]));
    for (const d of manifestDigests(m.manifest)) {
      const st = await store.statBlob(d);
      if (!st) throw new ArchiveError(`model ${m.shortName} is missing blob ${d}; run 'ollama verify'`, 500);
      if (st.size !== sizes.get(d)) {
        throw new ArchiveError(`blob ${d} of model ${m.shortName} has ${st.size} bytes but its manifest records ${sizes.get(d)}; run 'ollama verify'`, 500);
      }
      if (seen.has(d)) continue;
      seen.add(d);
      blobs.push({ digest: d, size: st.size });
    }
  }
  let size = tarEntrySize(ociLayoutBytes().length) + tarEntrySize(indexOf(models).length) + DIRS.length * BLOCK;
  for (const m of models) size += tarEntrySize(m.oci.length) + tarEntrySize(m.raw.length);
  for (const b of blobs) size += tarEntrySize(b.size);
  size += END_OF_ARCHIVE.length;
  return { models, blobs, size };
}

function indexOf(models: ExportModel[]): Buffer {
  return indexBytes(models.map((m) => ({ name: m.name, digest: m.ociDigest, size: m.oci.length, ollamaDigest: m.digest })));
}

function smallEntry(name: string, data: Buffer): Buffer {
  return Buffer.concat([tarHeader({ name, size: data.length, type: 'file' }), data, tarPadding(data.length)]);
}

/** The archive for a plan, as a stream of chunks (consume with backpressure). */
export async function* exportTar(store: Store, plan: ExportPlan, opts: ExportOptions = {}): AsyncGenerator<Buffer> {
  const { signal, onProgress } = opts;
  yield smallEntry('oci-layout', ociLayoutBytes());
  yield smallEntry('index.json', indexOf(plan.models));
  for (const d of DIRS) yield tarHeader({ name: d, size: 0, type: 'directory' });
  for (const m of plan.models) {
    yield smallEntry(blobEntryName(m.ociDigest), m.oci);
    yield smallEntry(blobEntryName(m.digest), m.raw);
  }
  for (const b of plan.blobs) {
    signal?.throwIfAborted();
    yield tarHeader({ name: blobEntryName(b.digest), size: b.size, type: 'file' });
    const hash = createHash('sha256');
    let done = 0;
    onProgress?.({ digest: b.digest, completed: 0, total: b.size });
    for await (const chunk of createReadStream(store.blobPath(b.digest), { highWaterMark: READ_CHUNK, signal })) {
      const buf = chunk as Buffer;
      done += buf.length;
      if (done > b.size) throw new ArchiveError(`blob ${b.digest} grew while it was being exported`, 500);
      hash.update(buf);
      yield buf;
      onProgress?.({ digest: b.digest, completed: done, total: b.size });
    }
    if (done !== b.size) throw new ArchiveError(`blob ${b.digest} shrank while it was being exported`, 500);
    const actual = `sha256:${hash.digest('hex')}`;
    if (actual !== b.digest) {
      throw new ArchiveError(`blob ${b.digest} is damaged on disk (its bytes hash to ${actual}); run 'ollama verify'`, 500);
    }
    const pad = tarPadding(b.size);
    if (pad.length) yield pad;
  }
  yield END_OF_ARCHIVE;
}
