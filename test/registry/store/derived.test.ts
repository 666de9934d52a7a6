/**
 * Derived llama.cpp-layout files in the store (docs/compat.md): made at first need, reused,
 * rebuilt when missing, damaged or without a sidecar; `verify` re-hashes them; delete and prune
 * remove them with their blob; a model needing no translation gets none.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, open, readdir, readFile, rm, stat, truncate, unlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pruneBlobs } from '../../../src/registry/archive/prune.js';
import { readGGUF } from '../../../src/registry/gguf/reader.js';
import { MediaType, Store, derivedPaths } from '../../../src/registry/store/index.js';
import { writeGGUF } from '../../helpers/gguf.js';
import { gptossPair } from '../../helpers/gguf/families.js';
import { addModel } from '../../helpers/models.js';

let root: string;
let store: Store;
let digest: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'tollama-derived-'));
  store = new Store(root);
  const fam = gptossPair();
  const file = path.join(root, 'oss.gguf');
  await writeGGUF(file, fam.ollama);
  await addModel(root, 'oss', file);
  await unlink(file);
  const m = await store.readModel('oss');
  digest = m.manifest.layers.find((l) => l.mediaType === MediaType.model)!.digest;
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const sha = async (f: string): Promise<string> => createHash('sha256').update(await readFile(f)).digest('hex');
const compatFiles = async (): Promise<string[]> => (await readdir(path.join(root, 'compat')).catch(() => [])).sort();

describe('derived files', () => {
  it('are made at first need beside the untouched blob, with a sidecar, then reused', async () => {
    const blobBefore = await sha(store.blobPath(digest));
    const p = await store.loadablePath(digest);
    const d = derivedPaths(store.paths, digest);
    expect(p).toBe(d.gguf);
    expect(await sha(store.blobPath(digest))).toBe(blobBefore);
    expect(`sha256:${blobBefore}`).toBe(digest);
    const side = JSON.parse(await readFile(d.sidecar, 'utf8'));
    expect(side).toMatchObject({ source: digest, translator: 1, family: 'gpt-oss', size: (await stat(p)).size, sha256: await sha(p) });
    expect(side.changes).toContain('general.architecture: gptoss → gpt-oss');
    expect((await readGGUF(p)).architecture).toBe('gpt-oss');
    const mtime = (await stat(p)).mtimeMs;
    expect(await store.loadablePath(digest)).toBe(p);
    expect((await stat(p)).mtimeMs).toBe(mtime);
    expect(await compatFiles()).toEqual([path.basename(d.gguf), path.basename(d.sidecar)].sort());
  });

  it('a read-only store is never written: the translation goes to the compat cache', async () => {
    const cache = await mkdtemp(path.join(os.tmpdir(), 'tollama-compat-cache-'));
    const prev = process.env.TOLLAMA_COMPAT_CACHE;
    process.env.TOLLAMA_COMPAT_CACHE = cache;
    try {
      const ro = new Store(root, { readOnly: 'OLLAMA_READONLY is set' });
      const p = await ro.loadablePath(digest);
      expect(p.startsWith(cache + path.sep)).toBe(true);
      expect((await readGGUF(p)).architecture).toBe('gpt-oss');
      expect(await compatFiles()).toEqual([]);
      expect(await readdir(root)).not.toContain('compat');
    } finally {
      if (prev === undefined) delete process.env.TOLLAMA_COMPAT_CACHE;
      else process.env.TOLLAMA_COMPAT_CACHE = prev;
      await rm(cache, { recursive: true, force: true });
    }
  });

  it('concurrent first loads translate once', async () => {
    const [a, b, c] = await Promise.all([store.loadablePath(digest), store.loadablePath(digest), store.loadablePath(digest)]);
    expect(new Set([a, b, c]).size).toBe(1);
    expect(await compatFiles()).toHaveLength(2);
  });

  it('are rebuilt when missing, truncated or without a sidecar', async () => {
    const d = derivedPaths(store.paths, digest);
    const p = await store.loadablePath(digest);
    const good = await sha(p);
    await unlink(p);
    expect(await store.loadablePath(digest)).toBe(p);
    expect(await sha(p)).toBe(good);
    await truncate(p, 1000);
    await store.loadablePath(digest);
    expect(await sha(p)).toBe(good);
    await unlink(d.sidecar);
    await store.loadablePath(digest);
    expect(await sha(p)).toBe(good);
    expect(JSON.parse(await readFile(d.sidecar, 'utf8')).sha256).toBe(good);
  });

  it('a header damaged in place after an intact check is seen at the next load (the check is remembered by file identity)', async () => {
    const p = await store.loadablePath(digest);
    const good = await sha(p);
    expect(await store.loadablePath(digest)).toBe(p); // intact, remembered
    const fh = await open(p, 'r+');
    await fh.write(Buffer.from('XXXX'), 0, 4, 0); // same size, a broken magic
    await fh.close();
    const later = new Date(Date.now() + 5000);
    await utimes(p, later, later); // a coarse-mtime file system would not tell by the write alone
    expect(await store.loadablePath(digest)).toBe(p);
    expect(await sha(p)).toBe(good);
  });

  it('verify re-hashes them: a damaged one is reported and removed, then rebuilt at the next load', async () => {
    const p = await store.loadablePath(digest);
    const good = await sha(p);
    expect((await store.verify())[0]).toMatchObject({ ok: true, problems: [] });
    const fh = await open(p, 'r+');
    const size = (await fh.stat()).size;
    await fh.write(Buffer.from([0xff, 0xee]), 0, 2, size - 10);
    await fh.close();
    const [r] = await store.verify();
    expect(r!.ok).toBe(false);
    expect(r!.problems).toEqual([{ digest, kind: 'derived', detail: expect.stringMatching(/^the derived file hashes to [0-9a-f]{64}, its sidecar records /) }]);
    expect(await compatFiles()).toEqual([]);
    expect(await store.loadablePath(digest)).toBe(p);
    expect(await sha(p)).toBe(good);
  });

  it('go with their blob on delete, and prune removes orphans and stale temporary files', async () => {
    await store.loadablePath(digest);
    await store.delete('oss');
    expect(await compatFiles()).toEqual([]);

    const orphan = derivedPaths(store.paths, `sha256:${'a'.repeat(64)}`);
    await writeFile(orphan.gguf, 'x');
    await writeFile(orphan.sidecar, '{}');
    const tmp = path.join(root, 'compat', `.sha256-${'b'.repeat(64)}.gguf.0123ab.tmp`);
    await writeFile(tmp, 'partial');
    const dry = await pruneBlobs(store, { dryRun: true });
    expect(dry.removed.filter((i) => i.kind === 'derived').map((i) => i.name).sort()).toEqual(
      [`compat/${path.basename(orphan.gguf)}`, `compat/${path.basename(orphan.sidecar)}`].sort(),
    );
    expect(await compatFiles()).toHaveLength(3);
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(tmp, old, old);
    const report = await store.prune();
    expect(report.removedFiles.filter((f) => f.startsWith('compat'))).toHaveLength(3);
    expect(await compatFiles()).toEqual([]);
  });

  it('a model in llama.cpp layout loads from its blob and gets no derived file', async () => {
    const file = path.join(root, 'plain.gguf');
    await writeGGUF(file, gptossPair().llamacpp);
    await addModel(root, 'plain', file);
    const m = await store.readModel('plain');
    const d = m.manifest.layers.find((l) => l.mediaType === MediaType.model)!.digest;
    expect(await store.loadablePath(d)).toBe(store.blobPath(d));
    expect(await compatFiles()).toEqual([]);
  });
});
