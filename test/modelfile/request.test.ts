import { describe, expect, it } from 'vitest';
import {
  type CreateRequestFields,
  type ModelfileSource,
  ModelfileError,
  completeCreateRequest,
  isValidSemver,
  modelfileToCreateRequest,
  normalizeRequires,
  parseModelfile,
} from '../../src/modelfile/index.js';

const toRequest = (text: string) => modelfileToCreateRequest(parseModelfile(text));

function requestError(text: string): ModelfileError {
  try {
    toRequest(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelfileError);
    expect((e as ModelfileError).status).toBe(400);
    return e as ModelfileError;
  }
  throw new Error('expected a ModelfileError');
}

describe('modelfileToCreateRequest (Ollama TestCreateRequest)', () => {
  const cases: Array<[string, CreateRequestFields]> = [
    ['FROM test', {}],
    ['FROM test\nTEMPLATE some template\n', { template: 'some template' }],
    [
      'FROM test\nLICENSE single license\nPARAMETER temperature 0.5\nMESSAGE user Hello\n',
      { license: ['single license'], parameters: { temperature: 0.5 }, messages: [{ role: 'user', content: 'Hello' }] },
    ],
    [
      'FROM test\nPARAMETER temperature 0.5\nPARAMETER top_k 1\nSYSTEM You are a bot.\nLICENSE license1\nLICENSE license2\nMESSAGE user Hello there!\nMESSAGE assistant Hi! How are you?\n',
      {
        license: ['license1', 'license2'],
        system: 'You are a bot.',
        parameters: { temperature: 0.5, top_k: 1 },
        messages: [
          { role: 'user', content: 'Hello there!' },
          { role: 'assistant', content: 'Hi! How are you?' },
        ],
      },
    ],
    [
      'FROM x\nPARAMETER stop a\nPARAMETER top_k 1\nPARAMETER stop b\nPARAMETER top_k 2\nPARAMETER stop "c d"',
      { parameters: { stop: ['a', 'b', 'c d'], top_k: 2 } },
    ],
    [
      'FROM x\nPARAMETER use_mmap false\nPARAMETER main_gpu 0\nPARAMETER num_gpu -1\nPARAMETER seed -1\nPARAMETER min_p 0.05',
      { parameters: { use_mmap: false, main_gpu: 0, num_gpu: -1, seed: -1, min_p: 0.05 } },
    ],
    ['FROM x\nTEMPLATE a\nTEMPLATE b\nSYSTEM c\nSYSTEM d', { template: 'b', system: 'd' }],
    ['FROM x\nSYSTEM ""\nTEMPLATE """"""', {}],
    ['FROM x\nSYSTEM a\nSYSTEM ""', {}],
    ['FROM x\nRENDERER harmony\nPARSER harmony\nREQUIRES v0.14.0', { renderer: 'harmony', parser: 'harmony', requires: '0.14.0' }],
    ['FROM x\nREQUIRES 1.2', { requires: '1.2' }],
    ['FROM x\nMESSAGE system a: b', { messages: [{ role: 'system', content: 'a: b' }] }],
  ];
  it.each(cases)('%j', (text, want) => {
    const { request, warnings } = toRequest(text);
    expect(request).toEqual(want);
    expect(warnings).toEqual([]);
  });

  it('lists FROM, ADAPTER and DRAFT references in order', () => {
    const { sources, request } = toRequest('FROM ./a.gguf\nADAPTER ~/lora\nFROM base\nDRAFT ./draft\n');
    expect(sources).toEqual([
      { kind: 'model', ref: './a.gguf' },
      { kind: 'adapter', ref: '~/lora' },
      { kind: 'model', ref: 'base' },
      { kind: 'draft', ref: './draft' },
    ]);
    expect(request.from).toBeUndefined();
    expect(request.files).toBeUndefined();
  });

  it('turns deprecated parameters into warnings and skips them', () => {
    const names = ['penalize_newline', 'low_vram', 'f16_kv', 'logits_all', 'vocab_only', 'use_mlock', 'mirostat', 'mirostat_tau', 'mirostat_eta'];
    const text = 'FROM x\n' + names.map((n) => `PARAMETER ${n} 1`).join('\n') + '\nPARAMETER top_k 3\n';
    const { request, warnings } = toRequest(text);
    expect(warnings).toEqual(names.map((n) => `warning: parameter ${n} is deprecated`));
    expect(request.parameters).toEqual({ top_k: 3 });
  });

  it('serialises parameters as Ollama does (int, float32, bool, list)', () => {
    const { request } = toRequest(
      'FROM x\nPARAMETER num_ctx 4096\nPARAMETER temperature 0.7\nPARAMETER use_mmap true\nPARAMETER stop </s>\nPARAMETER top_p 3.14159265358979',
    );
    expect(JSON.stringify(request.parameters)).toBe(
      '{"num_ctx":4096,"temperature":0.7,"use_mmap":true,"stop":["</s>"],"top_p":3.1415927}',
    );
  });

  const errors: Array<[string, string]> = [
    ['FROM x\nPARAMETER foo bar', "unknown parameter 'foo'"],
    ['FROM x\nPARAMETER numa true', "unknown parameter 'numa'"],
    ['FROM x\nPARAMETER num_gqa 8', "unknown parameter 'num_gqa'"],
    ['FROM x\nPARAMETER Temperature 1', "unknown parameter 'Temperature'"],
    ['FROM x\nPARAMETER  top_k 5', "unknown parameter ''"],
    ['FROM x\nPARAMETER model foo', "unknown parameter 'model'"],
    ['FROM x\nPARAMETER num_ctx big', 'invalid int value [big]'],
    ['FROM x\nPARAMETER num_ctx 4096.5', 'invalid int value [4096.5]'],
    ['FROM x\nPARAMETER temperature warm', 'invalid float value [warm]'],
    ['FROM x\nPARAMETER use_mmap maybe', 'invalid bool value [maybe]'],
    ['FROM x\nPARAMETER num_ctx -1', 'option "num_ctx" must be at least 0, got -1'],
    ['FROM x\nREQUIRES latest', 'requires must be a valid semver (e.g. 0.14.0)'],
    ['FROM x\nREQUIRES 01.2.3', 'requires must be a valid semver (e.g. 0.14.0)'],
  ];
  it.each(errors)('%j → %s', (text, message) => {
    expect(requestError(text).message).toBe(message);
  });
});

describe('REQUIRES semver (golang.org/x/mod/semver)', () => {
  const valid: Array<[string, string]> = [
    ['0.14.0', '0.14.0'],
    ['v0.14.0', '0.14.0'],
    ['1', '1'],
    ['v1.2', '1.2'],
    ['1.2.3-rc.1', '1.2.3-rc.1'],
    ['1.2.3-rc.1+build.5', '1.2.3-rc.1+build.5'],
    ['1.2.3+meta', '1.2.3+meta'],
    ['1.2.3-0', '1.2.3-0'],
    ['1.2.3-alpha-beta', '1.2.3-alpha-beta'],
    ['1.2.3-0a', '1.2.3-0a'],
  ];
  it.each(valid)('%s → %s', (input, want) => {
    expect(normalizeRequires(input)).toBe(want);
  });

  const invalid = ['', 'v', 'vv1.0.0', 'V1.0.0', '1.2.3.4', '01.2.3', '1.02.3', '1.2.03', '1.2-rc1', '1.2.3-', '1.2.3-01', '1.2.3-a..b', '1.2.3+', 'latest', ' 1.2.3', '1.2.3 '];
  it.each(invalid)('%j is rejected', (input) => {
    expect(() => normalizeRequires(input)).toThrow('requires must be a valid semver (e.g. 0.14.0)');
  });

  it('isValidSemver needs the v prefix', () => {
    expect(isValidSemver('v1.0.0')).toBe(true);
    expect(isValidSemver('1.0.0')).toBe(false);
  });
});

describe('completeCreateRequest (Ollama CreateRequest source rules)', () => {
  const local: Record<string, Record<string, string>> = {
    './a.gguf': { 'a.gguf': 'sha256:aa' },
    './proj.gguf': { 'proj.gguf': 'sha256:pp' },
    './lora1': { 'lora1.gguf': 'sha256:l1' },
    './lora2': { 'lora2.gguf': 'sha256:l2' },
    './d1': { 'd1.gguf': 'sha256:d1' },
    './d2': { 'd2.gguf': 'sha256:d2' },
  };
  const resolve = async (s: ModelfileSource) => local[s.ref] ?? null;

  it('puts local FROM files in files and names in from', async () => {
    const draft = toRequest('FROM ./a.gguf\nFROM ./proj.gguf\nSYSTEM hi');
    expect(await completeCreateRequest(draft, resolve)).toEqual({
      system: 'hi',
      files: { 'a.gguf': 'sha256:aa', 'proj.gguf': 'sha256:pp' },
    });
    expect(await completeCreateRequest(toRequest('FROM llama3.2'), resolve)).toEqual({ from: 'llama3.2' });
    expect(await completeCreateRequest(toRequest('FROM one\nFROM two'), resolve)).toEqual({ from: 'two' });
  });

  it('keeps the last ADAPTER and merges DRAFTs', async () => {
    const draft = toRequest('FROM base\nADAPTER ./lora1\nADAPTER ./lora2\nDRAFT ./d1\nDRAFT ./d2');
    expect(await completeCreateRequest(draft, resolve)).toEqual({
      from: 'base',
      adapters: { 'lora2.gguf': 'sha256:l2' },
      draft_files: { 'd1.gguf': 'sha256:d1', 'd2.gguf': 'sha256:d2' },
    });
  });

  it('refuses an ADAPTER or DRAFT that is not a local file', async () => {
    await expect(completeCreateRequest(toRequest('FROM base\nADAPTER ./missing'), resolve)).rejects.toThrow(
      'ADAPTER ./missing: no such file or directory',
    );
    await expect(completeCreateRequest(toRequest('FROM base\nDRAFT nope'), resolve)).rejects.toThrow(
      'DRAFT nope: no such file or directory',
    );
  });

  it('does not modify the draft', async () => {
    const draft = toRequest('FROM ./a.gguf');
    await completeCreateRequest(draft, resolve);
    expect(draft.request).toEqual({});
  });
});
