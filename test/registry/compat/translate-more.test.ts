/**
 * Byte-level translations of the families added later (gemma4, qwen3.5 / qwen3.5-moe,
 * deepseek-ocr, nemotron-h omni, glm-ocr's failure modes): the edits checked on the file, and
 * inconsistent published files of these families as clear errors that leave no file behind.
 */
import { mkdtemp, readdir, readFile, rm, stat, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatError } from '../../../src/registry/compat/edit.js';
import { GGUFError } from '../../../src/registry/gguf/errors.js';
import { translateGGUF } from '../../../src/registry/compat/translate.js';
import { rawArrayInfo, rawScalar, readRawHeader } from '../../../src/registry/gguf/rawheader.js';
import { readGGUF } from '../../../src/registry/gguf/reader.js';
import { GGUFValueType as VT, writeGGUF, type GGUFSpec } from '../../helpers/gguf.js';
import { gemma4Pair, glmocrPair } from '../../helpers/gguf/families-more.js';
import { qwen35moePair, qwen35Pair } from '../../helpers/gguf/families-qwen35.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tollama-compat-more-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function write(spec: GGUFSpec): Promise<string> {
  const f = path.join(dir, `in-${n++}.gguf`);
  await writeGGUF(f, spec);
  return f;
}
async function kvs(file: string): Promise<Map<string, { type: VT; value: unknown; count?: number; items?: unknown }>> {
  const h = await readRawHeader(file);
  const info = await readGGUF(file, { verbose: true });
  return new Map(h.kvs.map((kv) => [kv.key, { type: kv.type, value: rawScalar(kv), count: rawArrayInfo(kv)?.count, items: info.metadata.get(kv.key) }]));
}
async function tensorData(file: string): Promise<Map<string, { dims: number[]; type: number; bytes: Buffer }>> {
  const h = await readRawHeader(file);
  const all = await readFile(file);
  return new Map(h.tensors.map((t) => [t.name, { dims: t.dims, type: t.type, bytes: all.subarray(t.sourceOffset, t.sourceOffset + t.size) }]));
}
async function failsClearly(spec: GGUFSpec, re: RegExp): Promise<void> {
  const src = await write(spec);
  const out = path.join(dir, `bad-${n}.gguf`);
  const err = await translateGGUF(src, out).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CompatError);
  expect((err as Error).message).toMatch(re);
  expect((await readdir(dir)).filter((f) => f.includes(`bad-${n}.gguf`))).toEqual([]);
}

describe('glm-ocr', () => {
  it('a block with ffn_gate but no ffn_up is an inconsistent file', async () => {
    const p = glmocrPair().ollama;
    await failsClearly({ ...p, tensors: p.tensors.filter((t) => t.name !== 'blk.1.ffn_up.weight') }, /inconsistent glm-ocr model file: blk\.1 has only one of ffn_gate and ffn_up/);
  });
  it('gate and up halves of different shapes are an inconsistent file', async () => {
    const p = glmocrPair().ollama;
    const tensors = p.tensors.map((t) => (t.name === 'blk.0.ffn_gate.weight' ? { name: t.name, dims: [64, 96], type: 'F32' as const } : t));
    await failsClearly({ ...p, tensors }, /inconsistent glm-ocr model file: blk\.0\.ffn_gate \[64, 96\] and ffn_up \[64, 128\] differ/);
  });
  it('fuses gate then up into ffn_up', async () => {
    const src = await write(glmocrPair().ollama);
    const out = path.join(dir, 'glmocr.gguf');
    expect((await translateGGUF(src, out))?.family).toBe('glm-ocr');
    const before = await tensorData(src);
    const after = await tensorData(out);
    const fused = after.get('blk.0.ffn_up.weight')!;
    expect(fused.dims).toEqual([64, 256]);
    expect(fused.bytes.equals(Buffer.concat([before.get('blk.0.ffn_gate.weight')!.bytes, before.get('blk.0.ffn_up.weight')!.bytes]))).toBe(true);
    expect(after.has('blk.0.ffn_gate.weight')).toBe(false);
    expect((await kvs(out)).get('tokenizer.ggml.pre')?.value).toBe('chatglm-bpe');
  });
});

describe('gemma4', () => {
  it('expert gate and up of different shapes are an inconsistent file', async () => {
    const p = gemma4Pair().ollama;
    const tensors = p.tensors.map((t) => (t.name === 'blk.1.ffn_up_exps.weight' ? { name: t.name, dims: [64, 16, 4], type: 'F32' as const } : t));
    await failsClearly({ ...p, tensors }, /inconsistent gemma4 model file: blk\.1\.ffn_gate_exps \[64, 32, 4\] and ffn_up_exps \[64, 16, 4\] differ/);
  });
  it('keeps split experts that carry quantization scales, and a llama.cpp-layout file alone', async () => {
    const p = gemma4Pair();
    const src = await write({ ...p.ollama, tensors: [...p.ollama.tensors, { name: 'blk.1.ffn_up_exps.scale', dims: [4], type: 'F32' }] });
    const out = path.join(dir, 'gemma4-scaled.gguf');
    expect((await translateGGUF(src, out))?.family).toBe('gemma4');
    const names = (await readRawHeader(out)).tensors.map((t) => t.name);
    expect(names).toContain('blk.1.ffn_gate_exps.weight');
    expect(names).not.toContain('blk.1.ffn_gate_up_exps.weight');
    expect(names.some((t) => /^(a|v|mm)\./.test(t))).toBe(false);
    expect(await translateGGUF(await write(p.llamacpp), path.join(dir, 'gemma4-none.gguf'))).toBeNull();
  });
});

describe('qwen3.5 / qwen3.5-moe', () => {
  it('MTP experts not numbered 0…n-1 are an inconsistent file', async () => {
    const p = qwen35moePair().ollama;
    const tensors = p.tensors.filter((t) => !/^mtp\.layers\.0\.mlp\.experts\.1\.gate_proj/.test(t.name));
    await failsClearly({ ...p, tensors }, /inconsistent qwen3\.5-moe model file: MTP layer 0 gate_proj experts are not numbered 0…2/);
  });
  it('an MTP layer with only some expert projections is an inconsistent file', async () => {
    const p = qwen35moePair().ollama;
    const tensors = p.tensors.filter((t) => !/\.down_proj\.weight$/.test(t.name));
    await failsClearly({ ...p, tensors }, /inconsistent qwen3\.5-moe model file: MTP layer 0 has only some of its expert projections/);
  });
  it('MTP layers become the last block, with their norms shifted to F32 + 1', async () => {
    const src = await write(qwen35Pair().ollama);
    const out = path.join(dir, 'qwen35.gguf');
    const r = await translateGGUF(src, out);
    expect(r?.family).toBe('qwen3.5');
    const m = await kvs(out);
    expect(m.get('qwen35.block_count')?.value).toBe(3);
    expect(m.get('qwen35.nextn_predict_layers')?.value).toBe(1);
    expect(m.get('qwen35.attention.head_count_kv')?.value).toBe(2);
    const before = await tensorData(src);
    const after = await tensorData(out);
    const a = before.get('mtp.pre_fc_norm_hidden.weight')!.bytes;
    const b = after.get('blk.2.nextn.hnorm.weight')!.bytes;
    for (let i = 0; i < a.length / 4; i++) expect(b.readFloatLE(4 * i)).toBe(Math.fround(a.readFloatLE(4 * i) + 1));
    expect([...after.keys()].some((k) => k.startsWith('mtp.') || k.startsWith('v.'))).toBe(false);
    expect(after.get('blk.0.ssm_dt.bias')).toBeDefined();
  });
});

describe('truncated published files of the families that rebuild tensor data', () => {
  it.each([
    ['gemma4', gemma4Pair],
    ['qwen3.5-moe', qwen35moePair],
    ['glm-ocr', glmocrPair],
  ] as const)('%s cut inside its tensor data is a GGUFError, nothing is written', async (label, make) => {
    const src = await write(make().ollama);
    await truncate(src, Math.floor((await stat(src)).size * 0.8));
    const out = path.join(dir, `cut-${label}.gguf`);
    const err = await translateGGUF(src, out).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GGUFError);
    expect((err as Error).message).toMatch(/^invalid GGUF file: /);
    expect((await readdir(dir)).filter((f) => f.includes(`cut-${label}`))).toEqual([]);
  });
});
