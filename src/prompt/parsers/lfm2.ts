/**
 * lfm2 / lfm2-thinking: LFM2's output. With thinking on (lfm2-thinking and `think`), a reply that
 * opens with `<think>` thinks until `</think>`; one without the tag is a direct answer; an
 * assistant prefill with content continues as content. Tool calls are Python-style lists between
 * `<|tool_call_start|>` and `<|tool_call_end|>`; when tools were given and the reply has no such
 * block, a reply that is nothing but a call list naming those tools is read as calls.
 *
 * Unlike Ollama's, which decides per piece, every split gives the whole text's answer: a partial
 * start tag and the whitespace before it are held back, whitespace after `</think>` or after a
 * call is dropped also when it arrives later, and content that may still turn out to be a bare
 * call list is held until it cannot be one or the reply ends.
 */
import type { Message, Tool, ToolCall } from '../../api/types.js';
import { CALL_END, CALL_START, parseLfm2ToolCalls } from './lfm2calls.js';
import { takeUnambiguous, trimLeftSpace, trimRightSpace, trimSpace } from './text.js';
import { thinkBool, type ParsedPiece, type ThinkValue } from './types.js';
import { ToolCallingParser } from './base.js';

const THINK_OPEN = '<think>';
const THINK_CLOSE = '</think>';

type State = 'looking' | 'thinking' | 'content' | 'calls' | 'stuck';

export class LFM2Parser extends ToolCallingParser {
  private state: State = 'content';
  private buf = { value: '' };
  private callIndex = 0;
  private toolNames = new Set<string>();
  private hasTools = false;
  /** Whitespace still to drop at the start of the thinking or content being read. */
  private trimLeading = false;
  /** Right after `<think>`: a second, adjacent `<think>` is dropped too. */
  private secondOpen = false;
  /** A wrapped call was seen: content is never a bare call list. */
  private sawCall = false;
  /** Content held back while it may be a bare call list; null once it cannot be. */
  private held: string | null = '';

  constructor(thinkingSupport: boolean) {
    super(thinkingSupport, [THINK_OPEN, THINK_CLOSE, CALL_START, CALL_END]);
  }

  init(tools: Tool[] | null, last: Message | null, think: ThinkValue): Tool[] | null {
    this.buf.value = '';
    this.callIndex = 0;
    this.toolNames = new Set((tools ?? []).map((t) => t.function?.name ?? '').filter((n) => n !== ''));
    this.hasTools = (tools ?? []).length > 0;
    this.trimLeading = this.secondOpen = this.sawCall = false;
    this.held = this.hasTools ? '' : null;
    const prefill = last !== null && last.role === 'assistant' && (last.content ?? '') !== '';
    this.state = this.thinkingSupport && thinkBool(think) && !prefill ? 'looking' : 'content';
    return tools;
  }

  add(piece: string, done: boolean): ParsedPiece {
    this.buf.value += piece;
    const out: ParsedPiece = { content: '', thinking: '', calls: [] };
    while (this.step(out, done));
    if (done) this.finish(out);
    for (const c of out.calls) c.function.index = this.callIndex++;
    return out;
  }

  /** One move of the state machine; false when it needs more text. */
  private step(out: ParsedPiece, done: boolean): boolean {
    const b = this.buf;
    switch (this.state) {
      case 'looking': {
        // not leadingTag: whitespace after the tag decides whether a second <think> is dropped
        const t = trimLeftSpace(b.value);
        if (t.startsWith(THINK_OPEN)) {
          b.value = t.slice(THINK_OPEN.length);
          this.state = 'thinking';
          this.secondOpen = true;
          this.trimLeading = true;
          return true;
        }
        if (THINK_OPEN.startsWith(t) && !done) return false;
        b.value = t;
        this.state = 'content';
        return t !== '';
      }
      case 'thinking': {
        if (this.secondOpen) {
          if (b.value.startsWith(THINK_OPEN)) b.value = b.value.slice(THINK_OPEN.length);
          else if (THINK_OPEN.startsWith(b.value) && !done) return false;
          this.secondOpen = false;
        }
        if (!this.leadingTrimmed()) return false;
        const i = b.value.indexOf(THINK_CLOSE);
        if (i < 0) {
          out.thinking += takeUnambiguous(b, THINK_CLOSE);
          return false;
        }
        out.thinking += trimRightSpace(b.value.slice(0, i));
        b.value = trimLeftSpace(b.value.slice(i + THINK_CLOSE.length));
        this.state = 'content';
        this.trimLeading = true;
        return true;
      }
      case 'content': {
        if (!this.leadingTrimmed()) return false;
        const i = b.value.indexOf(CALL_START);
        if (i < 0) {
          this.content(out, takeUnambiguous(b, CALL_START));
          return false;
        }
        this.content(out, trimRightSpace(b.value.slice(0, i)));
        b.value = b.value.slice(i + CALL_START.length);
        this.state = 'calls';
        return true;
      }
      case 'calls': {
        const i = b.value.indexOf(CALL_END);
        if (i < 0) return false;
        let calls: ToolCall[];
        try {
          calls = parseLfm2ToolCalls(b.value.slice(0, i));
        } catch {
          // Ollama logs the failure and never gets past this block: the rest of the reply is lost
          this.state = 'stuck';
          b.value = '';
          return false;
        }
        this.callsSeen(out, calls);
        const rest = b.value.slice(i + CALL_END.length);
        if (rest.startsWith(CALL_START)) b.value = rest.slice(CALL_START.length);
        else {
          b.value = rest;
          this.state = 'content';
          this.trimLeading = true;
        }
        return true;
      }
      case 'stuck':
        b.value = '';
        return false;
    }
  }

  /** Drops pending leading whitespace; false while nothing else has arrived. */
  private leadingTrimmed(): boolean {
    if (!this.trimLeading) return true;
    this.buf.value = trimLeftSpace(this.buf.value);
    if (this.buf.value === '') return false;
    this.trimLeading = false;
    return true;
  }

  private callsSeen(out: ParsedPiece, calls: ToolCall[]): void {
    this.sawCall = true;
    if (this.held !== null) out.content += this.held;
    this.held = null;
    out.calls.push(...calls);
  }

  /** Content out, or into the hold while it may still be a bare call list. */
  private content(out: ParsedPiece, text: string): void {
    if (this.held === null) {
      out.content += text;
      return;
    }
    this.held += text;
    if (!this.mayBeBareCalls(this.held)) {
      out.content += this.held;
      this.held = null;
    }
  }

  /** Whether text (all content so far) can still grow into a call list naming the given tools. */
  private mayBeBareCalls(text: string): boolean {
    if (this.toolNames.size === 0) return true;
    let s = trimLeftSpace(text);
    if (s.startsWith('[')) s = trimLeftSpace(s.slice(1));
    const paren = s.indexOf('(');
    if (paren >= 0) return this.toolNames.has(trimSpace(s.slice(0, paren)));
    const name = trimRightSpace(s);
    return [...this.toolNames].some((n) => n.startsWith(name) && (name === s || n === name));
  }

  /** The last piece: what the content state held back, then the bare call list check. */
  private finish(out: ParsedPiece): void {
    if (this.state === 'content') this.content(out, this.buf.value);
    this.buf.value = '';
    if (this.held === null) return;
    const held = this.held;
    this.held = null;
    if (!this.sawCall) {
      try {
        const calls = parseLfm2ToolCalls(trimSpace(held));
        if (this.toolNames.size === 0 || calls.every((c) => this.toolNames.has(c.function.name))) {
          out.calls.push(...calls);
          return;
        }
      } catch {
        /* not a call list: it is content */
      }
    }
    out.content += held;
  }
}
