import { describe, expect, it } from 'vitest';
import type { Tool, ToolCall } from '../../../src/api/types.js';
import { parserFor } from '../../../src/prompt/parsers/index.js';
import { parseLfm2ToolCalls } from '../../../src/prompt/parsers/lfm2calls.js';
import { checkCase, checkGoRow, type GoRow } from './helpers.js';
import * as T from './lfm2.cases.js';

interface Row extends GoRow {
  hasThinking?: boolean;
}

const fn = (name: string): Tool => ({ type: 'function', function: { name, parameters: { type: 'object', properties: {} } } });

/** As Ollama's tests: `&LFM2Parser{hasThinkingSupport: x}` with think x and an empty tool list. */
function run(tt: Row, tools: Tool[] = []): void {
  checkGoRow(tt, { parser: tt.hasThinking ? 'lfm2-thinking' : 'lfm2', tools, think: tt.hasThinking ?? false });
}

describe('lfm2 parser (Ollama lfm2_test.go), every case also under every split', () => {
  const tables = { TestLFM2Parser: T.parse, TestLFM2Parser_Streaming: T.streaming, TestLFM2Parser_EdgeCases: T.edgeCases };
  for (const [fnName, rows] of Object.entries(tables)) {
    describe(fnName, () => {
      for (const tt of rows as Row[]) it(tt.name, () => run(tt));
    });
  }
  describe('TestLFM2Parser_parseToolCallContent / parseToolCallsContent', () => {
    const rows = [...T.toolCallContent, ...T.toolCallsContent] as { name: string; content: string; expected?: ToolCall | ToolCall[]; expectError?: boolean }[];
    for (const tt of rows) {
      it(tt.name, () => {
        if (tt.expectError) return expect(() => parseLfm2ToolCalls(tt.content)).toThrow();
        const want = (Array.isArray(tt.expected) ? tt.expected : [tt.expected!]).map((c) => ({ function: { index: 0, name: c.function.name, arguments: c.function.arguments ?? {} } }));
        const got = parseLfm2ToolCalls(tt.content);
        expect(Array.isArray(tt.expected) ? got : got.slice(0, 1)).toEqual(want);
      });
    }
  });
  it('TestLFM2Parser_HasThinkingSupport / HasToolSupport / Init', () => {
    expect(parserFor('lfm2-thinking')!.hasThinkingSupport()).toBe(true);
    expect(parserFor('lfm2')!.hasThinkingSupport()).toBe(false);
    expect(parserFor('lfm2')!.hasToolSupport()).toBe(true);
    const tools = [fn('test_tool')];
    expect(parserFor('lfm2-thinking')!.init(tools, null, true)).toBe(tools);
  });
  it('TestLFM2Parser_BareToolCallFallback', () => {
    run({ name: 'bare', input: '[get_weather(location="Paris")]', expectedCalls: [{ function: { index: 0, name: 'get_weather', arguments: { location: 'Paris' } } }] }, [fn('get_weather')]);
  });
  it('TestLFM2Parser_BareUnknownToolCallDoesNotParse', () => {
    run({ name: 'unknown', input: '[unknown_tool(location="Paris")]', expectedContent: '[unknown_tool(location="Paris")]' }, [fn('get_weather')]);
  });
  describe('TestLFM2Parser_ImagePlaceholdersPreserved', () => {
    for (const tt of T.imagePlaceholders as { name: string; input: string }[]) it(tt.name, () => run({ name: tt.name, input: tt.input, expectedContent: tt.input }, [fn('bash')]));
  });

  describe('beyond Ollama’s tables', () => {
    const weather = [fn('get_weather')];
    const call = { function: { index: 0, name: 'get_weather', arguments: { location: 'Paris' } } };
    it('a bare call list after thinking is a call; text around it keeps it content', () => {
      run({ name: 'after thinking', hasThinking: true, input: '<think>use the tool</think>\nget_weather(location="Paris")', expectedThinking: 'use the tool', expectedCalls: [call] }, weather);
      run({ name: 'prose', input: 'get_weather is a tool (location="Paris")', expectedContent: 'get_weather is a tool (location="Paris")' }, weather);
      run({ name: 'trailing text', input: 'get_weather(location="Paris") done', expectedContent: 'get_weather(location="Paris") done' }, weather);
    });
    it('a wrapped call turns off the bare reading; whitespace after a call is dropped whatever the split', () => {
      run(
        { name: 'both', input: 'get_weather(location="Rome")<|tool_call_start|>[get_weather(location="Paris")]<|tool_call_end|>\n\n ok', expectedContent: 'get_weather(location="Rome")ok', expectedCalls: [call] },
        weather,
      );
    });
    it('a call list that cannot be read swallows the rest of the reply, as in Ollama', () => {
      run({ name: 'stuck', input: 'a<|tool_call_start|>oops<|tool_call_end|>b', expectedContent: 'a' });
    });
    it('an assistant prefill with content continues as content', () => {
      checkCase({ name: 'prefill', parser: 'lfm2-thinking', last: { role: 'assistant', content: 'The' }, think: true, steps: [{ input: ' answer</think>x', done: true }], want: { content: ' answer</think>x' } });
    });
    it('a second, adjacent <think> is dropped; one after whitespace is thinking text', () => {
      run({ name: 'adjacent', hasThinking: true, input: '<think><think>a</think>b', expectedThinking: 'a', expectedContent: 'b' });
      run({ name: 'spaced', hasThinking: true, input: '<think> <think>a</think>b', expectedThinking: '<think>a', expectedContent: 'b' });
    });
  });
});
