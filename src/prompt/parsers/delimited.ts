/**
 * The shape two parsers share (functiongemma, olmo3): content, with tool calls in blocks between
 * an open and a close tag, no thinking. Text is content until an open tag (a partial tag at a
 * piece's end is held back); a block is parsed once its close tag arrives. Subclasses say how a
 * block becomes calls and whether a held tail is flushed as content on the last piece.
 */
import type { Message, Tool, ToolCall } from '../../api/types.js';
import { overlap } from './text.js';
import type { ParsedPiece, Parser, ThinkValue } from './types.js';

export abstract class DelimitedCallParser implements Parser {
  private state: 'content' | 'toolCalls' = 'content';
  private buf = '';
  private callIndex = 0;

  constructor(
    private readonly open: string,
    private readonly close: string,
    /** On the last piece, text held back in the content state is written as content. */
    private readonly flushOnDone: boolean,
  ) {}

  /** The calls of one block's text (between the tags). */
  protected abstract parseBlock(text: string): ToolCall[];

  hasToolSupport(): boolean {
    return true;
  }
  hasThinkingSupport(): boolean {
    return false;
  }
  preservedTokens(): string[] {
    return [this.open, this.close];
  }

  init(tools: Tool[] | null, _last: Message | null, _think: ThinkValue): Tool[] | null {
    this.state = 'content';
    this.buf = '';
    this.callIndex = 0;
    return tools;
  }

  add(piece: string, done: boolean): ParsedPiece {
    this.buf += piece;
    const out: ParsedPiece = { content: '', thinking: '', calls: [] };
    for (;;) {
      const acc = this.buf;
      if (acc === '') break;
      if (this.state === 'content') {
        const i = acc.indexOf(this.open);
        if (i >= 0) {
          out.content += acc.slice(0, i);
          this.buf = acc.slice(i + this.open.length);
          this.state = 'toolCalls';
          continue;
        }
        const ov = overlap(acc, this.open);
        out.content += acc.slice(0, acc.length - ov);
        this.buf = acc.slice(acc.length - ov);
        break;
      }
      const j = acc.indexOf(this.close);
      if (j < 0) break;
      this.buf = acc.slice(j + this.close.length);
      this.state = 'content';
      out.calls.push(...this.parseBlock(acc.slice(0, j)));
    }
    if (done && this.flushOnDone) {
      if (this.state === 'content') out.content += this.buf;
      this.buf = '';
    }
    for (const c of out.calls) c.function.index = this.callIndex++;
    return out;
  }
}
