import { describe, expect, it } from 'vitest';
import { parseQwenValue, parseQwenXmlToolCall, Qwen3CoderParser, type QwenEvent } from '../../../src/prompt/parsers/qwen3coder.js';
import { overlap, trailingWhitespaceLen } from '../../../src/prompt/parsers/text.js';
import { checkCase, len, splits } from './helpers.js';
import * as T from './qwen3coder.cases.js';

/** Adjacent content events merged: what a reader of the stream sees whatever the chunking. */
function merged(events: QwenEvent[]): QwenEvent[] {
  const out: QwenEvent[] = [];
  for (const e of events) {
    const prev = out.at(-1);
    if ('content' in e && prev && 'content' in prev) out[out.length - 1] = { content: prev.content + e.content };
    else out.push(e);
  }
  return out;
}

function eventsFor(chunks: string[]): QwenEvent[] {
  const p = new Qwen3CoderParser();
  const all: QwenEvent[] = [];
  for (const c of chunks) {
    p.acc += c;
    all.push(...p.parseEvents());
  }
  return all;
}

describe('qwen3-coder parser (Ollama qwen3coder_test.go)', () => {
  describe('TestQwenParserStreaming', () => {
    for (const tc of T.streaming as { desc: string; steps: { input: string; wantEvents: QwenEvent[] }[] }[]) {
      it(tc.desc, () => {
        const p = new Qwen3CoderParser();
        tc.steps.forEach((step, i) => {
          p.acc += step.input;
          expect(p.parseEvents(), `step ${i}`).toEqual(step.wantEvents);
        });
        const want = merged(tc.steps.flatMap((s) => s.wantEvents));
        for (const chunks of splits(tc.steps.map((s) => s.input).join(''))) expect(merged(eventsFor(chunks)), JSON.stringify(chunks)).toEqual(want);
      });
    }
  });

  describe('TestQwenToolParser', () => {
    for (const tc of T.toolParser as { name: string; rawToolCall: string; tools: never; wantToolCall: { function: { name: string; arguments: unknown } } }[]) {
      it(tc.name, () => {
        const got = parseQwenXmlToolCall(tc.rawToolCall, tc.tools);
        expect(got.function.name).toBe(tc.wantToolCall.function.name);
        expect(got.function.arguments).toEqual(tc.wantToolCall.function.arguments);
      });
    }
  });

  describe('TestQwenToolCallValueParsing', () => {
    for (const tc of T.valueParsing as { desc: string; raw: string; paramType: string[]; want: unknown }[]) {
      it(tc.desc, () => expect(parseQwenValue(tc.raw, tc.paramType)).toEqual(tc.want));
    }
  });

  it('TestTrailingWhitespaceLen / Unicode (Go counts bytes)', () => {
    for (const tc of [...T.trailingWhitespaceLen, ...T.trailingWhitespaceLenUnicode] as { s?: string; input?: string; want: number }[]) {
      const s = tc.s ?? tc.input!;
      expect(len(s.slice(s.length - trailingWhitespaceLen(s))), s).toBe(tc.want);
    }
  });

  it('TestOverlapFunction (Go counts bytes)', () => {
    for (const tc of T.overlapCases as { s: string; delim: string; want: number }[]) {
      expect(len(tc.delim.slice(0, overlap(tc.s, tc.delim))), tc.s).toBe(tc.want);
    }
  });

  const three = '<tool_call><function=first><parameter=a>1</parameter></function></tool_call>\n<tool_call><function=second><parameter=b>2</parameter></function></tool_call>\n<tool_call><function=third><parameter=c>3</parameter></function></tool_call>';
  const wantThree = [
    { function: { index: 0, name: 'first', arguments: { a: '1' } } },
    { function: { index: 1, name: 'second', arguments: { b: '2' } } },
    { function: { index: 2, name: 'third', arguments: { c: '3' } } },
  ];

  it('TestQwen3CoderParserToolCallIndexing (+ every split)', () => {
    checkCase({ name: 'indexing', parser: 'qwen3-coder', steps: [{ input: three, done: true }], want: { calls: wantThree } });
  });

  it('TestQwen3CoderParserToolCallIndexingStreaming', () => {
    checkCase({
      name: 'indexing streaming',
      parser: 'qwen3-coder',
      steps: [
        { input: '<tool_call><function=first><parameter=a>1</parameter></function></tool_call><tool_call><function=second>' },
        { input: '<parameter=b>2</parameter></function></tool_call><tool_call><function=third><parameter=c>3</parameter></function></tool_call>', done: true },
      ],
      want: { calls: wantThree },
    });
  });

  it('TestQwen3CoderParserToolCallIndexResetOnInit', () => {
    const p = new Qwen3CoderParser();
    p.init(null, null, undefined);
    p.add('<tool_call><function=first><parameter=a>1</parameter></function></tool_call>', true);
    p.init(null, null, undefined);
    expect(p.add('<tool_call><function=second><parameter=b>2</parameter></function></tool_call>', true).calls).toEqual([
      { function: { index: 0, name: 'second', arguments: { b: '2' } } },
    ]);
  });

  it('a malformed tool call is an error, whatever the split', () => {
    checkCase({ name: 'unclosed', parser: 'qwen3-coder', steps: [{ input: 'hi<tool_call><function=f><parameter=a>1</tool_call>', done: true }], error: 'XML syntax error' });
  });
});
