/**
 * The model store: Ollama's on-disk layout under `$OLLAMA_MODELS` (reference §4.2–4.6).
 *
 *   manifests/<host>/<namespace>/<model>/<tag>   schema-2 manifest JSON
 *   blobs/sha256-<64 hex>                        content-addressed blobs
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { readFile, stat, unlink } from 'node:fs/promises';
import { blobOf, encodeManifest } from '../gojson.js';
import { displayShortest, namesEqual, parseModelName, type ModelName } from '../name.js';
import {
  fixBlobNames,
  importFile,
  newTempBlobFile,
  publishTempFile,
  readBlob,
  statBlob,
  writeBlob,
  type BlobSource,
  type BlobWriteResult,
  type WriteBlobOptions,
} from './blobs.js';
import { InvalidManifestError, MissingBlobsError, ModelNotFoundError, ReadOnlyStoreError, StoreError } from './errors.js';
import {
  loadAllManifests,
  pruneStore,
  removeEmptyParents,
  removeUnreferencedBlobs,
  type PruneOptions,
  type PruneReport,
} from './gc.js';
import type { Warn } from './list.js';
import { takeLease, type Held } from './leases.js';
import {
  MAX_MANIFEST_BYTES,
  manifestDigestHex,
  manifestDigests,
  manifestSize,
  parseManifest,
  writeFileAtomic,
  type ParseManifestOptions,
} from './manifest.js';
import { loadablePath, projectorPath } from './derived.js';
import { StorePaths, defaultStoreRoot, isNotFound } from './paths.js';
import { MediaType, type ConfigV2, type Manifest } from './types.js';
import { verifyManifests, type ModelVerifyReport } from './verify.js';

/** Config blobs are tiny; anything bigger is not read. */
const MAX_CONFIG_BYTES = 1 << 20;

export interface StoredModel {
  /** The name with the casing stored on disk. */
  name: ModelName;
  path: string;
  /** The exact manifest bytes. */
  raw: Buffer;
  manifest: Manifest;
  /** Hex sha256 of `raw` (no prefix): the `digest` of /api/tags; the ID is its first 12. */
  digest: string;
  modifiedAt: Date;
}

/** `details` of /api/tags: the wire type, in Ollama's field order. */
export type { ModelDetails } from '../../api/types.js';
import type { ModelDetails } from '../../api/types.js';

export interface ListedModel extends StoredModel {
  /** Shortest display name (`name` and `model` of /api/tags). */
  shortName: string;
  /** Σ layer sizes + config size. */
  size: number;
  /** The parsed config blob, or null when it is missing or unreadable. */
  config: ConfigV2 | null;
  details: ModelDetails;
}

export interface WriteManifestResult {
  name: ModelName;
  path: string;
  raw: Buffer;
  digest: string;
  /** The manifest this one replaced, if any (callers prune its unused layers). */
  previous: Manifest | null;
}

export interface StoreOptions {
  /** Where warnings go (skipped manifests, …). Default: ignored. */
  warn?: Warn;
  /**
   * Why the store is read-only (`OLLAMA_READONLY is set`, …), or null/absent when it is writable.
   * A read-only store never writes, renames, prunes or locks: every writing method throws a
   * ReadOnlyStoreError (403) and `startup` does nothing.
   */
  readOnly?: string | null;
}

/** Go's strconv.ParseBool as Ollama's envconfig.Bool uses it: unset → false, unparsable → true. */
export function envBool(v: string | undefined): boolean {
  const s = (v ?? '').trim().replace(/^["']+|["']+$/g, '');
  if (s === '') return false;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return true;
}

type NameInput = string | ModelName;

function toName(n: NameInput): ModelName {
  return typeof n === 'string' ? parseModelName(n) : n;
}

function shown(n: NameInput): string {
  return typeof n === 'string' ? n : displayShortest(n);
}

/**
 * Where translations of a read-only store's blobs go (the store itself is never written):
 * `$TOLLAMA_COMPAT_CACHE`, else a per-user folder in the temp dir, one per store.
 */
export function readOnlyDerivedRoot(storeRoot: string, env: NodeJS.ProcessEnv = process.env): StorePaths {
  const base = env['TOLLAMA_COMPAT_CACHE'] || path.join(os.tmpdir(), `tollama-compat-${process.getuid?.() ?? 'user'}`);
  return new StorePaths(path.join(base, createHash('sha256').update(path.resolve(storeRoot)).digest('hex').slice(0, 16)));
}

export class Store {
  readonly paths: StorePaths;
  private readonly warn: Warn;
  /** Why the store is read-only, or null when it is writable. */
  readonly readOnly: string | null;

  constructor(root: string, opts: StoreOptions = {}) {
    this.paths = new StorePaths(root);
    this.warn = opts.warn ?? (() => {});
    this.readOnly = opts.readOnly ?? null;
  }

  /** Throws a ReadOnlyStoreError (403) naming `action` when the store is read-only. */
  assertWritable(action: string): void {
    if (this.readOnly !== null) throw new ReadOnlyStoreError(action, this.readOnly);
  }

  /** `$OLLAMA_MODELS`, or `~/.ollama/models`. */
  static defaultRoot(env: NodeJS.ProcessEnv = process.env): string {
    return defaultStoreRoot(env);
  }

  get root(): string {
    return this.paths.root;
  }

  // ---- blobs ----

  blobPath(digest: string): string {
    return this.paths.blobPath(digest);
  }

  async hasBlob(digest: string): Promise<boolean> {
    return (await statBlob(this.paths, digest)) !== null;
  }

  statBlob(digest: string): Promise<{ size: number; mtime: Date } | null> {
    return statBlob(this.paths, digest);
  }

  /** Streams bytes into a blob; verified against `opts.expected` before it becomes visible. */
  async writeBlob(source: BlobSource, opts: WriteBlobOptions = {}): Promise<BlobWriteResult> {
    this.assertWritable('writing a blob');
    return writeBlob(this.paths, source, opts);
  }

  /** Copies a local regular file into the store (CoW clone where possible). */
  async importFile(file: string, opts: { expected?: string; signal?: AbortSignal } = {}): Promise<BlobWriteResult> {
    this.assertWritable('importing a file');
    return importFile(this.paths, file, opts);
  }

  /** A temp-file path in blobs/ for a file written by another program (quantize). */
  newTempBlobFile(): Promise<string> {
    return newTempBlobFile(this.paths);
  }

  /** Hashes a finished temp file and makes it a blob (it is removed on failure). */
  publishTempFile(tmp: string, signal?: AbortSignal): Promise<BlobWriteResult> {
    return publishTempFile(this.paths, tmp, signal);
  }

  /** Reads a small blob whole (refuses anything over `maxBytes`). */
  readBlob(digest: string, maxBytes = 16 << 20): Promise<Buffer> {
    return readBlob(this.paths, digest, maxBytes);
  }

  // ---- manifests ----

  /** The stored model for a name (matched case-insensitively), or null. */
  async findModel(name: NameInput): Promise<StoredModel | null> {
    const found = await this.paths.findManifest(toName(name));
    if (!found) return null;
    let raw: Buffer;
    let mtime: Date;
    try {
      const st = await stat(found.path);
      if (st.size > MAX_MANIFEST_BYTES) throw new InvalidManifestError('too large', 500);
      mtime = st.mtime;
      raw = await readFile(found.path);
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
    const manifest = parseManifest(raw);
    return { name: found.name, path: found.path, raw, manifest, digest: manifestDigestHex(raw), modifiedAt: mtime };
  }

  /** Like findModel, but a missing model is a ModelNotFoundError (404). */
  async readModel(name: NameInput): Promise<StoredModel> {
    const m = await this.findModel(name);
    if (!m) throw new ModelNotFoundError(shown(name));
    return m;
  }

  /**
   * Writes a manifest for `name`: a Manifest object is encoded like Ollama's create (Go JSON,
   * trailing newline); a Buffer (a pulled manifest) is validated and kept byte for byte.
   * Every blob it names must already be in the store with the recorded size.
   */
  async writeManifest(
    name: NameInput,
    manifest: Manifest | Buffer,
    opts: ParseManifestOptions = {},
  ): Promise<WriteManifestResult> {
    this.assertWritable('writing a manifest');
    const n = toName(name);
    let raw: Buffer;
    let m: Manifest;
    if (Buffer.isBuffer(manifest)) {
      raw = manifest;
      m = parseManifest(raw, opts);
    } else {
      raw = encodeManifest(manifest).bytes;
      m = parseManifest(raw, opts); // validates hand-built objects too
    }
    const missing: string[] = [];
    for (const l of [m.config, ...m.layers]) {
      const st = await statBlob(this.paths, l.digest);
      if (!st) missing.push(l.digest);
      else if (st.size !== l.size) {
        throw new InvalidManifestError(`layer ${l.digest} records ${l.size} bytes but the blob has ${st.size}`);
      }
    }
    if (missing.length) throw new MissingBlobsError([...new Set(missing)]);

    const target = await this.paths.manifestPathForWrite(n);
    let previous: Manifest | null = null;
    try {
      previous = parseManifest(await readFile(target.path));
    } catch {
      previous = null;
    }
    await writeFileAtomic(target.path, raw);
    return { name: target.name, path: target.path, raw, digest: manifestDigestHex(raw), previous };
  }

  /** Every model, newest first, with size and details from its config blob. */
  async list(): Promise<ListedModel[]> {
    const { loaded } = await loadAllManifests(this.paths, this.warn);
    const out: ListedModel[] = [];
    for (const m of loaded) {
      let mtime: Date;
      try {
        mtime = (await stat(m.path)).mtime;
      } catch {
        continue; // deleted meanwhile
      }
      const config = await this.readConfig(m.manifest);
      out.push({
        name: m.name,
        path: m.path,
        raw: m.raw,
        manifest: m.manifest,
        digest: manifestDigestHex(m.raw),
        modifiedAt: mtime,
        shortName: displayShortest(m.name),
        size: manifestSize(m.manifest),
        config,
        details: {
          parent_model: '',
          format: config?.model_format ?? '',
          family: config?.model_family ?? '',
          families: config?.model_families ?? null,
          parameter_size: config?.model_type ?? '',
          quantization_level: config?.file_type ?? '',
        },
      });
    }
    out.sort((a, b) => b.modifiedAt.getTime() - a.modifiedAt.getTime() || a.shortName.localeCompare(b.shortName));
    return out;
  }

  /** The parsed config blob of a manifest, or null. */
  async readConfig(m: Manifest): Promise<ConfigV2 | null> {
    try {
      const v = JSON.parse((await readBlob(this.paths, m.config.digest, MAX_CONFIG_BYTES)).toString('utf8'));
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as ConfigV2) : null;
    } catch {
      return null;
    }
  }

  /**
   * Byte-for-byte copy of a manifest (same ID). A destination that exists in another casing
   * is replaced in place. Missing source → `model "<src>" not found` (404).
   */
  async copy(source: NameInput, destination: NameInput): Promise<ModelName> {
    this.assertWritable('copy');
    const src = await this.findModel(source);
    if (!src) throw new ModelNotFoundError(shown(source), '"');
    const dst = await this.paths.manifestPathForWrite(toName(destination));
    await writeFileAtomic(dst.path, src.raw);
    return dst.name;
  }

  /**
   * Deletes a model: its manifest, empty parent directories, then every blob of it that no
   * remaining manifest references. Returns the removed blob digests.
   */
  async delete(name: NameInput): Promise<{ name: ModelName; removedBlobs: string[] }> {
    this.assertWritable('delete');
    const m = await this.readModel(name);
    try {
      await unlink(m.path);
    } catch (e) {
      if (isNotFound(e)) throw new ModelNotFoundError(shown(name));
      throw e;
    }
    await removeEmptyParents(this.paths, m.path);
    const removedBlobs = await removeUnreferencedBlobs(this.paths, manifestDigests(m.manifest), this.warn);
    return { name: m.name, removedBlobs };
  }

  /** Removes blobs of `previous` that `current` and every other manifest no longer name. */
  async removeUnusedLayers(previous: Manifest, current?: Manifest): Promise<string[]> {
    this.assertWritable('removing layers');
    const keep = new Set(current ? manifestDigests(current) : []);
    return removeUnreferencedBlobs(
      this.paths,
      manifestDigests(previous).filter((d) => !keep.has(d)),
      this.warn,
    );
  }

  /** Removes the given blobs if no manifest references them. */
  async removeUnreferencedBlobs(digests: Iterable<string>): Promise<string[]> {
    this.assertWritable('removing blobs');
    return removeUnreferencedBlobs(this.paths, digests, this.warn);
  }

  /**
   * Tells other writers on this store (other processes, other machines) that `digests` are about
   * to be named by a manifest this process writes: their prune and delete leave them alone until
   * `release` (leases.ts).
   */
  async lease(digests: Iterable<string>): Promise<Held> {
    this.assertWritable('writing');
    return takeLease(this.paths.root, digests);
  }

  /**
   * The file llama.cpp loads for a model blob: the blob, or its derived llama.cpp-layout
   * translation when the blob is in one of Ollama's own published layouts (docs/compat.md).
   */
  loadablePath(digest: string, signal?: AbortSignal): Promise<string> {
    return loadablePath(this.paths, digest, signal, this.readOnly === null ? this.paths : readOnlyDerivedRoot(this.paths.root));
  }

  /**
   * The projector file libmtmd loads for a model blob's embedded vision tower (its derived
   * `clip` translation, built at first use), or null when the blob embeds no tower we translate
   * (docs/compat.md, "Towers").
   */
  projectorPath(digest: string, signal?: AbortSignal): Promise<string | null> {
    return projectorPath(this.paths, digest, signal, this.readOnly === null ? this.paths : readOnlyDerivedRoot(this.paths.root));
  }

  /** Start-up prune (stale temp/partial files and unreferenced blobs older than an hour). */
  async prune(opts: PruneOptions = {}): Promise<PruneReport> {
    this.assertWritable('prune');
    return pruneStore(this.paths, opts, this.warn);
  }

  /**
   * What `serve` does at start-up: rename `sha256:<hex>` blobs to `sha256-<hex>`, then prune
   * unless OLLAMA_NOPRUNE is set.
   */
  async startup(opts: PruneOptions & { env?: NodeJS.ProcessEnv } = {}): Promise<{ renamed: string[]; prune: PruneReport }> {
    if (this.readOnly !== null) {
      return { renamed: [], prune: { skipped: `the store is read-only (${this.readOnly})`, removedBlobs: [], removedFiles: [], removedDirs: [] } };
    }
    const renamed = await fixBlobNames(this.paths);
    if (envBool((opts.env ?? process.env).OLLAMA_NOPRUNE)) {
      return { renamed, prune: { skipped: 'OLLAMA_NOPRUNE is set', removedBlobs: [], removedFiles: [], removedDirs: [] } };
    }
    return { renamed, prune: await this.prune(opts) };
  }

  /** Re-hashes the blobs of the named models (all when omitted) and reports problems per model. */
  async verify(names?: NameInput[], signal?: AbortSignal): Promise<ModelVerifyReport[]> {
    const { loaded, failed } = await loadAllManifests(this.paths, this.warn);
    let chosen = loaded;
    if (names && names.length) {
      chosen = [];
      for (const input of names) {
        const n = toName(input);
        const hit = loaded.find((m) => namesEqual(m.name, n));
        if (!hit) throw new ModelNotFoundError(shown(input));
        chosen.push(hit);
      }
    } else if (failed.length) {
      throw new StoreError(`${failed.length} manifest(s) could not be read`, 500);
    }
    return verifyManifests(this.paths, chosen, signal);
  }
}

/** The `from` of a manifest's model layer (`details.parent_model` of /api/show). */
export function parentModel(m: Manifest): string {
  return m.layers.find((l) => l.mediaType === MediaType.model)?.from ?? '';
}

/** Convenience for small text blobs (template, system, license). */
export async function writeTextBlob(store: Store, text: string): Promise<BlobWriteResult> {
  const b = blobOf(text);
  return store.writeBlob(b.bytes, { expected: b.digest });
}
