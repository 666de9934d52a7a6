// typical_p (llama.cpp's locally typical sampler, nlc-typical.patch + the JavaScript patch) on the
// real stories260K: it changes what is sampled, deterministically, and at temperature 0 each token
// is the one llama-server's chain (top-k → typical → greedy) picks, recomputed here from the
// position's raw log-probabilities (the logprobs feature) with the algorithm's definition.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRunnerOptions } from '../../src/runtime/options.js';
import { Runner } from '../../src/runtime/runner.js';
import type { Logprob } from '../../src/runtime/logprobs.js';
import { haveStories, STORIES } from '../helpers/models.js';

if (!haveStories) console.warn(`typical_p test skipped: ${STORIES} is absent`);

/** llama.cpp's typical filter over the candidates left by top-k, then the greedy pick. */
function typicalGreedy(top: Array<{ token: string; logprob: number }>, p: number): string {
  const max = Math.max(...top.map((t) => t.logprob));
  const w = top.map((t) => Math.exp(t.logprob - max));
  const sum = w.reduce((a, b) => a + b, 0);
  const probs = w.map((x) => x / sum);
  const entropy = -probs.reduce((a, q) => a + q * Math.log(q), 0);
  const order = probs.map((q, i) => ({ i, q, score: Math.abs(-Math.log(q) - entropy) })).sort((a, b) => a.score - b.score);
  const kept: typeof order = [];
  let cum = 0;
  for (const o of order) {
    kept.push(o);
    cum += o.q;
    if (cum > p) break;
  }
  return top[kept.reduce((best, o) => (o.q > best.q ? o : best)).i]!.token;
}

describe.skipIf(!haveStories)('typical_p on stories260K', () => {
  let runner: Runner;
  beforeAll(async () => {
    runner = await Runner.load({ name: 'stories', modelPath: STORIES, options: resolveRunnerOptions({}, { numParallel: 1 }) });
  });
  afterAll(async () => {
    await runner?.dispose();
  });

  it('the loaded binary applies it (patched addon and JavaScript)', () => {
    expect(runner.supportsTypicalP, 'run npm run build:native and node scripts/native/patch-batching.mjs').toBe(true);
  });

  it('at temperature 0 every token is the best one left after top-k and typical, as llama-server picks', async () => {
    if (!runner.supportsTypicalP) return;
    let departures = 0;
    for (const p of [0.2, 0.5, 0.9]) {
      const g = runner.generate({ prompt: 'Once upon a time', options: { temperature: 0, top_k: 5, typical_p: p, num_predict: 40 }, logprobs: { top: 5 } });
      const { logprobs } = await g.collect();
      expect(logprobs.length).toBeGreaterThan(10);
      for (const [i, e] of (logprobs as Logprob[]).entries()) {
        const top = e.top_logprobs!;
        expect(top).toHaveLength(5);
        expect(e.token, `p ${p}, token ${i}`).toBe(typicalGreedy(top, p));
        if (e.token !== top[0]!.token) departures++;
      }
    }
    // the filter really ran: somewhere it removed the most probable token
    expect(departures).toBeGreaterThan(0);
  });

  it('sampling with a seed: typical_p changes the text, and the same seed gives the same text', async () => {
    if (!runner.supportsTypicalP) return;
    const run = async (typical_p: number) => (await runner.generate({
      prompt: 'Once upon a time', options: { temperature: 1, seed: 42, typical_p, num_predict: 60 },
    }).collect()).text;
    const plain = await run(1);
    const typical = await run(0.3);
    expect(typical).not.toBe(plain);
    expect(await run(0.3)).toBe(typical);
    expect(await run(1)).toBe(plain);
    // 0 means none, as Ollama (it omits a 0 from its llama-server request)
    expect(await run(0)).toBe(plain);
  });
});
