import { describe, expect, it } from 'vitest';
import { boundedLevenshtein, detectTemplate, MAX_TEMPLATE_DISTANCE } from '../../src/modelfile/autodetect.js';
import { KNOWN_TEMPLATES, knownTemplate } from '../../src/modelfile/templates/known.js';
import { parseGoTemplate } from '../../src/template/index.js';

const r = (s: string): number[] => [...s].map((c) => c.codePointAt(0)!);

describe('boundedLevenshtein', () => {
  const cases: Array<[string, string, number]> = [
    ['', '', 0],
    ['abc', '', 3],
    ['', 'abcd', 4],
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
    ['same', 'same', 0],
    ['😀a', '😀b', 1], // runes, not UTF-16 units
    ['abc', 'abd', 1],
  ];
  it.each(cases)('%j vs %j = %i', (a, b, d) => {
    expect(boundedLevenshtein(r(a), r(b), 100)).toBe(d);
    expect(boundedLevenshtein(r(b), r(a), 100)).toBe(d);
  });
  it('stops at the limit', () => {
    expect(boundedLevenshtein(r('a'.repeat(300)), r('b'.repeat(300)), 100)).toBe(100);
    expect(boundedLevenshtein(r('a'.repeat(10)), r('a'.repeat(200)), 100)).toBe(100);
    expect(boundedLevenshtein(r('abcdef'), r('ghijkl'), 3)).toBe(3);
  });
});

describe('known templates', () => {
  it('covers the families the reference lists', () => {
    for (const n of ['llama3-instruct', 'llama2-chat', 'mistral-instruct', 'chatml', 'gemma-instruct', 'gemma3-instruct', 'phi-3', 'zephyr', 'vicuna', 'alpaca', 'command-r', 'openchat', 'falcon-instruct', 'granite-instruct', 'solar-instruct', 'starcoder2-instruct', 'magicoder', 'codellama-70b-instruct', 'chatqa', 'alfred']) {
      expect(knownTemplate(n), n).toBeDefined();
    }
  });
  it.each(KNOWN_TEMPLATES.map((t) => [t.name, t] as const))('%s: Go template parses, each Jinja template detects it', (_n, t) => {
    expect(() => parseGoTemplate(t.template)).not.toThrow();
    for (const j of t.jinja) {
      const d = detectTemplate(j);
      expect(d?.name).toBe(t.name);
      expect(d?.distance).toBe(0);
      expect(d?.template).toBe(t.template);
      expect(d?.stop).toEqual(t.stop);
    }
  });
});

describe('detectTemplate', () => {
  it('matches near variants (whitespace, a changed default)', () => {
    const llama3 = knownTemplate('llama3-instruct')!.jinja[0]!;
    expect(detectTemplate(llama3.replace(/ \| trim/, ''))?.name).toBe('llama3-instruct');
    const qwen = knownTemplate('chatml')!.jinja[1]!;
    expect(detectTemplate(qwen.replace('You are a helpful assistant.', 'You are Qwen, created by Alibaba Cloud.'))?.name).toBe('chatml');
  });
  it('returns null for unknown or empty templates', () => {
    expect(detectTemplate(undefined)).toBeNull();
    expect(detectTemplate('')).toBeNull();
    expect(detectTemplate('{{ messages | tojson }}')).toBeNull();
    expect(detectTemplate('x'.repeat(5000))).toBeNull();
    expect(detectTemplate('y'.repeat(200_000))).toBeNull();
  });
  it('accepts only distances below the threshold', () => {
    expect(MAX_TEMPLATE_DISTANCE).toBe(100);
    const base = knownTemplate('openchat')!.jinja[0]!;
    const d = detectTemplate(base + 'z'.repeat(99));
    expect(d?.name).toBe('openchat');
    expect(d?.distance).toBe(99);
    expect(detectTemplate(base + '\u0001'.repeat(100))).toBeNull();
  });
  it('phi-3 stop list hashes to Ollama\'s vector', async () => {
    const { encodeParams } = await import('../../src/registry/gojson.js');
    const stop = detectTemplate(knownTemplate('phi-3')!.jinja[0]!)!.stop!;
    expect(encodeParams({ stop }).digest.slice(0, 15)).toBe('sha256:0d79f567');
  });
});
