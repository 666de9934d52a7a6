/**
 * ministral: content; `[THINK]…[/THINK]` thinking (a thinking variant starts inside it unless
 * the last message is an assistant prefill with content); tool calls `[TOOL_CALLS]NAME[ARGS]{JSON}`
 * for a tool the request declared. Unlike Ollama's, whitespace after `[/THINK]` is dropped also
 * when it arrives in a later piece.
 */
import type { Message, Tool, ToolCall } from '../../api/types.js';
import { overlap, takeUnambiguous, trimLeftSpace, trimRightSpace } from './text.js';
import { ParserError, type ParsedPiece, type Parser, type ThinkValue } from './types.js';

const TOOL_CALLS = '[TOOL_CALLS]';
const THINK = '[THINK]';
const THINK_END = '[/THINK]';
const ARGS = '[ARGS]';

export class MinistralParser implements Parser {
  private state: 'content' | 'thinking' | 'toolName' | 'toolArgs' = 'content';
  private buf = { value: '' };
  private tools: Tool[] | null = null;
  private callIndex = 0;
  private pendingName = '';
  private eatWs = false;

  constructor(private readonly thinkingSupport = false) {}

  hasToolSupport(): boolean {
    return true;
  }
  hasThinkingSupport(): boolean {
    return this.thinkingSupport;
  }
  preservedTokens(): string[] {
    return [TOOL_CALLS, THINK, THINK_END, ARGS];
  }

  init(tools: Tool[] | null, last: Message | null, _think: ThinkValue): Tool[] | null {
    this.tools = tools;
    this.callIndex = 0;
    const prefill = last !== null && last.role === 'assistant' && (last.content ?? '') !== '';
    this.state = this.thinkingSupport && !prefill ? 'thinking' : 'content';
    return tools;
  }

  add(piece: string, _done: boolean): ParsedPiece {
    this.buf.value += piece;
    const out: ParsedPiece = { content: '', thinking: '', calls: [] };
    const calls: ToolCall[] = [];
    for (;;) {
      const acc = this.buf.value;
      if (this.state === 'content') {
        if (this.eatWs) {
          this.buf.value = trimLeftSpace(acc);
          if (this.buf.value === '') break;
          this.eatWs = false;
          continue;
        }
        const ti = acc.indexOf(TOOL_CALLS);
        const ki = acc.indexOf(THINK);
        if (ti >= 0 || ki >= 0) {
          const [tag, next] = ti >= 0 ? [TOOL_CALLS, 'toolName' as const] : [THINK, 'thinking' as const];
          const i = acc.indexOf(tag);
          out.content += trimRightSpace(acc.slice(0, i));
          this.buf.value = acc.slice(i + tag.length);
          this.state = next;
          continue;
        }
        out.content += takeUnambiguous(this.buf, TOOL_CALLS, THINK);
        break;
      }
      if (this.state === 'thinking') {
        const i = acc.indexOf(THINK_END);
        if (i >= 0) {
          out.thinking += acc.slice(0, i);
          this.buf.value = acc.slice(i + THINK_END.length);
          this.state = 'content';
          this.eatWs = true;
          continue;
        }
        const ov = overlap(acc, THINK_END);
        out.thinking += acc.slice(0, acc.length - ov);
        this.buf.value = acc.slice(acc.length - ov);
        break;
      }
      if (this.state === 'toolName') {
        const i = acc.indexOf(ARGS);
        if (i < 0) break;
        this.pendingName = acc.slice(0, i);
        this.buf.value = acc.slice(i + ARGS.length);
        this.state = 'toolArgs';
        continue;
      }
      const end = findJSONEnd(acc);
      if (end < 0) break;
      calls.push(this.call(this.pendingName, acc.slice(0, end + 1)));
      this.pendingName = '';
      this.buf.value = acc.slice(end + 1);
      this.state = 'content';
    }
    for (const c of calls) c.function.index = this.callIndex++;
    out.calls = calls;
    return out;
  }

  private call(name: string, json: string): ToolCall {
    const tool = this.tools?.find((t) => t.function?.name === name);
    if (!tool) throw new ParserError(`tool '${name}' not found`);
    let args: unknown;
    try {
      args = JSON.parse(json);
    } catch (err) {
      throw new ParserError(err instanceof Error ? err.message : String(err));
    }
    if (args !== null && (typeof args !== 'object' || Array.isArray(args))) throw new ParserError('json: cannot unmarshal array into Go value of type api.ToolCallFunctionArguments');
    return { function: { index: 0, name: tool.function.name, arguments: (args ?? {}) as Record<string, unknown> } };
  }
}

/** The index of the bracket closing the first top-level JSON object/array, or -1. */
export function findJSONEnd(s: string): number {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}
