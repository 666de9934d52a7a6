/**
 * Turns generated tokens into text pieces without ever emitting a broken character. A byte-level
 * token can carry part of a multi-byte UTF-8 character; detokenizing it alone yields U+FFFD. The
 * assembler holds such tokens back and detokenizes them together with the following ones until
 * the character is complete (at most MAX_PENDING tokens, after which it gives up and emits).
 *
 * Detokenizing one token at a time loses SentencePiece's leading spaces, so every call passes the
 * few tokens before it as context (node-llama-cpp's `lastTokens`).
 */
export type Detokenize = (tokens: readonly number[], lastTokens: readonly number[]) => string;

const REPLACEMENT = '\uFFFD';
export const MAX_PENDING = 4;
const CONTEXT_TOKENS = 8;

export class TokenTextAssembler {
  private pending: number[] = [];
  private last: number[];

  /** `previous`: the tokens before the first generated one (the prompt's tail). */
  constructor(
    private readonly detokenize: Detokenize,
    previous: readonly number[] = [],
  ) {
    this.last = previous.slice(-CONTEXT_TOKENS);
  }

  /** Adds one token; returns the text now complete ("" while a character is incomplete). */
  push(token: number): string {
    this.pending.push(token);
    const text = this.detokenize(this.pending, this.last);
    if (text.endsWith(REPLACEMENT) && this.pending.length < MAX_PENDING) return '';
    return this.release(text);
  }

  /** End of generation: whatever is pending, even if incomplete. */
  flush(): string {
    if (this.pending.length === 0) return '';
    return this.release(this.detokenize(this.pending, this.last));
  }

  private release(text: string): string {
    this.last = [...this.last, ...this.pending].slice(-CONTEXT_TOKENS);
    this.pending = [];
    return text;
  }
}
