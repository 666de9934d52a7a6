import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GGUFError, GGUFValueType, isGGUFFile, modelInfo, readGGUF, tensorList } from '../../../src/registry/gguf/index.js';
import { arr, f32, f64, i32, i64, modelSpec, tinyLlama, u32, u64, u8, writeGGUF, writeModel } from '../../helpers/gguf.js';

const repoRoot = path.resolve(__dirname, '../../..');
const STORIES = path.resolve(repoRoot, '../shared/models/stories260K.gguf');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tollama-gguf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readGGUF on generated files', () => {
  it('reads every value type back exactly', async () => {
    const p = path.join(dir, 'types.gguf');
    await writeGGUF(p, {
      metadata: [
        ['general.architecture', 'test'],
        ['t.u8', u8(200)],
        ['t.i32', i32(-5)],
        ['t.u32', u32(4_000_000_000)],
        ['t.u64', u64(2n ** 40n)],
        ['t.u64.big', u64(2n ** 63n + 1n)],
        ['t.i64', i64(-(2n ** 40n))],
        ['t.f32', f32(1e-5)],
        ['t.f64', f64(0.1)],
        ['t.bool', true],
        ['t.str', 'héllo ✓'],
        ['t.empty', ''],
        ['t.strs', ['a', 'b', 'c']],
        ['t.ints', arr(GGUFValueType.INT32, [1, -2, 3])],
        ['t.floats', arr(GGUFValueType.FLOAT32, [0.5, 0.1])],
        ['t.emptyarr', arr(GGUFValueType.STRING, [])],
      ],
      tensors: [],
    });
    const info = await readGGUF(p);
    const m = info.metadata;
    expect(m.get('t.u8')).toBe(200);
    expect(m.get('t.i32')).toBe(-5);
    expect(m.get('t.u32')).toBe(4_000_000_000);
    expect(m.get('t.u64')).toBe(2 ** 40);
    expect(m.get('t.u64.big')).toBe(2n ** 63n + 1n);
    expect(m.get('t.i64')).toBe(-(2 ** 40));
    expect(m.get('t.f32')).toBe(0.00001); // shortest float32 form, as Go prints it
    expect(m.get('t.f64')).toBe(0.1);
    expect(m.get('t.bool')).toBe(true);
    expect(m.get('t.str')).toBe('héllo ✓');
    expect(m.get('t.empty')).toBe('');
    expect(m.get('t.strs')).toEqual({ kind: 'array', itemType: GGUFValueType.STRING, count: 3, values: ['a', 'b', 'c'] });
    expect(m.get('t.ints')).toMatchObject({ count: 3, values: [1, -2, 3] });
    expect(m.get('t.floats')).toMatchObject({ values: [0.5, 0.1] });
    expect(m.get('t.emptyarr')).toMatchObject({ count: 0, values: [] });
    expect(info.metadataTypes.get('t.u64')).toBe(GGUFValueType.UINT64);
    expect(info.metadataTypes.get('t.f32')).toBe(GGUFValueType.FLOAT32);
    expect([...m.keys()][0]).toBe('general.architecture'); // file order
  });

  it('matches Ollama for a GGUF holding only general.architecture=test', async () => {
    const p = path.join(dir, 'arch-only.gguf');
    await writeGGUF(p, { metadata: { 'general.architecture': 'test' }, tensors: [] });
    const info = await readGGUF(p);
    expect(info.architecture).toBe('test');
    expect(info.parameterCount).toBe(0);
    expect(info.parameterSize).toBe('0'); // config model_type "0"
    expect(info.fileType).toBe('unknown'); // config file_type "unknown"
    expect(info.tensors).toEqual([]);
    expect(info.contextLength).toBeUndefined();
    expect(modelInfo(info)).toEqual({ 'general.architecture': 'test', 'general.parameter_count': 0 });
  });

  it('reads the tiny llama preset: shape, derived fields, tensor layout', async () => {
    const p = path.join(dir, 'tiny.gguf');
    const { size } = await writeModel(p, { chatTemplate: '{{ bos_token }}', generalType: 'model' });
    const info = await readGGUF(p);
    expect(info.version).toBe(3);
    expect(info.fileSize).toBe(size);
    expect(info.alignment).toBe(32);
    expect(info.dataOffset % 32).toBe(0);
    expect(info.architecture).toBe('llama');
    expect(info.contextLength).toBe(tinyLlama.contextLength);
    expect(info.embeddingLength).toBe(64);
    expect(info.chatTemplate).toBe('{{ bos_token }}');
    expect(info.generalType).toBe('model');
    expect(info.fileTypeId).toBe(0);
    expect(info.fileType).toBe('unknown'); // F32 → unknown, like Ollama
    expect(info.hasPoolingType).toBe(false);
    const spec = modelSpec({ ...tinyLlama, chatTemplate: '{{ bos_token }}', generalType: 'model' });
    expect(info.tensors.map((t) => t.name)).toEqual(spec.tensors.map((t) => t.name));
    const elements = spec.tensors.reduce((a, t) => a + t.dims.reduce((x, y) => x * y, 1), 0);
    expect(info.parameterCount).toBe(elements);
    const embd = info.tensors[0]!;
    expect(embd).toMatchObject({ name: 'token_embd.weight', dims: [64, 320], type: 0, typeName: 'F32', offset: 0, size: 64 * 320 * 4 });
    expect(embd.fileOffset).toBe(info.dataOffset);
    const last = info.tensors[info.tensors.length - 1]!;
    expect(last.fileOffset + last.size).toBe(size);
    // Arrays over the default limit are skipped but counted.
    expect(info.metadata.get('tokenizer.ggml.tokens')).toMatchObject({ count: 320, values: null });
  });

  it('reports quantization names and F16 / Q8_0 tensor sizes', async () => {
    for (const [weightType, name, typeName, bytes] of [
      ['F16', 'F16', 'F16', 64 * 320 * 2],
      ['Q8_0', 'Q8_0', 'Q8_0', (64 * 320 / 32) * 34],
    ] as const) {
      const p = path.join(dir, `tiny-${name}.gguf`);
      await writeModel(p, { weightType });
      const info = await readGGUF(p);
      expect(info.fileType).toBe(name);
      expect(info.tensors[0]).toMatchObject({ typeName, size: bytes });
      expect(info.tensors.find((t) => t.name === 'output_norm.weight')!.typeName).toBe('F32');
    }
  });

  it('keeps whole arrays when verbose or when a larger limit is asked for', async () => {
    const p = path.join(dir, 'tiny-verbose.gguf');
    await writeModel(p);
    const v = await readGGUF(p, { verbose: true });
    const tokens = v.metadata.get('tokenizer.ggml.tokens');
    expect(tokens).toMatchObject({ count: 320 });
    expect((tokens as { values: string[] }).values.slice(0, 4)).toEqual(['<unk>', '<s>', '</s>', '<0x00>']);
    const lim = await readGGUF(p, { maxArrayValues: 1000 });
    expect((lim.metadata.get('tokenizer.ggml.scores') as { values: unknown[] }).values).toHaveLength(320);
  });

  it('reads GGUF v2 and a custom alignment', async () => {
    const p = path.join(dir, 'v2.gguf');
    await writeGGUF(p, {
      version: 2,
      alignment: 64,
      metadata: { 'general.architecture': 'llama' },
      tensors: [
        { name: 'a.weight', dims: [3], type: 'F32' },
        { name: 'b.weight', dims: [32, 2], type: 'Q8_0' },
      ],
    });
    const info = await readGGUF(p);
    expect(info.version).toBe(2);
    expect(info.alignment).toBe(64);
    expect(info.dataOffset % 64).toBe(0);
    expect(info.tensors.map((t) => [t.offset, t.size])).toEqual([[0, 12], [64, 68]]);
    expect(info.parameterCount).toBe(67);
  });

  it('embedding models expose pooling_type', async () => {
    const p = path.join(dir, 'embed.gguf');
    await writeModel(p, { poolingType: 1 });
    expect((await readGGUF(p)).hasPoolingType).toBe(true);
  });
});

describe('modelInfo and tensorList (/api/show)', () => {
  it('drops general.name and the chat template, patches parameter_count, sorts keys', async () => {
    const p = path.join(dir, 'show.gguf');
    await writeModel(p, { chatTemplate: 'x', extraMetadata: { 'general.parameter_count': u64(1), 'general.languages': ['en', 'fr'] } });
    const info = await readGGUF(p);
    const mi = modelInfo(info);
    expect(mi['general.name']).toBeUndefined();
    expect(mi['tokenizer.chat_template']).toBeUndefined();
    expect(mi['general.parameter_count']).toBe(info.parameterCount);
    expect(Object.keys(mi)).toEqual([...Object.keys(mi)].sort());
    expect(mi['general.languages']).toEqual(['en', 'fr']); // ≤ 5 kept
    expect(mi['tokenizer.ggml.tokens']).toEqual([]); // > 5 elided
    expect(mi['llama.attention.layer_norm_rms_epsilon']).toBe(0.000001);
    expect(modelInfo(info, { elide: 'null' })['tokenizer.ggml.tokens']).toBeNull();
    expect(modelInfo(info, { elide: 'null' })['general.languages']).toBeNull();
    const verbose = modelInfo(await readGGUF(p, { verbose: true }), { verbose: true });
    expect(verbose['tokenizer.ggml.tokens']).toHaveLength(320);
    expect(JSON.parse(JSON.stringify(mi))).toEqual({ ...mi });
  });

  it('lists tensors as {name, type, shape}', async () => {
    const p = path.join(dir, 'tensors.gguf');
    await writeModel(p, { weightType: 'Q8_0' });
    const list = tensorList(await readGGUF(p));
    expect(list[0]).toEqual({ name: 'token_embd.weight', type: 'Q8_0', shape: [64, 320] });
    expect(list[1]).toEqual({ name: 'blk.0.attn_norm.weight', type: 'F32', shape: [64] });
  });
});

describe('stories260K.gguf (real model)', () => {
  const present = existsSync(STORIES);
  if (!present) console.warn(`skipping: ${STORIES} is absent`);
  it.skipIf(!present)('is llama, vocab 512, context 2048, no file_type (→ unknown)', async () => {
    const info = await readGGUF(STORIES);
    expect(info.architecture).toBe('llama');
    expect(info.contextLength).toBe(2048);
    expect(info.embeddingLength).toBe(64);
    expect(info.metadata.get('tokenizer.ggml.tokens')).toMatchObject({ count: 512, values: null });
    expect(info.metadata.get('tokenizer.ggml.model')).toBe('llama');
    expect(info.fileTypeId).toBeUndefined();
    expect(info.fileType).toBe('unknown');
    expect(info.tensors.every((t) => t.typeName === 'F32')).toBe(true);
    expect(info.tensors.find((t) => t.name === 'token_embd.weight')!.dims).toEqual([64, 512]);
    expect(info.parameterCount).toBe(292_800);
    expect(info.parameterSize).toBe('293K');
    expect(info.chatTemplate).toBeUndefined();
    const last = [...info.tensors].sort((a, b) => b.fileOffset - a.fileOffset)[0]!;
    expect(last.fileOffset + last.size).toBeLessThanOrEqual(info.fileSize);
  });
});

describe('isGGUFFile and non-files', () => {
  it('checks the magic', async () => {
    const good = path.join(dir, 'magic.gguf');
    await writeFile(good, Buffer.from('GGUF'));
    expect(await isGGUFFile(good)).toBe(true);
    const bad = path.join(dir, 'text.txt');
    await writeFile(bad, 'GGU');
    expect(await isGGUFFile(bad)).toBe(false);
    expect(await isGGUFFile(path.join(dir, 'missing'))).toBe(false);
    expect(await isGGUFFile(dir)).toBe(false);
  });

  it('rejects a directory and a missing file with a GGUFError', async () => {
    const sub = path.join(dir, 'sub.gguf');
    await mkdir(sub);
    await expect(readGGUF(sub)).rejects.toMatchObject({ name: 'GGUFError', code: 'not_a_file', status: 400 });
    const err = await readGGUF(path.join(dir, 'nope.gguf')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GGUFError);
    expect((err as GGUFError).code).toBe('io');
    expect((err as GGUFError).message).not.toContain(dir); // no paths in messages
  });

  it.skipIf(process.platform === 'win32')('does not block on a FIFO', async () => {
    const fifo = path.join(dir, 'fifo.gguf');
    execFileSync('mkfifo', [fifo]);
    await expect(readGGUF(fifo)).rejects.toMatchObject({ code: 'not_a_file' });
    expect(await isGGUFFile(fifo)).toBe(false);
  });
});
