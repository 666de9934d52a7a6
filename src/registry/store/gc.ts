/**
 * Blob garbage collection (reference §4.6): after a delete, blobs no remaining manifest names
 * are removed; at start-up, stale files in `blobs/` (older than an hour) that are not valid
 * digests or not referenced are removed, then empty manifest directories. Deletions only ever
 * happen inside the store, and only through validated names.
 */
import { lstat, readdir, readFile, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { fileNameToDigest } from '../digest.js';
import { removeBlob } from './blobs.js';
import { heldDigests, isHeldPartial } from './leases.js';
import { sweepDerived } from './derived.js';
import { MANIFEST_TEMP_RE, walkManifests, type ManifestEntry, type Warn } from './list.js';
import { MAX_MANIFEST_BYTES, manifestDigests, parseManifest } from './manifest.js';
import { isNotFound, type StorePaths } from './paths.js';
import type { Manifest } from './types.js';

export const PRUNE_MIN_AGE_MS = 60 * 60 * 1000;

export interface LoadedManifest extends ManifestEntry {
  raw: Buffer;
  manifest: Manifest;
}

/** Reads and parses every manifest; `failed` lists the ones that could not be parsed. */
export async function loadAllManifests(
  paths: StorePaths,
  warn: Warn = () => {},
): Promise<{ loaded: LoadedManifest[]; failed: ManifestEntry[] }> {
  const loaded: LoadedManifest[] = [];
  const failed: ManifestEntry[] = [];
  for (const entry of await walkManifests(paths, warn)) {
    try {
      const st = await lstat(entry.path);
      if (st.size > MAX_MANIFEST_BYTES) throw new Error('too large');
      const raw = await readFile(entry.path);
      loaded.push({ ...entry, raw, manifest: parseManifest(raw) });
    } catch (e) {
      if (isNotFound(e)) continue; // deleted while we walked
      warn(`skipping manifest ${entry.path}: ${(e as Error).message}`);
      failed.push(entry);
    }
  }
  return { loaded, failed };
}

/** Every digest named by a set of manifests. */
export function referencedDigests(manifests: Iterable<{ manifest: Manifest }>): Set<string> {
  const refs = new Set<string>();
  for (const m of manifests) for (const d of manifestDigests(m.manifest)) refs.add(d);
  return refs;
}

/**
 * Removes those of `candidates` that no manifest in the store references and no other writer
 * holds (leases.ts). When some manifest cannot be parsed nothing is removed (it might reference
 * them).
 */
export async function removeUnreferencedBlobs(
  paths: StorePaths,
  candidates: Iterable<string>,
  warn: Warn = () => {},
): Promise<string[]> {
  const { loaded, failed } = await loadAllManifests(paths, warn);
  if (failed.length > 0) {
    warn('not removing unused blobs: some manifests could not be read');
    return [];
  }
  const refs = referencedDigests(loaded);
  for (const d of (await heldDigests(paths.root, paths.blobsDir)).digests) refs.add(d);
  const removed: string[] = [];
  for (const d of new Set(candidates)) {
    if (refs.has(d)) continue;
    if (await removeBlob(paths, d)) removed.push(d);
  }
  return removed;
}

/** Removes empty directories under `dir` (bottom-up); `dir` itself is kept unless `self`. */
export async function removeEmptyDirs(dir: string, self = false): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if (isNotFound(e)) return removed;
    throw e;
  }
  let left = names.length;
  for (const name of names) {
    const p = path.join(dir, name);
    const st = await lstat(p).catch(() => null);
    if (st?.isDirectory()) {
      removed.push(...(await removeEmptyDirs(p, true)));
      if (!(await lstat(p).catch(() => null))) left--;
    }
  }
  if (self && left === 0) {
    try {
      await rmdir(dir);
      removed.push(dir);
    } catch {
      /* not empty after all (a concurrent writer): keep it */
    }
  }
  return removed;
}

/** After removing a manifest: remove its now-empty parent directories up to `manifests/`. */
export async function removeEmptyParents(paths: StorePaths, file: string): Promise<void> {
  let dir = path.dirname(file);
  while (dir.startsWith(paths.manifestsDir + path.sep)) {
    try {
      await rmdir(dir);
    } catch {
      return;
    }
    dir = path.dirname(dir);
  }
}

export interface PruneOptions {
  /** Current time in ms (injectable for tests). */
  now?: number;
  /** Only files older than this are touched (default one hour). */
  minAgeMs?: number;
}

export interface PruneReport {
  /** Why pruning did not run, if it did not. */
  skipped?: string;
  removedBlobs: string[];
  removedFiles: string[];
  removedDirs: string[];
}

/** Start-up prune (Ollama's PruneLayers + PruneDirectory). */
export async function pruneStore(paths: StorePaths, opts: PruneOptions = {}, warn: Warn = () => {}): Promise<PruneReport> {
  const report: PruneReport = { removedBlobs: [], removedFiles: [], removedDirs: [] };
  const now = opts.now ?? Date.now();
  const minAge = opts.minAgeMs ?? PRUNE_MIN_AGE_MS;
  const old = (mtimeMs: number) => now - mtimeMs >= minAge;

  const { loaded, failed } = await loadAllManifests(paths, warn);
  if (failed.length > 0) {
    report.skipped = 'some manifests could not be read';
    warn(`not pruning: ${report.skipped}`);
    return report;
  }
  const refs = referencedDigests(loaded);
  // Another writer's pull or create (a lease) and its download (a live lock) are not garbage,
  // however old their files look (a download can stall for an hour and resume).
  const held = await heldDigests(paths.root, paths.blobsDir, now);
  for (const d of held.digests) refs.add(d);

  let names: string[] = [];
  try {
    names = await readdir(paths.blobsDir);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  for (const name of names) {
    const p = path.join(paths.blobsDir, name);
    const st = await lstat(p).catch(() => null);
    if (!st || st.isDirectory() || !old(st.mtimeMs)) continue;
    if (isHeldPartial(name, held.digests)) continue;
    const digest = fileNameToDigest(name);
    if (digest === null) {
      await unlink(p).catch(() => undefined);
      report.removedFiles.push(name);
    } else if (!refs.has(digest)) {
      if (await removeBlob(paths, digest)) report.removedBlobs.push(digest);
    }
  }

  // Stale temp files of interrupted manifest writes, then empty directories.
  const sweep = async (dir: string): Promise<void> => {
    let ents;
    try {
      ents = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of ents) {
      const p = path.join(dir, d.name);
      if (d.isDirectory()) await sweep(p);
      else if (d.isFile() && MANIFEST_TEMP_RE.test(d.name)) {
        const st = await lstat(p).catch(() => null);
        if (st && old(st.mtimeMs)) {
          await unlink(p).catch(() => undefined);
          report.removedFiles.push(path.relative(paths.root, p));
        }
      }
    }
  };
  await sweep(paths.manifestsDir);
  for (const f of held.staleLeases) {
    const st = await lstat(f).catch(() => null);
    if (st && old(st.mtimeMs) && (await unlink(f).then(() => true, () => false))) report.removedFiles.push(path.relative(paths.root, f));
  }
  report.removedDirs = (await removeEmptyDirs(paths.manifestsDir)).map((d) => path.relative(paths.root, d));
  // Derived llama.cpp-layout files whose blob is gone, and stale temporary ones.
  for (const d of await sweepDerived(paths, { now, minAgeMs: minAge })) report.removedFiles.push(path.join('compat', d.name));
  return report;
}
