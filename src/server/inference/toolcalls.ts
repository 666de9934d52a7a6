/**
 * Finds tool calls in a model's streamed output, following Ollama's tools parser (reference
 * §6.4): the tag comes from the template (`toolCallPrefix`, default `{`). Output before the tag is
 * content; after it, JSON objects are scanned for a known tool name and its arguments
 * (`arguments`/`parameters` as an object or a JSON string, or an object keyed by the tool name).
 * With the tag `{` or `[`, only output that starts with JSON can be a tool call. Text that may
 * still become a call is held back, and handed out as content if it turns out not to be one.
 */
import { randomInt } from 'node:crypto';
import type { ToolCall } from '../../api/types.js';
import { tagOverlap, trimLeftSpace } from './thinking.js';

/** What the parser needs of a request's tool: its function's name. */
export interface NamedTool {
  function?: { name?: unknown } | null;
}

export interface ToolCallPiece {
  calls: ToolCall[];
  content: string;
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `call_` + 8 random `[a-z0-9]`, as Ollama names tool calls. */
export function toolCallId(): string {
  let id = 'call_';
  for (let i = 0; i < 8; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An argument object given as an object or as a JSON string holding one. */
function argumentsOf(v: unknown): Json | undefined {
  if (isObject(v)) return v;
  if (typeof v !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(v);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The arguments inside a parsed object: `{"name", "arguments"|"parameters"}` (an object with a
 * `name` but no arguments calls the tool with none), `{"<tool>": {…}}`, or either shape nested
 * anywhere inside (e.g. OpenAI's `{"function": {…}}`).
 */
function findArgumentsIn(obj: Json, toolName: string): Json | undefined {
  if (Object.hasOwn(obj, 'name')) return argumentsOf(obj.arguments) ?? argumentsOf(obj.parameters) ?? {};
  const keyed = Object.hasOwn(obj, toolName) ? argumentsOf(obj[toolName]) : undefined;
  if (keyed) return keyed;
  for (const v of Object.values(obj)) {
    const children = Array.isArray(v) ? v : [v];
    for (const child of children) {
      if (!isObject(child)) continue;
      const found = findArgumentsIn(child, toolName);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The first complete, valid JSON object in `buf` (braces counted outside strings) and the index
 * just past it; undefined while none is complete.
 */
export function firstObject(buf: string): { value: Json; end: number } | undefined {
  let start = -1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (escaped) {
      escaped = false;
      continue;
    }
    if (c === '\\') {
      escaped = true;
      continue;
    }
    if (c === '"') {
      inString = !inString;
      continue;
    }
    if (inString) continue;
    if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0 && start !== -1) {
        try {
          const value: unknown = JSON.parse(buf.slice(start, i + 1));
          if (isObject(value)) return { value, end: i + 1 };
        } catch {
          /* not JSON after all: keep looking */
        }
        start = -1;
      }
      if (depth < 0) depth = 0;
    }
  }
  return undefined;
}

export class ToolCallParser {
  private state: 'lookingForTag' | 'toolCalling' | 'done' = 'lookingForTag';
  private buffer = '';
  private n = 0;
  private readonly names: string[];
  private readonly longest: number;
  private readonly braceTag: boolean;

  constructor(
    readonly tag: string,
    tools: ReadonlyArray<NamedTool>,
    private readonly newId: () => string = toolCallId,
  ) {
    if (tag === '') throw new Error('tool call tag must not be empty');
    this.names = tools.map((t) => t.function?.name).filter((n): n is string => typeof n === 'string' && n !== '');
    this.longest = Math.max(0, ...this.names.map((n) => n.length));
    this.braceTag = tag === '{' || tag === '[';
  }

  /** How many tool calls were found so far. */
  get count(): number {
    return this.n;
  }

  /** Feeds one piece of output; returns the calls completed and the content that is certain. */
  add(text: string): ToolCallPiece {
    if (this.state === 'done') return { calls: [], content: text };
    this.buffer += text;
    let content = '';
    if (this.state === 'lookingForTag') {
      const found = this.buffer.indexOf(this.tag);
      const cut = found >= 0 ? found : this.buffer.length - tagOverlap(this.buffer, this.tag);
      content = this.buffer.slice(0, cut);
      this.buffer = this.buffer.slice(cut);
      if (this.braceTag && trimLeftSpace(content) !== '') {
        // Output that does not start with JSON is never a tool call.
        this.state = 'done';
        const all = content + this.buffer;
        this.buffer = '';
        return { calls: [], content: all };
      }
      if (found < 0) return { calls: [], content };
      this.state = 'toolCalling';
    }
    const calls: ToolCall[] = [];
    for (let call = this.nextCall(); call; call = this.nextCall()) calls.push(call);
    if (this.n === 0 && this.braceTag && this.closed()) {
      // A complete JSON value that held no tool call: it was content.
      this.state = 'done';
      content += this.buffer;
      this.buffer = '';
    }
    return { calls, content };
  }

  /**
   * End of output: the content still held back. Nothing once a call was found (what follows the
   * calls is the template's closing markup); everything when no call was, so no output is lost.
   */
  finish(): string {
    const rest = this.n > 0 ? '' : this.buffer;
    this.buffer = '';
    this.state = 'done';
    return rest;
  }

  private nextCall(): ToolCall | undefined {
    const tool = this.findTool();
    if (!tool) return undefined;
    const obj = firstObject(this.buffer);
    if (!obj) return undefined;
    const args = findArgumentsIn(obj.value, tool.name) ?? obj.value;
    this.buffer = this.buffer.slice(Math.max(tool.end, obj.end));
    return { id: this.newId(), function: { index: this.n++, name: tool.name, arguments: args } };
  }

  /**
   * The earliest tool name in the buffer (the longest one at the same place); none while the
   * buffer ends with what may be the start of a longer name (`get` before `get_weather`).
   */
  private findTool(): { name: string; end: number } | undefined {
    const buf = this.buffer;
    for (let i = 1; i <= Math.min(buf.length, this.longest); i++) {
      const tail = buf.slice(buf.length - i);
      if (this.names.some((name) => tail.length < name.length && name.startsWith(tail))) return undefined;
    }
    let best: { name: string; start: number } | undefined;
    for (const name of this.names) {
      const at = buf.indexOf(name);
      if (at < 0) continue;
      if (!best || at < best.start || (at === best.start && name.length > best.name.length)) best = { name, start: at };
    }
    return best && { name: best.name, end: best.start + best.name.length };
  }

  /** With a `{`/`[` tag: whether the buffer holds a complete bracketed value (strings skipped). */
  private closed(): boolean {
    const [open, close] = this.tag === '{' ? ['{', '}'] : ['[', ']'];
    let depth = 0;
    let inString = false;
    let escaped = false;
    for (const c of this.buffer) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = !inString;
      else if (inString) continue;
      else if (c === open) depth++;
      else if (c === close && --depth === 0) return true;
    }
    return false;
  }
}
