/**
 * The local-file side of `ollama create` (reference §1.4, §5.2): finding the Modelfile,
 * resolving FROM/ADAPTER paths relative to its folder (`~` expanded), refusing anything that is
 * not a regular file, and hashing. Error messages name files only as the user wrote them.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Largest Modelfile read (licenses can be long, but not this long). */
export const MAX_MODELFILE_BYTES = 16 << 20;

/** A local file or directory that cannot be used; the same text whatever the reason. */
export class LocalFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalFileError';
  }
}

export interface LocalFile {
  /** Absolute path (never printed). */
  abs: string;
  size: number;
}

export interface HashedFile extends LocalFile {
  /** Name sent in the create request (basename, or relative to the common root). */
  name: string;
  digest: string;
}

/** `~` and `~user` expansion, then resolution against `dir`. */
export function resolveLocalPath(ref: string, dir: string): string {
  let p = ref;
  if (p === '~' || p.startsWith('~/')) p = path.join(os.homedir(), p.slice(1));
  else if (/^~[^/]+/.test(p)) {
    const user = p.slice(1).split('/')[0]!;
    if (user === os.userInfo().username) p = path.join(os.homedir(), p.slice(1 + user.length));
    else p = path.join(path.dirname(os.homedir()), user, p.slice(1 + user.length));
  }
  return path.resolve(dir, p);
}

/**
 * Whether a FROM value is meant as a path (so a missing file is an error rather than a model
 * name): it starts with `/`, `.`, `~`, contains a backslash, or ends in a weights extension.
 */
export function looksLikePath(ref: string): boolean {
  return /^[/.~]/.test(ref) || ref.includes('\\') || /\.(gguf|bin|safetensors|pth)$/i.test(ref);
}

function unusable(kind: string, ref: string): LocalFileError {
  return new LocalFileError(`${kind} ${ref}: not found, or not a readable regular file`);
}

/** Opens a regular file without blocking on FIFOs; anything else is refused. */
export async function openRegular(abs: string): Promise<{ fh: FileHandle; size: number } | null> {
  let fh: FileHandle;
  try {
    fh = await open(abs, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      return null;
    }
    return { fh, size: st.size };
  } catch {
    await fh.close().catch(() => undefined);
    return null;
  }
}

/** Reads the Modelfile: `null` when it does not exist (the caller falls back to `FROM .`). */
export async function readModelfile(file: string, shown: string): Promise<Buffer | null> {
  try {
    await stat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new LocalFileError(`Modelfile ${shown}: not found, or not a readable regular file`);
  }
  const f = await openRegular(file);
  if (!f) throw new LocalFileError(`Modelfile ${shown}: not found, or not a readable regular file`);
  try {
    if (f.size > MAX_MODELFILE_BYTES) throw new LocalFileError(`Modelfile ${shown} is larger than ${MAX_MODELFILE_BYTES >> 20} MiB`);
    return await f.fh.readFile();
  } finally {
    await f.fh.close();
  }
}

/**
 * The files a FROM/ADAPTER reference names: `null` when it is not a local path (FROM then names
 * a model); a directory gives its `*.gguf` files. Throws LocalFileError otherwise.
 */
export async function localFilesFor(kind: string, ref: string, dir: string): Promise<LocalFile[] | null> {
  const abs = resolveLocalPath(ref, dir);
  let isDir = false;
  try {
    isDir = (await stat(abs)).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if ((code === 'ENOENT' || code === 'ENOTDIR') && !looksLikePath(ref) && kind === 'FROM') return null;
    throw unusable(kind, ref);
  }
  if (!isDir) {
    const f = await openRegular(abs);
    if (!f) throw unusable(kind, ref);
    await f.fh.close();
    return [{ abs, size: f.size }];
  }
  let names: string[];
  try {
    names = (await readdir(abs)).sort();
  } catch {
    throw unusable(kind, ref);
  }
  const ggufs = names.filter((n) => n.toLowerCase().endsWith('.gguf'));
  if (ggufs.length === 0) {
    if (names.some((n) => n.toLowerCase().endsWith('.safetensors'))) {
      throw new LocalFileError(`${kind} ${ref}: safetensors models are not supported yet; convert the model to GGUF first`);
    }
    throw new LocalFileError('no Modelfile or safetensors files found');
  }
  const out: LocalFile[] = [];
  for (const n of ggufs) {
    const f = await openRegular(path.join(abs, n));
    if (!f) throw unusable(kind, path.join(ref, n));
    await f.fh.close();
    out.push({ abs: path.join(abs, n), size: f.size });
  }
  return out;
}

/** Names for the create request: basenames, or paths relative to the common folder. */
export function requestNames(files: readonly LocalFile[]): string[] {
  if (files.length <= 1) return files.map((f) => path.basename(f.abs));
  let root = path.dirname(files[0]!.abs);
  for (const f of files) {
    while (!(f.abs + path.sep).startsWith(root === path.sep ? root : root + path.sep)) root = path.dirname(root);
  }
  return files.map((f) => path.relative(root, f.abs).split(path.sep).join('/'));
}

/** sha256 of a regular file, read once; `onBytes` reports progress. */
export async function hashLocalFile(abs: string, onBytes?: (n: number) => void): Promise<string> {
  const f = await openRegular(abs);
  if (!f) throw new LocalFileError('a file changed while it was being read');
  const h = createHash('sha256');
  try {
    for await (const chunk of f.fh.createReadStream({ highWaterMark: 1 << 20, autoClose: false })) {
      h.update(chunk as Buffer);
      onBytes?.((chunk as Buffer).length);
    }
  } finally {
    await f.fh.close();
  }
  return `sha256:${h.digest('hex')}`;
}
