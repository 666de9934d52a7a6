import { describe, expect, it } from 'vitest';
import { finishEmbedding, normalize } from '../../src/runtime/embed.js';
import { readRuntimeEnv } from '../../src/runtime/env.js';
import { InvalidEmbeddingError, InvalidFormatError } from '../../src/runtime/errors.js';
import { parseFormat } from '../../src/runtime/grammar.js';
import { GgmlType } from 'node-llama-cpp';
import { KV_CACHE_TYPES, kvCacheProblem, resolveRunnerOptions, runnerOptionsDiffer } from '../../src/runtime/options.js';

describe('parseFormat', () => {
  it.each([
    [undefined, { kind: 'none' }],
    [null, { kind: 'none' }],
    ['', { kind: 'none' }],
    ['json', { kind: 'json' }],
    ['"json"', { kind: 'json' }],
    [{ type: 'object' }, { kind: 'schema', schema: { type: 'object' } }],
    ['{"type":"object"}', { kind: 'schema', schema: { type: 'object' } }],
  ])('%j', (input, want) => {
    expect(parseFormat(input)).toEqual(want);
  });
  it.each([['xml'], [42], [true], [[1, 2]], ['[1]'], ['"yaml"']])('rejects %j', (input) => {
    expect(() => parseFormat(input)).toThrow(InvalidFormatError);
    try {
      parseFormat(input);
    } catch (e) {
      expect((e as InvalidFormatError).status).toBe(500);
      expect((e as Error).message).toMatch(/^invalid format: .*; expected "json" or a valid JSON Schema object$/);
    }
  });
  it('quotes a bad string like Ollama', () => {
    expect(() => parseFormat('xml')).toThrow('invalid format: "xml"; expected "json" or a valid JSON Schema object');
  });
});

describe('embedding helpers', () => {
  it('normalises to unit length', () => {
    expect(normalize([3, 4])).toEqual([0.6, 0.8]);
    expect(normalize([0, 0])).toEqual([0, 0]);
  });
  it('truncates to dimensions then renormalises', () => {
    expect(finishEmbedding([3, 4, 12], 2)).toEqual([0.6, 0.8]);
    expect(finishEmbedding([3, 4], 5)).toEqual([0.6, 0.8]);
    expect(finishEmbedding([3, 4], 0)).toEqual([0.6, 0.8]);
    expect(finishEmbedding([3, 4], null)).toEqual([0.6, 0.8]);
  });
  it('rejects NaN and Inf', () => {
    expect(() => finishEmbedding([1, NaN])).toThrow(InvalidEmbeddingError);
    expect(() => finishEmbedding([Infinity])).toThrow('embedding contains NaN or Inf values');
  });
});

describe('runner options', () => {
  it('defaults', () => {
    expect(resolveRunnerOptions({})).toEqual({ numCtx: 4096, numBatch: 512, numThread: 0, numGpu: -1, mainGpu: null, useMmap: null, numParallel: 1, flashAttention: 'auto', kvCacheType: '' });
  });
  it('OLLAMA_FLASH_ATTENTION and OLLAMA_KV_CACHE_TYPE defaults (lower-cased, as Ollama passes it on)', () => {
    expect(resolveRunnerOptions({}, { flashAttention: false, kvCacheType: 'Q8_0' })).toMatchObject({ flashAttention: false, kvCacheType: 'q8_0' });
    expect(resolveRunnerOptions({}, { flashAttention: true })).toMatchObject({ flashAttention: true, kvCacheType: '' });
  });
  it('OLLAMA_CONTEXT_LENGTH and NUM_PARALLEL defaults', () => {
    expect(resolveRunnerOptions(undefined, { contextLength: 8192, numParallel: 3 })).toMatchObject({ numCtx: 8192, numParallel: 3 });
    expect(resolveRunnerOptions({ num_ctx: 100 }, { contextLength: 8192 })).toMatchObject({ numCtx: 100 });
  });
  it('num_ctx minimum 4, 0 = default', () => {
    expect(resolveRunnerOptions({ num_ctx: 1 }).numCtx).toBe(4);
    expect(resolveRunnerOptions({ num_ctx: 0 }).numCtx).toBe(4096);
  });
  it('reload decisions', () => {
    const a = resolveRunnerOptions({ num_ctx: 2048 });
    expect(runnerOptionsDiffer(a, resolveRunnerOptions({ num_ctx: 2048 }))).toBe(false);
    expect(runnerOptionsDiffer(a, resolveRunnerOptions({ num_ctx: 1024 }))).toBe(true);
    expect(runnerOptionsDiffer(a, resolveRunnerOptions({ num_ctx: 2048, num_thread: 2 }))).toBe(true);
    expect(runnerOptionsDiffer(a, resolveRunnerOptions({ num_ctx: 2048, use_mmap: false }))).toBe(true);
    expect(runnerOptionsDiffer(a, resolveRunnerOptions({ num_ctx: 2048, num_batch: 128 }))).toBe(true);
    expect(runnerOptionsDiffer({ ...a, numGpu: 0 }, a)).toBe(false); // wanted -1 (auto) matches anything
    expect(runnerOptionsDiffer(a, { ...a, numGpu: 0 })).toBe(true);
    expect(runnerOptionsDiffer(a, { ...a, flashAttention: true })).toBe(true);
    expect(runnerOptionsDiffer(a, { ...a, kvCacheType: 'q8_0' })).toBe(true);
  });
});

describe('K/V cache type and flash attention (llama-server\'s --cache-type-k/-v list)', () => {
  it.each([
    ['', 'auto', null],
    ['f16', false, null],
    ['f32', false, null],
    ['bf16', 'auto', null],
    ['q8_0', 'auto', null],
    ['q8_0', true, null],
    ['q4_0', true, null],
    ['q4_1', 'auto', null],
    ['iq4_nl', 'auto', null],
    ['q5_0', 'auto', null],
    ['q5_1', 'auto', null],
    ['q8_0', false, /quantizes the V cache, which needs flash attention, and OLLAMA_FLASH_ATTENTION turns it off/],
    ['q4_0', false, /needs flash attention/],
    ['q3_k', 'auto', /^OLLAMA_KV_CACHE_TYPE="q3_k" is not a K\/V cache type llama\.cpp knows \(f32, f16, bf16, q8_0, q4_0, q4_1, iq4_nl, q5_0, q5_1\)$/],
    ['fp16', true, /not a K\/V cache type/],
    ['toString', 'auto', /not a K\/V cache type/],
  ] as const)('%j with flash attention %s', (type, fa, problem) => {
    const got = kvCacheProblem(type, fa);
    if (problem === null) expect(got).toBeNull();
    else expect(got).toMatch(problem);
  });
  it('names node-llama-cpp\'s GgmlType for each', () => {
    for (const v of Object.values(KV_CACHE_TYPES)) expect(GgmlType[v as keyof typeof GgmlType], v).toBeTypeOf('number');
  });
});

describe('readRuntimeEnv', () => {
  it('defaults', () => {
    expect(readRuntimeEnv({})).toEqual({ numParallel: 1, maxLoadedModels: 0, maxQueue: 512, contextLength: 0 });
  });
  it('reads and trims values', () => {
    expect(readRuntimeEnv({ OLLAMA_NUM_PARALLEL: ' "4" ', OLLAMA_MAX_LOADED_MODELS: '2', OLLAMA_MAX_QUEUE: '10', OLLAMA_CONTEXT_LENGTH: '8192' })).toEqual({
      numParallel: 4,
      maxLoadedModels: 2,
      maxQueue: 10,
      contextLength: 8192,
    });
  });
  it('invalid values warn and use the default', () => {
    const warnings: string[] = [];
    const log = { debug() {}, info() {}, error() {}, warn: (m: string) => warnings.push(m) };
    expect(readRuntimeEnv({ OLLAMA_MAX_QUEUE: '-1', OLLAMA_NUM_PARALLEL: 'x' }, log)).toMatchObject({ maxQueue: 512, numParallel: 1 });
    expect(warnings).toHaveLength(2);
  });
});
