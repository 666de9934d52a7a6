import { describe, expect, it } from 'vitest';
import type { ToolCall } from '../../../src/api/types.js';
import { parserFor } from '../../../src/prompt/parsers/index.js';
import { parseOlmo3FunctionCalls, parseOlmo3Value } from '../../../src/prompt/parsers/olmo3.js';
import { checkCase } from './helpers.js';
import * as T from './olmo3.cases.js';

interface Row {
  name: string;
  input?: string;
  chunks?: string[];
  expectedContent?: string;
  expectedThinking?: string;
  expectedCalls?: ToolCall[];
}

/** Each chunk with done=false, then the drain Add("", true), as Ollama's tests do; and every split. */
function run(tt: Row): void {
  const chunks = tt.chunks ?? [tt.input!];
  checkCase({
    name: tt.name,
    parser: 'olmo3',
    steps: [...chunks.map((input) => ({ input })), { input: '', done: true }],
    want: { content: tt.expectedContent ?? '', thinking: tt.expectedThinking ?? '', calls: tt.expectedCalls ?? [] },
  });
}

describe('olmo3 parser (Ollama olmo3_test.go), every case also under every split', () => {
  describe('TestOlmo3Parser', () => {
    for (const tt of T.parse as Row[]) it(tt.name, () => run(tt));
  });
  describe('TestOlmo3Parser_Streaming', () => {
    for (const tt of T.streaming as Row[]) it(tt.name, () => run(tt));
  });
  it('TestOlmo3Parser_HasToolSupport / HasThinkingSupport', () => {
    const p = parserFor('olmo3')!;
    expect(p.hasToolSupport()).toBe(true);
    expect(p.hasThinkingSupport()).toBe(false);
  });
  describe('TestParseOlmo3FunctionCalls', () => {
    for (const tt of T.functionCalls as { name: string; input: string; expected?: ToolCall[]; wantErr?: boolean }[]) {
      it(tt.name, () => {
        if (tt.wantErr) return expect(() => parseOlmo3FunctionCalls(tt.input)).toThrow();
        expect(parseOlmo3FunctionCalls(tt.input)).toEqual((tt.expected ?? []).map((c) => ({ function: { index: 0, name: c.function.name, arguments: c.function.arguments ?? {} } })));
      });
    }
  });
  it('TestParseOlmo3Value', () => {
    for (const [name, input, expected] of T.values) expect(parseOlmo3Value(input), name).toEqual(expected);
  });
  it('a second block after content is parsed too (Ollama: only when the content came in its own piece)', () => {
    run({ name: 'two blocks', input: 'A<function_calls>f(a=1)</function_calls>B<function_calls>g()</function_calls>', expectedContent: 'AB', expectedCalls: [{ function: { index: 0, name: 'f', arguments: { a: 1 } } }, { function: { index: 1, name: 'g', arguments: {} } }] });
  });
});
