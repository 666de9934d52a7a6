import { describe, expect, it } from 'vitest';
import type { Message, Tool, ToolCall } from '../../../src/api/types.js';
import { parserFor, type ThinkValue } from '../../../src/prompt/parsers/index.js';
import { checkCase, tool, type Step } from './helpers.js';
import { cases } from './laguna.cases.js';

interface Row {
  name: string;
  parser?: string;
  tools?: Tool[];
  think?: ThinkValue;
  last?: Message;
  chunks?: string[];
  steps?: Step[];
  want?: { content?: string; thinking?: string; calls?: ToolCall[] };
}

function run(tt: Row): void {
  const steps = tt.steps ?? tt.chunks!.map((input, i, all) => ({ input, done: i === all.length - 1 }));
  checkCase({ name: tt.name, parser: tt.parser ?? 'laguna', tools: tt.tools ?? null, last: tt.last ?? null, think: tt.think, steps, want: tt.want });
}

describe('laguna / poolside-v1 parsers (Ollama laguna_test.go), every case also under every split', () => {
  for (const tt of cases as Row[]) it(tt.name, () => run(tt));

  it('both advertise tools and thinking', () => {
    for (const name of ['laguna', 'poolside-v1']) {
      const p = parserFor(name)!;
      expect([p.hasToolSupport(), p.hasThinkingSupport()]).toEqual([true, true]);
    }
  });

  describe('beyond Ollama’s tests', () => {
    const weather = [tool('get_weather', { location: { type: ['string'] } })];
    it('tags take effect in the order they appear: a call before a later <think> stays a call', () => {
      run({
        name: 'call then think',
        tools: weather,
        chunks: ['A <tool_call>get_weather\n<arg_key>location</arg_key>\n<arg_value>Paris</arg_value>\n</tool_call> B <think>hidden</think> C'],
        want: { content: 'AB C', calls: [{ function: { index: 0, name: 'get_weather', arguments: { location: 'Paris' } } }] },
      });
    });
    it('a call inside unclosed thinking ends the thinking', () => {
      run({
        name: 'call in thinking',
        tools: weather,
        think: true,
        chunks: ['Let me look. <tool_call>get_weather\n<arg_key>location</arg_key>\n<arg_value>Paris</arg_value>\n</tool_call>\nIt is sunny.'],
        want: { thinking: 'Let me look.', content: 'It is sunny.', calls: [{ function: { index: 0, name: 'get_weather', arguments: { location: 'Paris' } } }] },
      });
    });
    it('with tools, JSON that is not a call stays content; a malformed JSON call is an error', () => {
      run({ name: 'plain json', tools: weather, chunks: ['Use {"a": 1} here.'], want: { content: 'Use {"a": 1} here.' } });
      checkCase({ name: 'bad', parser: 'laguna', tools: weather, steps: [{ input: '{"name": "get_weather", oops}', done: true }], error: 'failed to parse Laguna JSON tool call' });
    });
    it('without tools, braces and <user> are plain content', () => {
      run({ name: 'no tools', chunks: ['{"name":"x"} <user>get_weather</user>'], want: { content: '{"name":"x"} <user>get_weather</user>' } });
    });
  });
});
