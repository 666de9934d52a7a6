/**
 * Read-only stores: detection (mountinfo flags, access(W_OK)) and a Store that refuses every
 * write with a 403 and skips the start-up rename and prune.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isReadOnlyMount, mountOf, parseMountInfo, ReadOnlyStoreError, Store, storeReadOnlyReason } from '../../../src/registry/store/index.js';
import { parseModelName } from '../../../src/registry/name.js';

const MOUNTINFO = [
  '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '45 22 254:0 /srv/models /mnt/models ro,relatime - ext4 /dev/vda rw',
  '46 22 0:40 / /mnt/nfs rw,relatime - nfs srv:/x ro,vers=4',
  '47 22 0:41 / /mnt/with\\040space rw - tmpfs tmpfs ro',
  '48 45 0:42 / /mnt/models/over rw - tmpfs tmpfs rw',
  'garbage line',
].join('\n');

describe('mountinfo', () => {
  const mounts = parseMountInfo(MOUNTINFO);
  it('parses mount points, per-mount and super-block options', () => {
    expect(mounts).toHaveLength(5);
    expect(mounts[1]).toEqual({ mountPoint: '/mnt/models', options: ['ro', 'relatime'], superOptions: ['rw'] });
    expect(mounts[3]!.mountPoint).toBe('/mnt/with space');
  });
  it('finds the mount holding a path and reads its ro flag', () => {
    expect(mountOf('/home/x', mounts)!.mountPoint).toBe('/');
    expect(isReadOnlyMount(mountOf('/home/x', mounts))).toBe(false);
    expect(isReadOnlyMount(mountOf('/mnt/models', mounts))).toBe(true);
    expect(isReadOnlyMount(mountOf('/mnt/models/blobs', mounts))).toBe(true);
    expect(isReadOnlyMount(mountOf('/mnt/modelsX', mounts))).toBe(false); // a sibling, not inside
    expect(isReadOnlyMount(mountOf('/mnt/models/over/a', mounts))).toBe(false); // a writable mount on top
    expect(isReadOnlyMount(mountOf('/mnt/nfs/a', mounts))).toBe(true); // super block read-only
    expect(isReadOnlyMount(mountOf('/mnt/with space/a', mounts))).toBe(true);
  });
});

describe('storeReadOnlyReason', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-ro-'));
    dirs.push(d);
    return d;
  };

  it('a writable directory (and a store that does not exist yet) is writable', async () => {
    const d = tmp();
    expect(await storeReadOnlyReason(d)).toBeNull();
    expect(await storeReadOnlyReason(path.join(d, 'not', 'yet'))).toBeNull();
  });

  it('a read-only mount, seen in mountinfo', async () => {
    const d = tmp();
    const text = `22 1 254:0 / / rw - ext4 /dev/vda rw\n45 22 254:0 / ${fs.realpathSync(d)} ro - ext4 /dev/vda rw\n`;
    expect(await storeReadOnlyReason(d, { mountinfo: async () => text })).toBe('the store is on a read-only mount');
  });

  it('access(W_OK) refusing: EROFS is a read-only mount, EACCES a directory we may not write', async () => {
    const d = tmp();
    fs.mkdirSync(path.join(d, 'blobs'));
    const fail = (code: string, only?: string) => async (p: string) => {
      if (!only || p.endsWith(only)) throw Object.assign(new Error(code), { code });
    };
    const none = async () => null;
    expect(await storeReadOnlyReason(d, { mountinfo: none, accessW: fail('EROFS') })).toBe('the store is on a read-only mount');
    expect(await storeReadOnlyReason(d, { mountinfo: none, accessW: fail('EACCES') })).toBe('the store directory is not writable');
    // The root is writable but blobs/ is not: still read-only.
    expect(await storeReadOnlyReason(d, { mountinfo: none, accessW: fail('EACCES', 'blobs') })).toBe('the store directory is not writable');
  });

  it.skipIf(process.getuid?.() === 0)('a directory chmod-ed read-only (not root)', async () => {
    const d = tmp();
    fs.chmodSync(d, 0o555);
    try {
      expect(await storeReadOnlyReason(d)).toBe('the store directory is not writable');
    } finally {
      fs.chmodSync(d, 0o755);
    }
  });
});

describe('a read-only Store', () => {
  it('refuses every write with a 403 and skips the start-up rename and prune', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-ro-'));
    try {
      fs.mkdirSync(path.join(root, 'blobs'));
      const colon = path.join(root, 'blobs', 'sha256:' + 'a'.repeat(64));
      const junk = path.join(root, 'blobs', 'junk');
      fs.writeFileSync(colon, 'x');
      fs.writeFileSync(junk, 'x');
      const old = new Date(Date.now() - 3 * 3600_000);
      fs.utimesSync(junk, old, old);
      const store = new Store(root, { readOnly: 'OLLAMA_READONLY is set' });
      const name = parseModelName('m');
      const refusals: Array<Promise<unknown>> = [
        store.writeBlob('x'),
        store.importFile(junk),
        store.writeManifest(name, Buffer.from('{}')),
        store.copy('a', 'b'),
        store.delete('a'),
        store.removeUnreferencedBlobs(['sha256:' + 'a'.repeat(64)]),
        store.prune(),
      ];
      for (const p of refusals) {
        const err = await p.then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(ReadOnlyStoreError);
        expect((err as ReadOnlyStoreError).status).toBe(403);
        expect((err as Error).message).toMatch(/is not allowed: this server's model store is read-only \(OLLAMA_READONLY is set\)$/);
      }
      const r = await store.startup({ env: {} });
      expect(r.renamed).toEqual([]);
      expect(r.prune.skipped).toMatch(/read-only/);
      expect(fs.existsSync(colon) && fs.existsSync(junk)).toBe(true);
      expect(await store.list()).toEqual([]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
