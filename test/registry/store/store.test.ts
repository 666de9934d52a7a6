import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobOf, buildManifest, configLayer, encodeConfigV2 } from '../../../src/registry/gojson.js';
import { InvalidNameError, parseModelName } from '../../../src/registry/name.js';
import {
  InvalidManifestError,
  MediaType,
  MissingBlobsError,
  ModelNotFoundError,
  Store,
  envBool,
  parentModel,
  writeTextBlob,
  type Manifest,
} from '../../../src/registry/store/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.resolve(here, '../../fixtures/ollama-store');
const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

const TINY_W = 'sha256:' + sha('fixture weights for tiny (stands in for a GGUF)\n');
const TEMPLATE = 'sha256:' + sha('{{ .Prompt }}');
const SYSTEM = 'sha256:' + sha('You are a helpful fixture.');
const LICENSE = 'sha256:' + sha('MIT License\n\nPermission is hereby granted, free of charge.');
const ORPHAN = 'sha256:' + sha('orphaned layer\n');

let tmp = '';
let root = '';
let warnings: string[] = [];
let store: Store;

/** Fixture copy with deterministic mtimes: tiny oldest, Mixed newest. */
async function copyFixture(): Promise<void> {
  await cp(fixture, root, { recursive: true });
  const m = path.join(root, 'manifests');
  const t = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000);
  await utimes(path.join(m, 'registry.ollama.ai/library/tiny/latest'), t(1), t(1));
  await utimes(path.join(m, 'registry.ollama.ai/alice/shared/v1'), t(2), t(2));
  await utimes(path.join(m, 'localhost:5000/team/Mixed/Case'), t(3), t(3));
}

async function ageAllBlobs(seconds: number): Promise<void> {
  const when = new Date(Date.now() - seconds * 1000);
  for (const n of await readdir(path.join(root, 'blobs'))) await utimes(path.join(root, 'blobs', n), when, when);
}

const blobFiles = async () => (await readdir(path.join(root, 'blobs'))).sort();

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'tollama-store-'));
  root = path.join(tmp, 'models');
  warnings = [];
  store = new Store(root, { warn: (m) => warnings.push(m) });
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('reading a store Ollama wrote', () => {
  beforeEach(copyFixture);

  it('lists models newest first with ID, size and details; skips invalid paths with a warning', async () => {
    const list = await store.list();
    expect(list.map((m) => m.shortName)).toEqual(['localhost:5000/team/Mixed:Case', 'alice/shared:v1', 'tiny:latest']);
    const tiny = list[2]!;
    const raw = await readFile(path.join(root, 'manifests/registry.ollama.ai/library/tiny/latest'));
    expect(tiny.digest).toBe(sha(raw));
    expect(tiny.raw.equals(raw)).toBe(true);
    expect(tiny.size).toBe(tiny.manifest.config.size + tiny.manifest.layers.reduce((s, l) => s + l.size, 0));
    expect(tiny.details).toEqual({
      parent_model: '',
      format: 'gguf',
      family: 'llama',
      families: ['llama'],
      parameter_size: '260K',
      quantization_level: 'F32',
    });
    expect(tiny.modifiedAt.toISOString()).toBe('2026-01-01T00:00:01.000Z');
    expect(warnings.some((w) => w.includes('.hidden'))).toBe(true);
  });

  it('reads a model case-insensitively and reports the stored casing', async () => {
    const m = await store.readModel('LOCALHOST:5000/TEAM/mixed:case');
    expect(m.name.model).toBe('Mixed');
    expect(m.name.tag).toBe('Case');
    expect((await store.readModel('Tiny')).manifest.layers).toHaveLength(4);
    expect(parentModel((await store.readModel('alice/shared:v1')).manifest)).toBe('tiny:latest');
  });

  it('missing and invalid names', async () => {
    await expect(store.readModel('nope')).rejects.toThrow(new ModelNotFoundError('nope'));
    await expect(store.readModel('nope')).rejects.toMatchObject({ status: 404, message: "model 'nope' not found" });
    await expect(store.readModel('../etc')).rejects.toThrow(InvalidNameError);
    expect(await store.findModel('tiny:other')).toBeNull();
  });

  it('delete keeps layers another model shares and removes the rest', async () => {
    const r = await store.delete('tiny');
    // weights + template are shared with alice/shared:v1; license, params and config are not.
    expect(r.removedBlobs).toContain(LICENSE);
    expect(r.removedBlobs).not.toContain(TINY_W);
    expect(r.removedBlobs).not.toContain(TEMPLATE);
    expect(await store.hasBlob(TINY_W)).toBe(true);
    expect(await store.hasBlob(LICENSE)).toBe(false);
    // the .hidden file keeps the tiny directory alive; delete alice and its dirs go
    await store.delete('alice/shared:v1');
    expect(await store.hasBlob(TINY_W)).toBe(false);
    expect(await store.hasBlob(SYSTEM)).toBe(false);
    expect(existsSync(path.join(root, 'manifests/registry.ollama.ai/alice'))).toBe(false);
    expect(existsSync(path.join(root, 'manifests/registry.ollama.ai/library/tiny/.hidden'))).toBe(true);
    expect(await store.hasBlob(ORPHAN)).toBe(true); // not ours to remove on delete
    await expect(store.delete('tiny')).rejects.toMatchObject({ status: 404, message: "model 'tiny' not found" });
  });

  it('copy is byte for byte (same ID) and handles destination casing', async () => {
    const dst = await store.copy('tiny', 'bob/tiny:v2');
    expect(dst.namespace).toBe('bob');
    const a = await store.readModel('tiny');
    const b = await store.readModel('bob/tiny:v2');
    expect(b.digest).toBe(a.digest);
    // copying onto an existing name in another casing replaces it in place
    const dst2 = await store.copy('alice/shared:v1', 'BOB/TINY:V2');
    expect(dst2.namespace).toBe('bob');
    expect(dst2.tag).toBe('v2');
    expect(await readdir(path.join(root, 'manifests/registry.ollama.ai'))).toEqual(
      expect.arrayContaining(['alice', 'bob', 'library']),
    );
    expect(await readdir(path.join(root, 'manifests/registry.ollama.ai/bob/tiny'))).toEqual(['v2']);
    expect((await store.readModel('bob/tiny:v2')).digest).toBe((await store.readModel('alice/shared:v1')).digest);
    await expect(store.copy('missing', 'x')).rejects.toMatchObject({ status: 404, message: 'model "missing" not found' });
  });

  it('verify passes, then finds a flipped byte and a missing blob', async () => {
    expect((await store.verify()).every((r) => r.ok)).toBe(true);
    const p = store.blobPath(TEMPLATE);
    const buf = await readFile(p);
    buf[0] = buf[0]! ^ 1;
    await writeFile(p, buf);
    await rm(store.blobPath(SYSTEM));
    const reports = await store.verify();
    const byName = Object.fromEntries(reports.map((r) => [r.name, r]));
    expect(byName['tiny:latest']!.problems).toEqual([{ digest: TEMPLATE, kind: 'mismatch', actual: 'sha256:' + sha(buf) }]);
    expect(byName['alice/shared:v1']!.problems).toEqual([
      { digest: TEMPLATE, kind: 'mismatch', actual: 'sha256:' + sha(buf) },
      { digest: SYSTEM, kind: 'missing' },
    ]);
    expect(byName['localhost:5000/team/Mixed:Case']!.ok).toBe(true);
    expect((await store.verify(['Tiny'])).map((r) => r.name)).toEqual(['tiny:latest']);
    await expect(store.verify(['nope'])).rejects.toThrow(ModelNotFoundError);
  });

  it('start-up prune removes stale partials and orphans but keeps referenced blobs', async () => {
    await ageAllBlobs(2 * 3600);
    const before = await blobFiles();
    const r = await store.startup({ env: {} });
    expect(r.prune.skipped).toBeUndefined();
    expect(r.prune.removedBlobs).toEqual([ORPHAN]);
    expect(r.prune.removedFiles.sort()).toEqual(before.filter((n) => n.includes('-partial')).sort());
    expect(await store.hasBlob(TINY_W)).toBe(true);
    expect((await store.verify()).every((x) => x.ok)).toBe(true);
  });

  it('prune leaves young files alone', async () => {
    const before = await blobFiles();
    const r = await store.prune(); // fixture copy has fresh mtimes
    expect(r.removedBlobs).toEqual([]);
    expect(await blobFiles()).toEqual(before);
  });

  it('honours OLLAMA_NOPRUNE, but still fixes blob names', async () => {
    await ageAllBlobs(2 * 3600);
    const d = 'sha256:' + sha('colon named');
    await writeFile(path.join(root, 'blobs', d), 'colon named');
    const before = await blobFiles();
    const r = await store.startup({ env: { OLLAMA_NOPRUNE: '1' } });
    expect(r.renamed).toEqual([d]);
    expect(r.prune.skipped).toMatch(/OLLAMA_NOPRUNE/);
    expect(await blobFiles()).toEqual(before.map((n) => (n === d ? 'sha256-' + d.slice(7) : n)).sort());
  });

  it('does not prune when a manifest cannot be read', async () => {
    await ageAllBlobs(2 * 3600);
    await writeFile(path.join(root, 'manifests/registry.ollama.ai/library/tiny/broken'), '{not json');
    const r = await store.prune();
    expect(r.skipped).toBeDefined();
    expect(await store.hasBlob(ORPHAN)).toBe(true);
  });
});

describe('writing a store', () => {
  async function createModel(name: string, weights: string, extra: Manifest['layers'] = []): Promise<Manifest> {
    const w = await store.writeBlob(weights);
    const cfg = encodeConfigV2({ model_format: 'gguf', model_family: 'llama', model_families: ['llama'], model_type: '1K', file_type: 'F16' });
    await store.writeBlob(cfg.bytes, { expected: cfg.digest });
    const m = buildManifest(configLayer(cfg), [{ mediaType: MediaType.model, digest: w.digest, size: w.size }, ...extra]);
    await store.writeManifest(name, m);
    return m;
  }

  it('writes manifests only when every blob exists', async () => {
    const cfg = blobOf('{}');
    const m = buildManifest(configLayer(cfg), [{ mediaType: MediaType.model, digest: 'sha256:' + 'e'.repeat(64), size: 1 }]);
    await expect(store.writeManifest('x', m)).rejects.toThrow(MissingBlobsError);
    expect(existsSync(path.join(root, 'manifests'))).toBe(false);
    await store.writeBlob(cfg.bytes);
    await expect(store.writeManifest('x', m)).rejects.toThrow(MissingBlobsError);
  });

  it('rejects a layer size that does not match the blob', async () => {
    const cfg = await store.writeBlob('{}');
    const m = buildManifest({ ...configLayer(blobOf('{}')), size: 3 }, []);
    expect(cfg.size).toBe(2);
    await expect(store.writeManifest('x', m)).rejects.toThrow(InvalidManifestError);
  });

  it('a created model round-trips with Go-encoded bytes and passes the fixture checks', async () => {
    const t = await writeTextBlob(store, '{{ .Prompt }}');
    expect(t.digest).toBe(TEMPLATE);
    const m = await createModel('me/made:v1', 'weights A', [{ mediaType: MediaType.template, digest: t.digest, size: t.size }]);
    const read = await store.readModel('me/made:v1');
    expect(read.raw.toString().endsWith('}\n')).toBe(true);
    expect(read.manifest).toEqual(m);
    const [listed] = await store.list();
    expect(listed!.shortName).toBe('me/made:v1');
    expect(listed!.details.quantization_level).toBe('F16');
    expect((await store.verify()).every((r) => r.ok)).toBe(true);
  });

  it('keeps pulled manifest bytes exactly', async () => {
    const cfg = await store.writeBlob('{"model_format":"gguf"}');
    const raw = Buffer.from(
      `{ "schemaVersion": 2, "config": {"mediaType":"application/vnd.docker.container.image.v1+json","digest":"${cfg.digest}","size":${cfg.size}}, "layers": [] }`,
    );
    const r = await store.writeManifest('h.example/n/m:t', raw);
    expect((await readFile(r.path)).equals(raw)).toBe(true);
    expect(r.digest).toBe(sha(raw));
  });

  it('replacing a tag reports the previous manifest and GC keeps shared layers', async () => {
    const shared = await store.writeBlob('shared layer');
    const sharedLayer = { mediaType: MediaType.system, digest: shared.digest, size: shared.size };
    const old = await createModel('a', 'old weights', [sharedLayer]);
    await createModel('b', 'b weights', [sharedLayer]);
    const w = await store.writeBlob('new weights');
    const next = buildManifest(old.config, [{ mediaType: MediaType.model, digest: w.digest, size: w.size }]);
    const r = await store.writeManifest('A', next); // other casing: replaces in place
    expect(r.name.model).toBe('a');
    expect(r.previous).toEqual(old);
    const removed = await store.removeUnusedLayers(r.previous!, next);
    expect(removed).toEqual(['sha256:' + sha('old weights')]);
    expect(await store.hasBlob(shared.digest)).toBe(true); // b still uses it
    expect(await store.hasBlob(old.config.digest)).toBe(true); // still the config of a and b
  });

  it('rejects invalid names before touching the disk', async () => {
    const cfg = await store.writeBlob('{}');
    const m = buildManifest({ ...configLayer(blobOf('{}')), size: cfg.size }, []);
    for (const bad of ['../x', 'a/../../b', '/abs', 'x\u0000', 'h/n/m:.hidden']) {
      await expect(store.writeManifest(bad, m)).rejects.toThrow(InvalidNameError);
    }
    expect(existsSync(path.join(root, 'manifests'))).toBe(false);
  });

  it('a store written by us has the layout Ollama reads', async () => {
    await createModel('llama3.2', 'w1');
    await createModel('localhost:5000/ns/m:t', 'w2');
    const files: string[] = [];
    const walk = async (d: string, rel: string[]): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true })) {
        if (e.isDirectory()) await walk(path.join(d, e.name), [...rel, e.name]);
        else files.push([...rel, e.name].join('/'));
      }
    };
    await walk(root, []);
    for (const f of files) {
      expect(f).toMatch(/^(blobs\/sha256-[0-9a-f]{64}|manifests\/[^/]+\/[^/]+\/[^/]+\/[^/]+)$/);
    }
    expect(files).toContain('manifests/registry.ollama.ai/library/llama3.2/latest');
    expect(files).toContain('manifests/localhost:5000/ns/m/t');
  });

  it('prune removes stale temp files of interrupted writes', async () => {
    await mkdir(path.join(root, 'blobs'), { recursive: true });
    await writeFile(path.join(root, 'blobs', 'sha256-tmp-123-abcdef'), 'half');
    await mkdir(path.join(root, 'manifests/registry.ollama.ai/library/m'), { recursive: true });
    await writeFile(path.join(root, 'manifests/registry.ollama.ai/library/m/.latest.tmp-1-abcd'), '{');
    await writeFile(path.join(root, 'manifests/registry.ollama.ai/library/m/.v2.tmp-0a1b2c'), '{');
    expect(await store.list()).toEqual([]);
    expect(warnings).toEqual([]); // temp files are skipped silently
    const r = await store.prune({ now: Date.now() + 2 * 3600_000 });
    expect(r.removedFiles).toContain('manifests/registry.ollama.ai/library/m/.v2.tmp-0a1b2c');
    expect(r.removedFiles).toContain('sha256-tmp-123-abcdef');
    expect(r.removedFiles).toContain('manifests/registry.ollama.ai/library/m/.latest.tmp-1-abcd');
    expect(existsSync(path.join(root, 'manifests/registry.ollama.ai'))).toBe(false);
    expect(existsSync(path.join(root, 'manifests'))).toBe(true);
  });
});

describe('misc', () => {
  it('envBool follows Go strconv.ParseBool as envconfig.Bool uses it', () => {
    const cases: Array<[string | undefined, boolean]> = [
      [undefined, false], ['', false], ['1', true], ['true', true], ['TRUE', true], ['t', true],
      ['0', false], ['false', false], ['F', false], ['yes', true], ['  "false" ', false],
    ];
    for (const [v, want] of cases) expect(envBool(v)).toBe(want);
  });
  it('defaultRoot', () => {
    expect(Store.defaultRoot({ OLLAMA_MODELS: '/m' })).toBe('/m');
  });
  it('names parse the same here', () => {
    expect(parseModelName('Tiny').model).toBe('Tiny');
  });
});
