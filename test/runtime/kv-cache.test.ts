// OLLAMA_FLASH_ATTENTION and OLLAMA_KV_CACHE_TYPE reach llama.cpp's context (Ollama 0.33 passes
// them to llama-server as --flash-attn and --cache-type-k/-v): on a generated llama (heads of 32)
// the context gets the asked K/V type (a q8_0 cache is smaller than f16) and flash-attention mode,
// and generates; a quantized cache with flash attention switched off is refused before anything
// loads, and stories260K's heads of 8 values, which llama.cpp cannot store in blocks of 32, get a
// message saying so instead of llama.cpp's "Failed to create context".
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GgmlType } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeModel } from '../helpers/gguf.js';
import { ModelLoadError } from '../../src/runtime/errors.js';
import { resolveRunnerOptions } from '../../src/runtime/options.js';
import { Runner } from '../../src/runtime/runner.js';
import { haveStories, STORIES } from '../helpers/models.js';

if (!haveStories) console.warn(`kv-cache test skipped: ${STORIES} is absent`);

type Ctx = { kvCacheKeyType: GgmlType; kvCacheValueType: GgmlType; flashAttention: boolean | 'auto'; stateSize: number };
const ctxOf = (r: Runner): Ctx => (r as unknown as { context: Ctx }).context;

describe('K/V cache type and flash attention', () => {
  const runners: Runner[] = [];
  let dir: string;
  let tiny: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-kv-'));
    tiny = path.join(dir, 'tiny.gguf');
    await writeModel(tiny, { heads: 2, kvHeads: 2 }); // embd 64: heads of 32
  });
  const load = async (defaults: { flashAttention?: boolean; kvCacheType?: string }, modelPath = tiny): Promise<Runner> => {
    const r = await Runner.load({ name: 'stories', modelPath, options: resolveRunnerOptions({ num_ctx: 512 }, defaults) });
    runners.push(r);
    return r;
  };
  afterAll(async () => {
    for (const r of runners) await r.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const greedy = async (r: Runner): Promise<number> =>
    (await r.generate({ prompt: 'hello', options: { temperature: 0, num_predict: 8 } }).collect()).result.eval_count;

  it('f16 by default, q8_0 when asked (smaller), both generate', async () => {
    const f16 = await load({});
    const q8 = await load({ kvCacheType: 'q8_0' });
    expect(ctxOf(f16).kvCacheKeyType).toBe(GgmlType.F16);
    expect(ctxOf(q8)).toMatchObject({ kvCacheKeyType: GgmlType.Q8_0, kvCacheValueType: GgmlType.Q8_0 });
    // the saved state holds the cache's cells: the same prompt takes less room in q8_0
    for (const r of [f16, q8]) await r.generate({ prompt: 'hello hello hello hello', options: { num_predict: 0 } }).collect();
    expect(ctxOf(q8).stateSize).toBeLessThan(ctxOf(f16).stateSize * 0.75);
    expect(await greedy(f16)).toBeGreaterThan(0);
    expect(await greedy(q8)).toBeGreaterThan(0);
  });

  it('flash attention: auto unless set, then on or off', async () => {
    expect(ctxOf(await load({})).flashAttention).toBe('auto');
    const on = await load({ flashAttention: true, kvCacheType: 'q4_0' });
    expect(ctxOf(on)).toMatchObject({ flashAttention: true, kvCacheKeyType: GgmlType.Q4_0 });
    expect(await greedy(on)).toBeGreaterThan(0);
    const off = await load({ flashAttention: false, kvCacheType: 'f32' });
    expect(ctxOf(off)).toMatchObject({ flashAttention: false, kvCacheKeyType: GgmlType.F32 });
    expect(await greedy(off)).toBeGreaterThan(0);
  });

  it('a quantized cache without flash attention, or an unknown type, is refused with the reason', async () => {
    await expect(load({ flashAttention: false, kvCacheType: 'q8_0' })).rejects.toThrow(ModelLoadError);
    await expect(load({ flashAttention: false, kvCacheType: 'q8_0' })).rejects.toThrow(/unable to load model stories: OLLAMA_KV_CACHE_TYPE=q8_0 quantizes the V cache, which needs flash attention/);
    await expect(load({ kvCacheType: 'q3_k' })).rejects.toThrow(/OLLAMA_KV_CACHE_TYPE="q3_k" is not a K\/V cache type llama\.cpp knows/);
  });

  it.skipIf(!haveStories)('stories260K\'s heads of 8 cannot hold a q8_0 cache: said so; f16 and f32 load', async () => {
    await expect(load({ kvCacheType: 'q8_0' }, STORIES)).rejects.toThrow(
      'unable to load model stories: OLLAMA_KV_CACHE_TYPE=q8_0 stores attention heads in blocks of 32, and this model\'s key heads hold 8 values: use f16 (or unset it) for this model',
    );
    expect(ctxOf(await load({ kvCacheType: 'f32' }, STORIES)).kvCacheKeyType).toBe(GgmlType.F32);
  });
});
