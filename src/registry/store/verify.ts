/** `verify`: re-hash every blob of the chosen models and report what is missing or corrupt. */
import { displayShortest } from '../name.js';
import { hashFile, statBlob } from './blobs.js';
import type { LoadedManifest } from './gc.js';
import { manifestDigests } from './manifest.js';
import type { StorePaths } from './paths.js';
import { verifyDerived } from './derived.js';
import { MediaType } from './types.js';

export interface BlobProblem {
  digest: string;
  kind: 'missing' | 'mismatch' | 'size' | 'derived';
  /** For `mismatch`: the digest the bytes actually have. For `size`: the actual size. */
  actual?: string | number;
  /** For `derived`: what was wrong with the blob's derived llama.cpp-layout file (now removed; rebuilt at next load). */
  detail?: string;
  /** For `size`: the size the manifest records. */
  expectedSize?: number;
}

export interface ModelVerifyReport {
  /** Shortest display name. */
  name: string;
  ok: boolean;
  blobs: number;
  problems: BlobProblem[];
}

type BlobState = { kind: 'ok'; size: number } | { kind: 'missing' } | { kind: 'mismatch'; actual: string; size: number };

/** Checks each model's blobs; a blob shared by several models is hashed once. */
export async function verifyManifests(
  paths: StorePaths,
  models: LoadedManifest[],
  signal?: AbortSignal,
): Promise<ModelVerifyReport[]> {
  const cache = new Map<string, BlobState>();
  const check = async (digest: string): Promise<BlobState> => {
    const hit = cache.get(digest);
    if (hit) return hit;
    let state: BlobState;
    const st = await statBlob(paths, digest);
    if (!st) state = { kind: 'missing' };
    else {
      const h = await hashFile(paths.blobPath(digest), signal);
      state = h.digest === digest ? { kind: 'ok', size: h.size } : { kind: 'mismatch', actual: h.digest, size: h.size };
    }
    cache.set(digest, state);
    return state;
  };

  const derivedChecked = new Map<string, string | null>();
  const reports: ModelVerifyReport[] = [];
  for (const m of models) {
    const problems: BlobProblem[] = [];
    const sizes = new Map<string, number>();
    for (const l of [m.manifest.config, ...m.manifest.layers]) sizes.set(l.digest, l.size);
    const digests = manifestDigests(m.manifest);
    for (const d of digests) {
      const s = await check(d);
      if (s.kind === 'missing') problems.push({ digest: d, kind: 'missing' });
      else if (s.kind === 'mismatch') problems.push({ digest: d, kind: 'mismatch', actual: s.actual });
      else if (s.size !== sizes.get(d)) problems.push({ digest: d, kind: 'size', actual: s.size, expectedSize: sizes.get(d)! });
    }
    for (const l of m.manifest.layers) {
      if (l.mediaType !== MediaType.model) continue;
      let detail = derivedChecked.get(l.digest);
      if (detail === undefined) {
        detail = await verifyDerived(paths, l.digest, signal);
        derivedChecked.set(l.digest, detail);
      }
      if (detail) problems.push({ digest: l.digest, kind: 'derived', detail });
    }
    reports.push({ name: displayShortest(m.name), ok: problems.length === 0, blobs: digests.length, problems });
  }
  return reports;
}
