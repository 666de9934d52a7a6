/** Ported from Ollama's model/parsers/qwen35_test.go (and qwen3_test.go's qwen3.5 case); every case also under every split. */
import { describe, it } from 'vitest';
import { checkCase, tool, type ParserCase } from './helpers.js';

const weatherTools = [tool('get_weather', { location: { type: ['string'] }, days: { type: ['integer'] } })];
const locTools = [tool('get_weather', { location: { type: ['string'] } })];
const sf = [{ function: { index: 0, name: 'get_weather', arguments: { location: 'SF' } } }];
const toolCallSF = '<tool_call><function=get_weather><parameter=location>\nSF\n</parameter></function></tool_call>';

export const QWEN35_CASES: ParserCase[] = [
  { name: 'TestQwen35ParserRespectsNoThink', parser: 'qwen3.5', think: false, steps: [{ input: 'Hello! How can I help you today?', done: true, content: 'Hello! How can I help you today?' }] },
  {
    name: 'TestQwen35ParserXMLToolCall',
    parser: 'qwen3.5',
    tools: weatherTools,
    think: false,
    steps: [{ input: '<tool_call><function=get_weather><parameter=location>\nSan Francisco\n</parameter><parameter=days>\n3\n</parameter></function></tool_call>', done: true, calls: [{ function: { index: 0, name: 'get_weather', arguments: { location: 'San Francisco', days: 3 } } }] }],
  },
  { name: 'TestQwen35ParserThinkingWithExplicitOpeningTag', parser: 'qwen3.5', think: true, steps: [{ input: '<think>\nLet me think...</think>Answer.', done: true, thinking: 'Let me think...', content: 'Answer.' }] },
  { name: 'TestQwen35ParserAssistantPrefillStartsInContent', parser: 'qwen3.5', last: { role: 'assistant', content: 'Prefilled response start' }, steps: [{ input: ' and continued', done: true, content: ' and continued' }] },
  { name: 'TestQwen35ParserToolCallEmittedInThinkingIsParsed', parser: 'qwen3.5', tools: locTools, think: true, steps: [{ input: `Need weather lookup${toolCallSF}`, done: true, thinking: 'Need weather lookup', calls: sf }] },
  {
    name: 'TestQwen35ParserToolCallEmittedInThinkingIsParsedWhenToolCallTagIsSplitAcrossChunks',
    parser: 'qwen3.5',
    tools: locTools,
    think: true,
    steps: [
      { input: 'Need weather lookup<tool_c', thinking: 'Need weather lookup' },
      { input: 'all><function=get_weather><parameter=location>\nSF\n</parameter></function></tool_call>', done: true, calls: sf },
    ],
  },
  {
    name: 'TestQwen35ParserFakeoutPartialToolCallThenThinkCloseAcrossChunks',
    parser: 'qwen3.5',
    tools: locTools,
    think: true,
    steps: [{ input: 'Need weather lookup<tool_c', thinking: 'Need weather lookup' }, { input: '</thi', thinking: '<tool_c' }, { input: 'nk>', done: true }],
  },
  { name: 'TestQwen35ParserToolCallAfterThinkingCloseIsParsed', parser: 'qwen3.5', tools: locTools, think: true, steps: [{ input: `Need weather lookup</think>${toolCallSF}`, done: true, thinking: 'Need weather lookup', calls: sf }] },
  { name: 'TestQwen35ParserThinkingDisabledPassesContentThrough', parser: 'qwen3.5', think: false, steps: [{ input: 'Plain answer without think close tag.', done: true, content: 'Plain answer without think close tag.' }] },
  { name: 'TestQwen35ParserThinkingDisabledWithCloseTagTreatsAsContent', parser: 'qwen3.5', think: false, steps: [{ input: '</think>Some content after spurious tag.', done: true, content: '</think>Some content after spurious tag.' }] },
  { name: 'TestQwen35ParserLeadingThinkCloseProducesContent', parser: 'qwen3.5', think: true, steps: [{ input: '</think>The final answer.', done: true, content: 'The final answer.' }] },
  { name: 'TestQwen35ParserStreamingSplitThinkCloseTag', parser: 'qwen3.5', think: true, steps: [{ input: 'Reasoning text</thi', thinking: 'Reasoning text' }, { input: 'nk>The final answer.', done: true, content: 'The final answer.' }] },
  {
    name: 'TestQwen35ParserStreamingEatsWhitespaceAfterThinkClose',
    parser: 'qwen3.5',
    think: true,
    steps: [{ input: 'Reasoning</think>', thinking: 'Reasoning' }, { input: '\n \t' }, { input: 'The final answer.', done: true, content: 'The final answer.' }],
  },
  { name: 'TestQwen35ParserThinkingTruncatedWithoutCloseTag', parser: 'qwen3.5', think: true, steps: [{ input: 'Reasoning that never closes', done: true, thinking: 'Reasoning that never closes' }] },
  { name: 'ornith is qwen3.5', parser: 'ornith', steps: [{ input: 'Hmm</think>Hi', done: true, thinking: 'Hmm', content: 'Hi' }] },
  { name: 'a piece ending in "<" inside a tool call does not leak it into thinking', parser: 'qwen3.5', tools: locTools, think: true, steps: [{ input: 'Need weather lookup<tool_call><function=get_weather><', thinking: 'Need weather lookup' }, { input: 'parameter=location>\nSF\n</parameter></function></tool_call>', done: true, calls: sf }] },
];

describe('qwen3.5 parser (Ollama qwen35_test.go)', () => {
  for (const c of QWEN35_CASES) it(c.name, () => checkCase(c));
});
