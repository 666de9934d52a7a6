import { describe, expect, it } from 'vitest';
import {
  InvalidNameError,
  displayShortest,
  fullName,
  manifestRelPath,
  nameFromRelPath,
  nameKey,
  namesEqual,
  parseModelName,
  parseNameBare,
  registryBaseURL,
  tryParseModelName,
  type ModelName,
} from '../../src/registry/name.js';

const part80 = 'a'.repeat(80);
const part81 = 'a'.repeat(81);
const host350 = 'h'.repeat(350);
const host351 = 'h'.repeat(351);

/** name → valid? (Ollama's name_test.go validity table, plus our path-safety cases) */
const validity: Array<[string, boolean]> = [
  // from the reference / Ollama's table
  ['h/n/m:t', true],
  ['_why/_the/_lucky:_stiff', true],
  ['host:https/namespace/model:tag', true],
  ['hh/-nn/mm:tt', false],
  ['host/name:space/model:tag', false],
  ['mm:', false],
  ['//', false],
  ['', false],
  ['m', true],
  ['n/m:', false],
  ['h/n/m', true],
  ['@t', false],
  ['m@d', false],
  ['h/n/m:t@d', false],
  ['hh/nn/mm:tt', true],
  ['www.ollama.ai/mistral/mistral:latest', true],
  ['www.ollama.ai/mistral:latest', false], // '.' is not allowed in a namespace
  ['mistral:7b-instruct', true],
  ['llama3.2', true],
  ['qwen2:0.5b', true],
  ['alice/m:v1', true],
  ['localhost:5000/ns/m:t', true],
  ['http://localhost:5000/ns/m:t', true],
  ['https://example.com/ns/m:t', true],
  ['ftp://example.com/ns/m:t', false],
  ['hh/nn/-mm:tt', false],
  ['hh/nn/mm:-tt', false],
  ['-h/nn/mm:tt', false],
  ['h-h/n-n/m-m:t-t', true],
  ['h.h/nn/m.m:t.t', true],
  ['hh/n.n/mm:tt', false],
  ['hh/nn/mo:del:tag', false],
  ['x', true],
  ['/x', false],
  ['x/', false],
  [':', false],
  [':t', false],
  ['m:t:', false],
  ['///', false],
  ['h//m', false],
  ['_', true],
  ['9', true],
  ['UPPER/Case:Tag', true],
  ['mm:tt.t', true],
  ['mm:_', true],
  // lengths
  [part80, true],
  [part81, false],
  [`n/${part80}:t`, true],
  [`${part80}/m`, true],
  [`${part81}/m`, false],
  [`m:${part80}`, true],
  [`m:${part81}`, false],
  [`${host350}/n/m:t`, true],
  [`${host351}/n/m:t`, false],
  // path safety
  ['../x', false],
  ['..', false],
  ['.x', false],
  ['a/../../b', false],
  ['../../etc/passwd', false],
  ['/etc/passwd', false],
  ['h/n/..:t', false],
  ['h/n/m:..', false],
  ['a\\b', false],
  ['m\u0000', false],
  ['m:t\u0000', false],
  ['%2e%2e/m', false],
  ['a/b/c/d', false],
  ['a/b/c/d:e', false],
  ['m t', false],
  ['mödel', false],
  ['m\n', false],
  ['m:t/x', false],
  ['ns/m:t', true],
];

describe('name validity table', () => {
  it('has at least 60 cases', () => {
    expect(validity.length).toBeGreaterThanOrEqual(60);
  });
  it.each(validity)('%j → valid=%s', (input, valid) => {
    expect(tryParseModelName(input) !== null).toBe(valid);
    if (!valid) {
      expect(() => parseModelName(input)).toThrow(InvalidNameError);
    }
  });
});

describe('parseModelName parts and defaults', () => {
  const cases: Array<[string, ModelName]> = [
    ['m', { scheme: 'https', host: 'registry.ollama.ai', namespace: 'library', model: 'm', tag: 'latest' }],
    ['m:t', { scheme: 'https', host: 'registry.ollama.ai', namespace: 'library', model: 'm', tag: 't' }],
    ['n/m', { scheme: 'https', host: 'registry.ollama.ai', namespace: 'n', model: 'm', tag: 'latest' }],
    ['h/n/m:t', { scheme: 'https', host: 'h', namespace: 'n', model: 'm', tag: 't' }],
    ['localhost:5000/ns/m:t', { scheme: 'https', host: 'localhost:5000', namespace: 'ns', model: 'm', tag: 't' }],
    ['http://localhost:5000/ns/m', { scheme: 'http', host: 'localhost:5000', namespace: 'ns', model: 'm', tag: 'latest' }],
    ['host:https/namespace/model:tag', { scheme: 'https', host: 'host:https', namespace: 'namespace', model: 'model', tag: 'tag' }],
    ['qwen2:0.5b', { scheme: 'https', host: 'registry.ollama.ai', namespace: 'library', model: 'qwen2', tag: '0.5b' }],
  ];
  it.each(cases)('%s', (input, want) => {
    expect(parseModelName(input)).toEqual(want);
  });

  it('keeps explicit empty parts as missing in the bare parse', () => {
    expect(parseNameBare('n/m:').tag).toBe('!MISSING!');
    expect(parseNameBare('/m').namespace).toBe('!MISSING!');
    expect(parseNameBare('m').host).toBe('');
  });
});

describe('error messages name the rule', () => {
  const msgs: Array<[string, RegExp]> = [
    ['', /name is empty/],
    ['n/m:', /tag is empty/],
    ['/m', /namespace is empty/],
    ['m@sha256:abc', /digests/],
    ['hh/-nn/mm:tt', /namespace "-nn" must start with/],
    ['hh/n.n/mm:tt', /namespace "n.n" contains "\."/],
    [part81, /model "a+…" is longer than 80 characters/],
    ['a/b/c/d', /too many '\/'-separated parts/],
    ['m\u0000', /contains "\\u0000"/],
    ['ftp://h/n/m', /scheme "ftp" is not supported/],
  ];
  it.each(msgs)('%j', (input, re) => {
    try {
      parseModelName(input);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidNameError);
      const err = e as InvalidNameError;
      expect(err.status).toBe(400);
      expect(err.ollamaMessage).toBe('invalid model name');
      expect(err.message).toMatch(/^invalid model name: /);
      expect(err.message).toMatch(re);
    }
  });
  it('caps huge inputs in messages', () => {
    const err = (() => {
      try {
        parseModelName('x'.repeat(1_000_000));
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err!.message.length).toBeLessThan(200);
  });
});

describe('display forms', () => {
  const cases: Array<[string, string, string]> = [
    ['qwen2:0.5b', 'qwen2:0.5b', 'registry.ollama.ai/library/qwen2:0.5b'],
    ['qwen2', 'qwen2:latest', 'registry.ollama.ai/library/qwen2:latest'],
    ['alice/m:v1', 'alice/m:v1', 'registry.ollama.ai/alice/m:v1'],
    ['localhost:5000/ns/m:t', 'localhost:5000/ns/m:t', 'localhost:5000/ns/m:t'],
    ['Registry.Ollama.AI/Library/M:T', 'M:T', 'Registry.Ollama.AI/Library/M:T'],
    ['registry.ollama.ai/Alice/m', 'Alice/m:latest', 'registry.ollama.ai/Alice/m:latest'],
    ['example.com/library/m', 'example.com/library/m:latest', 'example.com/library/m:latest'],
  ];
  it.each(cases)('%s → %s / %s', (input, shortest, full) => {
    const n = parseModelName(input);
    expect(displayShortest(n)).toBe(shortest);
    expect(fullName(n)).toBe(full);
  });
});

describe('equality and keys', () => {
  it('compares case-insensitively, ignoring the scheme', () => {
    expect(namesEqual(parseModelName('Llama3:Latest'), parseModelName('llama3'))).toBe(true);
    expect(namesEqual(parseModelName('http://h/n/m:t'), parseModelName('H/N/M:T'))).toBe(true);
    expect(namesEqual(parseModelName('m:a'), parseModelName('m:b'))).toBe(false);
    expect(nameKey(parseModelName('Llama3'))).toBe(nameKey(parseModelName('llama3:latest')));
  });
});

describe('paths', () => {
  it('maps a name to four path parts', () => {
    expect(manifestRelPath(parseModelName('alice/m:v1'))).toEqual([
      'registry.ollama.ai',
      'alice',
      'm',
      'v1',
    ]);
  });
  it('refuses hand-built names with traversal', () => {
    const bad: ModelName = { scheme: 'https', host: 'h', namespace: '..', model: 'm', tag: 't' };
    expect(() => manifestRelPath(bad)).toThrow(InvalidNameError);
    expect(() => manifestRelPath({ ...bad, namespace: 'n', tag: '../../x' })).toThrow(InvalidNameError);
    expect(() => manifestRelPath({ ...bad, namespace: 'n', host: '/etc' })).toThrow(InvalidNameError);
  });
  const fromPath: Array<[string[], string | null]> = [
    [['registry.ollama.ai', 'library', 'm', 'latest'], 'registry.ollama.ai/library/m:latest'],
    [['h', 'n', 'M', 'T'], 'h/n/M:T'],
    [['h', 'n', 'm', '.hidden'], null],
    [['h', 'n', 'm'], null],
    [['h', 'n', 'm', 't', 'x'], null],
    [['h', 'n.n', 'm', 't'], null],
    [['h', 'n', 'm', ''], null],
  ];
  it.each(fromPath)('%j → %s', (parts, want) => {
    const n = nameFromRelPath(parts);
    expect(n ? fullName(n) : null).toBe(want);
  });
  it('gives the registry base URL', () => {
    expect(registryBaseURL(parseModelName('m'))).toBe('https://registry.ollama.ai');
    expect(registryBaseURL(parseModelName('http://localhost:5000/n/m'))).toBe('http://localhost:5000');
  });
});
