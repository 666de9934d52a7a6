/**
 * qwen3.5 (also `ornith`): thinking first unless `think` is false or the last message is an
 * assistant prefill (one explicit leading `<think>` tolerated; a `<tool_call>` before `</think>`
 * ends thinking), then content through the qwen3-coder tool-call parser.
 */
import type { Message, Tool } from '../../api/types.js';
import { Qwen3CoderParser } from './qwen3coder.js';
import { leadingTag, overlap, splitAtTag, takeUnambiguous, trimLeftSpace } from './text.js';
import { thinkBool, type ParsedPiece, type Parser, type ThinkValue } from './types.js';

const THINK_OPEN = '<think>';
const THINK_CLOSE = '</think>';
const TOOL_OPEN = '<tool_call>';

type Event = { content: string } | { thinking: string };

export class Qwen35Parser implements Parser {
  private tools = new Qwen3CoderParser();
  private state: 'thinking' | 'thinkingDoneEatingWs' | 'content' = 'content';
  private buf = { value: '' };
  private allowLeadingOpen = false;
  private trimLeadingThinking = false;

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
    this.buf.value = '';
    this.tools = new Qwen3CoderParser();
    this.tools.init(tools, null, undefined);
    const enabled = think === undefined ? true : thinkBool(think);
    const prefill = last !== null && last.role === 'assistant' && (last.content ?? '') !== '';
    this.state = enabled && !prefill ? 'thinking' : 'content';
    this.allowLeadingOpen = this.state === 'thinking';
    this.trimLeadingThinking = false;
    return tools;
  }

  add(piece: string, done: boolean): ParsedPiece {
    this.buf.value += piece;
    const out: ParsedPiece = { content: '', thinking: '', calls: [] };
    for (;;) {
      const [events, again] = this.eat();
      for (const e of events) {
        if ('thinking' in e) out.thinking += e.thinking;
        else {
          const r = this.tools.add(e.content, done);
          out.content += r.content;
          out.calls.push(...r.calls);
        }
      }
      if (!again) return out;
    }
  }

  /** [handled, continue now] for one optional leading `<think>`. */
  private leadingOpen(): [boolean, boolean] {
    if (!this.allowLeadingOpen) return [false, false];
    const head = leadingTag(this.buf, THINK_OPEN);
    if (head === 'wait') return [true, false];
    this.allowLeadingOpen = false;
    if (head === 'absent') return [false, false];
    this.trimLeadingThinking = this.buf.value === '';
    return [true, this.buf.value !== ''];
  }

  private eat(): [Event[], boolean] {
    switch (this.state) {
      case 'thinking': {
        let acc = this.buf.value;
        const [handled, now] = this.leadingOpen();
        if (handled) return [[], now];
        if (this.trimLeadingThinking) {
          acc = trimLeftSpace(acc);
          this.buf.value = acc;
          if (acc === '') return [[], false];
          this.trimLeadingThinking = false;
        }
        if (acc.includes(THINK_CLOSE)) {
          const [thinking, rest] = splitAtTag(this.buf, THINK_CLOSE, true);
          this.state = rest === '' ? 'thinkingDoneEatingWs' : 'content';
          return [thinking ? [{ thinking }] : [], true];
        }
        if (acc.includes(TOOL_OPEN)) {
          // a tool call before `</think>` ends thinking (checked before partial tags, unlike Ollama,
          // so that a piece ending in `<` inside the call cannot leak the call into thinking)
          const [thinking, tooling] = splitAtTag(this.buf, TOOL_OPEN, true);
          this.buf.value = thinking + THINK_CLOSE + TOOL_OPEN + tooling;
          return [[], true];
        }
        if (Math.max(overlap(acc, THINK_CLOSE), overlap(acc, TOOL_OPEN)) > 0) {
          const text = takeUnambiguous(this.buf, THINK_CLOSE, TOOL_OPEN);
          return [text ? [{ thinking: text }] : [], false];
        }
        const text = takeUnambiguous(this.buf);
        return [text ? [{ thinking: text }] : [], false];
      }
      case 'thinkingDoneEatingWs': {
        this.buf.value = trimLeftSpace(this.buf.value);
        if (this.buf.value === '') return [[], false];
        this.state = 'content';
        return [[], true];
      }
      case 'content': {
        const content = this.buf.value;
        this.buf.value = '';
        return [content ? [{ content }] : [], false];
      }
    }
  }
}
