/**
 * Part bookkeeping for resumable downloads, in Ollama's on-disk format (reference §4.2):
 * data in `blobs/sha256-<hex>-partial` (pre-sized), one JSON descriptor per part in
 * `blobs/sha256-<hex>-partial-<N>` = `{"N":n,"Offset":o,"Size":s,"Completed":c}`.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface Part {
  N: number;
  Offset: number;
  Size: number;
  Completed: number;
}

const MB = 1000 * 1000;

/** Ollama's sizing: total/16 clamped to [100 MB, 1000 MB]; `partSize` overrides. */
export function planParts(total: number, partSize?: number): Part[] {
  const size = partSize && partSize > 0 ? partSize : Math.min(1000 * MB, Math.max(100 * MB, Math.floor(total / 16)));
  const parts: Part[] = [];
  for (let off = 0, n = 0; off < total; off += size, n++) {
    parts.push({ N: n, Offset: off, Size: Math.min(size, total - off), Completed: 0 });
  }
  return parts;
}

export function descriptorPath(partialPath: string, n: number): string {
  return `${partialPath}-${n}`;
}

/** Writes one descriptor atomically (temp + rename), so a kill -9 never leaves a torn one. */
export async function writeDescriptor(partialPath: string, p: Part): Promise<void> {
  const final = descriptorPath(partialPath, p.N);
  const tmp = `${final}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify({ N: p.N, Offset: p.Offset, Size: p.Size, Completed: p.Completed }));
  await rename(tmp, final);
}

function isPart(x: unknown): x is Part {
  if (!x || typeof x !== 'object') return false;
  const o = x as Record<string, unknown>;
  return ['N', 'Offset', 'Size', 'Completed'].every((k) => Number.isSafeInteger(o[k]) && (o[k] as number) >= 0);
}

/** Every descriptor file belonging to `partialPath` (`-partial-<N>` and `.tmp` leftovers). */
export async function descriptorFiles(partialPath: string): Promise<string[]> {
  const dir = dirname(partialPath);
  const prefix = basename(partialPath) + '-';
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.startsWith(prefix) && /^\d+(\.[0-9a-f]+\.tmp)?$/.test(n.slice(prefix.length))).map((n) => join(dir, n));
}

/**
 * Reads the descriptors back. Returns null (= start over) unless they describe exactly
 * `total` bytes in contiguous parts and the data file has that size.
 */
export async function loadParts(partialPath: string, total: number): Promise<Part[] | null> {
  try {
    const st = await stat(partialPath);
    if (!st.isFile() || st.size !== total) return null;
  } catch {
    return null;
  }
  const files = (await descriptorFiles(partialPath)).filter((f) => !f.endsWith('.tmp'));
  if (files.length === 0) return null;
  const parts: Part[] = [];
  for (const f of files) {
    try {
      const text = await readFile(f, 'utf8');
      if (text.length > 4096) return null;
      const p: unknown = JSON.parse(text);
      if (!isPart(p) || p.Completed > p.Size || descriptorPath(partialPath, p.N) !== f) return null;
      parts.push({ N: p.N, Offset: p.Offset, Size: p.Size, Completed: p.Completed });
    } catch {
      return null;
    }
  }
  parts.sort((a, b) => a.Offset - b.Offset);
  let off = 0;
  for (const p of parts) {
    if (p.Offset !== off || p.Size === 0) return null;
    off += p.Size;
  }
  return off === total ? parts : null;
}

/** Removes the data file and every descriptor. */
export async function removePartial(partialPath: string): Promise<void> {
  for (const f of await descriptorFiles(partialPath)) await rm(f, { force: true });
  await rm(partialPath, { force: true });
}
