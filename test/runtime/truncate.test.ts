import { describe, expect, it } from 'vitest';
import { truncateChat, truncatePromptTokens } from '../../src/runtime/truncate.js';

type M = { role: string; content: string; images?: string[] };
const render = (ms: M[]): string => ms.map((m) => `${m.role}:${m.content}`).join('|');
const count = (p: string): number => p.length; // 1 "token" per character

describe('truncateChat', () => {
  const msgs: M[] = [
    { role: 'system', content: 'S' },
    { role: 'user', content: 'u1' },
    { role: 'assistant', content: 'a1' },
    { role: 'user', content: 'u2' },
  ];
  it('keeps everything when it fits', async () => {
    const r = await truncateChat({ messages: msgs, render, countTokens: count, numCtx: 1000 });
    expect(r).toMatchObject({ truncated: false, dropped: 0, messages: msgs, prompt: render(msgs) });
  });
  it('drops the oldest non-system messages first, keeping the system message', async () => {
    const target = render([msgs[0]!, msgs[3]!]).length;
    const r = await truncateChat({ messages: msgs, render, countTokens: count, numCtx: target });
    expect(r.messages).toEqual([msgs[0], msgs[3]]);
    expect(r).toMatchObject({ truncated: true, dropped: 2, promptTokens: target });
  });
  it('keeps the last message even when it alone is too long', async () => {
    const r = await truncateChat({ messages: msgs, render, countTokens: count, numCtx: 1 });
    expect(r.messages).toEqual([msgs[0], msgs[3]]);
    expect(r.truncated).toBe(true);
  });
  it('keeps system messages in the middle of the history', async () => {
    const m2: M[] = [
      { role: 'user', content: 'x'.repeat(50) },
      { role: 'system', content: 'S2' },
      { role: 'user', content: 'q' },
    ];
    const r = await truncateChat({ messages: m2, render, countTokens: count, numCtx: 20 });
    expect(r.messages).toEqual([m2[1], m2[2]]);
  });
  it('counts images when tokensPerImage is set', async () => {
    const m3: M[] = [{ role: 'user', content: 'a', images: ['x'] }, { role: 'user', content: 'b' }];
    const r = await truncateChat({ messages: m3, render, countTokens: count, numCtx: 100, tokensPerImage: 768 });
    expect(r.messages).toEqual([m3[1]]);
    const r2 = await truncateChat({ messages: m3, render, countTokens: count, numCtx: 100 });
    expect(r2.messages).toEqual(m3);
  });
  it('handles an empty list', async () => {
    const r = await truncateChat<M>({ messages: [], render, countTokens: count, numCtx: 10 });
    expect(r).toMatchObject({ messages: [], truncated: false, prompt: '' });
  });
  it('accepts async render and count', async () => {
    const r = await truncateChat({ messages: msgs, render: async (m) => render(m), countTokens: async (p) => count(p), numCtx: 1000 });
    expect(r.truncated).toBe(false);
  });
});

describe('truncatePromptTokens', () => {
  const seq = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  it('returns a copy when it fits', () => {
    expect(truncatePromptTokens(seq(5), 10, 4)).toEqual(seq(5));
  });
  it('keeps num_keep leading tokens (after BOS) and fits with room to generate', () => {
    const out = truncatePromptTokens(seq(100), 32, 4, 1);
    expect(out.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(out.length).toBeLessThan(32);
    expect(out.at(-1)).toBe(99);
    // the kept tail is contiguous
    const tail = out.slice(5);
    for (let i = 1; i < tail.length; i++) expect(tail[i]).toBe(tail[i - 1]! + 1);
  });
  it('length exactly num_ctx is cut', () => {
    expect(truncatePromptTokens(seq(16), 16, 0).length).toBeLessThan(16);
  });
  it('num_keep larger than the context is clamped', () => {
    const out = truncatePromptTokens(seq(100), 16, 1000);
    expect(out.length).toBeLessThan(16);
    expect(out.at(-1)).toBe(99);
  });
  it('num_keep -1 keeps as much of the start as allowed', () => {
    const out = truncatePromptTokens(seq(100), 16, -1);
    expect(out.slice(0, 12)).toEqual(seq(12));
    expect(out.length).toBeLessThan(16);
  });
});
