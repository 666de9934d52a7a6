import { describe, expect, it } from 'vitest';
import { toWire } from '../../src/api/types.js';
import { goFloat32, goJSON } from '../../src/server/gojson.js';
import { formatRFC3339Nano } from '../../src/server/gotime.js';

describe('goJSON', () => {
  it.each([
    [{ a: '<b>&</b>' }, '{"a":"\\u003cb\\u003e\\u0026\\u003c/b\\u003e"}'],
    [{ s: '\u2028\u2029' }, '{"s":"\\u2028\\u2029"}'],
    [{ n: 1e-7, m: 1e21, k: 0.5, i: 42 }, '{"n":1e-7,"m":1e+21,"k":0.5,"i":42}'],
    [{ skip: undefined, keep: null }, '{"keep":null}'],
    [[1, undefined, 'x'], '[1,null,"x"]'],
    [{ big: 9007199254740993n }, '{"big":9007199254740993}'],
    [{ f: new Float32Array([0.1, 1 / 3, 16777216, 1e-7]) }, '{"f":[0.1,0.33333334,16777216,1e-7]}'],
  ])('case %#', (v, out) => {
    expect(goJSON(v)).toBe(out);
  });

  it.each([
    [0, '0'],
    [0.1, '0.1'],
    [1.5, '1.5'],
    [-0.2, '-0.2'],
    [3.4028234663852886e38, '3.4028235e+38'],
    [1e-45, '1e-45'],
  ])('goFloat32(%d) = %s', (x, s) => {
    expect(goFloat32(x)).toBe(s);
  });
});

describe('formatRFC3339Nano', () => {
  it.each([
    [1700000000123456789n, { utc: true }, '2023-11-14T22:13:20.123456789Z'],
    [1700000000120000000n, { utc: true }, '2023-11-14T22:13:20.12Z'],
    [1700000000000000000n, { utc: true }, '2023-11-14T22:13:20Z'],
    [1700000000000000001n, { utc: true }, '2023-11-14T22:13:20.000000001Z'],
    [1700000000500000000n, { offsetMinutes: 120 }, '2023-11-15T00:13:20.5+02:00'],
    [1700000000000000000n, { offsetMinutes: -330 }, '2023-11-14T16:43:20-05:30'],
    [1700000000000000000n, { offsetMinutes: 0 }, '2023-11-14T22:13:20Z'],
    [new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 60)), { utc: true }, '2024-01-02T03:04:05.06Z'],
    [-1n, { utc: true }, '1969-12-31T23:59:59.999999999Z'],
  ] as const)('case %#', (t, opts, out) => {
    expect(formatRFC3339Nano(t, opts)).toBe(out);
  });
});

describe('toWire (Go field order + omitempty)', () => {
  it('orders a chat response and drops empty omitempty fields', () => {
    const v = toWire('ChatResponse', {
      eval_count: 3,
      done: true,
      message: { content: '', role: 'assistant', images: [], tool_calls: [{ function: { arguments: {}, name: 'f', index: 0 } }] },
      created_at: 't',
      model: 'm',
      done_reason: 'stop',
      total_duration: 0,
    });
    expect(JSON.stringify(v)).toBe(
      '{"model":"m","created_at":"t","message":{"role":"assistant","content":"","tool_calls":[{"function":{"index":0,"name":"f","arguments":{}}}]},"done":true,"done_reason":"stop","eval_count":3}',
    );
  });

  it('orders a generate response (metrics before tool_calls)', () => {
    const v = toWire('GenerateResponse', { tool_calls: [], eval_count: 1, done: false, response: '', created_at: 't', model: 'm', context: [1] });
    expect(Object.keys(v)).toEqual(['model', 'created_at', 'response', 'done', 'context', 'eval_count']);
  });

  it('keeps non-omitempty zero values and nested details order; unknown keys go last', () => {
    const v = toWire('ListResponse', {
      models: [{ details: { quantization_level: 'Q4', families: null, parent_model: '', format: 'gguf', family: 'llama', parameter_size: '1B' }, digest: 'd', size: 0, modified_at: 't', model: 'a', name: 'a', extra: 1 }],
    });
    expect(JSON.stringify(v)).toBe(
      '{"models":[{"name":"a","model":"a","modified_at":"t","size":0,"digest":"d","details":{"parent_model":"","format":"gguf","family":"llama","families":null,"parameter_size":"1B","quantization_level":"Q4"},"extra":1}]}',
    );
  });

  it('progress omits empty digest/total/completed', () => {
    expect(JSON.stringify(toWire('ProgressResponse', { completed: 0, total: 5, status: 'pulling', digest: '' }))).toBe('{"status":"pulling","total":5}');
  });
});
