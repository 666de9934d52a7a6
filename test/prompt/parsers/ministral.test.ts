import { describe, expect, it } from 'vitest';
import type { Tool } from '../../../src/api/types.js';
import { parserFor } from '../../../src/prompt/parsers/index.js';
import { findJSONEnd, MinistralParser } from '../../../src/prompt/parsers/ministral.js';
import { checkCase, type Step } from './helpers.js';
import * as T from './ministral.cases.js';

type MEvent = { kind: 'ministralEventContent'; content: string } | { kind: 'ministralEventThinking'; thinking: string } | { kind: 'ministralEventToolCall'; name: string; args: string };
interface Row {
  desc: string;
  tools?: Tool[];
  think?: boolean;
  steps: { input: string; wantEvents: MEvent[] | null }[];
}

/** Ollama's event table read at the parser's output: each step's events as content, thinking and calls. */
function steps(tc: Row): Step[] {
  let index = 0;
  return tc.steps.map((s) => {
    const ev = s.wantEvents ?? [];
    return {
      input: s.input,
      content: ev.map((e) => (e.kind === 'ministralEventContent' ? e.content : '')).join(''),
      thinking: ev.map((e) => (e.kind === 'ministralEventThinking' ? e.thinking : '')).join(''),
      calls: ev.flatMap((e) => (e.kind === 'ministralEventToolCall' ? [{ function: { index: index++, name: e.name, arguments: JSON.parse(e.args) as Record<string, unknown> } }] : [])),
    };
  });
}

describe('ministral parser (Ollama ministral_test.go), every case also under every split', () => {
  describe('TestMinistralParserStreaming', () => {
    for (const tc of T.streaming as Row[]) {
      it(tc.desc, () => checkCase({ name: tc.desc, parser: () => new MinistralParser(tc.think ?? false), tools: tc.tools ?? null, steps: steps(tc) }));
    }
  });

  it('TestMinistralParserAssignsSequentialToolCallIndices', () => {
    checkCase({
      name: 'indices',
      parser: 'ministral',
      tools: [{ function: { name: 'get_weather' } }, { function: { name: 'get_time' } }] as Tool[],
      steps: [{ input: '[TOOL_CALLS]get_weather[ARGS]{"location":"NYC"}[TOOL_CALLS]get_time[ARGS]{"timezone":"EST"}', done: true }],
      want: { calls: [{ function: { index: 0, name: 'get_weather', arguments: { location: 'NYC' } } }, { function: { index: 1, name: 'get_time', arguments: { timezone: 'EST' } } }] },
    });
  });

  it('TestMinistralParser_Errors', () => {
    checkCase({ name: 'unknown tool', parser: 'ministral', tools: [{ function: { name: 'known_tool' } }] as Tool[], steps: [{ input: '[TOOL_CALLS]unknown_tool[ARGS]{"a": 1}', done: true }], error: "tool 'unknown_tool' not found" });
    checkCase({ name: 'bad json', parser: 'ministral', tools: [{ function: { name: 'test' } }] as Tool[], steps: [{ input: '[TOOL_CALLS]test[ARGS]{invalid json}', done: true }], error: 'JSON' });
  });

  it('TestFindJSONEnd', () => {
    for (const tt of T.findJSONEnd as { name: string; input: string; expected: number }[]) {
      // Go returns a byte index; ours is a string index of the same character
      const got = findJSONEnd(tt.input);
      expect(got < 0 ? got : Buffer.byteLength(tt.input.slice(0, got)), tt.name).toBe(tt.expected);
    }
  });

  it('TestMinistralParser_HasToolSupport / HasThinkingSupport', () => {
    expect(parserFor('ministral')!.hasToolSupport()).toBe(true);
    expect(new MinistralParser(false).hasThinkingSupport()).toBe(false);
    expect(new MinistralParser(true).hasThinkingSupport()).toBe(true);
  });
});
