import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NUM_CTX,
  DEPRECATED_PARAMETERS,
  MAX_NUM_CTX,
  OPTION_SPECS,
  OptionError,
  applyRequestOptions,
  defaultOptions,
  float32Shortest,
  isDeprecatedParameter,
  optionSpec,
  parseParameterValue,
  validateOptions,
} from '../../src/api/options.js';

function errorOf(fn: () => unknown): OptionError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(OptionError);
    return e as OptionError;
  }
  throw new Error('expected an OptionError');
}

describe('the options table', () => {
  it('holds every option Ollama knows, with its type', () => {
    const types = Object.fromEntries(OPTION_SPECS.map((s) => [s.name, s.type]));
    expect(types).toEqual({
      num_keep: 'int',
      seed: 'int',
      num_predict: 'int',
      top_k: 'int',
      top_p: 'float',
      min_p: 'float',
      typical_p: 'float',
      repeat_last_n: 'int',
      temperature: 'float',
      repeat_penalty: 'float',
      presence_penalty: 'float',
      frequency_penalty: 'float',
      stop: 'string[]',
      draft_num_predict: 'int',
      num_ctx: 'int',
      num_batch: 'int',
      num_gpu: 'int',
      main_gpu: 'int',
      use_mmap: 'bool',
      num_thread: 'int',
    });
  });

  it('defaultOptions matches Ollama DefaultOptions and the table defaults', () => {
    const d = defaultOptions();
    expect(d).toEqual({
      num_keep: 4,
      seed: -1,
      num_predict: -1,
      top_k: 40,
      top_p: 0.9,
      min_p: 0,
      typical_p: 1,
      repeat_last_n: 64,
      temperature: 0.8,
      repeat_penalty: 1,
      presence_penalty: 0,
      frequency_penalty: 0,
      stop: [],
      draft_num_predict: 4,
      num_ctx: DEFAULT_NUM_CTX,
      num_batch: 512,
      num_gpu: -1,
      num_thread: 0,
    });
    expect(d.main_gpu).toBeUndefined();
    expect(d.use_mmap).toBeUndefined();
    for (const spec of OPTION_SPECS) {
      expect((d as unknown as Record<string, unknown>)[spec.name], spec.name).toEqual(spec.default);
    }
    expect(defaultOptions(32768).num_ctx).toBe(32768);
  });

  it('returns fresh objects', () => {
    const a = defaultOptions();
    a.stop.push('x');
    expect(defaultOptions().stop).toEqual([]);
  });

  it('knows the deprecated names', () => {
    expect(DEPRECATED_PARAMETERS).toEqual([
      'penalize_newline',
      'low_vram',
      'f16_kv',
      'logits_all',
      'vocab_only',
      'use_mlock',
      'mirostat',
      'mirostat_tau',
      'mirostat_eta',
    ]);
    expect(isDeprecatedParameter('mirostat')).toBe(true);
    expect(isDeprecatedParameter('numa')).toBe(false);
    expect(optionSpec('mirostat')).toBeUndefined();
    expect(optionSpec('Temperature')).toBeUndefined();
  });
});

describe('parseParameterValue (Modelfile PARAMETER / REPL /set parameter)', () => {
  const valid: Array<[string, string | string[], unknown]> = [
    ['num_keep', '24', 24],
    ['num_keep', '-1', -1],
    ['seed', '42', 42],
    ['seed', '-1', -1],
    ['seed', '+7', 7],
    ['seed', '9007199254740993', 9007199254740992],
    ['num_predict', '128', 128],
    ['num_predict', '-2', -2],
    ['top_k', '1', 1],
    ['top_k', '0', 0],
    ['top_p', '1.0', 1],
    ['top_p', '0.95', 0.95],
    ['min_p', '0.05', 0.05],
    ['typical_p', '1.0', 1],
    ['repeat_last_n', '1', 1],
    ['repeat_last_n', '-1', -1],
    ['temperature', '0.7', 0.7],
    ['temperature', '1', 1],
    ['temperature', '.5', 0.5],
    ['temperature', '5.', 5],
    ['temperature', '1e-5', 0.00001],
    ['temperature', '-0.5', -0.5],
    ['temperature', '3.14159265358979', 3.1415927],
    ['temperature', '0x1p-2', 0.25],
    ['repeat_penalty', '1.1', 1.1],
    ['presence_penalty', '1.5', 1.5],
    ['frequency_penalty', '0', 0],
    ['stop', '<|eot_id|>', ['<|eot_id|>']],
    ['stop', '### User:', ['### User:']],
    ['stop', ['a', 'b', 'c'], ['a', 'b', 'c']],
    ['draft_num_predict', '8', 8],
    ['num_ctx', '3900', 3900],
    ['num_ctx', '131072', 131072],
    ['num_batch', '1', 1],
    ['num_gpu', '0', 0],
    ['num_gpu', '-1', -1],
    ['main_gpu', '0', 0],
    ['main_gpu', '1', 1],
    ['num_thread', '2', 2],
    ['use_mmap', 'true', true],
    ['use_mmap', 'True', true],
    ['use_mmap', 'TRUE', true],
    ['use_mmap', 't', true],
    ['use_mmap', 'T', true],
    ['use_mmap', '1', true],
    ['use_mmap', 'false', false],
    ['use_mmap', 'False', false],
    ['use_mmap', 'FALSE', false],
    ['use_mmap', 'f', false],
    ['use_mmap', 'F', false],
    ['use_mmap', '0', false],
    ['seed', ['1', '2'], 1],
  ];
  it.each(valid)('%s %j', (name, raw, want) => {
    expect(parseParameterValue(name, raw)).toEqual(want);
  });

  const invalid: Array<[string, string | string[], string]> = [
    ['foo', 'bar', "unknown parameter 'foo'"],
    ['numa', 'true', "unknown parameter 'numa'"],
    ['num_gqa', '1', "unknown parameter 'num_gqa'"],
    ['tfs_z', '1', "unknown parameter 'tfs_z'"],
    ['mirostat', '1', "unknown parameter 'mirostat'"],
    ['Temperature', '0.5', "unknown parameter 'Temperature'"],
    ['', 'x', "unknown parameter ''"],
    ['num_ctx', 'abc', 'invalid int value [abc]'],
    ['num_ctx', '4096.0', 'invalid int value [4096.0]'],
    ['num_ctx', '1e4', 'invalid int value [1e4]'],
    ['num_ctx', '', 'invalid int value []'],
    ['num_ctx', ' 1', 'invalid int value [ 1]'],
    ['num_ctx', '1_000', 'invalid int value [1_000]'],
    ['seed', '9223372036854775808', 'invalid int value [9223372036854775808]'],
    ['seed', ['x', 'y'], 'invalid int value [x y]'],
    ['top_k', 'ten', 'invalid int value [ten]'],
    ['temperature', 'hot', 'invalid float value [hot]'],
    ['temperature', '', 'invalid float value []'],
    ['temperature', '1e39', 'invalid float value [1e39]'],
    ['temperature', 'NaN', 'invalid float value [NaN]'],
    ['temperature', 'Inf', 'invalid float value [Inf]'],
    ['temperature', '0.5.1', 'invalid float value [0.5.1]'],
    ['top_p', '1,0', 'invalid float value [1,0]'],
    ['use_mmap', 'yes', 'invalid bool value [yes]'],
    ['use_mmap', 'foo', 'invalid bool value [foo]'],
    ['use_mmap', 'tRUE', 'invalid bool value [tRUE]'],
    ['num_ctx', '-5', 'option "num_ctx" must be at least 0, got -5'],
    ['num_ctx', String(MAX_NUM_CTX + 1), `option "num_ctx" must be at most ${MAX_NUM_CTX}, got ${MAX_NUM_CTX + 1}`],
    ['num_batch', '0', 'option "num_batch" must be at least 1, got 0'],
    ['num_thread', '-1', 'option "num_thread" must be at least 0, got -1'],
    ['num_thread', '100000', 'option "num_thread" must be at most 1024, got 100000'],
    ['num_gpu', '-2', 'option "num_gpu" must be at least -1, got -2'],
    ['main_gpu', '-1', 'option "main_gpu" must be at least 0, got -1'],
    ['top_k', '-5', 'option "top_k" must be at least -1, got -5'],
    ['repeat_last_n', '-2', 'option "repeat_last_n" must be at least -1, got -2'],
    ['num_keep', '-2', 'option "num_keep" must be at least -1, got -2'],
    ['draft_num_predict', '-1', 'option "draft_num_predict" must be at least 0, got -1'],
  ];
  it.each(invalid)('%s %j is rejected', (name, raw, message) => {
    const e = errorOf(() => parseParameterValue(name, raw));
    expect(e.message).toBe(message);
    expect(e.status).toBe(400);
  });
});

describe('applyRequestOptions (API options)', () => {
  const base = defaultOptions();

  it('returns a copy of base without options', () => {
    for (const o of [undefined, null, {}]) {
      const { options, ignored } = applyRequestOptions(base, o);
      expect(options).toEqual(base);
      expect(options).not.toBe(base);
      expect(ignored).toEqual([]);
    }
  });

  const valid: Array<[Record<string, unknown>, Partial<ReturnType<typeof defaultOptions>>]> = [
    [{ temperature: 0 }, { temperature: 0 }],
    [{ temperature: 1.5 }, { temperature: 1.5 }],
    [{ temperature: 1 }, { temperature: 1 }],
    [{ top_p: 0.5, min_p: 0.1, typical_p: 0.7 }, { top_p: 0.5, min_p: 0.1, typical_p: 0.7 }],
    [{ repeat_penalty: 1.2, presence_penalty: 0.3, frequency_penalty: 0.4 }, { repeat_penalty: 1.2, presence_penalty: 0.3, frequency_penalty: 0.4 }],
    [{ num_ctx: 8192 }, { num_ctx: 8192 }],
    [{ num_ctx: 2048.9 }, { num_ctx: 2048 }],
    [{ num_predict: -1.7 }, { num_predict: -1 }],
    [{ num_predict: 100 }, { num_predict: 100 }],
    [{ seed: 42 }, { seed: 42 }],
    [{ seed: 1e20 }, { seed: 1e20 }],
    [{ num_keep: 0 }, { num_keep: 0 }],
    [{ top_k: 10 }, { top_k: 10 }],
    [{ repeat_last_n: -1 }, { repeat_last_n: -1 }],
    [{ num_batch: 128 }, { num_batch: 128 }],
    [{ num_gpu: 0 }, { num_gpu: 0 }],
    [{ main_gpu: 0 }, { main_gpu: 0 }],
    [{ main_gpu: 1 }, { main_gpu: 1 }],
    [{ use_mmap: true }, { use_mmap: true }],
    [{ use_mmap: false }, { use_mmap: false }],
    [{ num_thread: 2 }, { num_thread: 2 }],
    [{ draft_num_predict: 0 }, { draft_num_predict: 0 }],
    [{ stop: ['a', 'b'] }, { stop: ['a', 'b'] }],
    [{ stop: [] }, { stop: [] }],
    [{ temperature: null, use_mmap: null }, {}],
  ];
  it.each(valid)('%j', (opts, changes) => {
    const { options, ignored } = applyRequestOptions(base, opts);
    expect(options).toEqual({ ...base, ...changes });
    expect(ignored).toEqual([]);
  });

  it('does not modify base and replaces stop wholesale', () => {
    const b = { ...defaultOptions(), stop: ['x'] };
    const { options } = applyRequestOptions(b, { stop: ['y'] });
    expect(options.stop).toEqual(['y']);
    expect(b.stop).toEqual(['x']);
  });

  it('ignores and reports unknown keys (including deprecated ones)', () => {
    const { options, ignored } = applyRequestOptions(base, {
      numa: true,
      mirostat: 2,
      penalize_newline: false,
      Temperature: 3,
      temperature: 0.1,
    });
    expect(ignored).toEqual(['numa', 'mirostat', 'penalize_newline', 'Temperature']);
    expect(options.temperature).toBe(0.1);
  });

  const typeErrors: Array<[Record<string, unknown>, string]> = [
    [{ num_ctx: '4096' }, 'option "num_ctx" must be of type integer'],
    [{ seed: true }, 'option "seed" must be of type integer'],
    [{ top_k: [1] }, 'option "top_k" must be of type integer'],
    [{ temperature: '0.5' }, 'option "temperature" must be of type float32'],
    [{ top_p: false }, 'option "top_p" must be of type float32'],
    [{ use_mmap: 1 }, 'option "use_mmap" must be of type boolean'],
    [{ use_mmap: 'true' }, 'option "use_mmap" must be of type boolean'],
    [{ stop: 'x' }, 'option "stop" must be of type array'],
    [{ stop: { a: 1 } }, 'option "stop" must be of type array'],
    [{ stop: ['a', 1] }, 'option "stop" must be of an array of strings'],
    [{ stop: [null] }, 'option "stop" must be of an array of strings'],
  ];
  it.each(typeErrors)('%j → %s (500, as Ollama)', (opts, message) => {
    const e = errorOf(() => applyRequestOptions(base, opts));
    expect(e.message).toBe(message);
    expect(e.status).toBe(500);
  });

  const rangeErrors: Array<[Record<string, unknown>, string]> = [
    [{ num_ctx: -1 }, 'option "num_ctx" must be at least 0, got -1'],
    [{ num_ctx: 1e12 }, `option "num_ctx" must be at most ${MAX_NUM_CTX}, got 1000000000000`],
    [{ num_batch: 0 }, 'option "num_batch" must be at least 1, got 0'],
    [{ num_thread: 5000 }, 'option "num_thread" must be at most 1024, got 5000'],
    [{ top_k: -10 }, 'option "top_k" must be at least -1, got -10'],
    [{ num_gpu: -3 }, 'option "num_gpu" must be at least -1, got -3'],
  ];
  it.each(rangeErrors)('%j → %s (400)', (opts, message) => {
    const e = errorOf(() => applyRequestOptions(base, opts));
    expect(e.message).toBe(message);
    expect(e.status).toBe(400);
  });

  it('rejects options that are not an object', () => {
    for (const o of ['x', 1, [1], true]) {
      const e = errorOf(() => applyRequestOptions(base, o));
      expect(e.message).toBe('options must be a JSON object');
      expect(e.status).toBe(400);
    }
  });

  it('merges defaults ← params layer ← request', () => {
    const fromParams = applyRequestOptions(base, { temperature: 0.7, stop: ['</s>'], num_ctx: 3900 }).options;
    const { options } = applyRequestOptions(fromParams, { temperature: 0.2 });
    expect(options.temperature).toBe(0.2);
    expect(options.stop).toEqual(['</s>']);
    expect(options.num_ctx).toBe(3900);
    expect(options.top_k).toBe(40);
  });
});

describe('validateOptions', () => {
  it('accepts the defaults and partial objects', () => {
    expect(() => validateOptions(defaultOptions())).not.toThrow();
    expect(() => validateOptions({ temperature: 0.5 })).not.toThrow();
  });
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ num_ctx: -4 }, 'option "num_ctx" must be at least 0, got -4'],
    [{ num_ctx: 1.5 }, 'option "num_ctx" must be of type integer'],
    [{ temperature: NaN }, 'option "temperature" must be of type float32'],
    [{ temperature: Infinity }, 'option "temperature" must be of type float32'],
    [{ use_mmap: 'yes' }, 'option "use_mmap" must be of type boolean'],
    [{ stop: [1] }, 'option "stop" must be of an array of strings'],
  ];
  it.each(bad)('%j', (opts, message) => {
    const e = errorOf(() => validateOptions(opts as never));
    expect(e.message).toBe(message);
    expect(e.status).toBe(400);
  });
});

describe('float32Shortest', () => {
  const cases: Array<[number, number]> = [
    [0.7, 0.7],
    [Math.fround(0.7), 0.7],
    [0.1, 0.1],
    [3.14159265358979, 3.1415927],
    [1e-5, 0.00001],
    [0, 0],
    [16777217, 16777216],
  ];
  it.each(cases)('%s → %s', (x, want) => {
    expect(float32Shortest(x)).toBe(want);
  });
});
