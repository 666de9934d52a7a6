/**
 * Why the translation exists: each family's published layout, written as Ollama's converters
 * wrote it, fails to load in node-llama-cpp 3.22.1 as is. Kept apart from families.test.ts:
 * after a failed loadModel, node-llama-cpp 3.22.1's llama.dispose() never settles, so here it
 * is not awaited (the worker exits anyway).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp';
import { writeGGUF } from '../../helpers/gguf.js';
import { FAMILY_PAIRS } from '../../helpers/gguf/families.js';
import { MORE_FAMILY_PAIRS } from '../../helpers/gguf/families-more.js';
import { QWEN35_FAMILY_PAIRS } from '../../helpers/gguf/families-qwen35.js';
import { VL_FAMILY_PAIRS } from '../../helpers/gguf/families-vl.js';
import { MOE_FAMILY_PAIRS } from '../../helpers/gguf/families-moe.js';
import { snowflakePair } from '../../helpers/gguf/families-tokenizer.js';

let dir: string;
let llama: Llama;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tollama-published-'));
  llama = await getLlama({ gpu: false, maxThreads: 2, build: 'never', logLevel: LlamaLogLevel.disabled });
});
afterAll(async () => {
  void llama?.dispose().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

it.each([...FAMILY_PAIRS, ...MORE_FAMILY_PAIRS, ...QWEN35_FAMILY_PAIRS, ...VL_FAMILY_PAIRS, ...MOE_FAMILY_PAIRS, ['snowflake-arctic-embed2', snowflakePair] as const])('%s in the published layout does not load as is', async (label, make) => {
  const file = path.join(dir, `${label}.gguf`);
  await writeGGUF(file, make().ollama);
  await expect(llama.loadModel({ modelPath: file })).rejects.toThrow();
});
