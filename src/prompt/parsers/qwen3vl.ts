/**
 * qwen3-vl-instruct / qwen3-vl-thinking: (thinking model) thinking until `</think>` unless the
 * last message is an assistant prefill with content; content with `<tool_call>{JSON}</tool_call>`
 * blocks (a tool call before `</think>` ends thinking); whitespace after `</think>` and after
 * `</tool_call>` is dropped.
 */
import type { Message, Tool, ToolCall } from '../../api/types.js';
import { splitAtTag, takeUnambiguous, trimLeftSpace } from './text.js';
import { ParserError, type ParsedPiece, type ThinkValue } from './types.js';
import { ToolCallingParser } from './base.js';

const THINK_CLOSE = '</think>';
const TOOL_OPEN = '<tool_call>';
const TOOL_CLOSE = '</tool_call>';

export type VLEvent = { kind: 'qwenEventContent'; content: string } | { kind: 'qwenEventThinkingContent'; content: string } | { kind: 'qwenEventRawToolCall'; raw: string };
type State = 'thinking' | 'content' | 'tool' | 'thinkingDoneEatingWs' | 'toolDoneEatingWs';

export class Qwen3VLParser extends ToolCallingParser {
  state: State = 'content';
  buffer = { value: '' };
  private callIndex = 0;

  constructor(thinkingSupport: boolean) {
    super(thinkingSupport, [THINK_CLOSE, TOOL_OPEN, TOOL_CLOSE]);
  }

  init(tools: Tool[] | null, last: Message | null, _think: ThinkValue): Tool[] | null {
    this.callIndex = 0;
    const prefill = last !== null && last.role === 'assistant' && (last.content ?? '') !== '';
    this.state = this.thinkingSupport && !prefill ? 'thinking' : 'content';
    return tools;
  }

  add(piece: string, _done: boolean): ParsedPiece {
    this.buffer.value += piece;
    const out: ParsedPiece = { content: '', thinking: '', calls: [] };
    for (const e of this.parseEvents()) {
      if (e.kind === 'qwenEventRawToolCall') out.calls.push(parseJsonFunction(e.raw));
      else if (e.kind === 'qwenEventThinkingContent') out.thinking += e.content;
      else out.content += e.content;
    }
    for (const c of out.calls) c.function.index = this.callIndex++;
    return out;
  }

  parseEvents(): VLEvent[] {
    const all: VLEvent[] = [];
    for (;;) {
      const [events, again] = this.eat();
      all.push(...events);
      if (!again) return all;
    }
  }

  private eatWs(): [VLEvent[], boolean] {
    this.buffer.value = trimLeftSpace(this.buffer.value);
    if (this.buffer.value === '') return [[], false];
    this.state = 'content';
    return [[], true];
  }

  private eat(): [VLEvent[], boolean] {
    const acc = this.buffer.value;
    switch (this.state) {
      case 'content': {
        if (acc.includes(TOOL_OPEN)) {
          const [before] = splitAtTag(this.buffer, TOOL_OPEN, false);
          this.state = 'tool';
          return [before ? [{ kind: 'qwenEventContent', content: before }] : [], true];
        }
        const text = takeUnambiguous(this.buffer, TOOL_OPEN);
        return [text ? [{ kind: 'qwenEventContent', content: text }] : [], false];
      }
      case 'tool': {
        const i = acc.indexOf(TOOL_CLOSE);
        if (i < 0) return [[], false];
        this.buffer.value = acc.slice(i + TOOL_CLOSE.length);
        this.state = 'toolDoneEatingWs';
        return [[{ kind: 'qwenEventRawToolCall', raw: acc.slice(0, i) }], true];
      }
      case 'thinking': {
        const closeIdx = acc.indexOf(THINK_CLOSE);
        const toolIdx = acc.indexOf(TOOL_OPEN);
        if (toolIdx !== -1 && (closeIdx === -1 || toolIdx < closeIdx)) {
          const [before] = splitAtTag(this.buffer, TOOL_OPEN, false);
          this.state = 'tool';
          return [before ? [{ kind: 'qwenEventThinkingContent', content: before }] : [], true];
        }
        if (closeIdx !== -1) {
          const [thinking, rest] = splitAtTag(this.buffer, THINK_CLOSE, true);
          this.state = rest === '' ? 'thinkingDoneEatingWs' : 'content';
          return [thinking ? [{ kind: 'qwenEventThinkingContent', content: thinking }] : [], true];
        }
        const text = takeUnambiguous(this.buffer, THINK_CLOSE, TOOL_OPEN);
        return [text ? [{ kind: 'qwenEventThinkingContent', content: text }] : [], false];
      }
      case 'thinkingDoneEatingWs':
      case 'toolDoneEatingWs':
        return this.eatWs();
    }
  }
}

/** A tool call body read as Ollama's ToolCallFunction JSON (`name`, `arguments`; no name check). */
export function parseJsonFunction(raw: string): ToolCall {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (err) {
    throw new ParserError(err instanceof Error ? err.message : String(err));
  }
  if (v === null) return { function: { index: 0, name: '', arguments: {} } };
  if (typeof v !== 'object' || Array.isArray(v)) throw new ParserError(`json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go value of type api.ToolCallFunction`);
  const o = v as { name?: unknown; arguments?: unknown };
  const name = typeof o.name === 'string' ? o.name : '';
  const args = o.arguments && typeof o.arguments === 'object' && !Array.isArray(o.arguments) ? (o.arguments as Record<string, unknown>) : {};
  return { function: { index: 0, name, arguments: args } };
}
