import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGGUF } from '../../../src/registry/gguf/index.js';
import {
  ggufLayout,
  modelSpec,
  qwen2_05b,
  sizedModelShape,
  tensorByteSize,
  tinyLlama,
  toHalf,
  writeGGUF,
  writeModel,
} from '../../helpers/gguf.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tollama-gguf-w-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = async (p: string): Promise<string> => createHash('sha256').update(await readFile(p)).digest('hex');

describe('GGUF writer (test helper)', () => {
  it('is deterministic for a seed and varies with it', async () => {
    const a = path.join(dir, 'a.gguf');
    const b = path.join(dir, 'b.gguf');
    const c = path.join(dir, 'c.gguf');
    await writeModel(a, { seed: 5 });
    await writeModel(b, { seed: 5 });
    await writeModel(c, { seed: 6 });
    expect(await sha(a)).toBe(await sha(b));
    expect(await sha(a)).not.toBe(await sha(c));
  });

  it('writes exactly the layout it computes', async () => {
    for (const weightType of ['F32', 'F16', 'Q8_0'] as const) {
      const p = path.join(dir, `layout-${weightType}.gguf`);
      const spec = modelSpec({ ...tinyLlama, weightType });
      const layout = ggufLayout(spec);
      const { size } = await writeGGUF(p, spec);
      expect(size).toBe(layout.totalSize);
      expect((await stat(p)).size).toBe(layout.totalSize);
      const info = await readGGUF(p);
      expect(info.dataOffset).toBe(layout.dataOffset);
      expect(info.tensors.map((t) => t.offset)).toEqual(layout.offsets);
    }
  });

  it('Q8_0 blocks carry an f16 scale followed by 32 int8 quants', async () => {
    const p = path.join(dir, 'q8.gguf');
    await writeGGUF(p, { metadata: {}, tensors: [{ name: 'w', dims: [64], type: 'Q8_0', init: 'ones' }] });
    const info = await readGGUF(p);
    const bytes = await readFile(p);
    const t = info.tensors[0]!;
    expect(t.size).toBe(68);
    expect(bytes.readUInt16LE(t.fileOffset)).toBe(toHalf(1 / 127));
    expect(bytes[t.fileOffset + 2]).toBe(127);
  });

  it('converts floats to IEEE halves', () => {
    const cases: Array<[number, number]> = [[0, 0], [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [65504, 0x7bff], [1e6, 0x7c00], [1e-10, 0]];
    for (const [f, h] of cases) expect(toHalf(f)).toBe(h);
  });

  it('computes tensor byte sizes and rejects misaligned Q8_0 rows', () => {
    expect(tensorByteSize({ dims: [896, 4864], type: 'Q8_0' })).toBe((896 * 4864 / 32) * 34);
    expect(tensorByteSize({ dims: [10, 3], type: 'F16' })).toBe(60);
    expect(() => tensorByteSize({ dims: [33], type: 'Q8_0' })).toThrow();
  });

  it('sizes a model to a target byte count (within the alignment)', async () => {
    const target = 3 * 1024 * 1024 + 123;
    const shape = sizedModelShape(target, { embd: 256, ff: 512, heads: 4, kvHeads: 4 });
    const p = path.join(dir, 'sized.gguf');
    const { size } = await writeModel(p, shape);
    expect(size).toBeLessThanOrEqual(target);
    expect(target - size).toBeLessThan(32);
    expect((await readGGUF(p)).architecture).toBe('llama');
  });

  it('lays out the qwen2-0.5B benchmark shape like the real model (without writing it)', () => {
    const spec = modelSpec(qwen2_05b);
    const layout = ggufLayout(spec);
    const params = spec.tensors.reduce((a, t) => a + t.dims.reduce((x, y) => x * y, 1), 0);
    expect(params).toBe(494_032_768); // Qwen2-0.5B's parameter count
    expect(layout.totalSize).toBeGreaterThan(500_000_000);
    expect(layout.totalSize).toBeLessThan(560_000_000);
    expect(spec.tensors.filter((t) => t.name.startsWith('blk.'))).toHaveLength(24 * 12);
    const md = spec.metadata as Record<string, unknown>;
    expect((md['tokenizer.ggml.tokens'] as string[]).length).toBe(151_936);
    expect(md['tokenizer.ggml.model']).toBe('gpt2');
  });
});
