/**
 * Vision towers embedded in published models (docs/compat.md, "Towers"): per family, a tiny
 * published file with its tower translates to exactly the projector file llama.cpp's converter
 * writes from the same weights (every metadata value, tensors byte for byte, no text tensors);
 * in the store the projector file is a second derived file with the text translation's
 * guarantees. Loading it in libmtmd: towers-mtmd.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm, stat, truncate, unlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pruneBlobs } from '../../../src/registry/archive/prune.js';
import { planTower } from '../../../src/registry/compat/towers/families.js';
import { toF32 } from '../../../src/registry/compat/towers/floats.js';
import { translateTower } from '../../../src/registry/compat/towers/write.js';
import { readRawHeader, type RawHeader } from '../../../src/registry/gguf/rawheader.js';
import { MediaType, Store, derivedPaths } from '../../../src/registry/store/index.js';
import { writeGGUF } from '../../helpers/gguf.js';
import { gptossPair } from '../../helpers/gguf/families.js';
import { TOWER_PAIRS, gemma3TowerPair, mistral3TowerPair } from '../../helpers/gguf/towers.js';
import { addModel, repoRoot } from '../../helpers/models.js';
import { writeModel } from '../../helpers/gguf/models.js';
import { llamaQuantizePath } from '../../../src/runtime/quantize.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tollama-towers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = async (f: string): Promise<string> => createHash('sha256').update(await readFile(f)).digest('hex');

async function tensorBytes(file: string, h: RawHeader): Promise<Map<string, { dims: number[]; type: number; bytes: Buffer }>> {
  const all = await readFile(file);
  return new Map(h.tensors.map((t) => [t.name, { dims: t.dims, type: t.type, bytes: all.subarray(t.sourceOffset, t.sourceOffset + t.size) }]));
}

describe.each(TOWER_PAIRS)('%s tower', (label, make) => {
  const pair = make();
  const files = { published: '', reference: '', derived: '' };
  beforeAll(async () => {
    files.published = path.join(dir, `${label}-published.gguf`);
    files.reference = path.join(dir, `${label}-mmproj-llamacpp.gguf`);
    files.derived = path.join(dir, `${label}-mmproj-derived.gguf`);
    await writeGGUF(files.published, pair.published);
    await writeGGUF(files.reference, pair.mmproj);
  });

  it("translates to llama.cpp's projector file: every metadata value, tensors byte for byte, nothing else", async () => {
    const before = await sha(files.published);
    const r = await translateTower(files.published, files.derived);
    expect(r).toMatchObject({ family: pair.publishedArch });
    expect(await sha(files.published)).toBe(before); // the original is untouched
    const want = await readRawHeader(files.reference);
    const got = await readRawHeader(files.derived);
    expect(got.fileSize).toBe(r!.size);
    expect(r!.sha256).toBe(await sha(files.derived));
    const wantT = await tensorBytes(files.reference, want);
    const gotT = await tensorBytes(files.derived, got);
    expect([...gotT.keys()].sort()).toEqual([...wantT.keys()].sort());
    for (const [name, t] of wantT) {
      const g = gotT.get(name)!;
      expect(g.dims, name).toEqual(t.dims);
      expect(g.type, name).toBe(t.type);
      expect(g.bytes.equals(t.bytes), name).toBe(true);
    }
    const gotKV = new Map(got.kvs.map((kv) => [kv.key, kv]));
    for (const kv of want.kvs) {
      const g = gotKV.get(kv.key);
      expect(g, kv.key).toBeDefined();
      expect(g!.type, kv.key).toBe(kv.type);
      expect(g!.value.equals(kv.value), kv.key).toBe(true);
    }
    // Only clip keys and a few general.* ones: no text-model metadata or tokenizer.
    for (const k of gotKV.keys()) expect(k, k).toMatch(/^(clip\.|general\.(architecture|type|name)$)/);
  });

  it('the projector file needs no further translation and the text model has no tower to give', async () => {
    expect(planTower(await readRawHeader(files.reference))).toBeNull();
    const out = path.join(dir, `${label}-none.gguf`);
    expect(await translateTower(files.reference, out)).toBeNull();
    await expect(readFile(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('pixtral [IMG_BREAK]', () => {
  it("is the text model's embedding row of the [IMG_BREAK] token when the vocabulary has it", async () => {
    const pair = mistral3TowerPair();
    const md = pair.published.metadata as Array<[string, unknown]>;
    const i = md.findIndex(([k]) => k === 'tokenizer.ggml.tokens');
    const tokens = [...(md[i]![1] as string[])];
    tokens[12] = '[IMG_BREAK]';
    md[i] = ['tokenizer.ggml.tokens', tokens];
    const file = path.join(dir, 'mistral3-imgbreak.gguf');
    await writeGGUF(file, pair.published);
    const out = path.join(dir, 'mistral3-imgbreak-mmproj.gguf');
    const r = await translateTower(file, out);
    expect(r!.changes).toContain('v.token_embd.img_break: row 12 of token_embd.weight');
    const src = await readRawHeader(file);
    const embd = src.tensors.find((t) => t.name === 'token_embd.weight')!;
    expect(embd.type).toBe(0); // F32: the row is copied as is
    const row = (await readFile(file)).subarray(embd.sourceOffset + 12 * embd.dims[0]! * 4, embd.sourceOffset + 13 * embd.dims[0]! * 4);
    const got = await tensorBytes(out, await readRawHeader(out));
    expect(got.get('v.token_embd.img_break')!.dims).toEqual([embd.dims[0]]);
    expect(got.get('v.token_embd.img_break')!.bytes.equals(row)).toBe(true);
  });
});

const quantizeTool = llamaQuantizePath(path.join(repoRoot, 'node_modules', 'node-llama-cpp'));

describe('element conversions', () => {
  it('F16, BF16 and Q8_0 read as F32; other types are a clear error', () => {
    const f16 = Buffer.from([0x00, 0x3c, 0x00, 0xc0, 0x00, 0x00]); // 1, -2, 0
    expect([...toF32(f16, 1, 3, 't')]).toEqual([1, -2, 0]);
    const bf16 = Buffer.from([0x80, 0x3f, 0x40, 0xc0]); // 1, -3
    expect([...toF32(bf16, 30, 2, 't')]).toEqual([1, -3]);
    const q8 = Buffer.alloc(34);
    q8.writeUInt16LE(0x3800, 0); // d = 0.5
    for (let i = 0; i < 32; i++) q8.writeInt8(i - 16, 2 + i);
    expect([...toF32(q8, 8, 32, 't')]).toEqual(Array.from({ length: 32 }, (_, i) => (i - 16) / 2));
    expect(() => toF32(Buffer.alloc(176), 13, 256, 'token_embd.weight')).toThrow(/token_embd\.weight is Q5_K/);
  });

  it.skipIf(!fs.existsSync(quantizeTool))('Q6_K and Q4_K rows (an embedding row for [IMG_BREAK]) read back within their quantisation step', async () => {
    const src = path.join(dir, 'q-f32.gguf');
    await writeModel(src, { embd: 256, ff: 512, heads: 4, kvHeads: 4, weightType: 'F32', vocab: 320, blocks: 1 });
    for (const [type, id, step] of [['q6_k', 14, 0.5 / 31], ['q4_k', 12, 1 / 15]] as const) {
      const out = path.join(dir, `q-${type}.gguf`);
      const r = spawnSync(quantizeTool, ['--token-embedding-type', type, src, out, 'Q8_0'], { encoding: 'utf8' });
      expect(r.status, r.stderr.slice(-1000)).toBe(0);
      const [a, b] = [await readFile(src), await readFile(out)];
      const t0 = (await readRawHeader(src)).tensors.find((t) => t.name === 'token_embd.weight')!;
      const t1 = (await readRawHeader(out)).tensors.find((t) => t.name === 'token_embd.weight')!;
      expect(t1.type).toBe(id);
      const rowBytes = t1.size / 320;
      for (const row of [0, 7, 319]) {
        const want = toF32(a.subarray(t0.sourceOffset + row * 1024, t0.sourceOffset + (row + 1) * 1024), 0, 256, 'f32');
        const got = toF32(b.subarray(t1.sourceOffset + row * rowBytes, t1.sourceOffset + (row + 1) * rowBytes), t1.type, 256, type);
        // Weights are within ±0.5: one quantisation step is at most `step` (half of it when rounding).
        for (let i = 0; i < 256; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(step);
      }
    }
  });
});

describe('tower translation refuses what it cannot build', () => {
  it('a truncated published file is the GGUF reader\'s error, and nothing is written', async () => {
    const file = path.join(dir, 'gemma3-truncated.gguf');
    await writeGGUF(file, gemma3TowerPair().published);
    await truncate(file, (await stat(file)).size - 4096);
    const out = path.join(dir, 'gemma3-truncated-mmproj.gguf');
    await expect(translateTower(file, out)).rejects.toThrow(/truncated|ended|invalid GGUF/i);
    expect((await readdir(dir)).filter((f) => f.includes('truncated-mmproj'))).toEqual([]);
  });

  it('a tower without the keys libmtmd needs is an error naming them, and nothing is written', async () => {
    const pair = gemma3TowerPair();
    const md = (pair.published.metadata as Array<[string, unknown]>).filter(([k]) => k !== 'gemma3.vision.patch_size');
    const file = path.join(dir, 'gemma3-nopatch.gguf');
    await writeGGUF(file, { ...pair.published, metadata: md as typeof pair.published.metadata });
    const out = path.join(dir, 'gemma3-nopatch-mmproj.gguf');
    await expect(translateTower(file, out)).rejects.toThrow(/cannot build the vision projector, clip\.vision\.patch_size cannot be derived/);
    expect((await readdir(dir)).filter((f) => f.includes('nopatch-mmproj'))).toEqual([]);
  });
});

describe('projector files in the store', () => {
  let root: string;
  let store: Store;
  let digest: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'tollama-towers-store-'));
    store = new Store(root);
    const file = path.join(root, 'g3.gguf');
    await writeGGUF(file, gemma3TowerPair().published);
    await addModel(root, 'g3', file);
    await unlink(file);
    const m = await store.readModel('g3');
    digest = m.manifest.layers.find((l) => l.mediaType === MediaType.model)!.digest;
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });
  const compatFiles = async (): Promise<string[]> => (await readdir(path.join(root, 'compat')).catch(() => [])).sort();

  it('are made at first need beside the text translation, with a sidecar, then reused', async () => {
    const blob = await sha(store.blobPath(digest));
    const text = await store.loadablePath(digest);
    const p = await store.projectorPath(digest);
    const d = derivedPaths(store.paths, digest, 'projector');
    expect(p).toBe(d.gguf);
    expect(p).toBe(path.join(root, 'compat', `sha256-${digest.slice(7)}.mmproj.gguf`));
    expect(text).toBe(derivedPaths(store.paths, digest).gguf);
    expect(await sha(store.blobPath(digest))).toBe(blob);
    const side = JSON.parse(await readFile(d.sidecar, 'utf8'));
    expect(side).toMatchObject({ source: digest, translator: 1, family: 'gemma3', projector: 'gemma3', size: (await stat(p!)).size, sha256: await sha(p!) });
    const mtime = (await stat(p!)).mtimeMs;
    expect(await store.projectorPath(digest)).toBe(p);
    expect((await stat(p!)).mtimeMs).toBe(mtime);
    expect(await compatFiles()).toHaveLength(4);
  });

  it('concurrent first uses build once; missing, truncated or sidecar-less files are rebuilt', async () => {
    const [a, b] = await Promise.all([store.projectorPath(digest), store.projectorPath(digest)]);
    expect(a).toBe(b);
    expect(await compatFiles()).toHaveLength(2);
    const p = a!;
    const good = await sha(p);
    await unlink(p);
    expect(await store.projectorPath(digest)).toBe(p);
    expect(await sha(p)).toBe(good);
    await truncate(p, 100);
    await store.projectorPath(digest);
    expect(await sha(p)).toBe(good);
    await unlink(derivedPaths(store.paths, digest, 'projector').sidecar);
    await store.projectorPath(digest);
    expect(await sha(p)).toBe(good);
  });

  it('verify re-hashes them: a damaged one is reported and removed (the text translation stays)', async () => {
    await store.loadablePath(digest);
    const p = (await store.projectorPath(digest))!;
    expect((await store.verify())[0]).toMatchObject({ ok: true, problems: [] });
    const fh = await open(p, 'r+');
    await fh.write(Buffer.from([0xff, 0xee]), 0, 2, (await fh.stat()).size - 10);
    await fh.close();
    const [r] = await store.verify();
    expect(r!.problems).toEqual([{ digest, kind: 'derived', detail: expect.stringMatching(/^projector file: the derived file hashes to [0-9a-f]{64}, its sidecar records /) }]);
    const left = await compatFiles();
    expect(left).toHaveLength(2);
    expect(left.every((f) => !f.includes('.mmproj.'))).toBe(true);
    expect(await store.projectorPath(digest)).toBe(p);
  });

  it('go with their blob on delete; prune keeps them while the blob lives and sweeps orphans and stale temporaries', async () => {
    await store.projectorPath(digest);
    const orphan = derivedPaths(store.paths, `sha256:${'a'.repeat(64)}`, 'projector');
    await writeFile(orphan.gguf, 'x');
    await writeFile(orphan.sidecar, '{}');
    const tmp = path.join(root, 'compat', `.sha256-${'b'.repeat(64)}.mmproj.gguf.0123ab.tmp`);
    await writeFile(tmp, 'partial');
    const dry = await pruneBlobs(store, { dryRun: true });
    expect(dry.removed.filter((i) => i.kind === 'derived').map((i) => i.name).sort()).toEqual(
      [`compat/${path.basename(orphan.gguf)}`, `compat/${path.basename(orphan.sidecar)}`].sort(),
    );
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(tmp, old, old);
    await store.prune();
    expect(await compatFiles()).toHaveLength(2);
    await store.delete('g3');
    expect(await compatFiles()).toEqual([]);
  });

  it('a read-only store is never written: the projector file goes to the compat cache', async () => {
    const cache = await mkdtemp(path.join(os.tmpdir(), 'tollama-compat-cache-'));
    const prev = process.env.TOLLAMA_COMPAT_CACHE;
    process.env.TOLLAMA_COMPAT_CACHE = cache;
    try {
      const ro = new Store(root, { readOnly: 'OLLAMA_READONLY is set' });
      const p = await ro.projectorPath(digest);
      expect(p!.startsWith(cache + path.sep)).toBe(true);
      expect(p!.endsWith('.mmproj.gguf')).toBe(true);
      expect(await readdir(root)).not.toContain('compat');
    } finally {
      if (prev === undefined) delete process.env.TOLLAMA_COMPAT_CACHE;
      else process.env.TOLLAMA_COMPAT_CACHE = prev;
      await rm(cache, { recursive: true, force: true });
    }
  });

  it('a model without a tower gets null and nothing is written', async () => {
    const file = path.join(root, 'oss.gguf');
    await writeGGUF(file, gptossPair().ollama);
    await addModel(root, 'oss', file);
    const m = await store.readModel('oss');
    const d = m.manifest.layers.find((l) => l.mediaType === MediaType.model)!.digest;
    expect(await store.projectorPath(d)).toBeNull();
    expect(await compatFiles()).toEqual([]);
  });
});
