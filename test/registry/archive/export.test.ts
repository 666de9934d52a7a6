import { execFileSync, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planExport } from '../../../src/registry/archive/export.js';
import { parseIndex } from '../../../src/registry/archive/layout.js';
import { ModelNotFoundError } from '../../../src/registry/store/index.js';
import { exportToBuffer, makeFixture, type Fixture } from './fixtures.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await makeFixture();
});
afterAll(async () => {
  await fx.cleanup();
});

function tarList(file: string): string[] {
  return execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n');
}

describe('export', () => {
  it('writes an OCI image layout: oci-layout, index.json, manifests, then blobs', async () => {
    const buf = await exportToBuffer(fx.src, ['stories']);
    const plan = await planExport(fx.src, ['stories']);
    expect(buf.length).toBe(plan.size);
    const file = path.join(fx.dir, 'one.tar');
    await writeFile(file, buf);
    const names = tarList(file);
    const m = await fx.src.readModel('stories');
    const oci = plan.models[0]!.ociDigest.slice(7);
    expect(names.slice(0, 6)).toEqual(['oci-layout', 'index.json', 'blobs/', 'blobs/sha256/', `blobs/sha256/${oci}`, `blobs/sha256/${m.digest}`]);
    expect(names).toHaveLength(6 + 1 + m.manifest.layers.length);
    const layout = execFileSync('tar', ['-xOf', file, 'oci-layout'], { encoding: 'utf8' });
    expect(JSON.parse(layout)).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = parseIndex(execFileSync('tar', ['-xOf', file, 'index.json']));
    expect(index).toHaveLength(1);
    expect(index[0]!.ollamaDigest).toBe(`sha256:${m.digest}`);
    expect(index[0]!.digest).toBe(plan.models[0]!.ociDigest);
    const twin = JSON.parse(execFileSync('tar', ['-xOf', file, `blobs/sha256/${oci}`], { encoding: 'utf8' }));
    expect(twin.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(twin.config.digest).toBe(m.manifest.config.digest);
    expect(twin.layers.map((l: { digest: string }) => l.digest)).toEqual(m.manifest.layers.map((l) => l.digest));
    const raw = JSON.parse(execFileSync('tar', ['-xOf', file, 'index.json'], { encoding: 'utf8' }));
    expect(raw.manifests[0].annotations['org.opencontainers.image.ref.name']).toBe('registry.ollama.ai/library/stories:latest');
    expect(raw.manifests[0].mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(raw.manifests[0].annotations['ai.tollama.ollama.manifest']).toBe(`sha256:${m.digest}`);
    // The manifest entry holds the stored bytes exactly.
    expect(execFileSync('tar', ['-xOf', file, `blobs/sha256/${m.digest}`]).equals(m.raw)).toBe(true);
  });

  it('is reproducible: the same models export to the same bytes', async () => {
    const a = await exportToBuffer(fx.src, ['stories', 'a']);
    const b = await exportToBuffer(fx.src, ['stories', 'a']);
    expect(a.equals(b)).toBe(true);
  });

  it('holds a blob shared by several models once', async () => {
    const file = path.join(fx.dir, 'three.tar');
    await writeFile(file, await exportToBuffer(fx.src, ['a', 'b', 'someone/c:v1']));
    const names = tarList(file).filter((n) => n.startsWith('blobs/sha256/') && n.length > 14);
    expect(new Set(names).size).toBe(names.length);
    const weights = (await fx.src.readModel('a')).manifest.layers[0]!.digest.slice(7);
    expect(names.filter((n) => n.endsWith(weights))).toHaveLength(1);
    // 3 × (OCI + Ollama manifest) + shared weights + shared config + 3 system layers
    expect(names).toHaveLength(6 + 1 + 1 + 3);
    const index = parseIndex(execFileSync('tar', ['-xOf', file, 'index.json']));
    expect(index.map((e) => `${e.name.namespace}/${e.name.model}:${e.name.tag}`)).toEqual(['library/a:latest', 'library/b:latest', 'someone/c:v1']);
  });

  it('names the same model once even when asked twice', async () => {
    const plan = await planExport(fx.src, ['a', 'A:latest', 'registry.ollama.ai/library/a']);
    expect(plan.models).toHaveLength(1);
  });

  it('refuses unknown models and invalid names before writing anything', async () => {
    await expect(planExport(fx.src, ['nope'])).rejects.toBeInstanceOf(ModelNotFoundError);
    await expect(planExport(fx.src, ['../../etc/passwd'])).rejects.toMatchObject({ status: 400 });
    await expect(planExport(fx.src, [])).rejects.toThrow(/no models/);
  });

  it('refuses to start when a blob is missing or has the wrong size', async () => {
    const { Store } = await import('../../../src/registry/store/index.js');
    const { addModel } = await import('../../helpers/models.js');
    const { rm } = await import('node:fs/promises');
    const root = path.join(fx.dir, 'broken');
    await addModel(root, 'x', fx.gguf, { system: 'hi' });
    const store = new Store(root);
    const sys = (await store.readModel('x')).manifest.layers[1]!.digest;
    await writeFile(store.blobPath(sys), 'longer than before');
    await expect(planExport(store, ['x'])).rejects.toThrow(/manifest records/);
    await rm(store.blobPath(sys));
    await expect(planExport(store, ['x'])).rejects.toThrow(/missing blob/);
  });

  const skopeo = spawnSync('skopeo', ['--version']).status === 0;
  it.skipIf(!skopeo)('is read by skopeo inspect oci-archive: (skipped when skopeo is missing)', async () => {
    const file = path.join(fx.dir, 'skopeo-one.tar');
    await writeFile(file, await exportToBuffer(fx.src, ['stories']));
    const out = JSON.parse(execFileSync('skopeo', ['inspect', `oci-archive:${file}`], { encoding: 'utf8' }));
    const m = await fx.src.readModel('stories');
    expect(out.Digest).toBe((await planExport(fx.src, ['stories'])).models[0]!.ociDigest);
    expect(out.Architecture).toBe('amd64');
    expect(out.Layers).toEqual(m.manifest.layers.map((l) => l.digest));
    // Several models: pick one by its ref name.
    const multi = path.join(fx.dir, 'skopeo-multi.tar');
    await writeFile(multi, await exportToBuffer(fx.src, ['a', 'someone/c:v1']));
    const c = JSON.parse(
      execFileSync('skopeo', ['inspect', `oci-archive:${multi}:registry.ollama.ai/someone/c:v1`], { encoding: 'utf8' }),
    );
    expect(c.Layers).toEqual((await fx.src.readModel('someone/c:v1')).manifest.layers.map((l) => l.digest));
  });
});
