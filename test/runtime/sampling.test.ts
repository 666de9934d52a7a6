import { describe, expect, it } from 'vitest';
import { requestedTypicalP, resolveMaxTokens, resolveSampling } from '../../src/runtime/sampling.js';

describe('resolveSampling', () => {
  const hist = [1, 2, 3, 4, 5];
  it('applies Ollama defaults', () => {
    const r = resolveSampling({}, () => hist, 2048, () => 0.5);
    expect(r.evaluate).toEqual({ temperature: 0.8, topK: 40, topP: 0.9, minP: 0, seed: 2 ** 30 });
  });
  it('passes options through', () => {
    const r = resolveSampling({ temperature: 0, top_k: 5, top_p: 0.5, min_p: 0.1, seed: 42 }, () => hist, 2048);
    expect(r.evaluate).toMatchObject({ temperature: 0, topK: 5, topP: 0.5, minP: 0.1, seed: 42 });
    expect(r.seed).toBe(42);
  });
  it('seed -1 is random, a fixed seed is kept', () => {
    expect(resolveSampling({ seed: -1 }, () => hist, 10, () => 0.25).seed).toBe(2 ** 29);
    expect(resolveSampling({ seed: 7 }, () => hist, 10, () => 0.25).seed).toBe(7);
  });
  it('clamps out-of-range values', () => {
    const r = resolveSampling({ temperature: -1, top_p: 3, min_p: -2, top_k: -4 }, () => hist, 10);
    expect(r.evaluate).toMatchObject({ temperature: 0, topP: 1, minP: 0, topK: 0 });
  });
  it('penalties use the last repeat_last_n tokens', () => {
    const r = resolveSampling({ repeat_penalty: 1.2, repeat_last_n: 2, presence_penalty: 0.5, frequency_penalty: 0.25 }, () => hist, 10);
    expect(r.evaluate.repeatPenalty).toMatchObject({ penalty: 1.2, maxPunishTokens: 2, presencePenalty: 0.5, frequencyPenalty: 0.25 });
    expect(r.evaluate.repeatPenalty!.punishTokens()).toEqual([4, 5]);
  });
  it('repeat_last_n -1 means num_ctx', () => {
    const r = resolveSampling({ repeat_penalty: 1.1, repeat_last_n: -1 }, () => hist, 3);
    expect(r.evaluate.repeatPenalty!.punishTokens()).toEqual([3, 4, 5]);
  });
  it('no penalty object when disabled', () => {
    expect(resolveSampling({ repeat_penalty: 1 }, () => hist, 3).evaluate.repeatPenalty).toBeUndefined();
    expect(resolveSampling({ repeat_penalty: 1.5, repeat_last_n: 0 }, () => hist, 3).evaluate.repeatPenalty).toBeUndefined();
  });
  // llama-server applies typ_p below 1; Ollama omits a 0 from its request, so 0 means none too
  it.each([
    [undefined, undefined], [1, undefined], [0, undefined], [1.5, undefined],
    [0.5, 0.5], [0.95, 0.95], [-0.5, -0.5], [Number.NaN, undefined],
  ])('typical_p %s → typicalP %s', (p, want) => {
    const opts = p === undefined ? {} : { typical_p: p };
    expect(requestedTypicalP(opts)).toBe(want);
    expect(resolveSampling(opts, () => hist, 3).evaluate.typicalP).toBe(want);
    // also at temperature 0: llama-server keeps the best token left after top-k and typical
    expect(resolveSampling({ ...opts, temperature: 0 }, () => hist, 3).evaluate.typicalP).toBe(want);
  });
});

describe('resolveMaxTokens', () => {
  it.each([
    [undefined, 100, 1000],
    [-1, 100, 1000],
    [-5, 100, 1000],
    [-2, 100, Infinity],
    [0, 100, 0],
    [7, 100, 7],
    [1000, 100, 1000],
    [1001, 100, 1000],
    [NaN, 100, 1000],
  ])('num_predict %s with num_ctx %s → %s', (n, ctx, want) => {
    expect(resolveMaxTokens(n, ctx)).toBe(want);
  });
});
