/**
 * What pull and push need from the model store, as a small port. `fsStorePort(root)` works on
 * Ollama's on-disk layout directly (reference §4.2); `storePort(store)` adapts the project's
 * Store (src/registry/store) when given one, using its methods where they exist.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { assertDigest, digestToFileName, isValidDigest } from '../digest.js';
import { manifestRelPath, type ModelName } from '../name.js';
import { RegistryError } from './errors.js';
import { takeLease, type Held } from '../store/leases.js';

export interface StorePort {
  /** Absolute `blobs/` directory (created on demand by `ensureBlobsDir`). */
  readonly blobsDir: string;
  ensureBlobsDir(): Promise<void>;
  /** `blobs/sha256-<hex>`; the digest is validated first. */
  blobPath(digest: string): string;
  hasBlob(digest: string): Promise<boolean>;
  /** Raw manifest bytes of a name, or null when there is none. */
  readManifest(name: ModelName): Promise<Buffer | null>;
  /** Writes manifest bytes atomically, exactly as given, after checking every blob exists. */
  writeManifest(name: ModelName, raw: Buffer, digests: readonly string[]): Promise<void>;
  /** Deletes those blobs that no manifest in the store references any more. */
  removeUnreferenced(digests: readonly string[]): Promise<void>;
  /** Tells other writers sharing the store that `digests` are about to be referenced. */
  lease?(digests: readonly string[]): Promise<Held>;
}

const MAX_MANIFEST_FILE = 4 << 20;

/** Digests a manifest refers to (layers + config); invalid ones are ignored. */
export function manifestDigests(raw: Buffer): string[] {
  try {
    const m = JSON.parse(raw.toString('utf8')) as { config?: { digest?: unknown }; layers?: { digest?: unknown }[] };
    const out: string[] = [];
    for (const l of Array.isArray(m.layers) ? m.layers : []) if (isValidDigest(l?.digest)) out.push(l.digest);
    if (isValidDigest(m.config?.digest)) out.push(m.config.digest);
    return out;
  } catch {
    return [];
  }
}

export function fsStorePort(root: string): StorePort {
  const blobsDir = join(root, 'blobs');
  const manifestsDir = join(root, 'manifests');
  const blobPath = (d: string) => join(blobsDir, digestToFileName(d));

  async function allManifestFiles(): Promise<string[]> {
    const out: string[] = [];
    async function walk(dir: string, depth: number): Promise<void> {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = join(dir, e.name);
        if (depth < 3 && e.isDirectory()) await walk(p, depth + 1);
        else if (depth === 3 && e.isFile()) out.push(p);
      }
    }
    await walk(manifestsDir, 0);
    return out;
  }

  return {
    blobsDir,
    async ensureBlobsDir() {
      await mkdir(blobsDir, { recursive: true, mode: 0o755 });
    },
    blobPath,
    async hasBlob(d) {
      try {
        return (await stat(blobPath(d))).isFile();
      } catch {
        return false;
      }
    },
    async readManifest(name) {
      try {
        const p = join(manifestsDir, ...manifestRelPath(name));
        const st = await stat(p);
        if (!st.isFile() || st.size > MAX_MANIFEST_FILE) return null;
        return await readFile(p);
      } catch {
        return null;
      }
    },
    async writeManifest(name, raw, digests) {
      for (const d of digests) {
        if (!(await this.hasBlob(assertDigest(d)))) {
          throw new RegistryError(`cannot write manifest: blob ${d} is missing`, 500, 'MISSING_BLOB');
        }
      }
      const parts = manifestRelPath(name);
      const dir = join(manifestsDir, ...parts.slice(0, 3));
      await mkdir(dir, { recursive: true, mode: 0o755 });
      const tmp = join(dir, `.${parts[3]}.tmp-${randomBytes(6).toString('hex')}`);
      const fh = await open(tmp, 'w', 0o644);
      try {
        await fh.writeFile(raw);
        await fh.sync();
      } finally {
        await fh.close();
      }
      try {
        await rename(tmp, join(dir, parts[3]));
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
    },
    async removeUnreferenced(digests) {
      if (digests.length === 0) return;
      const used = new Set<string>();
      for (const f of await allManifestFiles()) {
        try {
          const st = await stat(f);
          if (st.size > MAX_MANIFEST_FILE) continue;
          for (const d of manifestDigests(await readFile(f))) used.add(d);
        } catch {
          // unreadable manifest: be conservative and keep everything
          return;
        }
      }
      for (const d of digests) if (!used.has(d)) await rm(blobPath(d), { force: true });
    },
    lease: (digests) => takeLease(root, digests),
  };
}

/** The subset of the project's Store (src/registry/store) the adapter uses. */
export interface StoreLike {
  readonly root: string;
  readonly paths: { readonly blobsDir: string };
  blobPath(digest: string): string;
  hasBlob(digest: string): Promise<boolean>;
  findModel(name: ModelName): Promise<{ raw: Buffer } | null>;
  writeManifest(name: ModelName, raw: Buffer): Promise<unknown>;
  removeUnreferencedBlobs(digests: Iterable<string>): Promise<string[]>;
  lease?(digests: Iterable<string>): Promise<Held>;
}

function isStoreLike(s: object): s is StoreLike {
  const o = s as Partial<Record<keyof StoreLike, unknown>>;
  return (
    typeof o.findModel === 'function' &&
    typeof o.writeManifest === 'function' &&
    typeof o.removeUnreferencedBlobs === 'function' &&
    typeof o.blobPath === 'function' &&
    typeof (o.paths as { blobsDir?: unknown } | undefined)?.blobsDir === 'string'
  );
}

/** Adapts the project's Store: its confined blob paths, its verified manifest writer
 *  (blobs must exist with their recorded sizes; bytes kept exactly) and its GC. */
export function storeLikePort(store: StoreLike): StorePort {
  return {
    blobsDir: store.paths.blobsDir,
    async ensureBlobsDir() {
      await mkdir(store.paths.blobsDir, { recursive: true, mode: 0o755 });
    },
    blobPath: (d) => store.blobPath(assertDigest(d)),
    hasBlob: (d) => store.hasBlob(assertDigest(d)),
    async readManifest(name) {
      try {
        return (await store.findModel(name))?.raw ?? null;
      } catch {
        return null; // an unreadable old manifest is simply replaced
      }
    },
    async writeManifest(name, raw) {
      await store.writeManifest(name, raw);
    },
    async removeUnreferenced(digests) {
      await store.removeUnreferencedBlobs(digests);
    },
    lease: (digests) => (store.lease ? store.lease(digests) : takeLease(store.root, digests)),
  };
}

/** A models root path, a StorePort, or the project's Store. */
export type StoreInput = string | StorePort | StoreLike;

export function storePort(s: StoreInput): StorePort {
  if (typeof s === 'string') return fsStorePort(s);
  if (isStoreLike(s)) return storeLikePort(s);
  if ('blobPath' in s && 'writeManifest' in s && 'blobsDir' in s) return s as StorePort;
  throw new TypeError('pull/push need a Store, a StorePort or a models directory');
}
