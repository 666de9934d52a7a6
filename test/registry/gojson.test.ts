import { describe, expect, it } from 'vitest';
import {
  GoJSONError,
  GoRaw,
  blobOf,
  buildManifest,
  configLayer,
  encodeConfigV2,
  encodeManifest,
  encodeMessages,
  encodeParams,
  float32,
  goEncode,
  goFloat,
  goFloat32,
  goMap,
  goMarshal,
  goQuote,
  sha256Digest,
} from '../../src/registry/gojson.js';
import { MediaType } from '../../src/registry/store/types.js';

describe('reference §4.3 digest vectors', () => {
  it('config blob of a GGUF with only general.architecture=test', () => {
    const blob = encodeConfigV2({
      model_format: 'gguf',
      model_family: 'test',
      model_families: ['test'],
      model_type: '0',
      file_type: 'unknown',
    });
    expect(blob.bytes.toString()).toBe(
      '{"model_format":"gguf","model_family":"test","model_families":["test"],"model_type":"0","file_type":"unknown","architecture":"amd64","os":"linux"}\n',
    );
    expect(blob.digest).toBe('sha256:99759ad5b91e723db0393d698ffbb448b1b7df5ff6377a108c49254583b1bc8c');
  });
  it('params blob, keys sorted whatever the insertion order', () => {
    const blob = encodeParams({ top_k: 10, temperature: 1, stop: ['USER:', 'ASSISTANT:'] });
    expect(blob.bytes.toString()).toBe('{"stop":["USER:","ASSISTANT:"],"temperature":1,"top_k":10}\n');
    expect(blob.digest.startsWith('sha256:1d0ad712')).toBe(true);
  });
  it('template text blob is raw bytes', () => {
    expect(blobOf('{{ .Prompt }}').digest.startsWith('sha256:b507b9c2')).toBe(true);
  });
  it('HTML characters are escaped in params (phi-3 stop tokens)', () => {
    expect(encodeParams({ stop: ['<|end|>'] }).bytes.toString()).toBe('{"stop":["\\u003c|end|\\u003e"]}\n');
  });
});

describe('goQuote', () => {
  const cases: Array<[string, string]> = [
    ['', '""'],
    ['plain', '"plain"'],
    ['a"b', '"a\\"b"'],
    ['a\\b', '"a\\\\b"'],
    ['\n\r\t', '"\\n\\r\\t"'],
    ['\b\f', '"\\b\\f"'],
    ['\u0000\u0001\u001f', '"\\u0000\\u0001\\u001f"'],
    ['<a & b>', '"\\u003ca \\u0026 b\\u003e"'],
    ['\u2028\u2029', '"\\u2028\\u2029"'],
    ['\u007f', '"\u007f"'],
    ['é漢😀', '"é漢😀"'],
    ['\ud800', '"\\ufffd"'],
    ['x\udc00y', '"x\\ufffdy"'],
    ['/', '"/"'],
  ];
  it.each(cases)('%j → %s', (input, want) => {
    expect(goQuote(input)).toBe(want);
  });
  it('can leave HTML unescaped', () => {
    expect(goQuote('<&>', false)).toBe('"<&>"');
  });
});

describe('goFloat (float64)', () => {
  const cases: Array<[number, string]> = [
    [0, '0'],
    [-0, '-0'],
    [1, '1'],
    [-1, '-1'],
    [0.7, '0.7'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1e-7, '1e-7'],
    [1.5e-7, '1.5e-7'],
    [1e-6, '0.000001'],
    [123456789, '123456789'],
    [1e20, '100000000000000000000'],
    [1e21, '1e+21'],
    [1.2345e25, '1.2345e+25'],
    [5e-324, '5e-324'],
    [2 ** 53, '9007199254740992'],
  ];
  it.each(cases)('%s → %s', (n, want) => {
    expect(goFloat(n)).toBe(want);
  });
  it.each([NaN, Infinity, -Infinity])('%s is unsupported', (n) => {
    expect(() => goFloat(n)).toThrow(GoJSONError);
  });
});

describe('goFloat32', () => {
  const cases: Array<[number, string]> = [
    [0.7, '0.7'],
    [0.1, '0.1'],
    [0.9, '0.9'],
    [1, '1'],
    [0.95, '0.95'],
    [1.1, '1.1'],
    [0, '0'],
    [-0.5, '-0.5'],
    [16777217, '16777216'],
  ];
  it.each(cases)('%s → %s', (n, want) => {
    expect(goFloat32(n)).toBe(want);
  });
  it('embeds as raw JSON', () => {
    expect(goMarshal({ temperature: float32(0.8) })).toBe('{"temperature":0.8}');
  });
});

describe('goMarshal values', () => {
  it('keeps struct field order and omits undefined', () => {
    expect(goMarshal({ b: 1, a: 2, c: undefined, d: null })).toBe('{"b":1,"a":2,"d":null}');
  });
  it('sorts map keys by UTF-8 bytes, at every level with sortKeys', () => {
    expect(goMarshal(goMap({ b: 1, a: 2, B: 3 }))).toBe('{"B":3,"a":2,"b":1}');
    expect(goMarshal(new Map([['z', 1], ['y', 2]]))).toBe('{"y":2,"z":1}');
    expect(goMarshal({ z: { b: 1, a: 2 }, a: [{ d: 1, c: 2 }] }, { sortKeys: true })).toBe(
      '{"a":[{"c":2,"d":1}],"z":{"a":2,"b":1}}',
    );
    // In UTF-16 code units 😀 (D83D…) sorts before ～ (FF5E); in UTF-8 bytes ～ (EF…) comes
    // before 😀 (F0…), and Go sorts by bytes.
    expect(goMarshal(goMap({ '😀': 1, '～': 2 }))).toBe('{"～":2,"😀":1}');
    // Same for U+E000 (EE 80 80).
    expect(goMarshal(goMap({ '😀': 1, '\ue000': 2 }))).toBe('{"\ue000":2,"😀":1}');
  });
  it('encodes arrays, bools, bigints, bytes and raw values', () => {
    expect(goMarshal([1, 'a', true, false, null, undefined])).toBe('[1,"a",true,false,null,null]');
    expect(goMarshal(12345678901234567890n)).toBe('12345678901234567890');
    expect(goMarshal(Buffer.from('hi'))).toBe('"aGk="');
    expect(goMarshal({ raw: new GoRaw('{"x":1}') })).toBe('{"raw":{"x":1}}');
    expect(goMarshal({ d: { toJSON: () => 'j' } })).toBe('{"d":"j"}');
  });
  it('escapes HTML in keys too', () => {
    expect(goMarshal(goMap({ '<k>': 1 }))).toBe('{"\\u003ck\\u003e":1}');
  });
  it('rejects functions and symbols', () => {
    expect(() => goMarshal({ f: () => 1 })).toThrow(GoJSONError);
  });
  it('encodes any depth without recursion, as Go (a request body may nest 10,000 levels)', () => {
    for (const n of [10_000, 100_000]) {
      let deep: unknown = 1;
      for (let i = 0; i < n; i++) deep = i % 2 ? [deep] : { a: deep };
      const text = goMarshal(deep);
      expect(text.length).toBe(1 + 5 * (n / 2) + 1 * (n / 2) + n);
      expect(text.startsWith('[{"a":[{"a":')).toBe(true);
    }
  });
  it('deep values are encoded exactly as shallow ones (maps, GoMap, toJSON, omitted fields, float32, bytes)', () => {
    const mixed = () => ({
      z: 1,
      a: [true, null, 'x<y', -0, 1e21, new GoRaw('{"r":1}')],
      skip: undefined,
      m: new Map<string, unknown>([['b', 2], ['a', undefined], ['c', 3]]),
      g: goMap({ y: 1, x: { q: 1, p: 2 } }),
      t: { toJSON: () => ({ j: 1 }) },
      f: new Float32Array([0.1, 2]),
      u: Buffer.from('hi'),
      e: {},
      l: [],
    });
    for (const sortKeys of [false, true]) {
      const shallow = goMarshal(mixed(), { sortKeys });
      let deep: unknown = mixed();
      for (let i = 0; i < 300; i++) deep = [deep];
      expect(goMarshal(deep, { sortKeys })).toBe('['.repeat(300) + shallow + ']'.repeat(300));
    }
  });
  it('a value that contains itself is an error, not an endless loop', () => {
    const a: unknown[] = [];
    a.push(a);
    expect(() => goMarshal(a)).toThrow(/encountered a cycle/);
  });
  it('goEncode adds the encoder newline', () => {
    expect(goEncode({ a: 1 })).toBe('{"a":1}\n');
  });
});

describe('builders', () => {
  it('config omitempty fields appear in ConfigV2 order', () => {
    const s = encodeConfigV2({
      model_format: 'gguf',
      model_family: 'llama',
      model_families: ['llama'],
      model_type: '8.0B',
      file_type: 'Q4_K_M',
      capabilities: ['completion'],
      context_length: 0,
      embedding_length: 4096,
      renderer: 'r',
      parser: '',
    }).bytes.toString();
    expect(s).toBe(
      '{"model_format":"gguf","model_family":"llama","model_families":["llama"],"model_type":"8.0B","file_type":"Q4_K_M","renderer":"r","capabilities":["completion"],"embedding_length":4096,"architecture":"amd64","os":"linux"}\n',
    );
  });
  it('config with no families writes null, like a nil Go slice', () => {
    expect(encodeConfigV2({}).bytes.toString()).toBe(
      '{"model_format":"","model_family":"","model_families":null,"model_type":"","file_type":"","architecture":"amd64","os":"linux"}\n',
    );
  });
  it('manifest in Ollama field order with omitempty from/name', () => {
    const cfg = configLayer(encodeConfigV2({ model_format: 'gguf' }));
    const tmpl = blobOf('{{ .Prompt }}');
    const m = buildManifest(cfg, [
      { mediaType: MediaType.model, digest: sha256Digest('w'), size: 1, from: 'x.gguf' },
      { mediaType: MediaType.template, digest: tmpl.digest, size: tmpl.size, from: '', name: '' },
    ]);
    const text = encodeManifest(m).bytes.toString();
    expect(text.endsWith('}\n')).toBe(true);
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed)).toEqual(['schemaVersion', 'mediaType', 'config', 'layers']);
    expect(Object.keys(parsed.layers[0])).toEqual(['mediaType', 'digest', 'size', 'from']);
    expect(Object.keys(parsed.layers[1])).toEqual(['mediaType', 'digest', 'size']);
    expect(parsed.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(parsed.config.mediaType).toBe('application/vnd.docker.container.image.v1+json');
  });
  it('messages blob', () => {
    expect(encodeMessages([{ role: 'user', content: 'a<b' }]).bytes.toString()).toBe(
      '[{"role":"user","content":"a\\u003cb"}]\n',
    );
  });
});
