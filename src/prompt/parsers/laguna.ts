/**
 * laguna / poolside-v1: Poolside's Laguna output. The prompt primes `<think>` when `think` is on
 * (the reply starts as thinking, an echoed `<think>` dropped, until `</think>`) and `</think>`
 * otherwise (thinking defaults off; a `<think>` block the model writes anyway is dropped). An
 * assistant last message continues as content (laguna; poolside-v1 always starts afresh). Tool
 * calls are `<tool_call>…</tool_call>` blocks (lagunacalls.ts); with tools, a `<user>` block
 * naming a tool and a bare JSON `{"name": …, "arguments": …}` are read as calls too. Whitespace
 * around thinking, content and calls is trimmed.
 *
 * Ollama's parser decides per piece, so its answer can depend on the split; here every split
 * gives one answer. Tags take effect in the order they appear (where Ollama's whole-text reading
 * lets a later `<think>` or `</think>` outrank an earlier `<tool_call>`, the earlier tag wins, as
 * it does when Ollama streams), and with tools, content from a `<user>` or `{` on is held until
 * the reply ends, since whether it is a call depends on the rest (docs/tools-thinking.md).
 */
import type { Message, Tool, ToolCall } from '../../api/types.js';
import { lagunaCallName, looksLikeJsonCall, parseLagunaToolCall, resolveLagunaTool, TOOL_CLOSE, TOOL_OPEN } from './lagunacalls.js';
import { leadingTag, overlap, takeUnambiguous, trailingWhitespaceLen, trimLeftSpace, trimRightSpace, trimSpace } from './text.js';
import { thinkBool, type ParsedPiece, type Parser, type ThinkValue } from './types.js';

const THINK_OPEN = '<think>';
const THINK_CLOSE = '</think>';
const USER_OPEN = '<user>';
const USER_CLOSE = '</user>';
const PRESERVED = [THINK_OPEN, THINK_CLOSE, TOOL_OPEN, TOOL_CLOSE, USER_OPEN, USER_CLOSE, '<arg_key>', '</arg_key>', '<arg_value>', '</arg_value>'];

export class LagunaParser implements Parser {
  private state: 'thinking' | 'content' | 'tool' = 'content';
  private buf = { value: '' };
  private tools: Tool[] | null = null;
  private callIndex = 0;
  private thinkingOn = false;
  /** A `<think>` echoing the primed one may still open the reply. */
  private echoedOpen = false;
  /** Thinking just opened by a `<think>`: its leading whitespace is dropped. */
  private thinkingStart = false;
  /** The buffer starts a stretch of content: leading whitespace and a leading `</think>` are dropped. */
  private segmentStart = true;

  constructor(private readonly prefillContinues = true) {}

  hasToolSupport(): boolean {
    return true;
  }
  hasThinkingSupport(): boolean {
    return true;
  }
  preservedTokens(): string[] {
    return PRESERVED;
  }

  init(tools: Tool[] | null, last: Message | null, think: ThinkValue): Tool[] | null {
    this.tools = tools;
    this.callIndex = 0;
    this.buf.value = '';
    this.thinkingOn = thinkBool(think);
    this.segmentStart = true;
    this.thinkingStart = false;
    const prefill = this.prefillContinues && last !== null && last.role === 'assistant';
    this.state = this.thinkingOn && !prefill ? 'thinking' : 'content';
    this.echoedOpen = this.state === 'thinking';
    return tools;
  }

  add(piece: string, done: boolean): ParsedPiece {
    this.buf.value += piece;
    const out: ParsedPiece = { content: '', thinking: '', calls: [] };
    for (;;) {
      const moved = this.state === 'thinking' ? this.thinking(out, done) : this.state === 'content' ? this.content(out, done) : this.tool(out, done);
      if (!moved) break;
    }
    for (const c of out.calls) c.function.index = this.callIndex++;
    return out;
  }

  private get hasTools(): boolean {
    return (this.tools ?? []).length > 0;
  }

  private think(out: ParsedPiece, text: string): void {
    if (this.thinkingOn) out.thinking += text;
  }

  private toContent(rest: string): void {
    this.buf.value = rest;
    this.state = 'content';
    this.segmentStart = true;
  }

  private thinking(out: ParsedPiece, done: boolean): boolean {
    const b = this.buf;
    if (this.echoedOpen) {
      const tag = leadingTag(b, THINK_OPEN);
      if (tag === 'wait' && !done) {
        b.value = trimLeftSpace(b.value);
        return false;
      }
      if (tag !== 'open') b.value = trimLeftSpace(b.value);
      else this.thinkingStart = true; // whitespace after the echoed tag may come later
      this.echoedOpen = false;
    }
    if (this.thinkingStart) {
      b.value = trimLeftSpace(b.value);
      if (b.value === '') return false;
      this.thinkingStart = false;
    }
    const acc = b.value;
    const close = acc.indexOf(THINK_CLOSE);
    const call = acc.indexOf(TOOL_OPEN);
    if (close >= 0 && (call < 0 || close < call)) {
      this.think(out, trimRightSpace(acc.slice(0, close)));
      this.toContent(trimLeftSpace(acc.slice(close + THINK_CLOSE.length)));
      return true;
    }
    if (call >= 0) {
      this.think(out, trimRightSpace(acc.slice(0, call)));
      b.value = acc.slice(call + TOOL_OPEN.length);
      this.state = 'tool';
      return true;
    }
    if (done) {
      this.think(out, trimRightSpace(acc));
      b.value = '';
      this.state = 'content';
      return acc !== '';
    }
    this.think(out, takeUnambiguous(b, THINK_CLOSE, TOOL_OPEN));
    return false;
  }

  private content(out: ParsedPiece, done: boolean): boolean {
    const b = this.buf;
    if (this.segmentStart) {
      b.value = trimLeftSpace(b.value);
      if (b.value === '') return false;
    }
    if (this.segmentStart && b.value.startsWith(THINK_CLOSE)) {
      this.toContent(b.value.slice(THINK_CLOSE.length));
      return true;
    }
    if (this.segmentStart && THINK_CLOSE.startsWith(b.value) && !done) return false;
    const acc = b.value;
    const think = acc.indexOf(THINK_OPEN);
    const call = acc.indexOf(TOOL_OPEN);
    if (think >= 0 && (call < 0 || think < call)) {
      out.content += acc.slice(0, think);
      b.value = acc.slice(think + THINK_OPEN.length);
      this.state = 'thinking';
      this.echoedOpen = false;
      this.thinkingStart = true;
      return true;
    }
    if (call >= 0) {
      out.content += trimRightSpace(acc.slice(0, call));
      b.value = acc.slice(call + TOOL_OPEN.length);
      this.state = 'tool';
      return true;
    }
    if (!done) return this.contentSoFar(out);
    this.segmentStart = false;
    if (this.hasTools && this.userCall(out, acc)) return true;
    const json = this.hasTools ? acc.indexOf('{') : -1;
    if (json >= 0 && looksLikeJsonCall(trimLeftSpace(acc.slice(json)))) {
      out.content += trimRightSpace(acc.slice(0, json));
      out.calls.push(parseLagunaToolCall(trimLeftSpace(acc.slice(json)), this.tools));
      b.value = '';
      return true;
    }
    out.content += trimRightSpace(acc);
    b.value = '';
    return false;
  }

  /** A closed `<user>` block naming a declared tool, as a call (false when there is none). */
  private userCall(out: ParsedPiece, acc: string): boolean {
    const open = acc.indexOf(USER_OPEN);
    if (open < 0) return false;
    const inner = acc.slice(open + USER_OPEN.length);
    const close = inner.indexOf(USER_CLOSE);
    if (close < 0) return false;
    const raw = inner.slice(0, close);
    const name = lagunaCallName(raw);
    if (name === '' || resolveLagunaTool(name, this.tools) === null) return false;
    let call: ToolCall;
    try {
      call = parseLagunaToolCall(raw, this.tools);
    } catch {
      return false;
    }
    out.content += trimRightSpace(acc.slice(0, open));
    out.calls.push(call);
    this.toContent(inner.slice(close + USER_CLOSE.length));
    return true;
  }

  /**
   * Before the end: content up to the first place a tag (or, with tools, a `<user>` block or a
   * JSON call) may start, less trailing whitespace; the rest waits, since what it becomes depends
   * on text not seen yet.
   */
  private contentSoFar(out: ParsedPiece): boolean {
    const acc = this.buf.value;
    const tags = this.hasTools ? [TOOL_OPEN, USER_OPEN] : [TOOL_OPEN];
    let cut = acc.length - Math.max(...[THINK_OPEN, ...tags].map((t) => overlap(acc, t)));
    for (const t of this.hasTools ? [...tags, '{'] : tags) {
      const i = acc.indexOf(t);
      if (i >= 0) cut = Math.min(cut, i);
    }
    const before = acc.slice(0, cut);
    const text = before.slice(0, before.length - trailingWhitespaceLen(before));
    if (text !== '') {
      out.content += text;
      this.buf.value = acc.slice(text.length);
      this.segmentStart = false;
    }
    return false;
  }

  private tool(out: ParsedPiece, done: boolean): boolean {
    const acc = this.buf.value;
    const close = acc.indexOf(TOOL_CLOSE);
    if (close >= 0) {
      this.toContent(trimLeftSpace(acc.slice(close + TOOL_CLOSE.length)));
      out.calls.push(parseLagunaToolCall(acc.slice(0, close), this.tools));
      return true;
    }
    if (done && trimSpace(acc) !== '') {
      this.toContent('');
      out.calls.push(parseLagunaToolCall(acc, this.tools));
      return true;
    }
    return false;
  }
}

/** poolside-v1: Laguna v8's renderer starts a fresh assistant turn, so no prefill continues. */
export class PoolsideV1Parser extends LagunaParser {
  constructor() {
    super(false);
  }
}
