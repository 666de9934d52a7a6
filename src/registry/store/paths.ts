/**
 * Every path inside the store is built here, and only from validated input: blob paths from
 * digests checked by the shared digest validator, manifest paths from validated names.
 */
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { digestToFileName } from '../digest.js';
import { manifestRelPath, nameFromRelPath, type ModelName } from '../name.js';
import { StoreError } from './errors.js';

/** `$OLLAMA_MODELS`, or `~/.ollama/models` (Ollama's envconfig.Models). */
export function defaultStoreRoot(env: NodeJS.ProcessEnv = process.env): string {
  const v = trimEnv(env.OLLAMA_MODELS);
  if (v) return v;
  return path.join(os.homedir(), '.ollama', 'models');
}

/** Ollama trims spaces and surrounding quotes from env values. */
function trimEnv(v: string | undefined): string {
  return (v ?? '').trim().replace(/^["']+|["']+$/g, '');
}

export class StorePaths {
  readonly root: string;
  readonly blobsDir: string;
  readonly manifestsDir: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.blobsDir = path.join(this.root, 'blobs');
    this.manifestsDir = path.join(this.root, 'manifests');
  }

  /** `blobs/sha256-<hex>`; throws InvalidDigestError for anything but a canonical digest. */
  blobPath(digest: string): string {
    const p = path.join(this.blobsDir, digestToFileName(digest));
    // Belt and braces: the validator already guarantees this.
    if (path.dirname(p) !== this.blobsDir) throw new StoreError('blob path escapes the store', 500);
    return p;
  }

  /** The manifest path for a name with exactly the name's casing. */
  manifestPath(n: ModelName): string {
    return this.confine(path.join(this.manifestsDir, ...manifestRelPath(n)));
  }

  /**
   * Finds the manifest for `n`, matching each path part case-insensitively as Ollama does
   * (an exact match wins). Returns the stored path and the name with its stored casing, or
   * null when there is none.
   */
  async findManifest(n: ModelName): Promise<{ path: string; name: ModelName } | null> {
    const parts = manifestRelPath(n);
    const found: string[] = [];
    let dir = this.manifestsDir;
    for (let i = 0; i < parts.length; i++) {
      const entry = await matchEntry(dir, parts[i]!, i === parts.length - 1 ? 'file' : 'dir');
      if (entry === null) return null;
      found.push(entry);
      dir = path.join(dir, entry);
    }
    const stored = nameFromRelPath(found);
    if (!stored) return null;
    return { path: this.confine(dir), name: { ...stored, scheme: n.scheme } };
  }

  /**
   * Where to write the manifest for `n`: an existing manifest of any casing is replaced in
   * place; otherwise existing directories are reused with their casing and the rest take the
   * name's casing, so two case-variants of one name never coexist.
   */
  async manifestPathForWrite(n: ModelName): Promise<{ path: string; name: ModelName }> {
    const parts = manifestRelPath(n);
    const out: string[] = [];
    let dir = this.manifestsDir;
    let existing = true;
    for (let i = 0; i < parts.length; i++) {
      let entry: string | null = null;
      if (existing) entry = await matchEntry(dir, parts[i]!, i === parts.length - 1 ? 'file' : 'dir');
      if (entry === null) existing = false;
      out.push(entry ?? parts[i]!);
      dir = path.join(dir, out[i]!);
    }
    const stored = nameFromRelPath(out)!;
    return { path: this.confine(dir), name: { ...stored, scheme: n.scheme } };
  }

  private confine(p: string): string {
    const rel = path.relative(this.manifestsDir, p);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new StoreError('manifest path escapes the store', 500);
    return p;
  }
}

/** The entry of `dir` equal to `want`, else the first equal ignoring case; null if none. */
async function matchEntry(dir: string, want: string, kind: 'file' | 'dir'): Promise<string | null> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
  const ok = (d: { isFile(): boolean; isDirectory(): boolean }) => (kind === 'file' ? d.isFile() : d.isDirectory());
  const exact = entries.find((d) => d.name === want && ok(d));
  if (exact) return exact.name;
  const lower = want.toLowerCase();
  const matches = entries.filter((d) => d.name.toLowerCase() === lower && ok(d)).map((d) => d.name);
  matches.sort();
  return matches[0] ?? null;
}

export function isNotFound(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
