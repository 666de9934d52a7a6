/**
 * Byte-level translations (families whose effect is metadata only, checked without a model
 * load) and bad published files: truncated or inconsistent files are clear errors, never a
 * crash, and never leave a file behind.
 */
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatError } from '../../../src/registry/compat/edit.js';
import { translateGGUF } from '../../../src/registry/compat/translate.js';
import { GGUFError } from '../../../src/registry/gguf/errors.js';
import { rawArrayInfo, rawScalar, readRawHeader } from '../../../src/registry/gguf/rawheader.js';
import { readGGUF } from '../../../src/registry/gguf/reader.js';
import { arr, GGUFValueType as VT, u32, writeGGUF, type GGUFSpec, type TensorSpec, type WriteValue } from '../../helpers/gguf.js';
import { gptossPair } from '../../helpers/gguf/families.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tollama-compat-bytes-'));
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
  return new Map(
    h.kvs.map((kv) => [kv.key, { type: kv.type, value: rawScalar(kv), count: rawArrayInfo(kv)?.count, items: info.metadata.get(kv.key) }]),
  );
}
const tiny: TensorSpec[] = [{ name: 'token_embd.weight', dims: [8, 4], type: 'F32' }];

function llama3Tokens(): string[] {
  const t = Array.from({ length: 128256 }, (_, i) => `t${i}`);
  t[128000] = '<|begin_of_text|>';
  t[128001] = '<|end_of_text|>';
  t[128006] = '<|start_header_id|>';
  t[128009] = '<|eot_id|>';
  return t;
}

describe('llama 3 tokenizer markers', () => {
  const base = (extra: Record<string, WriteValue>): GGUFSpec => ({
    metadata: {
      'general.architecture': 'llama',
      'tokenizer.ggml.model': 'gpt2',
      'tokenizer.ggml.tokens': llama3Tokens(),
      'tokenizer.ggml.bos_token_id': u32(128000),
      ...extra,
    },
    tensors: tiny,
  });

  it('sets the pre-tokenizer and ends turns at <|eot_id|>', async () => {
    const src = await write(base({ 'tokenizer.ggml.eos_token_id': u32(128001), 'tokenizer.ggml.pre': 'default' }));
    const out = path.join(dir, 'llama3.gguf');
    const r = await translateGGUF(src, out);
    expect(r?.family).toBe('llama 3 tokenizer markers');
    const m = await kvs(out);
    expect(m.get('tokenizer.ggml.pre')?.value).toBe('llama-bpe');
    expect(m.get('tokenizer.ggml.eos_token_id')?.value).toBe(128009);
    expect(m.get('tokenizer.ggml.eot_token_id')?.value).toBe(128009);
    expect(m.get('tokenizer.ggml.eos_token_ids')?.items).toMatchObject({ itemType: VT.INT32, values: [128009] });
    expect(m.get('tokenizer.ggml.tokens')?.count).toBe(128256);
  });

  it('keeps a pre-tokenizer that is set and only fixes the end token', async () => {
    const src = await write(base({ 'tokenizer.ggml.eos_token_id': u32(128001), 'tokenizer.ggml.pre': 'llama-bpe' }));
    const out = path.join(dir, 'llama3b.gguf');
    expect(await translateGGUF(src, out)).not.toBeNull();
    const m = await kvs(out);
    expect(m.get('tokenizer.ggml.pre')?.value).toBe('llama-bpe');
    expect(m.get('tokenizer.ggml.eos_token_id')?.value).toBe(128009);
  });

  it('leaves a correct Llama 3 file and a Llama 2 file alone', async () => {
    const ok = await write(base({ 'tokenizer.ggml.eos_token_id': u32(128009), 'tokenizer.ggml.pre': 'llama-bpe' }));
    expect(await translateGGUF(ok, path.join(dir, 'none1.gguf'))).toBeNull();
    const llama2 = await write({ metadata: { 'general.architecture': 'llama', 'tokenizer.ggml.tokens': ['<unk>', '<s>', '</s>'] }, tensors: tiny });
    expect(await translateGGUF(llama2, path.join(dir, 'none2.gguf'))).toBeNull();
    expect((await readdir(dir)).filter((f) => f.startsWith('none'))).toEqual([]);
  });
});

describe('snowflake-arctic-embed2', () => {
  const charsmap = Buffer.from([0, 1, 2, 250, 255, 7, 42]);
  const spec = (items: string[]): GGUFSpec => ({
    metadata: {
      'general.architecture': 'bert',
      'tokenizer.ggml.model': 't5',
      'tokenizer.ggml.precompiled_charsmap': items,
    },
    tensors: tiny,
  });

  it('turns the base64 character array into the byte array llama.cpp reads', async () => {
    const src = await write(spec([...charsmap.toString('base64')]));
    const out = path.join(dir, 'snow.gguf');
    expect((await translateGGUF(src, out))?.family).toBe('snowflake-arctic-embed2');
    const m = await kvs(out);
    expect(m.get('tokenizer.ggml.precompiled_charsmap')?.items).toMatchObject({ itemType: VT.UINT8, values: [...charsmap] });
  });

  it('a byte array is already right', async () => {
    const src = await write({ ...spec([]), metadata: { ...spec([]).metadata, 'tokenizer.ggml.precompiled_charsmap': arr(VT.UINT8, [...charsmap]) } });
    expect(await translateGGUF(src, path.join(dir, 'snow-none.gguf'))).toBeNull();
  });

  it('an array of longer strings or bad base64 is a clear error', async () => {
    await expect(translateGGUF(await write(spec(['AB', 'C'])), path.join(dir, 'x.gguf'))).rejects.toThrow(/precompiled_charsmap .*not single base64 characters/);
    await expect(translateGGUF(await write(spec(['A', '*', 'B', 'C'])), path.join(dir, 'x.gguf'))).rejects.toThrow(/not valid base64/);
  });
});

describe('llama4', () => {
  it('leaves the embedded vision tower out of the text model', async () => {
    const tensors: TensorSpec[] = [...tiny, { name: 'v.patch_embd.weight', dims: [8, 2], type: 'F32' }, { name: 'mm.linear_1.weight', dims: [8, 2], type: 'F32' }];
    const src = await write({ metadata: { 'general.architecture': 'llama4', 'llama4.block_count': u32(1) }, tensors, seed: 3 });
    const out = path.join(dir, 'l4.gguf');
    const r = await translateGGUF(src, out);
    expect(r?.changes).toEqual(['2 vision/projector tensors (v., mm.) left out of the text model']);
    const [a, b] = await Promise.all([readRawHeader(src), readRawHeader(out)]);
    expect(b.tensors.map((t) => t.name)).toEqual(['token_embd.weight']);
    const [sa, sb] = await Promise.all([readFile(src), readFile(out)]);
    const ta = a.tensors[0]!;
    const tb = b.tensors[0]!;
    expect(sb.subarray(tb.sourceOffset, tb.sourceOffset + tb.size).equals(sa.subarray(ta.sourceOffset, ta.sourceOffset + ta.size))).toBe(true);
    const plain = await write({ metadata: { 'general.architecture': 'llama4' }, tensors: tiny });
    expect(await translateGGUF(plain, path.join(dir, 'l4-none.gguf'))).toBeNull();
  });
});

describe('qwen3-next', () => {
  it('collapses per-layer KV heads to their maximum and adds the .bias suffix to ssm_dt', async () => {
    const tensors: TensorSpec[] = [...tiny, { name: 'blk.0.ssm_dt', dims: [4], type: 'F32' }, { name: 'blk.1.attn_q.weight', dims: [8, 8], type: 'F32' }];
    const src = await write({
      metadata: { 'general.architecture': 'qwen3next', 'qwen3next.attention.head_count_kv': arr(VT.UINT32, [0, 2, 0, 2]) },
      tensors,
    });
    const out = path.join(dir, 'q3n.gguf');
    expect((await translateGGUF(src, out))?.family).toBe('qwen3-next');
    const m = await kvs(out);
    expect(m.get('qwen3next.attention.head_count_kv')).toMatchObject({ type: VT.UINT32, value: 2 });
    expect((await readRawHeader(out)).tensors.map((t) => t.name)).toEqual(['token_embd.weight', 'blk.0.ssm_dt.bias', 'blk.1.attn_q.weight']);
    const done = await write({ metadata: { 'general.architecture': 'qwen3next', 'qwen3next.attention.head_count_kv': u32(2) }, tensors: [...tiny, { name: 'blk.0.ssm_dt.bias', dims: [4], type: 'F32' }] });
    expect(await translateGGUF(done, path.join(dir, 'q3n-none.gguf'))).toBeNull();
  });
});

describe('laguna', () => {
  it('copies the nested SWA rope keys and renames attn_g to attn_gate', async () => {
    const src = await write({
      metadata: { 'general.architecture': 'laguna', 'laguna.rope.swa.dimension_count': u32(64), 'laguna.rope.swa.freq_base': 10000.5 },
      tensors: [...tiny, { name: 'blk.0.attn_g.weight', dims: [8, 4], type: 'F32' }],
    });
    const out = path.join(dir, 'laguna.gguf');
    expect((await translateGGUF(src, out))?.family).toBe('laguna');
    const m = await kvs(out);
    expect(m.get('laguna.rope.dimension_count_swa')).toMatchObject({ type: VT.UINT32, value: 64 });
    expect(m.get('laguna.rope.freq_base_swa')).toMatchObject({ type: VT.FLOAT32, value: 10000.5 });
    expect((await readRawHeader(out)).tensors.map((t) => t.name)).toEqual(['token_embd.weight', 'blk.0.attn_gate.weight']);
  });
});

describe('nemotron-h MoE', () => {
  it('names the latent FFN tensors as llama.cpp does, adds the latent size, leaves MTP tensors out', async () => {
    const src = await write({
      metadata: { 'general.architecture': 'nemotron_h_moe' },
      tensors: [
        ...tiny,
        { name: 'blk.1.ffn_latent_in.weight', dims: [8, 4], type: 'F32' },
        { name: 'blk.1.ffn_latent_out.weight', dims: [4, 8], type: 'F32' },
        { name: 'mtp.layers.0.mixer.experts.0.up_proj.weight', dims: [8, 4], type: 'F32' },
      ],
    });
    const out = path.join(dir, 'nemo.gguf');
    expect((await translateGGUF(src, out))?.family).toBe('nemotron-h MoE');
    expect((await kvs(out)).get('nemotron_h_moe.moe_latent_size')).toMatchObject({ type: VT.UINT32, value: 4 });
    expect((await readRawHeader(out)).tensors.map((t) => t.name)).toEqual(['token_embd.weight', 'blk.1.ffn_latent_down.weight', 'blk.1.ffn_latent_up.weight']);
    const plain = await write({ metadata: { 'general.architecture': 'nemotron_h_moe' }, tensors: tiny });
    expect(await translateGGUF(plain, path.join(dir, 'nemo-none.gguf'))).toBeNull();
  });
});

describe('qwen2.5-vl', () => {
  it('becomes qwen2vl with four M-RoPE sections and no vision tensors', async () => {
    const src = await write({
      metadata: { 'general.architecture': 'qwen25vl', 'qwen25vl.block_count': u32(1), 'qwen25vl.rope.mrope_section': arr(VT.INT32, [16, 24, 24]) },
      tensors: [...tiny, { name: 'v.blk.0.attn_q.weight', dims: [8, 8], type: 'F32' }],
    });
    const out = path.join(dir, 'q25vl.gguf');
    expect((await translateGGUF(src, out))?.family).toBe('qwen2.5-vl');
    const m = await kvs(out);
    expect(m.get('general.architecture')?.value).toBe('qwen2vl');
    expect(m.get('qwen2vl.block_count')?.value).toBe(1);
    expect(m.has('qwen25vl.block_count')).toBe(false);
    expect(m.get('qwen2vl.rope.dimension_sections')?.items).toMatchObject({ itemType: VT.INT32, values: [16, 24, 24, 0] });
    expect((await readRawHeader(out)).tensors.map((t) => t.name)).toEqual(['token_embd.weight']);
  });
});

describe('gemma3n', () => {
  it('cuts token_embd and the tokenizer to the per-layer vocabulary and fixes token types and EOS ids', async () => {
    const tokens = ['<pad>', '<eos>', '<bos>', '<0x41>', '<unused0>', 'a', 'b', 'c', '<image_soft_token>', '<audio_soft_token>'];
    const src = await write({
      metadata: {
        'general.architecture': 'gemma3n',
        'tokenizer.ggml.model': 'gemma',
        'tokenizer.ggml.tokens': tokens,
        'tokenizer.ggml.scores': arr(VT.FLOAT32, tokens.map((_, i) => -i)),
        'tokenizer.ggml.token_type': arr(VT.INT32, tokens.map(() => 3)),
        'tokenizer.ggml.eos_token_ids': arr(VT.INT32, [1]),
      },
      tensors: [
        { name: 'token_embd.weight', dims: [32, 10], type: 'Q8_0' },
        { name: 'per_layer_token_embd.weight', dims: [32, 8], type: 'F32' },
      ],
      seed: 5,
    });
    const out = path.join(dir, 'g3n.gguf');
    expect((await translateGGUF(src, out))?.family).toBe('gemma3n');
    const m = await kvs(out);
    expect(m.get('tokenizer.ggml.model')?.value).toBe('llama');
    expect(m.get('tokenizer.ggml.tokens')?.count).toBe(8);
    expect(m.get('tokenizer.ggml.scores')?.count).toBe(8);
    expect(m.get('tokenizer.ggml.token_type')?.items).toMatchObject({ values: [3, 3, 3, 6, 1, 3, 3, 3] });
    expect(m.get('tokenizer.ggml.eos_token_ids')?.items).toMatchObject({ itemType: VT.INT32, values: [1, 106] });
    const [a, b] = await Promise.all([readRawHeader(src), readRawHeader(out)]);
    const [sa, sb] = await Promise.all([readFile(src), readFile(out)]);
    const te = b.tensors.find((t) => t.name === 'token_embd.weight')!;
    expect(te.dims).toEqual([32, 8]);
    expect(te.size).toBe(8 * 34);
    const ta = a.tensors.find((t) => t.name === 'token_embd.weight')!;
    expect(sb.subarray(te.sourceOffset, te.sourceOffset + te.size).equals(sa.subarray(ta.sourceOffset, ta.sourceOffset + te.size))).toBe(true);
  });
});

describe('qwen3-vl', () => {
  it.each(['qwen3vl', 'qwen3vlmoe'])('%s gets its M-RoPE sections and deepstack count; the vision tower is left out', async (a) => {
    const src = await write({
      metadata: { 'general.architecture': a, [`${a}.vision.deepstack_visual_indexes`]: arr(VT.INT32, [8, 16, 24]) },
      tensors: [...tiny, { name: 'mm.0.weight', dims: [8, 8], type: 'F32' }],
    });
    const out = path.join(dir, `${a}.gguf`);
    expect(await translateGGUF(src, out)).not.toBeNull();
    const m = await kvs(out);
    expect(m.get(`${a}.rope.dimension_sections`)?.items).toMatchObject({ itemType: VT.INT32, values: [24, 20, 20, 0] });
    expect(m.get(`${a}.n_deepstack_layers`)?.value).toBe(3);
    expect((await readRawHeader(out)).tensors.map((t) => t.name)).toEqual(['token_embd.weight']);
    const done = await write({ metadata: { 'general.architecture': a, [`${a}.rope.dimension_sections`]: arr(VT.INT32, [24, 20, 20, 0]) }, tensors: tiny });
    expect(await translateGGUF(done, path.join(dir, `${a}-none.gguf`))).toBeNull();
  });
});

describe('glm-4.7-flash', () => {
  it('becomes deepseek2 with MLA-absorbed dims, expert groups, the glm4 pre-tokenizer and EOT/EOM ids', async () => {
    const src = await write({
      metadata: {
        'general.architecture': 'glm4moelite',
        'glm4moelite.attention.head_count_kv': u32(20),
        'glm4moelite.attention.key_length': u32(256),
        'glm4moelite.attention.value_length': u32(256),
        'glm4moelite.attention.kv_lora_rank': u32(512),
        'glm4moelite.rope.dimension_count': u32(64),
        'tokenizer.ggml.pre': 'default',
        'tokenizer.ggml.eos_token_ids': arr(VT.INT32, [151329, 151336, 151338]),
      },
      tensors: tiny,
    });
    const out = path.join(dir, 'glm.gguf');
    expect((await translateGGUF(src, out))?.family).toBe('glm-4.7-flash');
    const m = await kvs(out);
    const v = (k: string) => m.get(k)?.value;
    expect(v('general.architecture')).toBe('deepseek2');
    expect(v('deepseek2.attention.head_count_kv')).toBe(1);
    expect(v('deepseek2.attention.key_length')).toBe(576);
    expect(v('deepseek2.attention.value_length')).toBe(512);
    expect(v('deepseek2.attention.key_length_mla')).toBe(256);
    expect(v('deepseek2.attention.value_length_mla')).toBe(256);
    expect(v('deepseek2.expert_group_count')).toBe(1);
    expect(v('deepseek2.expert_group_used_count')).toBe(1);
    expect(v('tokenizer.ggml.pre')).toBe('glm4');
    expect(v('tokenizer.ggml.eot_token_id')).toBe(151336);
    expect(v('tokenizer.ggml.eom_token_id')).toBe(151338);
    expect([...m.keys()].some((k) => k.startsWith('glm4moelite.'))).toBe(false);
  });
});

describe('bad published files', () => {
  it('a truncated file is a GGUFError, nothing is written', async () => {
    const src = await write(gptossPair().ollama);
    await truncate(src, 20_000);
    const err = await translateGGUF(src, path.join(dir, 'trunc.gguf')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GGUFError);
    expect((err as GGUFError).message).toMatch(/invalid GGUF file: .*(past the end|unexpected end)/);
    const cut = await write(gptossPair().ollama);
    await truncate(cut, 200);
    await expect(translateGGUF(cut, path.join(dir, 'trunc.gguf'))).rejects.toThrow(/^invalid GGUF file: /);
    await writeFile(path.join(dir, 'empty.gguf'), '');
    await expect(translateGGUF(path.join(dir, 'empty.gguf'), path.join(dir, 'trunc.gguf'))).rejects.toThrow(/not in GGUF format/);
    expect((await readdir(dir)).filter((f) => f.includes('trunc.gguf'))).toEqual([]);
  });

  it('gpt-oss without expert tensors nor expert length is an inconsistent file', async () => {
    const p = gptossPair().ollama;
    const src = await write({ ...p, tensors: p.tensors.filter((t) => !t.name.includes('_exps')) });
    const err = await translateGGUF(src, path.join(dir, 'inc.gguf')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompatError);
    expect((err as Error).message).toMatch(/inconsistent gpt-oss model file: blk\.0\.ffn_gate_exps\.weight is missing/);
  });

  it('a rename onto a tensor that already exists is an inconsistent file', async () => {
    const p = gptossPair().ollama;
    const src = await write({ ...p, tensors: [...p.tensors, { name: 'blk.0.attn_output.weight', dims: [64, 64], type: 'F32' }] });
    await expect(translateGGUF(src, path.join(dir, 'inc.gguf'))).rejects.toThrow(/inconsistent model file: both blk\.0\.attn_out\.weight and blk\.0\.attn_output\.weight are present/);
    expect((await readdir(dir)).filter((f) => f.includes('inc.gguf'))).toEqual([]);
  });

  it('a file with no architecture or an unknown one needs nothing', async () => {
    const src = await write({ metadata: { 'general.architecture': 'qwen2' }, tensors: tiny });
    expect(await translateGGUF(src, path.join(dir, 'q.gguf'))).toBeNull();
    const none = await write({ metadata: {}, tensors: tiny });
    expect(await translateGGUF(none, path.join(dir, 'q.gguf'))).toBeNull();
  });
});
