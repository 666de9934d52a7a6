/**
 * Generated models really load and run in node-llama-cpp 3.22.1 (llama.cpp), CPU only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp';
import { writeModel, type ModelShape } from '../../helpers/gguf.js';

let dir: string;
let llama: Llama;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tollama-gguf-load-'));
  llama = await getLlama({ gpu: false, maxThreads: 2, build: 'never', logLevel: LlamaLogLevel.error });
});
afterAll(async () => {
  await llama?.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function loadAndGenerate(file: string, n: number): Promise<number[]> {
  const model = await llama.loadModel({ modelPath: file });
  try {
    const ctx = await model.createContext({ threads: 1, contextSize: 256 });
    try {
      const seq = ctx.getSequence();
      const input = model.tokenize('Once upon a time');
      expect(input.length).toBeGreaterThan(0);
      const generated: number[] = [];
      for await (const t of seq.evaluate(input)) {
        generated.push(t as number);
        if (generated.length >= n) break;
      }
      return generated;
    } finally {
      await ctx.dispose();
    }
  } finally {
    await model.dispose();
  }
}

const cases: Array<[string, Partial<ModelShape>, number]> = [
  ['tiny llama, F32, SentencePiece vocab', {}, 320],
  ['tiny llama, F16', { weightType: 'F16' }, 320],
  ['tiny llama, Q8_0, tied output', { weightType: 'Q8_0', tiedOutput: true }, 320],
  [
    'tiny qwen2, Q8_0, gpt2 BPE vocab',
    { arch: 'qwen2', tokenizer: 'gpt2', vocab: 1024, weightType: 'Q8_0', tiedOutput: true, embd: 64, heads: 4, kvHeads: 2 },
    1024,
  ],
];

describe('node-llama-cpp loads generated GGUF files', () => {
  it.each(cases)('%s', async (_label, shape, vocab) => {
    const file = path.join(dir, `m-${Math.random().toString(36).slice(2)}.gguf`);
    await writeModel(file, shape);
    const generated = await loadAndGenerate(file, 6);
    expect(generated).toHaveLength(6);
    for (const t of generated) {
      expect(Number.isInteger(t)).toBe(true);
      expect(t).toBeGreaterThanOrEqual(0);
      expect(t).toBeLessThan(vocab);
    }
  });
});
