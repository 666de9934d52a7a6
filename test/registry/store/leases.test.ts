/**
 * Writers sharing a store: download locks (one writer per partial file, stale ones broken) and
 * leases (digests a pending manifest will name); every remover honours both.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pruneBlobs } from '../../../src/registry/archive/prune.js';
import { downloadLockPath, heldDigests, LOCK_STALE_MS, Store, takeLease, tryDownloadLock } from '../../../src/registry/store/index.js';

const hex = (c: string) => c.repeat(64);
const d = (c: string) => `sha256:${hex(c)}`;

describe('download locks and leases', () => {
  let root: string;
  let blobs: string;
  const old = new Date(Date.now() - 3 * 3600_000);
  const age = (file: string) => fs.utimesSync(file, old, old);
  const put = (name: string, aged = true) => {
    const f = path.join(blobs, name);
    fs.writeFileSync(f, name);
    if (aged) age(f);
    return f;
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-leases-'));
    blobs = path.join(root, 'blobs');
    fs.mkdirSync(blobs);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('one holder per download lock; a released or stale lock can be taken', async () => {
    const a = await tryDownloadLock(blobs, d('a'));
    expect(a).not.toBeNull();
    expect(await tryDownloadLock(blobs, d('a'))).toBeNull();
    await a!.release();
    expect(fs.existsSync(downloadLockPath(blobs, d('a')))).toBe(false);
    const b = await tryDownloadLock(blobs, d('a'));
    expect(b).not.toBeNull();
    // Its holder died: no heartbeat for longer than LOCK_STALE_MS.
    const past = new Date(Date.now() - LOCK_STALE_MS - 1000);
    fs.utimesSync(downloadLockPath(blobs, d('a')), past, past);
    const c = await tryDownloadLock(blobs, d('a'));
    expect(c).not.toBeNull();
    await b!.release(); // not its lock any more: left alone
    expect(fs.existsSync(downloadLockPath(blobs, d('a')))).toBe(true);
    await c!.release();
    expect(fs.readdirSync(blobs)).toEqual([]);
  });

  it('heldDigests: live leases and live locks; stale leases are reported', async () => {
    const lease = await takeLease(root, [d('1'), d('2'), 'junk']);
    const lock = await tryDownloadLock(blobs, d('3'));
    const staleLease = await takeLease(root, [d('4')]);
    const files = fs.readdirSync(path.join(root, '.leases'));
    expect(files).toHaveLength(2);
    const staleFile = files.map((f) => path.join(root, '.leases', f)).find((f) => fs.readFileSync(f, 'utf8').includes(hex('4')))!;
    age(staleFile);
    const h = await heldDigests(root, blobs);
    expect([...h.digests].sort()).toEqual([d('1'), d('2'), d('3')]);
    expect(h.staleLeases).toEqual([staleFile]);
    await lease.release();
    await lock!.release();
    await staleLease.release();
    expect((await heldDigests(root, blobs)).digests.size).toBe(0);
  });

  it('start-up prune keeps leased blobs and the partial files of a live download, however old', async () => {
    const store = new Store(root);
    put(`sha256-${hex('a')}`); // unreferenced, leased
    put(`sha256-${hex('b')}`); // unreferenced, not leased
    put(`sha256-${hex('c')}-partial`); // a live download (lock below)
    put(`sha256-${hex('c')}-partial-0`);
    put(`sha256-${hex('e')}-partial`); // a dead download: no lock
    put(`sha256-${hex('e')}-partial-0`);
    const lease = await takeLease(root, [d('a')]);
    const lock = await tryDownloadLock(blobs, d('c'));
    const r = await store.prune();
    expect(r.removedBlobs).toEqual([d('b')]);
    expect(r.removedFiles.sort()).toEqual([`sha256-${hex('e')}-partial`, `sha256-${hex('e')}-partial-0`]);
    expect(fs.readdirSync(blobs).sort()).toEqual(
      [`sha256-${hex('a')}`, `sha256-${hex('c')}-partial`, `sha256-${hex('c')}-partial-0`, `sha256-${hex('c')}-partial.lock`].sort(),
    );
    // `ollama prune` and the removal after delete honour them too.
    const plan = await pruneBlobs(store, { dryRun: true });
    expect(plan.removed).toEqual([]);
    expect(await store.removeUnreferencedBlobs([d('a')])).toEqual([]);
    await lease.release();
    await lock!.release();
    const r2 = await store.prune();
    expect(r2.removedBlobs).toEqual([d('a')]);
    expect(r2.removedFiles.sort()).toEqual([`sha256-${hex('c')}-partial`, `sha256-${hex('c')}-partial-0`]);
  });

  it('a writer prune removes lease files whose holder is long gone', async () => {
    const store = new Store(root);
    await takeLease(root, [d('a')]); // never released: its process "died"
    const [f] = fs.readdirSync(path.join(root, '.leases'));
    age(path.join(root, '.leases', f!));
    const r = await store.prune();
    expect(r.removedFiles).toEqual([path.join('.leases', f!)]);
  });
});
