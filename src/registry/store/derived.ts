/**
 * Derived files: the llama.cpp-layout translation of a published model blob (docs/compat.md),
 * kept in `<store>/compat/` beside `blobs/` as `sha256-<hex>.gguf` plus a sidecar
 * `sha256-<hex>.json` recording the source digest, the translator version and the derived
 * file's size and sha256. The original blob is never touched. A derived file is rebuilt when
 * it or its sidecar is missing, damaged (size, header) or from an older translator; `verify`
 * re-hashes it; prune and delete remove it with its blob.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TRANSLATOR_VERSION, planTranslation, translateGGUF } from '../compat/translate.js';
import { readGGUF } from '../gguf/reader.js';
import { digestToFileName, fileNameToDigest } from '../digest.js';
import { isNotFound, type StorePaths } from './paths.js';

export interface DerivedSidecar {
  source: string;
  translator: number;
  family: string;
  changes: string[];
  size: number;
  sha256: string;
}

const SIDE_RE = /^(sha256-[0-9a-f]{64})\.(gguf|json)$/;
const TEMP_RE = /^\.sha256-[0-9a-f]{64}\.(?:gguf|json)\.[0-9a-f]+\.tmp$/;

export function derivedDir(paths: StorePaths): string {
  return path.join(paths.root, 'compat');
}
export function derivedPaths(paths: StorePaths, digest: string): { gguf: string; sidecar: string } {
  const base = path.join(derivedDir(paths), digestToFileName(digest));
  return { gguf: `${base}.gguf`, sidecar: `${base}.json` };
}

async function readSidecar(file: string): Promise<DerivedSidecar | null> {
  try {
    const st = await lstat(file);
    if (!st.isFile() || st.size > 1024 * 1024) return null;
    const v = JSON.parse(await readFile(file, 'utf8')) as Partial<DerivedSidecar>;
    if (typeof v.source !== 'string' || typeof v.translator !== 'number' || typeof v.size !== 'number' || typeof v.sha256 !== 'string') return null;
    return { family: '', changes: [], ...v } as DerivedSidecar;
  } catch {
    return null;
  }
}

/** The sidecar when the derived file matches it (size and a readable header); else null. */
async function usableDerived(paths: StorePaths, digest: string): Promise<DerivedSidecar | null> {
  const p = derivedPaths(paths, digest);
  const side = await readSidecar(p.sidecar);
  if (!side || side.source !== digest || side.translator !== TRANSLATOR_VERSION) return null;
  const st = await lstat(p.gguf).catch(() => null);
  if (!st?.isFile() || st.size !== side.size) return null;
  try {
    await readGGUF(p.gguf, { maxArrayValues: 0 });
  } catch {
    return null;
  }
  return side;
}

/** Removes a blob's derived file and sidecar; true when something was there. */
export async function removeDerived(paths: StorePaths, digest: string): Promise<boolean> {
  const p = derivedPaths(paths, digest);
  let any = false;
  for (const f of [p.sidecar, p.gguf]) {
    try {
      await unlink(f);
      any = true;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return any;
}

/**
 * Whether a blob needs translating, by digest: a digest names its content, so the header is
 * read once per process, whatever store (or cache) the blob is in.
 */
const needsTranslation = new Map<string, boolean>();
/** One translation per blob at a time. */
const inflight = new Map<string, Promise<string>>();

/**
 * The file llama.cpp should load for a model blob: the blob itself when it needs no
 * translation, else its derived file (translated now if missing, damaged or outdated).
 */
export function loadablePath(storePaths: StorePaths, digest: string, signal?: AbortSignal, derivedRoot: StorePaths = storePaths): Promise<string> {
  signal?.throwIfAborted();
  const key = `${storePaths.root}\0${digest}`;
  const blob = storePaths.blobPath(digest);
  if (needsTranslation.get(digest) === false) return Promise.resolve(blob);
  const running = inflight.get(key);
  if (running) return running;
  // Derived files live under `derivedRoot` (the store, or a cache when the store is read-only).
  const paths = derivedRoot;
  const job = (async (): Promise<string> => {
    // Nothing is written (not even compat/) for a file that needs no translation.
    let needs = needsTranslation.get(digest);
    if (needs === undefined) {
      needs = (await planTranslation(blob)) !== null;
      needsTranslation.set(digest, needs);
    }
    if (!needs) return blob;
    const p = derivedPaths(paths, digest);
    if (await usableDerived(paths, digest)) return p.gguf;
    await removeDerived(paths, digest);
    await mkdir(derivedDir(paths), { recursive: true });
    // Not tied to the first caller's signal: concurrent loads share this translation.
    const result = await translateGGUF(blob, p.gguf);
    if (!result) {
      needsTranslation.set(digest, false);
      return blob;
    }
    const side: DerivedSidecar = {
      source: digest,
      translator: TRANSLATOR_VERSION,
      family: result.family,
      changes: result.changes,
      size: result.size,
      sha256: result.sha256,
    };
    const tmp = path.join(derivedDir(paths), `.${path.basename(p.sidecar)}.${randomBytes(6).toString('hex')}.tmp`);
    await writeFile(tmp, JSON.stringify(side, null, 2) + '\n', { flag: 'wx' });
    await rename(tmp, p.sidecar);
    return p.gguf;
  })();
  inflight.set(key, job);
  return job.finally(() => inflight.delete(key));
}

/** The sidecar of a blob's derived file, if it has one. */
export function derivedInfo(paths: StorePaths, digest: string): Promise<DerivedSidecar | null> {
  return readSidecar(derivedPaths(paths, digest).sidecar);
}

/**
 * `verify` for a blob's derived file: null when there is none or it is intact; otherwise what
 * is wrong. A damaged derived file is removed, so the next load rebuilds it.
 */
export async function verifyDerived(paths: StorePaths, digest: string, signal?: AbortSignal): Promise<string | null> {
  const p = derivedPaths(paths, digest);
  const side = await readSidecar(p.sidecar);
  const st = await lstat(p.gguf).catch(() => null);
  if (!side && !st) return null;
  let problem: string | null = null;
  if (!side) problem = 'its sidecar is missing or unreadable';
  else if (!st?.isFile()) problem = 'the derived file is missing';
  else if (st.size !== side.size) problem = `the derived file has ${st.size} bytes, its sidecar records ${side.size}`;
  else {
    const h = createHash('sha256');
    for await (const chunk of createReadStream(p.gguf, { signal })) h.update(chunk as Buffer);
    const got = h.digest('hex');
    if (got !== side.sha256) problem = `the derived file hashes to ${got}, its sidecar records ${side.sha256}`;
  }
  if (problem) await removeDerived(paths, digest);
  return problem;
}

export interface DerivedSweepItem {
  /** File name inside `compat/`. */
  name: string;
  size: number;
}

/**
 * Removes derived files whose source blob is gone (or is not in `keep`, when given), stale
 * temporary files (older than `minAgeMs`) and anything else in `compat/` that is not ours.
 * Only regular files directly in `compat/` are touched. Returns what was (or, with dryRun,
 * would be) removed.
 */
export async function sweepDerived(
  paths: StorePaths,
  opts: { keep?: Set<string>; now?: number; minAgeMs?: number; dryRun?: boolean } = {},
): Promise<DerivedSweepItem[]> {
  const dir = derivedDir(paths);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
  const now = opts.now ?? Date.now();
  const minAge = opts.minAgeMs ?? 60 * 60 * 1000;
  const out: DerivedSweepItem[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const st = await lstat(file).catch(() => null);
    if (!st?.isFile()) continue;
    let remove: boolean;
    const m = SIDE_RE.exec(name);
    if (m) {
      const digest = fileNameToDigest(m[1]!);
      const sourceGone = !digest || (opts.keep ? !opts.keep.has(digest) : !(await lstat(paths.blobPath(digest)).catch(() => null)));
      remove = sourceGone;
    } else {
      remove = !TEMP_RE.test(name) || now - st.mtimeMs >= minAge;
    }
    if (!remove) continue;
    if (!opts.dryRun) {
      try {
        await unlink(file);
      } catch {
        continue;
      }
    }
    out.push({ name, size: st.size });
  }
  return out;
}
