/**
 * Streaming safety beyond the ported tables: seeded random outputs built from each parser's tags
 * and likely text, each run whole and then split at every position and at random places; every
 * split must give the whole text's content, thinking and calls (or the same error).
 */
import { describe, expect, it } from 'vitest';
import type { Message } from '../../../src/api/types.js';
import { parserFor, type ThinkValue } from '../../../src/prompt/parsers/index.js';
import { tool } from './helpers.js';

const TOOLS = [tool('get_weather', { city: { type: ['string'] }, n: { type: ['integer'] } })];
const PIECES: Record<string, string[]> = {
  lfm2: [
    '<think>', '</think>', '<|tool_call_start|>', '<|tool_call_end|>', '[get_weather(city="Paris")]', 'get_weather(', 'city="P")', '[', ']', ' ', '\n', 'hello', '<', 'get', ',', '(', ')',
    "<|tool_call_start|>[get_weather(city='x', n=2)]<|tool_call_end|>",
  ],
  laguna: [
    '<think>', '</think>', '<tool_call>', '</tool_call>', '<user>', '</user>', 'get_weather', '<arg_key>city</arg_key>', '<arg_value>Paris</arg_value>', '{"name":"get_weather","arguments":{"city":"P"}}',
    '{', '}', '"name"', ' ', '\n', 'hi', '<', '</', 'read_file', '<tool_call>get_weather<arg_key>n</arg_key><arg_value>3</arg_value></tool_call>',
  ],
  glimmer: [
    '<|start|>assistant', ' to=self', ' to=user', ' to=get_weather', '<|message|>', '<|eom|>', '<|eot|>', '<atem:function_calls>', '</atem:function_calls>', '<atem:invoke name="get_weather">', '</atem:invoke>',
    '<atem:parameter name="city">P</atem:parameter>', '\n', ' ', 'hi', '<', '<|start|>',
  ],
};
const FAMILY: Record<string, string> = { lfm2: 'lfm2', 'lfm2-thinking': 'lfm2', laguna: 'laguna', 'poolside-v1': 'laguna', glimmer: 'glimmer' };

function random(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) & 0x7fffffff);
}

interface Setup {
  name: string;
  tools: typeof TOOLS | null;
  think: ThinkValue;
  last: Message | null;
}

/** The totals (or the error) of the chunks, as one comparable string. */
function outcome(s: Setup, chunks: string[]): string {
  const p = parserFor(s.name)!;
  p.init(s.tools, s.last, s.think);
  const t = { content: '', thinking: '', calls: [] as unknown[] };
  try {
    chunks.forEach((c, i) => {
      const r = p.add(c, i === chunks.length - 1);
      t.content += r.content;
      t.thinking += r.thinking;
      t.calls.push(...r.calls.map((x) => x.function));
    });
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
  return JSON.stringify(t);
}

describe('random outputs give one answer for every split', () => {
  for (const name of Object.keys(FAMILY)) {
    it(name, () => {
      const next = random(7);
      const pieces = PIECES[FAMILY[name]!]!;
      for (let n = 0; n < 150; n++) {
        let text = '';
        for (let i = 1 + (next() % 10); i > 0; i--) text += pieces[next() % pieces.length];
        const s: Setup = { name, tools: next() % 2 ? TOOLS : null, think: [undefined, true, false][next() % 3], last: next() % 4 === 0 ? { role: 'assistant', content: 'x' } : null };
        const whole = outcome(s, [text]);
        const cps = [...text];
        const random: string[] = [''];
        for (const ch of cps) {
          random[random.length - 1] += ch;
          if (next() % 3 === 0) random.push('');
        }
        const splits = [cps, random, ...cps.slice(1).map((_, k) => [cps.slice(0, k + 1).join(''), cps.slice(k + 1).join('')])];
        for (const chunks of splits) expect(outcome(s, chunks), JSON.stringify({ ...s, chunks })).toBe(whole);
      }
    });
  }
});
