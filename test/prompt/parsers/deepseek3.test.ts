import { describe, expect, it } from 'vitest';
import type { ToolCall } from '../../../src/api/types.js';
import { DeepSeek3Parser, parseDeepSeekToolCall } from '../../../src/prompt/parsers/deepseek3.js';
import { checkCase } from './helpers.js';
import * as T from './deepseek3.cases.js';

interface Row {
  name: string;
  input?: string;
  chunks?: string[];
  expectedContent?: string;
  expectedThinking?: string;
  expectedCalls?: ToolCall[];
  hasThinking: boolean;
}

function run(row: Row): void {
  const tt = { ...row, ...OVERRIDES[row.name] };
  const chunks = tt.chunks ?? [tt.input!];
  checkCase({
    name: tt.name,
    parser: () => new DeepSeek3Parser(tt.hasThinking),
    tools: [],
    think: tt.hasThinking,
    steps: chunks.map((input, i) => ({ input, done: i === chunks.length - 1 })),
    want: { content: tt.expectedContent ?? '', thinking: tt.expectedThinking ?? '', calls: tt.expectedCalls ?? [] },
  });
}

/**
 * Where Ollama's own table depends on how the text was chunked, the split-independent answer
 * (what Ollama gives for the text in one piece) is expected instead.
 */
const OVERRIDES: Record<string, Partial<Row>> = {
  // Ollama: "Content before  after" for these chunks, "Content beforeafter" for the whole text.
  streaming_with_split_tags: { expectedContent: 'Content beforeafter' },
  // Ollama: "First." for the whole text (the second block's call is taken while still in the
  // first block, swallowing "Second."), "First.Second." piece by piece; its test ignores the calls.
  consecutive_tool_calls: {
    expectedContent: 'First.Second.',
    expectedCalls: [
      { function: { index: 0, name: 'tool1', arguments: {} } },
      { function: { index: 1, name: 'tool2', arguments: {} } },
    ],
  },
};

describe('deepseek3 parser (Ollama deepseek3_test.go), every case also under every split', () => {
  describe('TestDeepSeekParser', () => {
    for (const tt of T.parse as Row[]) it(tt.name, () => run(tt));
  });
  describe('TestDeepSeekParser_Streaming', () => {
    for (const tt of T.streaming as Row[]) it(tt.name, () => run(tt));
  });
  describe('TestDeepSeekParser_EdgeCases', () => {
    for (const tt of T.edgeCases as Row[]) it(tt.name, () => run(tt));
  });

  describe('TestDeepSeek3Parser_parseToolCallContent', () => {
    for (const tt of T.toolCallContent as { name: string; content: string; expected?: ToolCall; expectError?: boolean }[]) {
      it(tt.name, () => {
        const got = parseDeepSeekToolCall(tt.content);
        if (tt.expectError) return expect(got).toBeNull();
        expect(got).toEqual({ function: { index: 0, name: tt.expected!.function.name, arguments: tt.expected!.function.arguments ?? {} } });
      });
    }
  });

  it('TestDeepSeekParser_HasThinkingSupport / HasToolSupport / Init', () => {
    expect(new DeepSeek3Parser(true).hasThinkingSupport()).toBe(true);
    expect(new DeepSeek3Parser(false).hasThinkingSupport()).toBe(false);
    expect(new DeepSeek3Parser().hasToolSupport()).toBe(true);
    const tools = [{ type: 'function', function: { name: 'test_tool', parameters: { type: 'object', properties: {} } } }];
    const p = new DeepSeek3Parser(true);
    expect(p.init(tools, null, true)).toBe(tools);
    expect(p.add('starts in thinking', false)).toEqual({ content: '', thinking: 'starts in thinking', calls: [] });
  });

  it('an assistant prefill with content starts in content', () => {
    checkCase({ name: 'prefill', parser: 'deepseek3', think: true, last: { role: 'assistant', content: 'Hi' }, steps: [{ input: ' there</think>x', done: true }], want: { content: ' there</think>x' } });
  });
});
