/** Ported from Ollama's model/parsers/qwen3_test.go; every case also under every split of its text. */
import { describe, expect, it } from 'vitest';
import { parserFor } from '../../../src/prompt/parsers/index.js';
import { checkCase, type ParserCase } from './helpers.js';

const weather = { index: 0, name: 'get_weather', arguments: { location: 'San Francisco', unit: 'celsius' } };
const three = [
  { function: { index: 0, name: 'first', arguments: { a: '1' } } },
  { function: { index: 1, name: 'second', arguments: { b: '2' } } },
  { function: { index: 2, name: 'third', arguments: { c: '3' } } },
];

export const QWEN3_CASES: ParserCase[] = [
  { name: 'TestQwen3ParserThinkingEnabled', parser: 'qwen3-thinking', think: true, steps: [{ input: 'Let me think...</think>Answer.', done: true, thinking: 'Let me think...', content: 'Answer.' }] },
  { name: 'TestQwen3ParserThinkingEnabledWithExplicitOpeningTag', parser: 'qwen3-thinking', think: true, steps: [{ input: '<think>\nLet me think...</think>Answer.', done: true, thinking: 'Let me think...', content: 'Answer.' }] },
  {
    name: 'TestQwen3ParserThinkingEnabledWithSplitOpeningTag',
    parser: 'qwen3-thinking',
    think: true,
    steps: [{ input: '<thi' }, { input: 'nk>Let me think...</think>Answer.', done: true, thinking: 'Let me think...', content: 'Answer.' }],
  },
  { name: 'TestQwen3ParserThinkingDisabled', parser: 'qwen3', think: false, steps: [{ input: 'Direct answer', done: true, content: 'Direct answer' }] },
  { name: 'TestQwen3ParserNilThinkDefaultsToContentForInstructParser', parser: 'qwen3', steps: [{ input: 'Direct answer', done: true, content: 'Direct answer' }] },
  {
    name: 'TestQwen3ParserToolCall',
    parser: 'qwen3',
    think: false,
    steps: [{ input: '<tool_call>{"name":"get_weather","arguments":{"location":"San Francisco","unit":"celsius"}}</tool_call>', done: true, calls: [{ function: weather }] }],
  },
  {
    name: 'TestQwen3ParserThinkingWithToolCallBeforeThinkingClose',
    parser: 'qwen3-thinking',
    think: true,
    steps: [{ input: 'Let me think<tool_call>{"name":"get_weather","arguments":{"location":"San Francisco","unit":"celsius"}}</tool_call>', done: true, thinking: 'Let me think', calls: [{ function: weather }] }],
  },
  {
    name: 'TestQwen3ParserThinkingWithSplitToolOpenTag',
    parser: 'qwen3-thinking',
    think: true,
    steps: [
      { input: 'Let me think<tool_ca', thinking: 'Let me think' },
      { input: 'll>{"name":"get_weather","arguments":{"location":"SF"}}</tool_call>', done: true, calls: [{ function: { index: 0, name: 'get_weather', arguments: { location: 'SF' } } }] },
    ],
  },
  {
    name: 'TestQwen3ParserToolCallIndexing',
    parser: 'qwen3',
    think: false,
    steps: [{ input: '<tool_call>{"name":"first","arguments":{"a":"1"}}</tool_call>\n<tool_call>{"name":"second","arguments":{"b":"2"}}</tool_call>\n<tool_call>{"name":"third","arguments":{"c":"3"}}</tool_call>', done: true }],
    want: { calls: three },
  },
  {
    name: 'TestQwen3ParserToolCallIndexingStreaming',
    parser: 'qwen3',
    think: false,
    steps: [
      { input: '<tool_call>{"name":"first","arguments":{"a":"1"}}</tool_call><tool_call>{"name":"second","arguments":{"b":"2"}' },
      { input: '}</tool_call><tool_call>{"name":"third","arguments":{"c":"3"}}</tool_call>', done: true },
    ],
    want: { calls: three },
  },
  { name: 'malformed JSON in a tool call is an error', parser: 'qwen3', steps: [{ input: '<tool_call>{"name":</tool_call>', done: true }], error: 'failed to parse JSON' },
  { name: 'a tool call without a name is an error', parser: 'qwen3', steps: [{ input: '<tool_call>{"arguments":{}}</tool_call>', done: true }], error: 'empty function name' },
];

describe('qwen3 parsers (Ollama qwen3_test.go)', () => {
  for (const c of QWEN3_CASES) it(c.name, () => checkCase(c));

  it('TestQwen3ParserToolCallIndexResetOnInit', () => {
    const p = parserFor('qwen3')!;
    p.init(null, null, false);
    p.add('<tool_call>{"name":"first","arguments":{"a":"1"}}</tool_call>', true);
    p.init(null, null, false);
    expect(p.add('<tool_call>{"name":"second","arguments":{"b":"2"}}</tool_call>', true).calls).toEqual([{ function: { index: 0, name: 'second', arguments: { b: '2' } } }]);
  });
});
