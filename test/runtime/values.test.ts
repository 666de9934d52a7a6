import { describe, expect, it } from 'vitest';
import { finishEmbedding, normalize } from '../../src/runtime/embed.js';
import { readRuntimeEnv } from '../../src/runtime/env.js';
import { InvalidEmbeddingError, InvalidFormatError } from '../../src/runtime/errors.js';
import { parseFormat } from '../../src/runtime/grammar.js';
import { resolveRunnerOptions, runnerOptionsDiffer } from '../../src/runtime/options.js';

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
    expect(resolveRunnerOptions({})).toEqual({ numCtx: 4096, numBatch: 512, numThread: 0, numGpu: -1, mainGpu: null, useMmap: null, numParallel: 1 });
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
