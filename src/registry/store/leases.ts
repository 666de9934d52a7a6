/**
 * Writers sharing one store (several `ollama serve` on one volume) tell each other what they are
 * writing, with files whose mtime is a heartbeat (no pids: the processes may be on other
 * machines; clocks are assumed to agree within a minute, as NTP keeps them):
 *
 *  - a **download lock** `blobs/sha256-<hex>-partial.lock`, created with O_EXCL by the one process
 *    that downloads that blob into `sha256-<hex>-partial`; the others wait for the blob. A lock
 *    whose heartbeat stopped (older than LOCK_STALE_MS) belongs to a dead process and is broken,
 *    as is one whose writer on this machine (same host name and pid namespace) has exited; its
 *    partial data is resumed.
 *  - a **lease** `.leases/<host>-<pid>-<random>` listing the digests a pull or create will name in
 *    the manifest it has not written yet, so that no other process's prune or delete removes
 *    them in between.
 *
 * Every remover (start-up prune, `ollama prune`, the unused-layer removal after delete/pull)
 * counts leased digests as referenced and leaves the partial files of a locked download alone.
 * A read-only store takes neither (it never downloads).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, readlink, rename, stat, unlink, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { digestToFileName, isValidDigest } from '../digest.js';

/** How often a holder touches its lock or lease. */
export const HEARTBEAT_MS = 15_000;
/** A lock or lease not touched for this long belongs to a process that is gone. */
export const LOCK_STALE_MS = 120_000;
export const LEASES_DIR = '.leases';

const LOCK_SUFFIX = '-partial.lock';
const LOCK_RE = /^sha256-([0-9a-f]{64})-partial\.lock$/;
/** Partial files of a download: `sha256-<hex>-partial`, `-partial-<N>`, their `.tmp` and the lock. */
export const PARTIAL_RE = /^sha256-([0-9a-f]{64})-partial(?:-\d+(?:\.[0-9a-f]+\.tmp)?|\.lock(?:\.stale-[0-9a-f]+)?)?$/;

export interface Held {
  release(): Promise<void>;
}

function heartbeat(file: string): NodeJS.Timeout {
  const t = setInterval(() => {
    const now = new Date();
    utimes(file, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  t.unref();
  return t;
}

function owner(): string {
  return `${os.hostname()}-${process.pid}-${randomBytes(6).toString('hex')}`;
}

let pidNamespace: string | undefined;
/** This process's pid namespace (`pid:[4026531836]`), '' where there is none to read. */
async function pidNs(): Promise<string> {
  pidNamespace ??= await readlink('/proc/self/ns/pid').catch(() => '');
  return pidNamespace;
}

interface LockOwner {
  id: string;
  host: string;
  pidns: string;
  pid: number;
}

/**
 * A lock written on this machine, in this pid namespace, by a process that no longer exists is
 * dead at once (a restart after kill -9 resumes without waiting for LOCK_STALE_MS). Anything else
 * (another host, another container, unreadable) is judged by its heartbeat only.
 */
async function ownerIsDead(file: string): Promise<boolean> {
  let o: Partial<LockOwner>;
  try {
    o = JSON.parse(await readFile(file, 'utf8')) as Partial<LockOwner>;
  } catch {
    return false;
  }
  const ns = await pidNs();
  if (o.host !== os.hostname() || ns === '' || o.pidns !== ns || !Number.isSafeInteger(o.pid) || o.pid === process.pid) return false;
  try {
    process.kill(o.pid!, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export function downloadLockPath(blobsDir: string, digest: string): string {
  return path.join(blobsDir, digestToFileName(digest) + LOCK_SUFFIX);
}

async function isFresh(file: string, now = Date.now()): Promise<boolean> {
  try {
    return now - (await stat(file)).mtimeMs < LOCK_STALE_MS;
  } catch {
    return false;
  }
}

/**
 * Takes the download lock of `digest`, or returns null when a live process holds it. A stale
 * lock is broken first (renamed away: of two processes breaking it at once, one wins).
 */
export async function tryDownloadLock(blobsDir: string, digest: string): Promise<Held | null> {
  const file = downloadLockPath(blobsDir, digest);
  const id = owner();
  const me: LockOwner = { id, host: os.hostname(), pidns: await pidNs(), pid: process.pid };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(file, 'wx', 0o644);
      try {
        await fh.writeFile(JSON.stringify(me) + '\n');
      } finally {
        await fh.close();
      }
      const timer = heartbeat(file);
      return {
        async release() {
          clearInterval(timer);
          // Only our own lock: a process that judged it stale may have replaced it.
          const text = await readFile(file, 'utf8').catch(() => '');
          if (text.includes(`"id":"${id}"`)) await unlink(file).catch(() => undefined);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if ((await isFresh(file)) && !(await ownerIsDead(file))) return null;
    const aside = `${file}.stale-${randomBytes(6).toString('hex')}`;
    try {
      await rename(file, aside);
      await unlink(aside).catch(() => undefined);
    } catch {
      /* someone else broke it first (or it was released): try again */
    }
  }
  return null;
}

/** Writes a lease naming `digests`; its heartbeat runs until `release`. */
export async function takeLease(root: string, digests: Iterable<string>): Promise<Held> {
  const dir = path.join(root, LEASES_DIR);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const file = path.join(dir, owner());
  const list = [...new Set(digests)].filter((d) => isValidDigest(d));
  const tmp = file + '.tmp';
  await writeSmall(tmp, JSON.stringify({ digests: list }) + '\n');
  await rename(tmp, file);
  const timer = heartbeat(file);
  return {
    async release() {
      clearInterval(timer);
      await unlink(file).catch(() => undefined);
    },
  };
}

async function writeSmall(file: string, text: string): Promise<void> {
  const fh = await open(file, 'wx', 0o644);
  try {
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
}

export interface HeldDigests {
  /** Digests named by live leases or being downloaded under a live lock. */
  digests: Set<string>;
  /** Lease files whose heartbeat stopped (removable by a writer's prune). */
  staleLeases: string[];
}

/** What other writers hold right now (see the module comment). */
export async function heldDigests(root: string, blobsDir: string, now = Date.now()): Promise<HeldDigests> {
  const digests = new Set<string>();
  const staleLeases: string[] = [];
  const dir = path.join(root, LEASES_DIR);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, name);
    if (!(await isFresh(file, now))) {
      staleLeases.push(file);
      continue;
    }
    try {
      const v = JSON.parse(await readFile(file, 'utf8')) as { digests?: unknown };
      if (Array.isArray(v.digests)) for (const d of v.digests) if (isValidDigest(d)) digests.add(d);
    } catch {
      /* being written (its .tmp) or damaged: nothing to honour */
    }
  }
  for (const name of await readdir(blobsDir).catch(() => [] as string[])) {
    const m = LOCK_RE.exec(name);
    if (m && (await isFresh(path.join(blobsDir, name), now))) digests.add(`sha256:${m[1]}`);
  }
  return { digests, staleLeases };
}

/** True for a partial-download file (data, descriptor, lock) of a digest in `held`. */
export function isHeldPartial(name: string, held: Set<string>): boolean {
  const m = PARTIAL_RE.exec(name);
  return !!m && held.has(`sha256:${m[1]}`);
}
