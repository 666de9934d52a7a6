/**
 * deepseek3 (DeepSeek-V3.1): thinking until `</think>` when `think` is on (and the last message
 * is not an assistant prefill with content); content; tool calls as
 * `<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>NAME<｜tool▁sep｜>{JSON}<｜tool▁call▁end｜>…<｜tool▁calls▁end｜>`;
 * tool output blocks pass through as content. Unlike Ollama's, content holds back a partial
 * begin tag and the whitespace a tool-calls tag would trim (released at the end of output),
 * whitespace after `</think>` / `<｜tool▁calls▁end｜>` is dropped also when it comes in a later
 * piece, and a tool-calls block ends at its own end tag, so every split of the output gives the
 * same result.
 */
import type { Message, Tool, ToolCall } from '../../api/types.js';
import { overlap, trailingWhitespaceLen, trimLeftSpace, trimRightSpace, trimSpace } from './text.js';
import { thinkBool, type ParsedPiece, type Parser, type ThinkValue } from './types.js';

const THINK_CLOSE = '</think>';
const CALLS_BEGIN = '<｜tool▁calls▁begin｜>';
const CALLS_END = '<｜tool▁calls▁end｜>';
const CALL_BEGIN = '<｜tool▁call▁begin｜>';
const CALL_END = '<｜tool▁call▁end｜>';
const SEP = '<｜tool▁sep｜>';
const OUTPUT_BEGIN = '<｜tool▁output▁begin｜>';
const OUTPUT_END = '<｜tool▁output▁end｜>';
export const OUTPUTS_BEGIN = '<｜tool▁outputs▁begin｜>';
export const OUTPUTS_END = '<｜tool▁outputs▁end｜>';

type Event = { content: string } | { thinking: string } | { call: ToolCall };

/** What differs between the DeepSeek-style parsers (deepseek3, cogito). */
export interface DeepSeekStyle {
  /** Whether output starts in thinking. */
  startsThinking(tools: Tool[] | null, last: Message | null, think: ThinkValue): boolean;
  /** The body between call begin/end tags as a call; null when it is not one (skipped). */
  parseCall(content: string): ToolCall | null;
  /**
   * How tool output blocks in the output are read: `passthrough` gives the text between
   * `<｜tool▁output▁begin｜>` and its end tag as content (deepseek3); `skip` drops a whole
   * `<｜tool▁outputs▁begin｜>` … `<｜tool▁outputs▁end｜>` block (cogito).
   */
  outputs: 'passthrough' | 'skip';
  extraTokens: string[];
}

export class DeepSeekStyleParser implements Parser {
  private state: 'thinking' | 'content' | 'toolCalls' | 'toolOutput' = 'content';
  private buf = '';
  private callIndex = 0;
  /** After `</think>` or `<｜tool▁calls▁end｜>`: leading whitespace is dropped, also across pieces. */
  private eatWs = false;

  constructor(
    private readonly style: DeepSeekStyle,
    private readonly thinkingSupport = true,
  ) {}

  hasToolSupport(): boolean {
    return true;
  }
  hasThinkingSupport(): boolean {
    return this.thinkingSupport;
  }
  preservedTokens(): string[] {
    return [THINK_CLOSE, CALLS_BEGIN, CALLS_END, CALL_BEGIN, CALL_END, SEP, OUTPUT_BEGIN, OUTPUT_END, ...this.style.extraTokens];
  }

  init(tools: Tool[] | null, last: Message | null, think: ThinkValue): Tool[] | null {
    this.callIndex = 0;
    this.buf = '';
    this.eatWs = false;
    this.state = this.thinkingSupport && this.style.startsThinking(tools, last, think) ? 'thinking' : 'content';
    return tools;
  }

  add(piece: string, done: boolean): ParsedPiece {
    this.buf += piece;
    const out: ParsedPiece = { content: '', thinking: '', calls: [] };
    const take = (e: Event) => {
      if ('call' in e) out.calls.push(e.call);
      else if ('thinking' in e) out.thinking += e.thinking;
      else out.content += e.content;
    };
    for (;;) {
      const [events, again] = this.eat();
      events.forEach(take);
      if (!again) break;
    }
    if (done && this.state === 'content' && this.buf) {
      out.content += this.buf;
      this.buf = '';
    }
    for (const c of out.calls) c.function.index = this.callIndex++;
    return out;
  }

  private eat(): [Event[], boolean] {
    const acc = this.buf;
    if (acc === '') return [[], false];
    switch (this.state) {
      case 'thinking': {
        const i = acc.indexOf(THINK_CLOSE);
        if (i >= 0) {
          const thinking = trimRightSpace(acc.slice(0, i));
          this.buf = acc.slice(i + THINK_CLOSE.length);
          this.state = 'content';
          this.eatWs = true;
          return [thinking ? [{ thinking }] : [], true];
        }
        const ov = overlap(acc, THINK_CLOSE);
        const before = acc.slice(0, acc.length - ov);
        const start = before.length - trailingWhitespaceLen(before);
        this.buf = acc.slice(start);
        const text = acc.slice(0, start);
        return [text ? [{ thinking: text }] : [], false];
      }
      case 'content': {
        if (this.eatWs) {
          this.buf = trimLeftSpace(acc);
          if (this.buf === '') return [[], false];
          this.eatWs = false;
          return [[], true];
        }
        const ci = acc.indexOf(CALLS_BEGIN);
        const outTag = this.style.outputs === 'skip' ? OUTPUTS_BEGIN : OUTPUT_BEGIN;
        const oi = acc.indexOf(outTag);
        if (ci >= 0) {
          const before = trimRightSpace(acc.slice(0, ci));
          this.buf = acc.slice(ci + CALLS_BEGIN.length);
          this.state = 'toolCalls';
          return [before ? [{ content: before }] : [], true];
        }
        if (oi >= 0) {
          // deepseek3 keeps the whitespace before a tool output; cogito trims it
          const before = this.style.outputs === 'skip' ? trimRightSpace(acc.slice(0, oi)) : acc.slice(0, oi);
          this.buf = acc.slice(oi + outTag.length);
          this.state = 'toolOutput';
          return [before ? [{ content: before }] : [], true];
        }
        const ov = Math.max(overlap(acc, CALLS_BEGIN), overlap(acc, outTag));
        const before = acc.slice(0, acc.length - ov);
        const start = before.length - trailingWhitespaceLen(before);
        this.buf = acc.slice(start);
        const text = acc.slice(0, start);
        return [text ? [{ content: text }] : [], false];
      }
      case 'toolCalls': {
        const b = acc.indexOf(CALL_BEGIN);
        const endAt = acc.indexOf(CALLS_END);
        // Only a call before `<｜tool▁calls▁end｜>` belongs to this block (Ollama also took one from
        // a later block when both were in its buffer, swallowing the content between).
        if (b >= 0 && (endAt < 0 || b < endAt)) {
          const start = b + CALL_BEGIN.length;
          const e = acc.indexOf(CALL_END, start);
          if (e >= 0) {
            const call = this.style.parseCall(acc.slice(start, e));
            if (call) {
              this.buf = trimLeftSpace(acc.slice(e + CALL_END.length));
              return [[{ call }], true];
            }
          }
        }
        const end = acc.indexOf(CALLS_END);
        if (end >= 0) {
          this.buf = acc.slice(end + CALLS_END.length);
          this.state = 'content';
          this.eatWs = true;
          return [[], true];
        }
        return [[], false];
      }
      case 'toolOutput': {
        if (this.style.outputs === 'skip') return this.skipOutputs(acc);
        const i = acc.indexOf(OUTPUT_END);
        if (i < 0) return [[], false];
        const output = acc.slice(0, i);
        this.buf = acc.slice(i + OUTPUT_END.length);
        this.state = 'content';
        return [output ? [{ content: output }] : [], true];
      }
    }
  }

  /** Inside `<｜tool▁outputs▁begin｜>`: each output is dropped; the block's end returns to content. */
  private skipOutputs(acc: string): [Event[], boolean] {
    const b = acc.indexOf(OUTPUT_BEGIN);
    const endAt = acc.indexOf(OUTPUTS_END);
    if (b >= 0 && (endAt < 0 || b < endAt)) {
      const e = acc.indexOf(OUTPUT_END, b + OUTPUT_BEGIN.length);
      if (e >= 0) {
        this.buf = trimLeftSpace(acc.slice(e + OUTPUT_END.length));
        return [[], true];
      }
    }
    if (endAt >= 0) {
      this.buf = acc.slice(endAt + OUTPUTS_END.length);
      this.state = 'content';
      this.eatWs = true;
      return [[], true];
    }
    return [[], false];
  }
}

export const DEEPSEEK3: DeepSeekStyle = {
  startsThinking: (_tools, last, think) => thinkBool(think) && !(last !== null && last.role === 'assistant' && (last.content ?? '') !== ''),
  parseCall: parseDeepSeekToolCall,
  outputs: 'passthrough',
  extraTokens: [],
};

/** deepseek3's parser; `thinkingSupport` false only in tests, as in Ollama's. */
export class DeepSeek3Parser extends DeepSeekStyleParser {
  constructor(thinkingSupport = true) {
    super(DEEPSEEK3, thinkingSupport);
  }
}

/** `NAME<｜tool▁sep｜>{JSON}`; null when it is not that shape (Ollama logs and skips it). */
export function parseDeepSeekToolCall(content: string): ToolCall | null {
  const i = content.indexOf(SEP);
  if (i < 0) return null;
  const name = trimSpace(content.slice(0, i));
  let args: unknown;
  try {
    args = JSON.parse(trimSpace(content.slice(i + SEP.length)));
  } catch {
    return null;
  }
  if (args !== null && (typeof args !== 'object' || Array.isArray(args))) return null;
  return { function: { index: 0, name, arguments: (args ?? {}) as Record<string, unknown> } };
}
