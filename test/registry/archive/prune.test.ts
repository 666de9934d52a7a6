import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneBlobs, STALE_AFTER_MS } from '../../../src/registry/archive/prune.js';
import { importArchive } from '../../../src/registry/archive/import.js';
import { exportToBuffer, chunked, makeFixture, type Fixture } from './fixtures.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await makeFixture();
});
afterAll(async () => {
  await fx.cleanup();
});

const hex = (c: string) => c.repeat(64);
const old = new Date(Date.now() - 2 * STALE_AFTER_MS);

describe('pruneBlobs', () => {
  it('removes unreferenced blobs and old partials, keeps referenced blobs and other files', async () => {
    const store = await fx.emptyStore();
    await importArchive(store, chunked(await exportToBuffer(fx.src, ['a'])));
    const b = store.paths.blobsDir;
    await writeFile(path.join(b, `sha256-${hex('1')}`), 'orphan');
    await writeFile(path.join(b, `sha256-${hex('2')}-partial-0`), 'part');
    await utimes(path.join(b, `sha256-${hex('2')}-partial-0`), old, old);
    await writeFile(path.join(b, 'notes.txt'), 'mine');
    await mkdir(path.join(b, 'subdir'));
    const dry = await pruneBlobs(store, { dryRun: true });
    expect(dry.removed.map((i) => i.name).sort()).toEqual([`sha256-${hex('2')}-partial-0`, `sha256:${hex('1')}`].sort());
    expect(dry.freed).toBe(10);
    const real = await pruneBlobs(store);
    expect(real.removed).toHaveLength(2);
    expect((await store.verify(['a']))[0]!.ok).toBe(true);
    expect(await store.hasBlob(`sha256:${hex('1')}`)).toBe(false);
    const again = await pruneBlobs(store);
    expect(again.removed).toEqual([]);
  });

  it('an old split-GGUF shard link left by a killed create goes; a fresh one stays (it may be in use)', async () => {
    const store = await fx.emptyStore();
    const b = store.paths.blobsDir;
    await mkdir(b, { recursive: true });
    const stale = path.join(b, 'sha256-tmp-123-0123456789abcdef-00001-of-00002.gguf');
    const fresh = path.join(b, 'sha256-tmp-456-0123456789abcdef-00002-of-00002.gguf');
    await writeFile(stale, 'shard');
    await writeFile(fresh, 'shard');
    await utimes(stale, old, old);
    const r = await pruneBlobs(store);
    expect(r.removed.map((i) => i.name)).toEqual([path.basename(stale)]);
    expect(r.kept.map((i) => i.name)).toEqual([path.basename(fresh)]);
  });

  it('keeps fresh unreferenced blobs while a fresh partial exists; removes them once it is old', async () => {
    const store = await fx.emptyStore();
    await mkdir(store.paths.blobsDir, { recursive: true });
    const blob = path.join(store.paths.blobsDir, `sha256-${hex('3')}`);
    const partial = path.join(store.paths.blobsDir, `sha256-${hex('4')}-partial`);
    await writeFile(blob, 'fresh');
    await writeFile(partial, 'downloading');
    const r = await pruneBlobs(store);
    expect(r.removed).toEqual([]);
    expect(r.kept.map((i) => i.kind).sort()).toEqual(['blob', 'partial']);
    await utimes(partial, old, old);
    const r2 = await pruneBlobs(store);
    expect(r2.removed.map((i) => i.kind).sort()).toEqual(['blob', 'partial']);
  });

  it('refuses to prune when a manifest cannot be read', async () => {
    const store = await fx.emptyStore();
    const m = path.join(store.paths.manifestsDir, 'registry.ollama.ai', 'library', 'bad');
    await mkdir(m, { recursive: true });
    await writeFile(path.join(m, 'latest'), '{not json');
    await expect(pruneBlobs(store)).rejects.toThrow(/could not be read/);
  });
});
