/**
 * `ollama prune`: removes blobs no manifest references and stale unfinished downloads, with a
 * dry run. Safety rules (docs/offline.md):
 *  - nothing is removed when some manifest cannot be read (it might reference anything);
 *  - unfinished files (`sha256-<hex>-partial[-N]`, our `sha256-tmp-…`) go only when older than
 *    an hour: a younger one may be a download or import in progress;
 *  - unreferenced blobs go at any age, except while a transfer may be running (some unfinished
 *    file is younger than an hour): then blobs younger than an hour stay, since a pull, create
 *    or import writes its blobs before its manifest;
 *  - what another writer holds (a live lease or download lock, store/leases.ts) is kept at any
 *    age: its blobs count as referenced, its partial files as in progress;
 *  - derived llama.cpp-layout files in `compat/` go with their blob (docs/compat.md);
 *  - the manifests are read again just before deleting, and only `blobs/` entries are touched
 *    (never followed through symlinks), by names the digest validator produced.
 */
import { lstat, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { fileNameToDigest } from '../digest.js';
import { sweepDerived } from '../store/derived.js';
import { loadAllManifests, referencedDigests } from '../store/gc.js';
import { heldDigests, isHeldPartial } from '../store/leases.js';
import type { Store } from '../store/index.js';
import { ArchiveError } from './errors.js';

export const STALE_AFTER_MS = 60 * 60 * 1000;
const UNFINISHED = /^sha256-(?:[0-9a-f]{64}-partial(?:-\d+(?:\.[0-9a-f]+\.tmp)?|\.lock(?:\.stale-[0-9a-f]+)?)?|tmp-[A-Za-z0-9-]+(?:-\d{5}-of-\d{5}\.gguf)?)$/;

export interface PruneItem {
  /** `sha256:<hex>` for blobs, the file name for unfinished files. */
  name: string;
  kind: 'blob' | 'partial' | 'derived';
  size: number;
}

export interface PrunePlanResult {
  dryRun: boolean;
  removed: PruneItem[];
  /** Kept because they may belong to a transfer in progress. */
  kept: PruneItem[];
  /** Σ sizes of `removed`. */
  freed: number;
}

export async function pruneBlobs(store: Store, opts: { dryRun?: boolean; now?: number } = {}): Promise<PrunePlanResult> {
  const now = opts.now ?? Date.now();
  const load = async (): Promise<Set<string>> => {
    const { loaded, failed } = await loadAllManifests(store.paths);
    if (failed.length) throw new ArchiveError(`not pruning: ${failed.length} manifest(s) could not be read`, 500);
    const refs = referencedDigests(loaded);
    held = (await heldDigests(store.paths.root, store.paths.blobsDir, now)).digests;
    for (const d of held) refs.add(d);
    return refs;
  };
  let held = new Set<string>();
  let refs = await load();
  let names: string[] = [];
  try {
    names = await readdir(store.paths.blobsDir);
  } catch {
    names = [];
  }
  const entries: Array<{ file: string; size: number; age: number }> = [];
  for (const file of names) {
    const st = await lstat(path.join(store.paths.blobsDir, file)).catch(() => null);
    if (st?.isFile()) entries.push({ file, size: st.size, age: now - st.mtimeMs });
  }
  const busy = entries.some((e) => UNFINISHED.test(e.file) && e.age < STALE_AFTER_MS);
  const removed: PruneItem[] = [];
  const kept: PruneItem[] = [];
  const victims: Array<{ item: PruneItem; file: string }> = [];
  for (const e of entries) {
    const digest = fileNameToDigest(e.file);
    if (digest) {
      if (refs.has(digest)) continue;
      const item: PruneItem = { name: digest, kind: 'blob', size: e.size };
      if (busy && e.age < STALE_AFTER_MS) kept.push(item);
      else victims.push({ item, file: e.file });
    } else if (UNFINISHED.test(e.file)) {
      const item: PruneItem = { name: e.file, kind: 'partial', size: e.size };
      if (e.age < STALE_AFTER_MS || isHeldPartial(e.file, held)) kept.push(item);
      else victims.push({ item, file: e.file });
    }
  }
  if (!opts.dryRun && victims.length) refs = await load();
  for (const v of victims) {
    if (v.item.kind === 'blob' && refs.has(v.item.name)) continue; // a manifest appeared meanwhile
    if (!opts.dryRun) {
      const p = v.item.kind === 'blob' ? store.blobPath(v.item.name) : path.join(store.paths.blobsDir, v.file);
      try {
        await unlink(p);
      } catch {
        continue;
      }
    }
    removed.push(v.item);
  }
  // Derived llama.cpp-layout files (docs/compat.md) of blobs that are gone or being removed.
  const keepDerived = new Set([...refs, ...kept.filter((k) => k.kind === 'blob').map((k) => k.name)]);
  for (const d of await sweepDerived(store.paths, { keep: keepDerived, now, minAgeMs: STALE_AFTER_MS, dryRun: opts.dryRun })) {
    removed.push({ name: `compat/${d.name}`, kind: 'derived', size: d.size });
  }
  return { dryRun: !!opts.dryRun, removed, kept, freed: removed.reduce((s, i) => s + i.size, 0) };
}
