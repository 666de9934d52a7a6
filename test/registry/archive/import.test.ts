import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError, CorruptArchiveError, UnsafeEntryError } from '../../../src/registry/archive/errors.js';
import { importArchive } from '../../../src/registry/archive/import.js';
import { BLOCK, END_OF_ARCHIVE, tarHeader } from '../../../src/registry/archive/tarheader.js';
import { DigestMismatchError, Store } from '../../../src/registry/store/index.js';
import { addModel, haveStories, STORIES } from '../../helpers/models.js';
import { buildTar, chunked, exportToBuffer, listFiles, makeFixture, type Fixture } from './fixtures.js';

let fx: Fixture;
let storiesTar: Buffer;
beforeAll(async () => {
  fx = await makeFixture();
  storiesTar = await exportToBuffer(fx.src, ['stories']);
});
afterAll(async () => {
  await fx.cleanup();
});

const sha = (b: Buffer | string) => 'sha256:' + createHash('sha256').update(b).digest('hex');

async function expectVerified(store: Store, names: string[]): Promise<void> {
  for (const n of names) {
    const a = await fx.src.readModel(n);
    const b = await store.readModel(n);
    expect(b.raw.equals(a.raw)).toBe(true);
  }
  const reports = await store.verify(names);
  expect(reports.every((r) => r.ok)).toBe(true);
}

/** Nothing but store files under the destination's parent: no escape, no manifests, no temp files. */
async function expectNothingImported(store: Store): Promise<void> {
  const files = await listFiles(store.root);
  expect(files.filter((f) => f.startsWith('manifests/'))).toEqual([]);
  expect(files.filter((f) => f.includes('tmp'))).toEqual([]);
  expect(files.every((f) => /^blobs\/sha256-[0-9a-f]{64}$/.test(f))).toBe(true);
}

describe('import: round trips', () => {
  it('restores the same manifest bytes and verified blobs', async () => {
    const dst = await fx.emptyStore();
    const seen = new Set<string>();
    const r = await importArchive(dst, chunked(storiesTar), { onProgress: (p) => seen.add(p.digest) });
    expect(r.format).toBe('oci');
    expect(r.models.map((m) => m.name)).toEqual(['stories:latest']);
    expect(r.models[0]!.digest).toBe((await fx.src.readModel('stories')).digest);
    expect(r.blobsSkipped).toBe(0);
    expect(seen.size).toBeGreaterThan(0);
    await expectVerified(dst, ['stories']);
    // Again: every blob is skipped and the manifest is the same.
    const again = await importArchive(dst, chunked(storiesTar));
    expect(again.blobsWritten).toBe(0);
    expect(again.models[0]!.replaced).toBe(true);
    await expectVerified(dst, ['stories']);
  });

  it('imports three models sharing a base, writing the shared blobs once', async () => {
    const dst = await fx.emptyStore();
    const buf = await exportToBuffer(fx.src, ['a', 'b', 'someone/c:v1']);
    const r = await importArchive(dst, chunked(buf, 65536));
    expect(r.models.map((m) => m.name)).toEqual(['a:latest', 'b:latest', 'someone/c:v1']);
    expect(r.blobsWritten).toBe(5); // weights, config, 3 system layers
    await expectVerified(dst, ['a', 'b', 'someone/c:v1']);
  });

  it('imports under another name with --name, only for single-model archives', async () => {
    const dst = await fx.emptyStore();
    const r = await importArchive(dst, chunked(storiesTar), { name: 'mine/story:v2' });
    expect(r.models.map((m) => m.name)).toEqual(['mine/story:v2']);
    expect((await dst.readModel('mine/story:v2')).raw.equals((await fx.src.readModel('stories')).raw)).toBe(true);
    expect(await dst.findModel('stories')).toBeNull();
    const two = await exportToBuffer(fx.src, ['a', 'b']);
    const dst2 = await fx.emptyStore();
    await expect(importArchive(dst2, chunked(two), { name: 'x' })).rejects.toThrow(/exactly one model; this one has 2/);
    await expectNothingImported(dst2);
    await expect(importArchive(dst2, chunked(two), { name: '../x' })).rejects.toMatchObject({ status: 400 });
  });

  it('reads a tar of an Ollama models/ folder, plain, under a folder, and gzipped', async () => {
    const root = fx.src.root;
    const plain = execFileSync('tar', ['-cf', '-', '-C', root, 'manifests', 'blobs'], { maxBuffer: 1 << 30 });
    const nested = execFileSync('tar', ['-cf', '-', '-C', path.dirname(root), path.basename(root)], { maxBuffer: 1 << 30 });
    const gz = execFileSync('tar', ['-czf', '-', '-C', root, '.'], { maxBuffer: 1 << 30 });
    for (const buf of [plain, nested, gz]) {
      const dst = await fx.emptyStore();
      const r = await importArchive(dst, chunked(buf, 1 << 16));
      expect(r.format).toBe('models-folder');
      expect(r.models.map((m) => m.name).sort()).toEqual(['a:latest', 'b:latest', 'someone/c:v1', 'stories:latest']);
      await expectVerified(dst, ['a', 'b', 'someone/c:v1', 'stories']);
    }
  });

  it('reads an OCI layout whose index.json comes after the blobs (other tools)', async () => {
    const dir = path.join(fx.dir, 'late-index');
    await mkdir(dir);
    await writeFile(path.join(dir, 'x.tar'), await exportToBuffer(fx.src, ['stories', 'a']));
    execFileSync('tar', ['-xf', 'x.tar'], { cwd: dir });
    const late = execFileSync('tar', ['-cf', '-', 'blobs', 'oci-layout', 'index.json'], { cwd: dir });
    const dst = await fx.emptyStore();
    const r = await importArchive(dst, chunked(late));
    expect(r.models.map((m) => m.name)).toEqual(['stories:latest', 'a:latest']);
    await expectVerified(dst, ['stories', 'a']);
  });

  it.skipIf(!haveStories)('round-trips the real stories260K model (skipped when it is absent)', async () => {
    const root = path.join(fx.dir, 'real');
    await addModel(root, 'stories260k', STORIES, { template: '{{ .Prompt }}' });
    const real = new Store(root);
    const dst = await fx.emptyStore();
    await importArchive(dst, chunked(await exportToBuffer(real, ['stories260k']), 1 << 20));
    expect((await dst.readModel('stories260k')).raw.equals((await real.readModel('stories260k')).raw)).toBe(true);
    expect((await dst.verify())[0]!.ok).toBe(true);
  });

  it('imports a manifests-only archive when the store already has the blobs', async () => {
    const manifestsOnly = execFileSync('tar', ['-cf', '-', '-C', fx.src.root, 'manifests/registry.ollama.ai/library/stories']);
    const empty = await fx.emptyStore();
    await expect(importArchive(empty, chunked(manifestsOnly))).rejects.toThrow(/neither in the archive nor in the store/);
    await expectNothingImported(empty);
    const have = await fx.emptyStore();
    await importArchive(have, chunked(storiesTar), { name: 'other' });
    const r = await importArchive(have, chunked(manifestsOnly));
    expect(r.models.map((m) => m.name)).toEqual(['stories:latest']);
  });
});

describe('import: bad input', () => {
  const hex = 'a'.repeat(64);
  const cases: Array<[string, () => Promise<Buffer>, RegExp]> = [
    ['a ../ entry', () => buildTar([{ name: '../../evil', data: 'x' }]), /"\.\." is not allowed/],
    ['a nested ../ entry', () => buildTar([{ name: 'blobs/../../evil', data: 'x' }]), /"\.\." is not allowed/],
    ['an absolute path', () => buildTar([{ name: '/tmp/evil', data: 'x' }]), /absolute paths/],
    ['a symlink', () => buildTar([{ name: 'blobs/sha256-' + hex, type: 'symlink', linkname: '/etc/passwd' }]), /symbolic links/],
    ['a hard link', () => buildTar([{ name: 'blobs/sha256-' + hex, type: 'link', linkname: 'oci-layout' }]), /hard links/],
    ['a device file', () => buildTar([{ name: 'blobs/sha256-' + hex, type: 'character-device' }]), /device files/],
    ['a FIFO', () => buildTar([{ name: 'blobs/x', type: 'fifo' }]), /FIFOs/],
    ['a backslash name', () => buildTar([{ name: '..\\..\\evil', data: 'x' }]), /backslash/],
  ];
  for (const [what, make, msg] of cases) {
    it(`refuses ${what}, writing nothing outside the store`, async () => {
      const dst = await fx.emptyStore();
      const outside = path.dirname(dst.root);
      const before = await listFiles(outside);
      const err = await importArchive(dst, chunked(await make())).catch((e) => e);
      expect(err).toBeInstanceOf(UnsafeEntryError);
      expect(err.message).toMatch(msg);
      expect(err.status).toBe(400);
      expect(await listFiles(outside)).toEqual(before);
    });
  }

  it('refuses a blob whose bytes do not match its name, leaving nothing behind', async () => {
    const m = await fx.src.readModel('stories');
    const weights = m.manifest.layers[0]!;
    const bad = Buffer.from(storiesTar);
    // Find the weights entry and flip a byte of its data.
    const at = bad.indexOf(Buffer.from(`blobs/sha256/${weights.digest.slice(7)}`));
    bad[at + BLOCK + 100]! ^= 0xff;
    const dst = await fx.emptyStore();
    const err = await importArchive(dst, chunked(bad)).catch((e) => e);
    expect(err).toBeInstanceOf(DigestMismatchError);
    await expectNothingImported(dst);
    expect(await dst.hasBlob(weights.digest)).toBe(false);
  });

  it('refuses a truncated archive cleanly; a re-run with the whole archive succeeds', async () => {
    const dst = await fx.emptyStore();
    for (const cut of [storiesTar.length >> 1, storiesTar.length - END_OF_ARCHIVE.length, 700]) {
      const err = await importArchive(dst, chunked(storiesTar.subarray(0, cut))).catch((e) => e);
      expect(err).toBeInstanceOf(CorruptArchiveError);
      expect(err.message).toMatch(/truncated/);
      await expectNothingImported(dst);
    }
    await importArchive(dst, chunked(storiesTar));
    await expectVerified(dst, ['stories']);
  });

  it('refuses a tar bomb (an entry claiming 1 PB) before reading it', async () => {
    const header = tarHeader({ name: `blobs/sha256-${hex}`, size: 2 ** 50, type: 'file' });
    let pulled = 0;
    async function* bomb() {
      yield header;
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield Buffer.alloc(1 << 20);
      }
    }
    const dst = await fx.emptyStore();
    const err = await importArchive(dst, bomb()).catch((e) => e);
    expect(err).toBeInstanceOf(ArchiveError);
    expect(err.message).toMatch(/claims 1125899906842624 bytes/);
    expect(pulled).toBeLessThan(10);
    await expectNothingImported(dst);
    // Small entries are capped too.
    const idx = tarHeader({ name: 'index.json', size: 2 ** 40, type: 'file' });
    await expect(importArchive(dst, Readable.from([idx, Buffer.alloc(BLOCK)]))).rejects.toThrow(/index.json is too large/);
  });

  it('refuses files that are not tar archives', async () => {
    const dst = await fx.emptyStore();
    await expect(importArchive(dst, Readable.from([Buffer.from('hello, this is not a tar file\n'.repeat(100))]))).rejects.toThrow(
      /not a tar archive/,
    );
    await expect(importArchive(dst, Readable.from([]))).rejects.toThrow(/empty/);
    const gguf = await readFile(fx.gguf);
    await expect(importArchive(dst, chunked(gguf))).rejects.toBeInstanceOf(CorruptArchiveError);
    await expect(importArchive(dst, Readable.from([Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5])]))).rejects.toThrow(/gzip/);
    await expectNothingImported(dst);
  });

  it('refuses an invalid model name in index.json, and index entries without a name', async () => {
    const manifest = (await fx.src.readModel('stories')).raw;
    const mk = (ann: Record<string, string>) =>
      buildTar([
        { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
        {
          name: 'index.json',
          data: JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'x', digest: sha(manifest), size: manifest.length, annotations: ann }] }),
        },
        { name: `blobs/sha256/${sha(manifest).slice(7)}`, data: manifest },
      ]);
    const dst = await fx.emptyStore();
    for (const bad of ['../../etc/passwd', 'a/b/c/d/e', 'bad name', '']) {
      const err = await importArchive(dst, chunked(await mk({ 'org.opencontainers.image.ref.name': bad }))).catch((e) => e);
      expect(err).toBeInstanceOf(ArchiveError);
      expect(err.message).toMatch(/not a valid model name|annotation/);
    }
    await expect(importArchive(dst, chunked(await mk({})))).rejects.toThrow(/no org.opencontainers.image.ref.name/);
    // A well-named OCI archive by another tool (no Tollama annotation) imports its manifest as is, blobs permitting.
    await importArchive(dst, chunked(storiesTar), { name: 'base' });
    const ok = await importArchive(dst, chunked(await mk({ 'org.opencontainers.image.ref.name': 'other/thing:1' })));
    expect(ok.models[0]!.name).toBe('other/thing:1');
  });

  it('refuses an invalid model name in a models folder', async () => {
    const manifest = (await fx.src.readModel('stories')).raw;
    const buf = await buildTar([{ name: 'manifests/registry.ollama.ai/library/-bad/latest', data: manifest }]);
    await expect(importArchive(await fx.emptyStore(), chunked(buf))).rejects.toThrow(/not a valid model name/);
  });
});

