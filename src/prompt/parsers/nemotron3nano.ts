/**
 * nemotron-3-nano / nemotron-3.5-nano: thinking first (unless `think` is false or the last
 * message is an assistant prefill with content; one explicit leading `<think>` tolerated) until
 * `</think>`, or until a `<tool_call>`; then content through the qwen3-coder tool-call parser.
 */
import type { Message, Tool } from '../../api/types.js';
import { Qwen3CoderParser } from './qwen3coder.js';
import { overlap, trailingWhitespaceLen, trimLeftSpace, trimRightSpace } from './text.js';
import { thinkBool, type ParsedPiece, type Parser, type ThinkValue } from './types.js';

const THINK_OPEN = '<think>';
const THINK_CLOSE = '</think>';
const TOOL_OPEN = '<tool_call>';

export class Nemotron3NanoParser implements Parser {
  private state: 'thinking' | 'skipWsAfterThinking' | 'content' = 'content';
  private buf = '';
  private tools = new Qwen3CoderParser();
  private maybeOpenAtStart = false;
  private skipThinkingLeadingWs = false;

  hasToolSupport(): boolean {
    return true;
  }
  hasThinkingSupport(): boolean {
    return true;
  }
  preservedTokens(): string[] {
    return [THINK_OPEN, THINK_CLOSE, '<tool_call>', '</tool_call>'];
  }

  init(tools: Tool[] | null, last: Message | null, think: ThinkValue): Tool[] | null {
    this.tools = new Qwen3CoderParser();
    this.tools.init(tools, null, undefined);
    this.buf = '';
    this.maybeOpenAtStart = false;
    this.skipThinkingLeadingWs = false;
    const enabled = think === undefined || thinkBool(think);
    const prefill = last !== null && last.role === 'assistant' && (last.content ?? '') !== '';
    if (!enabled || prefill) this.state = 'content';
    else {
      this.state = 'thinking';
      this.maybeOpenAtStart = true;
    }
    return tools;
  }

  add(piece: string, done: boolean): ParsedPiece {
    const none: ParsedPiece = { content: '', thinking: '', calls: [] };
    if (this.state === 'content') return this.tools.add(piece, done);
    if (this.state === 'skipWsAfterThinking') {
      const s = trimLeftSpace(piece);
      if (s === '') return none;
      this.state = 'content';
      return this.tools.add(s, done);
    }
    this.buf += piece;
    if (this.skipThinkingLeadingWs) {
      this.buf = trimLeftSpace(this.buf);
      if (this.buf === '') return none;
      this.skipThinkingLeadingWs = false;
    }
    if (this.stripOpeningThinkTag()) return this.add('', done);
    if (this.maybeOpenAtStart) {
      const trimmed = trimLeftSpace(this.buf);
      if (trimmed === '' || overlap(trimmed, THINK_OPEN) === trimmed.length) {
        this.buf = trimmed;
        return none;
      }
    }
    const acc = this.buf;
    const thinkIdx = acc.indexOf(THINK_CLOSE);
    const toolIdx = acc.indexOf(TOOL_OPEN);
    let end = -1;
    let rest = '';
    if (thinkIdx !== -1 && (toolIdx === -1 || thinkIdx < toolIdx)) {
      end = thinkIdx;
      rest = trimLeftSpace(acc.slice(thinkIdx + THINK_CLOSE.length));
    } else if (toolIdx !== -1) {
      end = toolIdx;
      rest = acc.slice(toolIdx);
    }
    if (end !== -1) {
      const thinking = trimRightSpace(acc.slice(0, end));
      this.buf = '';
      if (rest === '') {
        this.state = 'skipWsAfterThinking';
        return { content: '', thinking, calls: [] };
      }
      this.state = 'content';
      const r = this.tools.add(rest, done);
      return { content: r.content, thinking, calls: r.calls };
    }
    return { content: '', thinking: this.emitThinking(acc), calls: [] };
  }

  private emitThinking(acc: string): string {
    const ov = Math.max(overlap(acc, THINK_CLOSE), overlap(acc, TOOL_OPEN));
    const before = acc.slice(0, acc.length - ov);
    const start = before.length - trailingWhitespaceLen(before);
    this.buf = acc.slice(start);
    return acc.slice(0, start);
  }

  private stripOpeningThinkTag(): boolean {
    if (!this.maybeOpenAtStart) return false;
    const trimmed = trimLeftSpace(this.buf);
    if (trimmed === '') {
      this.buf = '';
      return false;
    }
    if (trimmed.startsWith(THINK_OPEN)) {
      this.buf = trimLeftSpace(trimmed.slice(THINK_OPEN.length));
      this.maybeOpenAtStart = false;
      this.skipThinkingLeadingWs = true;
      return true;
    }
    if (overlap(trimmed, THINK_OPEN) === trimmed.length) {
      this.buf = trimmed;
      return false;
    }
    this.maybeOpenAtStart = false;
    return false;
  }
}
