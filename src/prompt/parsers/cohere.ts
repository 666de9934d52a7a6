/**
 * cohere (Command A style): thinking until `<|END_THINKING|>` (when `think` is on or unset and the
 * last message is not an assistant prefill with content), then blocks: `<|START_TEXT|>` /
 * `<|START_RESPONSE|>` content up to its end tag, `<|START_ACTION|>` a JSON list of
 * `{"tool_call_id","tool_name","parameters"}` up to `<|END_ACTION|>`; text outside a block is content.
 */
import type { Message, Tool, ToolCall } from '../../api/types.js';
import { overlap, trailingWhitespaceLen, trimLeftSpace, trimRightSpace, trimSpace } from './text.js';
import { thinkBool, type ParsedPiece, type Parser, type ThinkValue } from './types.js';

const END_THINKING = '<|END_THINKING|>';
const START_TEXT = '<|START_TEXT|>';
const END_TEXT = '<|END_TEXT|>';
const START_ACTION = '<|START_ACTION|>';
const END_ACTION = '<|END_ACTION|>';
const END_OF_TURN = '<|END_OF_TURN_TOKEN|>';
const START_RESPONSE = '<|START_RESPONSE|>';
const END_RESPONSE = '<|END_RESPONSE|>';

type Step = { content?: string; thinking?: string; calls?: ToolCall[]; more: boolean };

export class CohereParser implements Parser {
  private state: 'thinking' | 'awaitingBlock' | 'content' | 'action' = 'awaitingBlock';
  private buf = '';
  private callIndex = 0;

  hasToolSupport(): boolean {
    return true;
  }
  hasThinkingSupport(): boolean {
    return true;
  }
  preservedTokens(): string[] {
    return ['<|START_THINKING|>', END_THINKING, START_TEXT, END_TEXT, START_ACTION, END_ACTION, START_RESPONSE, END_RESPONSE];
  }

  init(tools: Tool[] | null, last: Message | null, think: ThinkValue): Tool[] | null {
    this.buf = '';
    this.callIndex = 0;
    const enabled = think === undefined || thinkBool(think);
    const prefill = last !== null && last.role === 'assistant' && (last.content ?? '') !== '';
    this.state = prefill ? 'content' : enabled ? 'thinking' : 'awaitingBlock';
    return tools;
  }

  add(piece: string, done: boolean): ParsedPiece {
    this.buf += piece;
    const out: ParsedPiece = { content: '', thinking: '', calls: [] };
    for (;;) {
      const s = this.eat(done);
      out.content += s.content ?? '';
      out.thinking += s.thinking ?? '';
      out.calls.push(...(s.calls ?? []));
      if (!s.more) break;
    }
    for (const c of out.calls) c.function.index = this.callIndex++;
    return out;
  }

  private eat(done: boolean): Step {
    const buf = this.buf;
    if (buf === '') return { more: false };
    switch (this.state) {
      case 'thinking': {
        const i = buf.indexOf(END_THINKING);
        if (i >= 0) {
          this.buf = buf.slice(i + END_THINKING.length);
          this.state = 'awaitingBlock';
          return { thinking: trimRightSpace(buf.slice(0, i)), more: true };
        }
        let end = buf.length - overlap(buf, END_THINKING);
        end -= trailingWhitespaceLen(buf.slice(0, end));
        if (end <= 0) return { more: false };
        this.buf = buf.slice(end);
        return { thinking: buf.slice(0, end), more: false };
      }
      case 'awaitingBlock': {
        for (const open of [START_TEXT, START_RESPONSE]) {
          const i = buf.indexOf(open);
          if (i >= 0) {
            this.buf = buf.slice(i + open.length);
            this.state = 'content';
            return { more: true };
          }
        }
        const a = buf.indexOf(START_ACTION);
        if (a >= 0) {
          this.buf = buf.slice(a + START_ACTION.length);
          this.state = 'action';
          return { more: true };
        }
        const trimmed = trimLeftSpace(buf);
        if (trimmed.startsWith(END_OF_TURN)) {
          this.buf = trimmed.slice(END_OF_TURN.length);
          return { more: true };
        }
        if (trimmed === '') {
          if (done) this.buf = '';
          return { more: false };
        }
        if (!done && maybePartialTag(trimmed)) return { more: false };
        this.buf = trimmed;
        this.state = 'content';
        return { more: true };
      }
      case 'content': {
        for (const close of [END_TEXT, END_RESPONSE, END_OF_TURN]) {
          const i = buf.indexOf(close);
          if (i >= 0) {
            this.buf = buf.slice(i + close.length);
            this.state = 'awaitingBlock';
            return { content: buf.slice(0, i), more: true };
          }
        }
        const keep = Math.max(overlap(buf, END_TEXT), overlap(buf, END_RESPONSE), overlap(buf, END_OF_TURN));
        let content = buf.slice(0, buf.length - keep);
        this.buf = buf.slice(buf.length - keep);
        if (done && this.buf) {
          content += this.buf;
          this.buf = '';
        }
        return { content, more: false };
      }
      case 'action': {
        const i = buf.indexOf(END_ACTION);
        if (i >= 0) {
          this.buf = buf.slice(i + END_ACTION.length);
          this.state = 'awaitingBlock';
          return { calls: parseCohereActions(buf.slice(0, i)), more: true };
        }
        if (done) {
          this.buf = '';
          return { calls: parseCohereActions(buf), more: false };
        }
        return { more: false };
      }
    }
  }
}

function maybePartialTag(s: string): boolean {
  return [START_TEXT, START_RESPONSE, START_ACTION, END_OF_TURN].some((tag) => s.length < tag.length && tag.startsWith(s));
}

/** One action as Go decodes it into {tool_call_id, tool_name, parameters}; null when it does not fit. */
function toCall(v: unknown): ToolCall | null {
  if (v === null) return { function: { index: 0, name: '', arguments: {} } };
  if (typeof v !== 'object' || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  const id = o.tool_call_id ?? null;
  const name = o.tool_name ?? null;
  const params = o.parameters ?? null;
  if (id !== null && typeof id !== 'string') return null;
  if (name !== null && typeof name !== 'string') return null;
  if (params !== null && (typeof params !== 'object' || Array.isArray(params))) return null;
  return { ...(id ? { id } : {}), function: { index: 0, name: (name as string | null) ?? '', arguments: (params as Record<string, unknown> | null) ?? {} } };
}

/** A JSON list of actions; failing that, every top-level `{…}` that reads as one. */
export function parseCohereActions(payload: string): ToolCall[] {
  const p = trimSpace(payload);
  if (p === '') return [];
  try {
    const v: unknown = JSON.parse(p);
    if (Array.isArray(v)) {
      const calls = v.map(toCall);
      if (calls.every((c) => c !== null)) return calls as ToolCall[];
    } else if (v === null) return [];
  } catch {
    /* fall through to scanning */
  }
  const calls: ToolCall[] = [];
  for (const obj of scanJSONObjects(p)) {
    try {
      const c = toCall(JSON.parse(obj));
      if (c) calls.push(c);
    } catch {
      /* skipped, as Ollama logs and skips it */
    }
  }
  return calls;
}

function scanJSONObjects(s: string): string[] {
  const objects: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (escaped) escaped = false;
    else if (c === '\\' && inString) escaped = true;
    else if (c === '"') inString = !inString;
    else if (inString) continue;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' && depth > 0) {
      depth--;
      if (depth === 0 && start >= 0) {
        objects.push(s.slice(start, i + 1));
        start = -1;
      }
    }
  }
  return objects;
}
