import { describe, expect, it } from 'vitest';
import type { Message } from '../../../src/api/types.js';
import { ChatOutput } from '../../../src/server/inference/chat.js';
import { ThinkingParser } from '../../../src/server/inference/thinking.js';
import { ToolCallParser } from '../../../src/server/inference/toolcalls.js';

const TOOLS = [{ function: { name: 'get_weather' } }];
const THINK = { open: '<think>', close: '</think>' };

function output(opts: { thinking?: boolean; tag?: string; prompt?: string }): ChatOutput {
  let n = 0;
  return new ChatOutput(
    opts.thinking ? ThinkingParser.forPrompt(THINK, opts.prompt ?? '') : null,
    opts.tag ? new ToolCallParser(opts.tag, TOOLS, () => `call_${n++}`) : null,
  );
}

/** Runs chunks through and returns the messages sent, the final one last. */
function run(out: ChatOutput, chunks: string[]): Message[] {
  const sent: Message[] = [];
  for (const c of chunks) {
    const m = out.add(c);
    if (m) sent.push(m);
  }
  sent.push(out.finish());
  return sent;
}

/** What `stream:false` shows: pieces concatenated, calls accumulated. */
function collect(sent: Message[]): { content: string; thinking: string; calls: unknown[] } {
  return {
    content: sent.map((m) => m.content).join(''),
    thinking: sent.map((m) => m.thinking ?? '').join(''),
    calls: sent.flatMap((m) => m.tool_calls ?? []),
  };
}

function splits(s: string): string[][] {
  const out: string[][] = [[s], [...s]];
  for (let i = 0; i <= s.length; i++) out.push([s.slice(0, i), s.slice(i)]);
  return out;
}

const CALL = { id: 'call_0', function: { index: 0, name: 'get_weather', arguments: { city: 'Paris' } } };

describe('ChatOutput', () => {
  it('without parsers passes pieces through', () => {
    expect(run(output({}), ['Hello', ' world'])).toEqual([
      { role: 'assistant', content: 'Hello' },
      { role: 'assistant', content: ' world' },
      { role: 'assistant', content: '' },
    ]);
  });

  it('qwen3: thinking, then a tool call, split at every position', () => {
    const text = '<think>\nThe user wants weather.\n</think>\n\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>';
    for (const chunks of splits(text)) {
      expect(collect(run(output({ thinking: true, tag: '<tool_call>' }), chunks)), JSON.stringify(chunks)).toEqual({
        content: '',
        thinking: 'The user wants weather.\n',
        calls: [CALL],
      });
    }
  });

  it('thinking then plain JSON content when the tag is {', () => {
    for (const chunks of splits('<think>hm</think> {"answer": 1}')) {
      expect(collect(run(output({ thinking: true, tag: '{' }), chunks))).toEqual({ content: '{"answer": 1}', thinking: 'hm', calls: [] });
    }
  });

  it('deepseek-r1: the prompt ends with the opening tag', () => {
    for (const chunks of splits('Let me think.</think>\n\nFour.')) {
      expect(collect(run(output({ thinking: true, prompt: 'Q <think>\n' }), chunks))).toEqual({ content: 'Four.', thinking: 'Let me think.', calls: [] });
    }
  });

  it('sends nothing while a possible tag is undecided, and the call on the chunk that completes it', () => {
    const out = output({ thinking: true, tag: '<tool_call>' });
    expect(out.add('<thi')).toBeNull();
    expect(out.add('nk>x')).toEqual({ role: 'assistant', content: '', thinking: 'x' });
    expect(out.add('</think>Hi <tool')).toEqual({ role: 'assistant', content: 'Hi ' });
    expect(out.add('_call>{"name":"get_weather","arguments":{"city":"Paris"}}')).toEqual({ role: 'assistant', content: '', tool_calls: [CALL] });
    expect(out.add('</tool_call>')).toBeNull();
    expect(out.finish()).toEqual({ role: 'assistant', content: '' });
  });

  it('flushes held-back text into the final message', () => {
    expect(run(output({ thinking: true, tag: '{' }), ['<think>a</th'])).toEqual([
      { role: 'assistant', content: '', thinking: 'a' },
      { role: 'assistant', content: '', thinking: '</th' },
    ]);
    expect(collect(run(output({ tag: '<tool_call>' }), ['ok <tool_call>{"name": "get_wea']))).toEqual({
      content: 'ok <tool_call>{"name": "get_wea',
      thinking: '',
      calls: [],
    });
  });
});
