/**
 * Derived files: the llama.cpp-layout translation of a published model blob (docs/compat.md),
 * kept in `<store>/compat/` beside `blobs/` as `sha256-<hex>.gguf` plus a sidecar
 * `sha256-<hex>.json` recording the source digest, the translator version and the derived
 * file's size and sha256; and, for a blob with an embedded vision tower, the tower as a
 * llama.cpp projector file, `sha256-<hex>.mmproj.gguf` with its sidecar
 * `sha256-<hex>.mmproj.json`. The original blob is never touched. A derived file is rebuilt when
 * it or its sidecar is missing, damaged (size, header) or from an older translator; `verify`
 * re-hashes it; prune and delete remove it with its blob.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TRANSLATOR_VERSION, planTranslation, translateGGUF } from '../compat/translate.js';
import { TOWER_TRANSLATOR_VERSION } from '../compat/towers/tower.js';
import { planTower } from '../compat/towers/families.js';
import { writeTower } from '../compat/towers/write.js';
import { readRawHeader } from '../gguf/rawheader.js';
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
  /** Projector files: libmtmd's projector type. */
  projector?: string;
}

/** `text`: the model in llama.cpp's layout; `projector`: its embedded vision tower as an mmproj. */
export type DerivedKind = 'text' | 'projector';
const KINDS: readonly DerivedKind[] = ['text', 'projector'];
const VERSION: Record<DerivedKind, number> = { text: TRANSLATOR_VERSION, projector: TOWER_TRANSLATOR_VERSION };

const SIDE_RE = /^(sha256-[0-9a-f]{64})(?:\.mmproj)?\.(gguf|json)$/;
const TEMP_RE = /^\.sha256-[0-9a-f]{64}(?:\.mmproj)?\.(?:gguf|json)\.[0-9a-f]+\.tmp$/;

export function derivedDir(paths: StorePaths): string {
  return path.join(paths.root, 'compat');
}
export function derivedPaths(paths: StorePaths, digest: string, kind: DerivedKind = 'text'): { gguf: string; sidecar: string } {
  const base = path.join(derivedDir(paths), digestToFileName(digest) + (kind === 'projector' ? '.mmproj' : ''));
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

/**
 * Derived files found intact, by path, with the identity (inode, size, mtime) of the file and of
 * its sidecar when checked: a request that finds both unchanged skips reading them again (an image
 * request asks for its projector twice, every load asks for the text file). Any change (rebuilt,
 * removed by verify, prune or rm, replaced) misses and checks afresh.
 */
const intact = new Map<string, { id: string; side: DerivedSidecar }>();
const identity = (a: { ino: number; size: number; mtimeMs: number }, b: { ino: number; size: number; mtimeMs: number }): string =>
  `${a.ino}:${a.size}:${a.mtimeMs}/${b.ino}:${b.size}:${b.mtimeMs}`;

/** The sidecar when the derived file matches it (size and a readable header); else null. */
async function usableDerived(paths: StorePaths, digest: string, kind: DerivedKind = 'text'): Promise<DerivedSidecar | null> {
  const p = derivedPaths(paths, digest, kind);
  const [sst, gst] = await Promise.all([lstat(p.sidecar).catch(() => null), lstat(p.gguf).catch(() => null)]);
  if (!sst?.isFile() || !gst?.isFile()) {
    intact.delete(p.gguf);
    return null;
  }
  const id = identity(gst, sst);
  const known = intact.get(p.gguf);
  if (known?.id === id) return known.side;
  intact.delete(p.gguf);
  const side = await readSidecar(p.sidecar);
  if (!side || side.source !== digest || side.translator !== VERSION[kind]) return null;
  if (gst.size !== side.size) return null;
  try {
    await readGGUF(p.gguf, { maxArrayValues: 0 });
  } catch {
    return null;
  }
  intact.set(p.gguf, { id, side });
  return side;
}

/** Removes a blob's derived files and sidecars (both kinds, unless one is named); true when something was there. */
export async function removeDerived(paths: StorePaths, digest: string, kinds: readonly DerivedKind[] = KINDS): Promise<boolean> {
  let any = false;
  for (const k of kinds) intact.delete(derivedPaths(paths, digest, k).gguf);
  for (const f of kinds.flatMap((k) => Object.values(derivedPaths(paths, digest, k)).reverse())) {
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
    await removeDerived(paths, digest, ['text']);
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
    await writeSidecar(paths, p.sidecar, side);
    return p.gguf;
  })();
  inflight.set(key, job);
  return job.finally(() => inflight.delete(key));
}

async function writeSidecar(paths: StorePaths, file: string, side: DerivedSidecar): Promise<void> {
  const tmp = path.join(derivedDir(paths), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(tmp, JSON.stringify(side, null, 2) + '\n', { flag: 'wx' });
  await rename(tmp, file);
}

/** Digests known to have no embedded vision tower we translate (a digest names the content, as for needsTranslation). */
const towerless = new Set<string>();
const towerInflight = new Map<string, Promise<string | null>>();

/**
 * The projector file (mmproj) libmtmd should load for a model blob's embedded vision tower:
 * its derived projector file (built now if missing, damaged or outdated), or null when the blob
 * has no tower a handler recognises (nothing is written then). Same rules as loadablePath:
 * `derivedRoot` is the store, or the cache dir of a read-only store. The model loader takes
 * "the projector layer if any, else this".
 */
export function projectorPath(storePaths: StorePaths, digest: string, signal?: AbortSignal, derivedRoot: StorePaths = storePaths): Promise<string | null> {
  signal?.throwIfAborted();
  const key = `${storePaths.root}\0${digest}`;
  if (towerless.has(digest)) return Promise.resolve(null);
  const running = towerInflight.get(key);
  if (running) return running;
  const paths = derivedRoot;
  const blob = storePaths.blobPath(digest);
  const job = (async (): Promise<string | null> => {
    const p = derivedPaths(paths, digest, 'projector');
    // An intact projector file of this translator version: no need to read the blob's header.
    if (await usableDerived(paths, digest, 'projector')) return p.gguf;
    const plan = planTower(await readRawHeader(blob));
    if (!plan) {
      towerless.add(digest);
      return null;
    }
    await removeDerived(paths, digest, ['projector']);
    await mkdir(derivedDir(paths), { recursive: true });
    const r = await writeTower(blob, plan, p.gguf);
    await writeSidecar(paths, p.sidecar, {
      source: digest,
      translator: TOWER_TRANSLATOR_VERSION,
      family: r.family,
      projector: r.projector,
      changes: r.changes,
      size: r.size,
      sha256: r.sha256,
    });
    return p.gguf;
  })();
  towerInflight.set(key, job);
  return job.finally(() => towerInflight.delete(key));
}

/** The sidecar of a blob's derived file, if it has one. */
export function derivedInfo(paths: StorePaths, digest: string, kind: DerivedKind = 'text'): Promise<DerivedSidecar | null> {
  return readSidecar(derivedPaths(paths, digest, kind).sidecar);
}

/**
 * `verify` for a blob's derived file: null when there is none or it is intact; otherwise what
 * is wrong. A damaged derived file is removed, so the next load rebuilds it.
 */
export async function verifyDerived(paths: StorePaths, digest: string, signal?: AbortSignal): Promise<string | null> {
  const problems: string[] = [];
  for (const kind of KINDS) {
    const problem = await verifyOne(paths, digest, kind, signal);
    if (problem) problems.push(kind === 'projector' ? `projector file: ${problem}` : problem);
  }
  return problems.length ? problems.join('; ') : null;
}

async function verifyOne(paths: StorePaths, digest: string, kind: DerivedKind, signal?: AbortSignal): Promise<string | null> {
  const p = derivedPaths(paths, digest, kind);
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
  if (problem) await removeDerived(paths, digest, [kind]);
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
