import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ToolCall } from '../../../src/api/types.js';
import { firstObject, toolCallId, ToolCallParser, type NamedTool } from '../../../src/server/inference/toolcalls.js';
import { parseGoTemplate, toolCallPrefix } from '../../../src/template/index.js';
import { repoRoot } from '../../helpers/models.js';

const tool = (name: string): NamedTool => ({ function: { name } });
const TOOLS = [tool('get_weather'), tool('get_time')];

/** Feeds `chunks`; returns content (finish included) and the calls with counter ids. */
function run(tag: string, chunks: string[], tools = TOOLS): { content: string; calls: ToolCall[] } {
  let n = 0;
  const p = new ToolCallParser(tag, tools, () => `call_${n++}`);
  let content = '';
  const calls: ToolCall[] = [];
  for (const c of chunks) {
    const r = p.add(c);
    content += r.content;
    calls.push(...r.calls);
  }
  return { content: content + p.finish(), calls };
}

/** Every way to cut `s` into two pieces, plus one character at a time. */
function splits(s: string): string[][] {
  const out: string[][] = [[s], [...s]];
  for (let i = 0; i <= s.length; i++) out.push([s.slice(0, i), s.slice(i)]);
  return out;
}

function call(index: number, name: string, args: Record<string, unknown>): ToolCall {
  return { id: `call_${index}`, function: { index, name, arguments: args } };
}

const PARIS = { city: 'Paris' };

describe('ToolCallParser', () => {
  const cases: Array<{ name: string; tag: string; out: string; content: string; calls: ToolCall[]; tools?: NamedTool[] }> = [
    // llama3.1/3.2 style: the tag is `{` (plain JSON), `parameters` or `arguments`.
    { name: 'plain JSON with parameters (llama3.2)', tag: '{', out: '{"name": "get_weather", "parameters": {"city": "Paris"}}', content: '', calls: [call(0, 'get_weather', PARIS)] },
    { name: 'plain JSON after whitespace', tag: '{', out: '\n\n{"name":"get_weather","arguments":{"city":"Paris"}}', content: '\n\n', calls: [call(0, 'get_weather', PARIS)] },
    { name: 'arguments as a JSON string', tag: '{', out: '{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}', content: '', calls: [call(0, 'get_weather', PARIS)] },
    { name: 'object keyed by the tool name', tag: '{', out: '{"get_weather": {"city": "Paris"}}', content: '', calls: [call(0, 'get_weather', PARIS)] },
    { name: 'OpenAI-shaped nesting', tag: '{', out: '{"type":"function","function":{"name":"get_weather","arguments":{"city":"Paris"}}}', content: '', calls: [call(0, 'get_weather', PARIS)] },
    { name: 'a name without arguments calls with none', tag: '{', out: '{"name": "get_time"}', content: '', calls: [call(0, 'get_time', {})] },
    { name: 'braces and quotes inside strings', tag: '{', out: '{"name":"get_weather","arguments":{"q":"a}b{ \\"c\\""}}', content: '', calls: [call(0, 'get_weather', { q: 'a}b{ "c"' })] },
    { name: 'argument key order is kept', tag: '{', out: '{"name":"get_weather","arguments":{"z":1,"a":{"y":2,"b":3},"m":[1]}}', content: '', calls: [call(0, 'get_weather', { z: 1, a: { y: 2, b: 3 }, m: [1] })] },
    { name: 'text first: never a call with tag {', tag: '{', out: 'Sure! {"name":"get_weather","arguments":{}}', content: 'Sure! {"name":"get_weather","arguments":{}}', calls: [] },
    { name: 'an array is not a call with tag {', tag: '{', out: '[{"name":"get_weather","arguments":{}}]', content: '[{"name":"get_weather","arguments":{}}]', calls: [] },
    { name: 'JSON without a tool is content', tag: '{', out: '{"answer": 42, "note": "}"} and more', content: '{"answer": 42, "note": "}"} and more', calls: [] },
    { name: 'plain text is content', tag: '{', out: 'Once upon a time', content: 'Once upon a time', calls: [] },
    { name: 'an unfinished call at the end is content', tag: '{', out: '{"name": "get_weather", "arguments": {"ci', content: '{"name": "get_weather", "arguments": {"ci', calls: [] },
    { name: 'the longest name wins (get vs get_weather)', tag: '{', tools: [tool('get'), tool('get_weather')], out: '{"name":"get_weather","arguments":{"city":"Paris"}}', content: '', calls: [call(0, 'get_weather', PARIS)] },
    { name: 'a short name that prefixes another', tag: '{', tools: [tool('get'), tool('get_weather')], out: '{"name":"get","arguments":{}}', content: '', calls: [call(0, 'get', {})] },
    { name: 'tag [ with two calls', tag: '[', out: '[{"name":"get_weather","arguments":{"city":"Paris"}}, {"name":"get_time","arguments":{}}]', content: '', calls: [call(0, 'get_weather', PARIS), call(1, 'get_time', {})] },
    { name: 'tag [ with a plain list', tag: '[', out: '[1, 2] done', content: '[1, 2] done', calls: [] },
    // qwen2.5 / qwen3 / hermes
    { name: 'qwen <tool_call> after content', tag: '<tool_call>', out: 'Let me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>', content: 'Let me check.\n', calls: [call(0, 'get_weather', PARIS)] },
    { name: 'qwen two <tool_call> blocks', tag: '<tool_call>', out: '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\n<tool_call>\n{"name": "get_time", "arguments": {}}\n</tool_call>', content: '', calls: [call(0, 'get_weather', PARIS), call(1, 'get_time', {})] },
    { name: 'qwen tag without a known tool is content', tag: '<tool_call>', out: 'A <tool_call>{"name":"nope","arguments":{}}</tool_call>', content: 'A <tool_call>{"name":"nope","arguments":{}}</tool_call>', calls: [] },
    { name: 'something like the tag is content', tag: '<tool_call>', out: 'a <tool_cal b', content: 'a <tool_cal b', calls: [] },
    // mistral
    { name: 'mistral [TOOL_CALLS]', tag: '[TOOL_CALLS] [', out: '[TOOL_CALLS] [{"name": "get_weather", "arguments": {"city": "Paris"}}, {"name": "get_time", "arguments": {}}]', content: '', calls: [call(0, 'get_weather', PARIS), call(1, 'get_time', {})] },
    // firefunction, nemotron, llama3.1 python tag
    { name: 'firefunction functools[', tag: 'functools[', out: ' functools[{"name": "get_time", "arguments": {"tz": "UTC"}}]', content: ' ', calls: [call(0, 'get_time', { tz: 'UTC' })] },
    { name: 'nemotron <toolcall>', tag: '<toolcall>', out: '<toolcall> {"name": "get_weather", "arguments": {"city": "Paris"}} </toolcall>', content: '', calls: [call(0, 'get_weather', PARIS)] },
    { name: 'llama3.1 <|python_tag|>', tag: '<|python_tag|>', out: '<|python_tag|>{"name": "get_weather", "parameters": {"city": "Paris"}}', content: '', calls: [call(0, 'get_weather', PARIS)] },
  ];

  for (const c of cases) {
    it(`${c.name}, split at every position`, () => {
      for (const chunks of splits(c.out)) {
        expect(run(c.tag, chunks, c.tools), JSON.stringify(chunks)).toEqual({ content: c.content, calls: c.calls });
      }
    });
  }

  it('keeps argument key order (Object.keys)', () => {
    const { calls } = run('{', ['{"name":"get_weather","arguments":{"zeta":1,"alpha":2,"mid":3}}']);
    expect(Object.keys(calls[0]!.function.arguments)).toEqual(['zeta', 'alpha', 'mid']);
  });

  it('reports a call on the piece that completes it and holds the rest back', () => {
    const p = new ToolCallParser('<tool_call>', TOOLS, () => 'call_x');
    expect(p.add('Hi <tool')).toEqual({ calls: [], content: 'Hi ' });
    expect(p.add('_call>{"name": "get_weather", ')).toEqual({ calls: [], content: '' });
    expect(p.add('"arguments": {"city": "Paris"}}')).toEqual({ calls: [call(0, 'get_weather', PARIS)].map((c) => ({ ...c, id: 'call_x' })), content: '' });
    expect(p.add('</tool_call>')).toEqual({ calls: [], content: '' });
    expect(p.count).toBe(1);
    expect(p.finish()).toBe('');
  });

  it('passes everything through once the output is plain text (tag {)', () => {
    const p = new ToolCallParser('{', TOOLS);
    expect(p.add('  ')).toEqual({ calls: [], content: '  ' });
    expect(p.add('Hello')).toEqual({ calls: [], content: 'Hello' });
    expect(p.add(' {"name":"get_time"}')).toEqual({ calls: [], content: ' {"name":"get_time"}' });
  });

  it('gives calls Ollama-style ids by default', () => {
    const p = new ToolCallParser('{', TOOLS);
    const { calls } = p.add('{"name":"get_time","arguments":{}}');
    expect(calls[0]!.id).toMatch(/^call_[a-z0-9]{8}$/);
    expect(toolCallId()).toMatch(/^call_[a-z0-9]{8}$/);
  });

  it('ignores tools without a name and rejects an empty tag', () => {
    const p = new ToolCallParser('{', [{}, { function: null }, { function: { name: 42 } }, tool('get_time')]);
    expect(p.add('{"name":"get_time"}').calls).toHaveLength(1);
    expect(() => new ToolCallParser('', TOOLS)).toThrow(/must not be empty/);
  });
});

describe('firstObject', () => {
  it.each([
    ['{"a":1}', { value: { a: 1 }, end: 7 }],
    ['x {"a":"}"} y', { value: { a: '}' }, end: 11 }],
    ['{bad} {"b":2}', { value: { b: 2 }, end: 13 }],
    ['} {"c":[{"d":1}]}', { value: { c: [{ d: 1 }] }, end: 17 }],
    ['{"a":', undefined],
    ['no json', undefined],
    ['', undefined],
  ] as const)('firstObject(%j)', (s, want) => {
    expect(firstObject(s)).toEqual(want);
  });
});

const corpusPath = path.resolve(repoRoot, '../shared/reference/template-corpus.json');
const corpus: Array<{ name: string; template: string }> = existsSync(corpusPath) ? JSON.parse(readFileSync(corpusPath, 'utf8')) : [];
if (corpus.length === 0) console.warn(`template corpus not found at ${corpusPath}: skipping the template tag checks`);

describe.skipIf(corpus.length === 0)('tool call tags of real templates', () => {
  it.each([
    ['tools-testdata/llama3.2', '{'],
    ['tools-testdata/qwen2.5', '<tool_call>'],
    ['tools-testdata/qwen3', '<tool_call>'],
    ['tools-testdata/mistral', '[TOOL_CALLS] ['],
    ['tools-testdata/firefunction', 'functools['],
    ['tools-testdata/nemotron', '<toolcall>'],
    ['tools-testdata/command-r-plus', 'Action: ```json\n['],
  ])('%s → %j', (name, tag) => {
    const entry = corpus.find((e) => e.name === name)!;
    expect(toolCallPrefix(parseGoTemplate(entry.template).root)).toBe(tag);
  });
});
