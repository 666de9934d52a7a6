import { describe, expect, it } from 'vitest';
import type { Tool, ToolCall } from '../../../src/api/types.js';
import { parserFor } from '../../../src/prompt/parsers/index.js';
import { checkCase } from './helpers.js';
import * as T from './functiongemma.cases.js';

interface Row {
  name: string;
  chunks: string[];
  tools?: Tool[];
  expectedCalls?: ToolCall[] | null;
  expectedText: string;
}

describe('functiongemma parser (Ollama functiongemma_test.go), every case also under every split', () => {
  for (const tt of T.parse as Row[]) {
    it(tt.name, () => {
      const chunks = tt.chunks.length > 0 ? tt.chunks : [''];
      checkCase({
        name: tt.name,
        parser: 'functiongemma',
        tools: tt.tools ?? null,
        steps: chunks.map((input, i) => ({ input, done: i === chunks.length - 1 })),
        want: { content: tt.expectedText, calls: tt.expectedCalls ?? [] },
      });
    });
  }
  it('TestFunctionGemmaParser_HasSupport', () => {
    const p = parserFor('functiongemma')!;
    expect(p.hasToolSupport()).toBe(true);
    expect(p.hasThinkingSupport()).toBe(false);
  });
  it('text between two calls in one piece stays content', () => {
    checkCase({
      name: 'between',
      parser: 'functiongemma',
      steps: [{ input: '<start_function_call>call:a{x:1}<end_function_call>and<start_function_call>call:b{}<end_function_call>', done: true }],
      want: { content: 'and', calls: [{ function: { index: 0, name: 'a', arguments: { x: 1 } } }, { function: { index: 1, name: 'b', arguments: {} } }] },
    });
  });
});
