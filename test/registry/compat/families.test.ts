/**
 * Per family: a tiny random model written in Ollama's published layout and in llama.cpp's,
 * same weights. The translation of the published file (which does not load as is:
 * published.test.ts) has exactly the llama.cpp-layout file's tensors (names, shapes, bytes) and metadata, and
 * gives the same greedy tokens and logits.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLlama, LlamaLogLevel, type Llama, type Token } from 'node-llama-cpp';
import { translateGGUF } from '../../../src/registry/compat/translate.js';
import { readRawHeader, type RawHeader } from '../../../src/registry/gguf/rawheader.js';
import { writeGGUF } from '../../helpers/gguf.js';
import { FAMILY_PAIRS } from '../../helpers/gguf/families.js';
import { MORE_FAMILY_PAIRS } from '../../helpers/gguf/families-more.js';
import { QWEN35_FAMILY_PAIRS } from '../../helpers/gguf/families-qwen35.js';
import { VL_FAMILY_PAIRS } from '../../helpers/gguf/families-vl.js';
import { MOE_FAMILY_PAIRS } from '../../helpers/gguf/families-moe.js';
import { TOKENIZER_FAMILY_PAIRS } from '../../helpers/gguf/families-tokenizer.js';

let dir: string;
let llama: Llama;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tollama-compat-'));
  llama = await getLlama({ gpu: false, maxThreads: 2, build: 'never', logLevel: LlamaLogLevel.disabled });
});
afterAll(async () => {
  await llama?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const PROMPT = [5, 17, 42, 99, 200, 7] as Token[];
const STEPS = 6;

/** Greedy generation from a fixed prompt: the tokens and, per step, the top-8 logits. */
async function greedy(file: string): Promise<{ tokens: number[]; logits: Array<Array<[number, number]>> }> {
  const model = await llama.loadModel({ modelPath: file });
  try {
    const ctx = await model.createContext({ threads: 1, contextSize: 64 });
    try {
      const seq = ctx.getSequence();
      const tokens: number[] = [];
      const logits: Array<Array<[number, number]>> = [];
      let input: Token[] = PROMPT;
      for (let s = 0; s < STEPS; s++) {
        const items = input.map((t, i) =>
          i === input.length - 1 ? ([t, { generateNext: { token: true, logits: true, options: { temperature: 0 } } }] as const) : t,
        );
        const out = await seq.controlledEvaluate(items as Parameters<typeof seq.controlledEvaluate>[0]);
        const next = out[input.length - 1]!.next;
        tokens.push(next.token as number);
        logits.push([...next.logits!.entries()].slice(0, 8).map(([k, v]) => [k as number, v]));
        input = [next.token as Token];
      }
      return { tokens, logits };
    } finally {
      await ctx.dispose();
    }
  } finally {
    await model.dispose();
  }
}

async function tensorBytes(file: string, h: RawHeader): Promise<Map<string, { dims: number[]; type: number; bytes: Buffer }>> {
  const all = await readFile(file);
  return new Map(h.tensors.map((t) => [t.name, { dims: t.dims, type: t.type, bytes: all.subarray(t.sourceOffset, t.sourceOffset + t.size) }]));
}

describe.each([...FAMILY_PAIRS, ...MORE_FAMILY_PAIRS, ...QWEN35_FAMILY_PAIRS, ...VL_FAMILY_PAIRS, ...MOE_FAMILY_PAIRS, ...TOKENIZER_FAMILY_PAIRS])('%s', (label, make) => {
  const fam = make();
  const files = { llamacpp: '', ollama: '', derived: '' };
  beforeAll(async () => {
    files.llamacpp = path.join(dir, `${label}-llamacpp.gguf`);
    files.ollama = path.join(dir, `${label}-ollama.gguf`);
    files.derived = path.join(dir, `${label}-derived.gguf`);
    await writeGGUF(files.llamacpp, fam.llamacpp);
    await writeGGUF(files.ollama, fam.ollama);
  });

  it('translates to exactly the llama.cpp layout: tensors byte for byte, every metadata value', async () => {
    const before = await readFile(files.ollama);
    const r = await translateGGUF(files.ollama, files.derived);
    expect(r).not.toBeNull();
    expect(r!.changes.length).toBeGreaterThan(0);
    expect((await readFile(files.ollama)).equals(before)).toBe(true); // the original is untouched
    const want = await readRawHeader(files.llamacpp);
    const got = await readRawHeader(files.derived);
    expect(got.fileSize).toBe(r!.size);
    const wantT = await tensorBytes(files.llamacpp, want);
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
  });

  // Embedding models: the same embeddings.
  it.runIf(!!fam.embedding)('loads in node-llama-cpp and gives the same embeddings', async () => {
    const embed = async (file: string): Promise<number[]> => {
      const model = await llama.loadModel({ modelPath: file });
      try {
        const ctx = await model.createEmbeddingContext({ contextSize: 64, threads: 1 });
        try {
          return [...(await ctx.getEmbeddingFor(PROMPT)).vector];
        } finally {
          await ctx.dispose();
        }
      } finally {
        await model.dispose();
      }
    };
    const want = await embed(files.llamacpp);
    expect(want.length).toBe(64);
    expect(want.some((v) => v !== 0)).toBe(true);
    expect(await embed(files.derived)).toEqual(want);
  });

  it.runIf(!fam.embedding)('loads in node-llama-cpp and gives the same greedy tokens and logits', async () => {
    const want = await greedy(files.llamacpp);
    const got = await greedy(files.derived);
    expect(want.tokens).toHaveLength(STEPS);
    for (const t of want.tokens) expect(t).toBeLessThan(fam.vocab);
    expect(got.tokens).toEqual(want.tokens);
    expect(got.logits).toEqual(want.logits);
  });

  // Metadata-only families: what the translation changes is the tokenizer's behaviour.
  it.runIf(fam.eos !== undefined)('the translation ends generation where the llama.cpp layout does', async () => {
    for (const [file, eos] of [
      [files.derived, fam.eos],
      [files.ollama, undefined],
    ] as const) {
      const model = await llama.loadModel({ modelPath: file });
      if (eos === undefined) expect(model.tokens.eos).not.toBe(fam.eos);
      else expect(model.tokens.eos).toBe(eos);
      await model.dispose();
    }
  });

  it('a file already in llama.cpp layout is left alone (no derived file)', async () => {
    const out = path.join(dir, `${label}-untouched.gguf`);
    expect(await translateGGUF(files.llamacpp, out)).toBeNull();
    await expect(readFile(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
