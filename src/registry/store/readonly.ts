/**
 * Is the store read-only? `OLLAMA_READONLY` says so explicitly; otherwise the store is read-only
 * when its directory cannot be written: the file system it lives on is mounted read-only (the
 * mount's own `ro` flag or its super block's, from /proc/self/mountinfo, as statvfs's ST_RDONLY
 * would say) or `access(W_OK)` refuses (EROFS, or EACCES for a user without write permission;
 * root passes a chmod'ed directory, and can indeed write there). Nothing is written to find out:
 * no probe files, no locks.
 */
import { constants } from 'node:fs';
import { access, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';

export interface MountEntry {
  /** Mount point (octal escapes such as `\040` decoded). */
  mountPoint: string;
  /** Per-mount options (`ro`, `rw`, `nosuid`, …). */
  options: string[];
  /** Super-block options (a file system mounted read-only everywhere has `ro` here). */
  superOptions: string[];
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Parses /proc/self/mountinfo (proc(5)); malformed lines are skipped. */
export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (f.length < 10 || sep < 0 || f.length < sep + 4) continue;
    out.push({
      mountPoint: unescapeMount(f[4]!),
      options: f[5]!.split(','),
      superOptions: f[sep + 3]!.split(','),
    });
  }
  return out;
}

/** The mount holding `file` (an absolute, symlink-free path): the last, longest matching mount point. */
export function mountOf(file: string, mounts: MountEntry[]): MountEntry | null {
  let best: MountEntry | null = null;
  for (const m of mounts) {
    const mp = m.mountPoint;
    const inside = mp === '/' || file === mp || file.startsWith(mp.endsWith('/') ? mp : mp + '/');
    // Later lines are mounted over earlier ones at the same point: `>=` keeps the last.
    if (inside && (!best || mp.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

export function isReadOnlyMount(m: MountEntry | null): boolean {
  return !!m && (m.options.includes('ro') || m.superOptions.includes('ro'));
}

/** The nearest existing directory at or above `dir` (the store may not exist yet). */
async function existingAncestor(dir: string): Promise<string> {
  let d = path.resolve(dir);
  for (;;) {
    try {
      return await realpath(d);
    } catch {
      const up = path.dirname(d);
      if (up === d) return d;
      d = up;
    }
  }
}

export interface ReadOnlyProbe {
  /** /proc/self/mountinfo text, or null where there is none (not Linux). */
  mountinfo?: () => Promise<string | null>;
  /** access(W_OK); rejects when not writable. */
  accessW?: (p: string) => Promise<void>;
}

/**
 * Why the store at `root` cannot be written, or null when it can. Checks the store directory
 * (or its nearest existing ancestor) and its `blobs/` and `manifests/` when they exist.
 */
export async function storeReadOnlyReason(root: string, probe: ReadOnlyProbe = {}): Promise<string | null> {
  const readMounts = probe.mountinfo ?? (() => readFile('/proc/self/mountinfo', 'utf8').catch(() => null));
  const accessW = probe.accessW ?? ((p: string) => access(p, constants.W_OK));
  const base = await existingAncestor(root);
  const text = await readMounts();
  if (text !== null && isReadOnlyMount(mountOf(base, parseMountInfo(text)))) {
    return 'the store is on a read-only mount';
  }
  const dirs = [base];
  if (base === path.resolve(root) || base === (await realpath(root).catch(() => ''))) {
    for (const sub of ['blobs', 'manifests']) {
      const p = path.join(base, sub);
      if (await access(p).then(() => true, () => false)) dirs.push(p);
    }
  }
  for (const d of dirs) {
    try {
      await accessW(d);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'EROFS' ? 'the store is on a read-only mount' : 'the store directory is not writable';
    }
  }
  return null;
}
