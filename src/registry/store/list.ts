/**
 * Walking `manifests/`: only regular files exactly four levels deep whose four path parts form
 * a valid name are manifests (Ollama's manifest.Manifests). Anything else is skipped with a
 * warning; our own in-flight temp files (`.<tag>.tmp-…`) are skipped silently.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { nameFromRelPath, type ModelName } from '../name.js';
import { isNotFound, type StorePaths } from './paths.js';

export interface ManifestEntry {
  name: ModelName;
  path: string;
}

/** Temp files of atomic manifest writes: ours (`.<tag>.tmp-<pid>-<hex>`) and pull's (`.<tag>.tmp-<hex>`). */
export const MANIFEST_TEMP_RE = /^\..+\.tmp-[0-9a-f][0-9a-f-]*$/;

export type Warn = (message: string) => void;

async function entries(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
}

/** Every manifest file under `manifests/`, with its name (stored casing). */
export async function walkManifests(paths: StorePaths, warn: Warn = () => {}): Promise<ManifestEntry[]> {
  const out: ManifestEntry[] = [];
  const visit = async (dir: string, parts: string[]): Promise<void> => {
    for (const d of await entries(dir)) {
      const p = path.join(dir, d.name);
      const rel = [...parts, d.name];
      if (d.isDirectory()) {
        if (rel.length < 4) await visit(p, rel);
        else warn(`skipping ${rel.join('/')}: not a manifest (too deep)`);
        continue;
      }
      if (!d.isFile()) continue;
      if (MANIFEST_TEMP_RE.test(d.name)) continue;
      if (rel.length !== 4) {
        warn(`skipping ${rel.join('/')}: not a manifest (wrong depth)`);
        continue;
      }
      const name = nameFromRelPath(rel);
      if (!name) {
        warn(`skipping ${rel.join('/')}: invalid model name`);
        continue;
      }
      out.push({ name, path: p });
    }
  };
  await visit(paths.manifestsDir, []);
  return out;
}
