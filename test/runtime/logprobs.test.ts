/** The pure parts of logprobs: token texts as llama-server shows them, and which entries go with which text. */
import { describe, expect, it } from 'vitest';
import { completeUtf8Length, LogprobQueue, TokenPieces, type Logprob } from '../../src/runtime/logprobs.js';

describe('completeUtf8Length (llama-server validate_utf8)', () => {
  it.each([
    [[], 0],
    [[0x61, 0x62], 2],
    [[0x61, 0xe2], 1], // a 3-byte start alone
    [[0xe2, 0x96], 0], // 2 of 3 bytes
    [[0xe2, 0x96, 0x81], 3], // complete ▁
    [[0xf0, 0x9f, 0x98], 0], // 3 of 4 bytes
    [[0xf0, 0x9f, 0x98, 0x80], 4],
    [[0xc3], 0],
    [[0x80], 1], // a lone continuation byte is kept (it decodes to U+FFFD)
  ])('%j → %i', (bytes, n) => {
    expect(completeUtf8Length(Uint8Array.from(bytes))).toBe(n);
  });
});

describe('TokenPieces', () => {
  const vocab: Record<number, number[]> = { 1: [0x20, 0x74, 0x68, 0x65], 2: [0xe2], 3: [], 4: [0x80], 5: [0xc3, 0xa9] };
  let calls = 0;
  const pieces = new TokenPieces((t) => {
    calls++;
    return vocab[t] ? Uint8Array.from(vocab[t]!) : undefined;
  });

  it('text and bytes as Ollama reports them; empty text has no bytes', () => {
    expect(pieces.piece(1)).toEqual({ token: ' the', bytes: [0x20, 0x74, 0x68, 0x65] });
    expect(pieces.piece(2)).toEqual({ token: '' });
    expect(pieces.piece(3)).toEqual({ token: '' });
    expect(pieces.piece(4)).toEqual({ token: '\uFFFD', bytes: [0xef, 0xbf, 0xbd] });
    expect(pieces.piece(5)).toEqual({ token: 'é', bytes: [0xc3, 0xa9] });
    expect(pieces.piece(99)).toEqual({ token: '' });
  });

  it('caches the vocabulary lookups', () => {
    const before = calls;
    pieces.piece(1);
    pieces.piece(5);
    expect(calls).toBe(before);
  });

  it('entry: top_logprobs only when asked, cut to the count, in the map\'s order', () => {
    const top = new Map([[1, -0.1], [5, -2.5], [4, -3]]);
    expect(pieces.entry(1, -0.1, top, 0)).toEqual({ token: ' the', logprob: -0.1, bytes: [0x20, 0x74, 0x68, 0x65] });
    expect(pieces.entry(5, -2.5, top, 2)).toEqual({
      token: 'é', logprob: -2.5, bytes: [0xc3, 0xa9],
      top_logprobs: [{ token: ' the', logprob: -0.1, bytes: [0x20, 0x74, 0x68, 0x65] }, { token: 'é', logprob: -2.5, bytes: [0xc3, 0xa9] }],
    });
    expect(Object.keys(pieces.entry(2, -1, top, 1))).toEqual(['token', 'logprob', 'top_logprobs']);
  });
});

describe('LogprobQueue', () => {
  const e = (token: string): Logprob => ({ token, logprob: -1 });

  it('entries wait for the text they belong to, and the token completing a stop is dropped', () => {
    const q = new LogprobQueue();
    q.add(e('a'));
    expect(q.take()).toEqual([]);
    q.add(e('b'));
    q.release();
    expect(q.take().map((x) => x.token)).toEqual(['a', 'b']);
    expect(q.take()).toEqual([]);
    q.add(e('c'));
    q.add(e('STOP'));
    q.releaseBeforeStop();
    expect(q.take().map((x) => x.token)).toEqual(['c']);
  });
});
