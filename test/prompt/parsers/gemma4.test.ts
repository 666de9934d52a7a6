import { describe, expect, it } from 'vitest';
import type { Message, ToolCall } from '../../../src/api/types.js';
import {
  gemma4ArgsToJSON, parseGemma4ToolCall, repairCandidates, repairMissingObjectClose, repairMissingStringDelimiter,
  repairRawTerminalStringValue, repairSingleQuotedValues,
} from '../../../src/prompt/parsers/gemma4-args.js';
import { parserFor } from '../../../src/prompt/parsers/index.js';
import { checkCase, type ParserCase } from './helpers.js';
import { T } from './gemma4.cases.js';

type Row = Record<string, any>;
const steps = (chunks: string[]) => chunks.map((input, i) => ({ input, done: i === chunks.length - 1 }));
const call = (name: string, args: Record<string, unknown>, index = 0): ToolCall => ({ function: { index, name, arguments: args } });

describe('gemma4 parser (Ollama gemma4_test.go), every case also under every split', () => {
  it.each<Row>(T.TestGemma4Parser!.tests)('$name', (tt) => {
    checkCase({
      name: tt.name,
      parser: 'gemma4',
      last: (tt.lastMessage ?? null) as Message | null,
      think: !!tt.thinkingEnabled,
      steps: [{ input: tt.input, done: true }],
      want: { content: tt.expectedContent ?? '', thinking: tt.expectedThinking ?? '', calls: tt.expectedToolCalls ?? [] },
    });
  });

  it('TestGemma4Parser_Streaming', () => {
    checkCase({ name: 'streaming', parser: 'gemma4', think: true, steps: steps(T.TestGemma4Parser_Streaming!.chunks), want: { content: 'The answer is 42.', thinking: 'Let me think...' } });
  });

  it('TestGemma4Parser_ToolResponseContinuationStartsInThinking', () => {
    checkCase({
      name: 'after tool',
      parser: 'gemma4',
      last: { role: 'tool', content: 'go.mod\ngo.sum\n' },
      think: true,
      steps: [{ input: 'The user asked for files.<channel|>go.mod and go.sum', done: true }],
      want: { content: 'go.mod and go.sum', thinking: 'The user asked for files.' },
    });
  });

  it('TestGemma4Parser_StreamingToolCall', () => {
    const v = T.TestGemma4Parser_StreamingToolCall!;
    checkCase({ name: 'streaming call', parser: 'gemma4-no-thinking', steps: steps(v.chunks), want: { content: '', calls: v.expectedToolCalls } });
  });

  for (const key of ['TestGemma4Parser_IgnoresExtraToolCallCloseTags', 'TestGemma4Parser_IgnoresToolResponseBoundaryAfterToolCall']) {
    it.each<Row>(T[key]!.tests)(`${key}: $name`, (tt) => {
      checkCase({ name: tt.name, parser: 'gemma4-no-thinking', steps: steps(tt.chunks), want: { content: tt.expectedContent, calls: T[key]!.expectedToolCalls } });
    });
  }

  it.each<Row>(T.TestGemma4Parser_StreamingSplitThinkingTag!.tests)('TestGemma4Parser_StreamingSplitThinkingTag: $name', (tt) => {
    checkCase({ name: tt.name, parser: 'gemma4', think: true, steps: steps(tt.chunks), want: { content: tt.expectedContent, thinking: tt.expectedThinking } });
  });

  it('support flags and preserved tokens (TestGemma4Parser_HasToolSupport / HasThinkingSupport)', () => {
    expect(parserFor('gemma4')!.hasToolSupport()).toBe(true);
    expect(parserFor('gemma4')!.hasThinkingSupport()).toBe(true);
    expect(parserFor('gemma4-no-thinking')!.hasThinkingSupport()).toBe(false);
    expect(parserFor('gemma4')!.preservedTokens()).toEqual(['<|channel>', '<channel|>', '<|tool_call>', '<tool_call|>', '<|tool_response>', '<|"|>']);
  });
});

describe('gemma4 parser: streaming choices (one result for every split)', () => {
  const cases: ParserCase[] = [
    // white space before a tag is trimmed even when it arrived in an earlier piece
    { name: 'space before a call', parser: 'gemma4-no-thinking', steps: [{ input: 'Let me check. \n<|tool_call>call:f{a:1}<tool_call|>', done: true }], want: { content: 'Let me check.', calls: [call('f', { a: 1 })] } },
    // text after a thought is left-trimmed across pieces
    { name: 'space after a thought', parser: 'gemma4', think: true, steps: [{ input: '<|channel>thought\nhmm  <channel|> \n\n Answer ', done: true }], want: { content: 'Answer ', thinking: 'hmm' } },
    // the earliest tag wins, as in Ollama's token stream (its whole-text path looks for <|channel> first)
    { name: 'call then thought', parser: 'gemma4', think: true, steps: [{ input: 'A<|tool_call>call:f{}<tool_call|>B<|channel>thought\nT<channel|>C', done: true }], want: { content: 'ABC', thinking: 'T', calls: [call('f', {})] } },
    // thinking not requested: thoughts are dropped
    { name: 'thought dropped', parser: 'gemma4', think: false, steps: [{ input: 'x <|channel>thought\nT<channel|> y', done: true }], want: { content: 'xy' } },
    // a call that cannot be parsed is dropped (Ollama logs it); the next keeps its index
    { name: 'bad call dropped', parser: 'gemma4-no-thinking', steps: [{ input: '<|tool_call>nope<tool_call|><|tool_call>call:g{b:<|"|>x<|"|>}<tool_call|>ok', done: true }], want: { content: 'ok', calls: [call('g', { b: 'x' })] } },
    // an unclosed call is parsed when the output ends
    { name: 'unclosed call at the end', parser: 'gemma4-no-thinking', steps: [{ input: 'hi <|tool_call>call:g{b:2}', done: true }], want: { content: 'hi', calls: [call('g', { b: 2 })] } },
  ];
  it.each(cases)('$name', (c) => checkCase(c));
});

describe('gemma4 tool-call arguments (Ollama gemma4_test.go helper tables)', () => {
  it.each<Row>(T.TestGemma4ArgsToJSON!.tests)('TestGemma4ArgsToJSON: $name', (tt) => {
    expect(gemma4ArgsToJSON(tt.input)).toBe(tt.expected);
  });
  it.each<Row>(T.TestRepairGemma4MissingStringDelimiter!.tests)('TestRepairGemma4MissingStringDelimiter: $name', (tt) => {
    expect(repairMissingStringDelimiter(tt.input)).toBe(tt.expected);
  });
  it.each<Row>(T.TestRepairGemma4MissingObjectClose!.tests)('TestRepairGemma4MissingObjectClose: $name', (tt) => {
    expect(repairMissingObjectClose(tt.input)).toBe(tt.expected);
  });
  it.each<Row>(T.TestRepairGemma4SingleQuotedValues!.tests)('TestRepairGemma4SingleQuotedValues: $name', (tt) => {
    expect(repairSingleQuotedValues(tt.input)).toBe(tt.expected);
  });
  it.each<Row>(T.TestRepairGemma4RawTerminalStringValue!.tests)('TestRepairGemma4RawTerminalStringValue: $name', (tt) => {
    const got = repairRawTerminalStringValue(tt.input, tt.toolName, tt.tools ?? null);
    expect(got !== null).toBe(!!tt.expectedOK);
    expect(got ?? '').toBe(tt.expected ?? '');
  });
  it.each<Row>(T.TestGemma4RepairCandidates!.tests)('TestGemma4RepairCandidates: $name', (tt) => {
    expect(repairCandidates(tt.input, tt.toolName, tt.tools ?? null)).toEqual(tt.expected);
  });

  const parsed = (text: string, tools: any = null) => parseGemma4ToolCall(text, tools);
  // Ollama's tables leave Index at its zero value
  const want = (w: Row): ToolCall => ({ function: { index: 0, ...w.function } });
  it('TestParseGemma4ToolCall_InvalidRawQuotedEscape / DoesNotRepairNonTerminalUnclosedGemmaString', () => {
    expect(parsed(String.raw`call:open_file{path:"C:\users\bob\file.txt"}`)).toBeNull();
    const tools = [{ type: 'function', function: { name: 'example', parameters: { type: 'object', properties: { first: { type: ['string'] }, second: { type: ['string'] } } } } }];
    expect(parsed('call:example{first:<|"|>one,second:<|"|>two<|"|>}', tools)).toBeNull();
  });
  it('TestParseGemma4ToolCall_QuotedScalarsStayStrings / UnquotedScalarsKeepStructuredTypes / ReferenceImplementationExample / RawQuotedStructuralString', () => {
    expect(parsed('call:foo{n:<|"|>1<|"|>,b:<|"|>true<|"|>,z:<|"|>null<|"|>}')).toEqual(want(T.TestParseGemma4ToolCall_QuotedScalarsStayStrings!.want));
    expect(parsed('call:foo{n:1,b:true,z:null}')).toEqual(want(T.TestParseGemma4ToolCall_UnquotedScalarsKeepStructuredTypes!.want));
    expect(parsed('call:get_current_temperature{detail_level:0,location:<|"|>Paris, France<|"|>,unit:<|"|>celsius<|"|>}')).toEqual(want(T.TestParseGemma4ToolCall_ReferenceImplementationExample!.want));
    expect(parsed('call:foo{q:"a,b:c"}')).toEqual(want(T.TestParseGemma4ToolCall_RawQuotedStructuralString!.want));
  });
  for (const key of ['TestParseGemma4ToolCall_RepairsIssue15315Examples', 'TestParseGemma4ToolCall_RepairsMultipleProperties']) {
    it.each<Row>(T[key]!.tests)(`${key}: $name`, (tt) => {
      expect(parsed(tt.content, tt.tools)).toEqual(want(tt.want));
    });
  }
});
