/**
 * loraMismatch (src/server/adapters.ts) agrees with llama.cpp: for each generated adapter, the
 * header check finds no reason exactly when llama.cpp (Runner.load with the adapter) accepts it,
 * and a refused one is a ModelLoadError that names the adapters.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGGUF } from '../../src/registry/gguf/index.js';
import { ModelLoadError } from '../../src/runtime/errors.js';
import { resolveRunnerOptions } from '../../src/runtime/options.js';
import { Runner } from '../../src/runtime/runner.js';
import { loraMismatch } from '../../src/server/adapters.js';
import { writeLora, type LoraSpec } from '../helpers/gguf.js';
import { haveStories, STORIES } from '../helpers/models.js';

const CASES: Array<[string, LoraSpec, string | null]> = [
  ['a fitting adapter', { seed: 1 }, null],
  ['one on every matrix, token_embd included', { seed: 2, match: /\.weight$/ }, null],
  ['another architecture', { architecture: 'qwen2' }, 'model arch and LoRA arch mismatch'],
  ['not an adapter', { generalType: 'model' }, "expect general.type to be 'adapter', but got: model"],
  ['a wrong shape', { badShape: true }, "tensor 'blk.0.attn_q.weight' has incorrect shape (hint: maybe wrong base model?)"],
  ['a tensor the base lacks', { extraTensor: 'blk.99.attn_q.weight' }, "LoRA tensor 'blk.99.attn_q.weight' does not exist in base model (hint: maybe wrong base model?)"],
];

describe.skipIf(!haveStories)('LoRA adapter checks against llama.cpp on stories260K', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-adapters-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(CASES)('%s', async (_what, spec, reason) => {
    const file = path.join(dir, `${_what.replace(/\W+/g, '-')}.gguf`);
    await writeLora(file, STORIES, spec);
    expect(loraMismatch(await readGGUF(STORIES), await readGGUF(file))).toBe(reason);
    const load = Runner.load({ name: 'x', modelPath: STORIES, adapterPaths: [file], options: resolveRunnerOptions({ num_ctx: 256 }) });
    if (reason === null) {
      const runner = await load;
      const { text } = await runner.generate({ prompt: 'Once upon a time', options: { temperature: 0, num_predict: 4 } }).collect();
      expect(text.length).toBeGreaterThan(0);
      await runner.dispose();
    } else {
      const err = await load.then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ModelLoadError);
      expect((err as Error).message).toMatch(/^unable to load model x: cannot create a context with its LoRA adapters/);
    }
  });
});
