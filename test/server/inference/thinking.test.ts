import { describe, expect, it } from 'vitest';
import {
  tagOverlap,
  thinkEnabled,
  thinkingParserFor,
  ThinkingParser,
  trimLeftSpace,
  type ThinkingTags,
} from '../../../src/server/inference/thinking.js';

const THINK: ThinkingTags = { open: '<think>', close: '</think>' };

/** Feeds `chunks` and returns the concatenated thinking and content, flush included. */
function run(chunks: string[], tags = THINK, prompt = ''): { thinking: string; content: string } {
  const p = ThinkingParser.forPrompt(tags, prompt);
  let thinking = '';
  let content = '';
  for (const c of [...chunks]) {
    const r = p.add(c);
    thinking += r.thinking;
    content += r.content;
  }
  const r = p.flush();
  return { thinking: thinking + r.thinking, content: content + r.content };
}

/** Every way to cut `s` into two and three pieces, plus one character at a time. */
function splits(s: string): string[][] {
  const out: string[][] = [[s], [...s]];
  for (let i = 0; i <= s.length; i++) {
    out.push([s.slice(0, i), s.slice(i)]);
    if (s.length <= 60) for (let j = i; j <= s.length; j++) out.push([s.slice(0, i), s.slice(i, j), s.slice(j)]);
  }
  return out;
}

describe('ThinkingParser', () => {
  const cases: Array<{ name: string; tags?: ThinkingTags; prompt?: string; out: string; thinking: string; content: string }> = [
    { name: 'thinking then content', out: '<think>I should greet</think>Hello!', thinking: 'I should greet', content: 'Hello!' },
    { name: 'whitespace around tags (qwen3 style)', out: '\n<think>\n  Plan it.\n</think>\n\nThe answer is 4.', thinking: 'Plan it.\n', content: 'The answer is 4.' },
    { name: 'no thinking: content keeps its leading whitespace', out: '  Hello there', thinking: '', content: '  Hello there' },
    { name: 'content that starts like the tag', out: '<thx>not a tag', thinking: '', content: '<thx>not a tag' },
    { name: 'text before the tag means no thinking', out: 'Hi <think>x</think>', thinking: '', content: 'Hi <think>x</think>' },
    { name: 'only the first closing tag counts', out: '<think>a</think>b</think>c', thinking: 'a', content: 'b</think>c' },
    { name: 'a second opening tag is content', out: '<think>a</think> <think>b', thinking: 'a', content: '<think>b' },
    { name: 'closing tag text inside thinking that is not the tag', out: '<think>a </thin b</think>c', thinking: 'a </thin b', content: 'c' },
    { name: 'empty thinking', out: '<think></think>\n\nAnswer', thinking: '', content: 'Answer' },
    { name: 'unclosed thinking at the end keeps a partial closing tag', out: '<think>still going </thi', thinking: 'still going </thi', content: '' },
    { name: 'a partial opening tag at the end is content', out: '  <thi', thinking: '', content: '  <thi' },
    { name: 'whitespace only', out: ' \n ', thinking: '', content: ' \n ' },
    { name: 'unicode thinking', out: '<think>日本語 🙂</think>答え', thinking: '日本語 🙂', content: '答え' },
    { name: 'prompt ends with the opening tag (deepseek-r1 style)', prompt: 'User: hi\nAssistant: <think>\n', out: 'reasoning here</think>\n\nHi!', thinking: 'reasoning here', content: 'Hi!' },
    { name: 'prompt ending with the opening tag, model repeats nothing else', prompt: '<think>', out: '\n\n</think>\n\nok', thinking: '', content: 'ok' },
    { name: 'prompt with the tag elsewhere starts outside', prompt: '<think>x</think> user: hi', out: 'Hello', thinking: '', content: 'Hello' },
    { name: 'other tags', tags: { open: '<|begin_of_thought|>', close: '<|end_of_thought|>' }, out: '<|begin_of_thought|>hmm<|end_of_thought|> done', thinking: 'hmm', content: 'done' },
  ];

  for (const c of cases) {
    it(`${c.name}, split at every position`, () => {
      for (const chunks of splits(c.out)) {
        expect(run(chunks, c.tags, c.prompt), JSON.stringify(chunks)).toEqual({ thinking: c.thinking, content: c.content });
      }
    });
  }

  it('never hands out part of a tag while it is undecided', () => {
    const p = new ThinkingParser(THINK);
    expect(p.add('<thi')).toEqual({ thinking: '', content: '' });
    expect(p.add('nk>abc</')).toEqual({ thinking: 'abc', content: '' });
    expect(p.add('thi')).toEqual({ thinking: '', content: '' });
    expect(p.add('nk>  ')).toEqual({ thinking: '', content: '' });
    expect(p.done).toBe(true);
    expect(p.add(' x')).toEqual({ thinking: '', content: 'x' });
    expect(p.add(' y')).toEqual({ thinking: '', content: ' y' });
  });

  it('streams thinking as it comes', () => {
    const p = new ThinkingParser(THINK);
    expect(p.add('<think>one ')).toEqual({ thinking: 'one ', content: '' });
    expect(p.add('two <')).toEqual({ thinking: 'two ', content: '' });
    expect(p.add('b>')).toEqual({ thinking: '<b>', content: '' });
    expect(p.done).toBe(false);
  });

  it('rejects empty tags', () => {
    expect(() => new ThinkingParser({ open: '', close: '</think>' })).toThrow(/must not be empty/);
  });
});

describe('thinkingParserFor', () => {
  it('is on for true and levels, off otherwise or without both tags', () => {
    expect(thinkingParserFor(THINK, true, '')).toBeInstanceOf(ThinkingParser);
    expect(thinkingParserFor(THINK, 'high', '')).toBeInstanceOf(ThinkingParser);
    expect(thinkingParserFor(THINK, false, '')).toBeNull();
    expect(thinkingParserFor(THINK, undefined, '')).toBeNull();
    expect(thinkingParserFor(THINK, null, '')).toBeNull();
    expect(thinkingParserFor(THINK, 'false', '')).toBeNull();
    expect(thinkingParserFor({ open: '<think>', close: '' }, true, '')).toBeNull();
    expect(thinkingParserFor({ open: '', close: '' }, true, '')).toBeNull();
  });

  it('starts inside thinking when the trimmed prompt ends with the opening tag', () => {
    const p = thinkingParserFor(THINK, true, 'x <think>\n\n')!;
    expect(p.add('idea</think>ans')).toEqual({ thinking: 'idea', content: 'ans' });
  });
});

describe('helpers', () => {
  it.each([
    [true, true], ['medium', true], ['low', true], ['', false], ['false', false], [false, false], [undefined, false],
  ] as const)('thinkEnabled(%j) = %j', (v, want) => {
    expect(thinkEnabled(v)).toBe(want);
  });

  it.each([
    ['abc</', '</think>', 2], ['abc', '</think>', 0], ['<', '<think>', 1], ['<think', '<think>', 6], ['', '<think>', 0], ['x<think>', '<think>', 0],
  ] as const)('tagOverlap(%j, %j) = %d', (s, tag, want) => {
    expect(tagOverlap(s, tag)).toBe(want);
  });

  it('trims Go unicode.IsSpace characters only', () => {
    expect(trimLeftSpace(' \t\n\v\f\r\u0085\u00a0\u2003x ')).toBe('x ');
    expect(trimLeftSpace('\ufeffx')).toBe('\ufeffx');
  });
});
