import { describe, expect, it } from 'vitest';
import type { ToolCall } from '../../../src/api/types.js';
import { parserFor } from '../../../src/prompt/parsers/index.js';
import { checkCase, tool } from './helpers.js';
import * as T from './nemotron3nano.cases.js';

interface Row {
  name: string;
  input?: string;
  chunks?: string[];
  thinkValue?: boolean | null;
  expectedContent?: string;
  expectedThinking?: string;
  expectedCalls?: ToolCall[];
}

/** Each chunk with done=false, then the drain Add("", true), as Ollama's tests do; and every split. */
function run(tt: Row, parser = 'nemotron-3-nano'): void {
  const chunks = tt.chunks ?? [tt.input!];
  checkCase({
    name: tt.name,
    parser,
    think: tt.thinkValue ?? undefined,
    steps: [...chunks.map((input) => ({ input })), { input: '', done: true }],
    want: { content: tt.expectedContent ?? '', thinking: tt.expectedThinking ?? '', calls: tt.expectedCalls ?? [] },
  });
}

describe('nemotron-3-nano parser (Ollama nemotron3nano_test.go), every case also under every split', () => {
  describe('TestNemotron3NanoParser', () => {
    for (const tt of T.parse as Row[]) it(tt.name, () => run(tt));
  });
  describe('TestNemotron3NanoParser_Streaming', () => {
    for (const tt of T.streaming as Row[]) it(tt.name, () => run(tt));
  });
  it('nemotron-3.5-nano is the same parser', () => run((T.parse as Row[])[0]!, 'nemotron-3.5-nano'));

  it('TestNemotron3NanoParser_HasToolSupport / HasThinkingSupport / Init', () => {
    const p = parserFor('nemotron-3-nano')!;
    expect(p.hasToolSupport() && p.hasThinkingSupport()).toBe(true);
    // starts in thinking (think true or unset), in content (think false, or an assistant prefill)
    for (const [think, last, want] of [
      [true, null, 'thinking'],
      [false, null, 'content'],
      [undefined, null, 'thinking'],
      [true, { role: 'assistant', content: 'Starting...' }, 'content'],
    ] as const) {
      p.init(null, last, think);
      const r = p.add('x', true);
      expect(want === 'thinking' ? r.thinking : r.content).toBe('x');
    }
    // reinit clears buffered state
    p.init(null, null, true);
    p.add('thinking in progress', false);
    p.init(null, null, false);
    expect(p.add('content only', true)).toEqual({ content: 'content only', thinking: '', calls: [] });
  });

  it('TestNemotron3NanoParser_WithTools', () => {
    const tools = [tool('get_weather', { city: { type: ['string'] } })];
    expect(parserFor('nemotron-3-nano')!.init(tools, null, undefined)).toBe(tools);
    checkCase({
      name: 'with tools',
      parser: 'nemotron-3-nano',
      tools,
      steps: [{ input: '<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n</function>\n</tool_call>', done: true }],
      want: { calls: [{ function: { index: 0, name: 'get_weather', arguments: { city: 'Paris' } } }] },
    });
  });

  it('TestNemotron3NanoParser_ToolCallWithoutThinkClose', () => {
    run({
      name: 'no think close',
      chunks: ['Let', ' me', ' analyze', ' this', '.', '\n', '<tool_call>', '\n', '<function=get_weather>', '\n', '<parameter=city>', 'Paris', '</parameter>', '\n', '</function>', '\n', '</tool_call>'],
      thinkValue: true,
      expectedThinking: 'Let me analyze this.',
      expectedCalls: [{ function: { index: 0, name: 'get_weather', arguments: { city: 'Paris' } } }],
    });
  });
});
