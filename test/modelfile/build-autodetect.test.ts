import crypto from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { boundedLevenshtein, detectTemplate, MAX_COMPARE_RUNES, MAX_TEMPLATE_DISTANCE } from '../../src/modelfile/autodetect.js';
import { KNOWN_TEMPLATES, TEMPLATE_INDEX, knownTemplate } from '../../src/modelfile/templates/known.js';
import { encodeParams } from '../../src/registry/gojson.js';
import { executeOllamaTemplate, parseOllamaTemplate } from '../../src/template/index.js';

// Ported from Ollama's template/ folder by scripts/port-templates.ts.
const testdata = (f: string): string => fs.readFileSync(new URL(`./testdata/${f}`, import.meta.url), 'utf8');
const JSONL = testdata('templates.jsonl').split('\n').filter((l) => l.trim() !== '').map((l) => Object.entries(JSON.parse(l) as Record<string, string>)[0]!);
const FILES = JSON.parse(testdata('template-files.json')) as Record<string, { gotmpl: string; json?: string; params?: string }>;
const OUTPUTS = JSON.parse(testdata('template-outputs.json')) as Record<string, Record<string, string>>;

const r = (s: string): number[] => [...s].map((c) => c.codePointAt(0)!);
/**
 * Reference: Ollama's distance (github.com/agnivade/levenshtein v1.1.1, ComputeDistance) step by
 * step: one row over the shorter string, 16-bit cells.
 */
function goLevenshtein(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  const [s1, s2] = a.length > b.length ? [b, a] : [a, b];
  const n = s1.length;
  const x = new Uint16Array(n + 1);
  for (let j = 1; j <= n; j++) x[j] = j;
  for (let i = 1; i <= s2.length; i++) {
    let prev = i & 0xffff;
    for (let j = 1; j <= n; j++) {
      let current = x[j - 1]!;
      if (s2[i - 1] !== s1[j - 1]) current = Math.min((x[j - 1]! + 1) & 0xffff, (prev + 1) & 0xffff, (x[j]! + 1) & 0xffff);
      x[j - 1] = prev;
      prev = current;
    }
    x[n] = prev;
  }
  return x[n]!;
}

const sha = (s: string): string => 'sha256:' + crypto.createHash('sha256').update(s).digest('hex');

describe('Levenshtein', () => {
  const cases: Array<[string, string, number]> = [
    ['', '', 0],
    ['abc', '', 3],
    ['', 'abcd', 4],
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
    ['same', 'same', 0],
    ['😀a', '😀b', 1], // runes, not UTF-16 units
    ['abc', 'abd', 1],
    ['resumé and café', 'resumés and cafés', 2],
  ];
  it.each(cases)('%j vs %j = %i', (a, b, d) => {
    expect(boundedLevenshtein(r(a), r(b), 100)).toBe(d);
    expect(boundedLevenshtein(r(b), r(a), 100)).toBe(d);
    expect(goLevenshtein(r(a), r(b))).toBe(d);
    expect(goLevenshtein(r(b), r(a))).toBe(d);
  });
  it('the banded distance stops at the limit', () => {
    expect(boundedLevenshtein(r('a'.repeat(300)), r('b'.repeat(300)), 100)).toBe(100);
    expect(boundedLevenshtein(r('a'.repeat(10)), r('a'.repeat(200)), 100)).toBe(100);
    expect(boundedLevenshtein(r('abcdef'), r('ghijkl'), 3)).toBe(3);
  });
  it('the banded distance equals the full one below the limit', () => {
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let k = 0; k < 300; k++) {
      const a = Array.from({ length: rnd(60) }, () => 97 + rnd(3));
      const b = Array.from({ length: rnd(60) }, () => 97 + rnd(3));
      const full = goLevenshtein(a, b);
      expect(boundedLevenshtein(a, b, 20)).toBe(Math.min(full, 20));
    }
  });
  it('Ollama\'s counts wrap past 65535 runes (why longer templates are not compared)', () => {
    // Same values from a separate Python emulation of the Go code.
    expect(goLevenshtein(r('xyz'), r('ab'.repeat(32769)))).toBe(2);
    expect(goLevenshtein(r('abc'), r('abc' + 'z'.repeat(65536)))).toBe(3);
    expect(goLevenshtein(r('<|im_start|>'), r('q'.repeat(65530) + '<|im_start|>' + 'z'.repeat(10)))).toBe(15);
  });
});

describe('Ollama\'s named templates', () => {
  it('index.json order and names are Ollama\'s', () => {
    expect(TEMPLATE_INDEX.length).toBe(37);
    expect(TEMPLATE_INDEX[0]!.name).toBe('chatml');
    expect(TEMPLATE_INDEX.at(-1)!.name).toBe('command-r');
  });
  it('every <name>.gotmpl is ours byte for byte, with the stop list of <name>.json', () => {
    expect(KNOWN_TEMPLATES.map((t) => t.name).sort()).toEqual(Object.keys(FILES).sort());
    for (const t of KNOWN_TEMPLATES) {
      const f = FILES[t.name]!;
      expect(sha(t.template), t.name).toBe(f.gotmpl);
      // The params blob create writes: Ollama re-encodes just {"stop": […]} with json.Encoder.
      expect(encodeParams({ stop: t.stop }).digest, t.name).toBe(f.params);
    }
    expect(knownTemplate('mistral-instruct')!.stop).toEqual(['<|im_start|>', '<|im_end|>']);
    expect(knownTemplate('gemma3-instruct')!.stop).toEqual(['<end_of_turn>']); // temperature is not carried
  });

  // TestNamed: each Jinja template of testdata/templates.jsonl selects the named template.
  it.each(JSONL.map(([name, jinja], i) => [i, name, jinja] as const))('templates.jsonl #%i selects %s', (_i, name, jinja) => {
    const d = detectTemplate(jinja);
    expect(d?.name).toBe(name);
    expect(d!.template).toBe(knownTemplate(name)!.template);
    expect(parseOllamaTemplate(d!.template).vars.length).toBeGreaterThan(0);
  });

  // TestTemplate: each *.gotmpl renders testdata/<name>.gotmpl/<case>.
  const conversations: Record<string, Array<{ role: string; content: string }>> = {};
  for (const mm of [
    [{ role: 'user', content: 'Hello, how are you?' }],
    [
      { role: 'user', content: 'Hello, how are you?' },
      { role: 'assistant', content: "I'm doing great. How can I help you today?" },
      { role: 'user', content: "I'd like to show off how chat templating works!" },
    ],
    [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'Hello, how are you?' },
      { role: 'assistant', content: "I'm doing great. How can I help you today?" },
      { role: 'user', content: "I'd like to show off how chat templating works!" },
    ],
  ]) conversations[mm.map((m) => m.role).join('-')] = mm;
  const TRIM_SPACE = ['chatqa', 'llama2-chat', 'mistral-instruct', 'openchat', 'vicuna'];
  const renders = Object.entries(OUTPUTS).flatMap(([name, cs]) => Object.entries(cs).map(([c, want]) => [name, c, want] as const));
  it('every template has its three rendered conversations', () => {
    expect(renders.length).toBe(KNOWN_TEMPLATES.length * 3);
  });
  it.each(renders)('%s renders %s', (name, c, want) => {
    let got = executeOllamaTemplate(parseOllamaTemplate(knownTemplate(name)!.template), { messages: conversations[c]! });
    if (TRIM_SPACE.includes(name) && got.endsWith(' ')) got = got.slice(0, -1);
    expect(got).toBe(want);
  });
});

describe('detectTemplate', () => {
  it('matches near variants (whitespace, a changed default)', () => {
    const llama3 = knownTemplate('llama3-instruct')!.jinja[0]!;
    expect(detectTemplate(llama3.replace(/ \| trim/, ''))?.name).toBe('llama3-instruct');
    const qwen = TEMPLATE_INDEX.find((e) => e.name === 'chatml' && e.template.includes('You are a helpful assistant'))!.template;
    expect(detectTemplate(qwen.replace('You are a helpful assistant.', 'You are Qwen, created by Alibaba Cloud.'))?.name).toBe('chatml');
  });
  it('returns null for unknown or empty templates', () => {
    expect(detectTemplate(undefined)).toBeNull();
    expect(detectTemplate('')).toBeNull();
    expect(detectTemplate('x'.repeat(5000))).toBeNull();
    expect(detectTemplate('y'.repeat(200_000))).toBeNull();
  });
  it('accepts only distances below the threshold', () => {
    expect(MAX_TEMPLATE_DISTANCE).toBe(100);
    const base = knownTemplate('openchat')!.jinja[0]!;
    const d = detectTemplate(base + '\u0001'.repeat(99));
    expect(d?.name).toBe('openchat');
    expect(d?.distance).toBe(99);
    expect(detectTemplate(base + '\u0001'.repeat(100))).toBeNull();
  });
  it('the first index row wins a tie', () => {
    // Equidistant from two rows: Ollama keeps the earlier one (its loop replaces only on "<").
    const [a, b] = [TEMPLATE_INDEX[0]!, TEMPLATE_INDEX[1]!];
    expect(a.name).toBe('chatml');
    for (const e of [a, b]) expect(detectTemplate(e.template)).toMatchObject({ name: e.name, distance: 0 });
    const ties = TEMPLATE_INDEX.map((e, i) => [e, i] as const).filter(([e]) => TEMPLATE_INDEX.findIndex((x) => x.template === e.template) !== TEMPLATE_INDEX.indexOf(e));
    expect(ties).toEqual([]);
  });
  it('a template of 65536 runes or more is not compared', () => {
    expect(MAX_COMPARE_RUNES).toBe(65536);
    const zephyr = TEMPLATE_INDEX.find((e) => e.name === 'zephyr')!.template;
    const pad = (n: number): string => zephyr + ' '.repeat(n - r(zephyr).length);
    expect(detectTemplate(pad(65535))).toBeNull(); // far from everything anyway
    expect(detectTemplate(pad(65536))).toBeNull();
    expect(detectTemplate('😀'.repeat(40000))).toBeNull(); // 40000 runes, 80000 UTF-16 units: compared
  });
});
