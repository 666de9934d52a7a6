/**
 * LoRA outputs equal llama.cpp's own: a small C++ program (test/fixtures/native/lora-greedy.cpp)
 * applies the adapter as llama.cpp's `--lora <file>` does (llama_adapter_lora_init, then
 * llama_set_adapters_lora at scale 1) and decodes greedily with llama.cpp's C API on
 * node-llama-cpp's prebuilt libraries; the Runner (node-llama-cpp's `lora` context option) must
 * give the same tokens. Compiled here with g++ against the bundled headers; skipped without them.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRunnerOptions } from '../../src/runtime/options.js';
import { Runner } from '../../src/runtime/runner.js';
import { tinyLlama, writeLora, writeModel, type LoraSpec } from '../helpers/gguf.js';
import { haveStories, repoRoot, STORIES } from '../helpers/models.js';

const N = 24;
const libDir = path.join(repoRoot, 'node_modules/@node-llama-cpp/linux-x64/bins/linux-x64');
const src = path.join(repoRoot, 'node_modules/node-llama-cpp/llama/llama.cpp');
const canBuild = process.platform === 'linux' && process.arch === 'x64'
  && spawnSync('g++', ['--version'], { stdio: 'ignore' }).status === 0
  && fs.existsSync(path.join(src, 'include/llama.h')) && fs.existsSync(path.join(libDir, 'libllama.v0.5.0.so'));
if (!canBuild) console.warn('skipping lora-reference: needs g++, the bundled llama.cpp headers (npm run build:native) and the linux-x64 prebuilt libraries');

describe.skipIf(!haveStories || !canBuild)('LoRA: the Runner equals llama.cpp\'s C API with the adapter applied as --lora does', () => {
  let dir: string;
  let exe: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-lora-ref-'));
    exe = path.join(dir, 'lora-greedy');
    const r = spawnSync('g++', ['-O2', '-std=c++17', '-I', path.join(src, 'include'), '-I', path.join(src, 'ggml/include'),
      path.join(repoRoot, 'test/fixtures/native/lora-greedy.cpp'), '-o', exe, '-L', libDir,
      '-l:libllama.v0.5.0.so', '-l:libggml.v0.5.0.so', '-l:libggml-base.so', `-Wl,-rpath,${libDir}`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function reference(model: string, prompt: number[], lora: string | null): number[] {
    const r = spawnSync(exe, [libDir, model, lora ?? '-', String(N), ...prompt.map(String)], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim().split(' ').map(Number);
  }

  async function runner(model: string, adapter: string | null): Promise<{ prompt: number[]; generated: number[] }> {
    const run = await Runner.load({ name: 'x', modelPath: model, adapterPaths: adapter ? [adapter] : [], options: resolveRunnerOptions({ num_ctx: 256, num_thread: 1 }) });
    try {
      const prompt = run.tokenize('Once upon a time', true);
      const { result } = await run.generate({ prompt: 'Once upon a time', options: { temperature: 0, repeat_penalty: 1, num_predict: N } }).collect();
      return { prompt, generated: result.context.slice(result.context.length - result.eval_count) };
    } finally {
      await run.dispose();
    }
  }

  it.each<[string, LoraSpec | null]>([
    ['no adapter', null],
    ['attn_q/attn_v/ffn_up, rank 4, alpha 4', { seed: 11 }],
    ['every matrix with token_embd, rank 8, alpha 2 (scale alpha/rank = 0.25)', { seed: 12, match: /\.weight$/, rank: 8, alpha: 2 }],
  ])('%s', async (_what, spec) => {
    let file: string | null = null;
    if (spec) {
      file = path.join(dir, `${spec.seed}.gguf`);
      await writeLora(file, STORIES, spec);
    }
    const ours = await runner(STORIES, file);
    expect(ours.generated).toHaveLength(N);
    expect(ours.generated).toEqual(reference(STORIES, ours.prompt, file));
    if (file) expect(ours.generated).not.toEqual(reference(STORIES, ours.prompt, null));
  });

  it('an adapter on a quantized (Q8_0) base', async () => {
    const base = path.join(dir, 'q8.gguf');
    await writeModel(base, { ...tinyLlama, weightType: 'Q8_0' });
    const file = path.join(dir, 'q8-lora.gguf');
    await writeLora(file, base, { seed: 13, scale: 2 });
    const ours = await runner(base, file);
    expect(ours.generated).toHaveLength(N);
    expect(ours.generated).toEqual(reference(base, ours.prompt, file));
    expect(ours.generated).not.toEqual((await runner(base, null)).generated);
  });
});
