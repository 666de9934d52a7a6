import { describe, expect, it } from 'vitest';
import type { Message, Tool } from '../../../src/api/types.js';
import { parseJsonFunction, Qwen3VLParser, type VLEvent } from '../../../src/prompt/parsers/qwen3vl.js';
import { checkCase, splits } from './helpers.js';
import * as T from './qwen3vl.cases.js';

type EventCase = { desc: string; steps: { input: string; wantEvents: VLEvent[] }[]; prefillMsg?: Message };

function parser(thinking: boolean, last: Message | null): Qwen3VLParser {
  const p = new Qwen3VLParser(thinking);
  p.init([], last, undefined);
  return p;
}

/** Adjacent events of one kind merged: what a stream reader sees whatever the chunking. */
function merged(events: VLEvent[]): VLEvent[] {
  const out: VLEvent[] = [];
  for (const e of events) {
    const prev = out.at(-1);
    if (prev && prev.kind === e.kind && e.kind !== 'qwenEventRawToolCall' && prev.kind !== 'qwenEventRawToolCall') out[out.length - 1] = { ...prev, content: prev.content + e.content };
    else out.push(e);
  }
  return out;
}

function runEventTable(title: string, cases: EventCase[], thinking: boolean, last: Message | null = null): void {
  describe(title, () => {
    for (const tc of cases) {
      it(tc.desc, () => {
        const lastMsg = tc.prefillMsg ?? last;
        const steps = tc.steps ?? []; // Ollama's table has one case without steps
        const p = parser(thinking, lastMsg);
        steps.forEach((step, i) => {
          p.buffer.value += step.input;
          expect(p.parseEvents(), `step ${i} ${JSON.stringify(step.input)}`).toEqual(step.wantEvents);
        });
        const want = merged(steps.flatMap((s) => s.wantEvents));
        for (const chunks of splits(steps.map((s) => s.input).join(''))) {
          const q = parser(thinking, lastMsg);
          const got: VLEvent[] = [];
          for (const c of chunks) {
            q.buffer.value += c;
            got.push(...q.parseEvents());
          }
          expect(merged(got), JSON.stringify(chunks)).toEqual(want);
        }
      });
    }
  });
}

describe('qwen3-vl parsers (Ollama qwen3vl_thinking_test.go, qwen3vl_nonthinking_test.go)', () => {
  runEventTable('TestQwen3VLThinkingParserStreaming', T.thinkingStreaming as EventCase[], true);
  runEventTable('TestQwen3VLThinkingParserWithThinkingPrefill', T.thinkingPrefill as EventCase[], true, { role: 'assistant', content: '', thinking: 'i am thinking' });
  runEventTable('TestQwen3VLThinkingParserWithNonThinkingPrefill', T.nonThinkingPrefill as EventCase[], true, { role: 'assistant', thinking: 'i am thinking', content: 'i am content' });
  runEventTable('TestQwen3VLThinkingParserStreamingAssistantPrefillContent', [{ desc: 'steps', steps: T.prefillContentSteps as EventCase['steps'] }], true, { role: 'assistant', content: 'has content' });
  runEventTable('TestQwen3VLThinkingWhitespaceHandling', T.thinkingWhitespace as EventCase[], true);
  runEventTable('TestQwen3VLToolCallWhitespaceHandling', T.thinkingToolWhitespace as EventCase[], true);
  runEventTable('TestQwen3VLNonThinkingParserStreaming', T.nonThinkingStreaming as EventCase[], false);
  runEventTable('TestQwenOldParserStreaming', T.oldParserStreaming as EventCase[], false);
  runEventTable('TestQwen3VLNonThinkingToolCallWhitespaceHandling', T.nonThinkingToolWhitespace as EventCase[], false);

  for (const [title, table] of [['TestQwen3VLThinkingToolParser', T.thinkingToolParser], ['TestQwen3VLNonThinkingToolParser', T.nonThinkingToolParser]] as const) {
    describe(title, () => {
      for (const tc of table as unknown as { name: string; rawToolCall: string; tools: Tool[]; wantToolCall: { function: { name: string; arguments: unknown } } }[]) {
        it(tc.name, () => {
          const got = parseJsonFunction(tc.rawToolCall);
          expect(got.function.name).toBe(tc.wantToolCall.function.name);
          expect(got.function.arguments).toEqual(tc.wantToolCall.function.arguments ?? {});
        });
      }
    });
  }

  it('TestQwen3VLParserState', () => {
    for (const tc of T.parserState as { desc: string; hasThinking: boolean; last: Message | null; wantState: string }[]) {
      const p = new Qwen3VLParser(tc.hasThinking);
      p.init(null, tc.last, undefined);
      expect(p.state, tc.desc).toBe(tc.wantState);
    }
  });

  it('TestQwen3VLNonThinkingAssignsSequentialToolCallIndices', () => {
    checkCase({
      name: 'indices',
      parser: 'qwen3-vl-instruct',
      tools: [],
      steps: [{ input: '<tool_call>{"name":"first","arguments":{"a":"1"}}</tool_call><tool_call>{"name":"second","arguments":{"b":"2"}}</tool_call>', done: true }],
      want: { calls: [{ function: { index: 0, name: 'first', arguments: { a: '1' } } }, { function: { index: 1, name: 'second', arguments: { b: '2' } } }] },
    });
  });

  it('qwen3-vl-thinking: thinking, content and a tool call through the registry, under every split', () => {
    checkCase({
      name: 'full',
      parser: 'qwen3-vl-thinking',
      steps: [{ input: 'Let me look.</think>\n\nSure.<tool_call>\n{"name":"get_weather","arguments":{"city":"Paris"}}\n</tool_call>', done: true }],
      want: { thinking: 'Let me look.', content: 'Sure.', calls: [{ function: { index: 0, name: 'get_weather', arguments: { city: 'Paris' } } }] },
    });
  });
});
