/**
 * olmo3-think: the model always thinks first (unless the last message is an assistant prefill
 * with content) until `</think>`; the rest is content. No tool calls. Unlike Ollama's, whitespace
 * after `</think>` is dropped also when it arrives in a later piece.
 */
import type { Message, Tool } from '../../api/types.js';
import { takeUnambiguous, trimLeftSpace, trimRightSpace } from './text.js';
import type { ParsedPiece, Parser, ThinkValue } from './types.js';

const THINK_CLOSE = '</think>';

export class Olmo3ThinkParser implements Parser {
  state: 'thinking' | 'content' = 'thinking';
  private buf = { value: '' };
  private eatWs = false;

  hasToolSupport(): boolean {
    return false;
  }
  hasThinkingSupport(): boolean {
    return true;
  }
  preservedTokens(): string[] {
    return [THINK_CLOSE];
  }

  init(tools: Tool[] | null, last: Message | null, _think: ThinkValue): Tool[] | null {
    const prefill = last !== null && last.role === 'assistant' && (last.content ?? '') !== '';
    this.state = prefill ? 'content' : 'thinking';
    return tools;
  }

  add(piece: string, _done: boolean): ParsedPiece {
    this.buf.value += piece;
    const out: ParsedPiece = { content: '', thinking: '', calls: [] };
    for (;;) {
      const acc = this.buf.value;
      if (acc === '') break;
      if (this.state === 'content') {
        const text = this.eatWs ? trimLeftSpace(acc) : acc;
        if (text !== '') this.eatWs = false;
        out.content += text;
        this.buf.value = '';
        break;
      }
      const i = acc.indexOf(THINK_CLOSE);
      if (i >= 0) {
        out.thinking += trimRightSpace(acc.slice(0, i));
        this.buf.value = acc.slice(i + THINK_CLOSE.length);
        this.state = 'content';
        this.eatWs = true;
        continue;
      }
      out.thinking += takeUnambiguous(this.buf, THINK_CLOSE);
      break;
    }
    return out;
  }
}
