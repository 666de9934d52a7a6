/**
 * glm-4.7 (GLM-4.6 style): optional `<think>…</think>` (glm-4.7's prompt opens it when `think`
 * is on or unset, so output starts inside), then content with tool calls
 * `<tool_call>NAME<arg_key>K</arg_key><arg_value>V</arg_value>…</tool_call>`; values typed by the
 * tool's parameter types; a malformed call is repaired as Ollama does. A call still open when the
 * output ends is accepted only if it is complete, declared, and has its required arguments.
 */
import type { Message, Tool, ToolCall } from '../../api/types.js';
import { parseQwenValue } from './qwen3coder.js';
import { leadingTag, isGoSpace, overlap, splitAtTag, takeUnambiguous, trimLeftSpace, trimRightSpace, trimSpace } from './text.js';
import { paramTypes } from './toolargs.js';
import { ParserError, thinkBool, type ParsedPiece, type Parser, type ThinkValue } from './types.js';

const THINK_OPEN = '<think>';
const THINK_CLOSE = '</think>';
const TOOL_OPEN = '<tool_call>';
const TOOL_CLOSE = '</tool_call>';
const KEY_OPEN = '<arg_key>';
const KEY_CLOSE = '</arg_key>';
const VAL_OPEN = '<arg_value>';
const VAL_CLOSE = '</arg_value>';

export type GlmEvent = { kind: 'glm46EventContent'; content: string } | { kind: 'glm46EventThinkingContent'; content: string } | { kind: 'glm46EventRawToolCall'; raw: string };
type State = 'lookingForThinkingOpen' | 'thinkingStartedEatingWs' | 'thinking' | 'thinkingDoneEatingWs' | 'content' | 'toolStartedEatingWs' | 'tool' | 'toolDoneEatingWs';

export class GLM46Parser implements Parser {
  state: State = 'lookingForThinkingOpen';
  buffer = { value: '' };
  protected tools: Tool[] | null = null;
  private callIndex = 0;

  hasToolSupport(): boolean {
    return true;
  }
  hasThinkingSupport(): boolean {
    return true;
  }
  preservedTokens(): string[] {
    return [THINK_OPEN, THINK_CLOSE, TOOL_OPEN, TOOL_CLOSE, KEY_OPEN, KEY_CLOSE, VAL_OPEN, VAL_CLOSE];
  }

  init(tools: Tool[] | null, _last: Message | null, _think: ThinkValue): Tool[] | null {
    this.tools = tools;
    this.callIndex = 0;
    return tools;
  }

  add(piece: string, done: boolean): ParsedPiece {
    this.buffer.value += piece;
    const events = this.parseEvents();
    if (done && (this.state === 'toolStartedEatingWs' || this.state === 'tool')) events.push(this.finalizeToolCall());
    const out: ParsedPiece = { content: '', thinking: '', calls: [] };
    for (const e of events) {
      if (e.kind === 'glm46EventRawToolCall') {
        const call = parseGLM46ToolCall(e.raw, this.tools);
        call.function.index = this.callIndex++;
        out.calls.push(call);
      } else if (e.kind === 'glm46EventThinkingContent') out.thinking += e.content;
      else out.content += e.content;
    }
    return out;
  }

  private finalizeToolCall(): GlmEvent {
    let raw = this.buffer.value;
    const ov = overlap(raw, TOOL_CLOSE);
    if (ov > 0) raw = trimRightSpace(raw.slice(0, raw.length - ov));
    try {
      validateFinal(parseGlmXml(raw), this.tools);
    } catch (err) {
      throw new ParserError(`incomplete GLM tool call: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.buffer.value = '';
    this.state = 'content';
    return { kind: 'glm46EventRawToolCall', raw };
  }

  parseEvents(): GlmEvent[] {
    const all: GlmEvent[] = [];
    for (;;) {
      const [events, again] = this.eat();
      all.push(...events);
      if (!again) return all;
    }
  }

  private eatWs(next: State): [GlmEvent[], boolean] {
    this.buffer.value = trimLeftSpace(this.buffer.value);
    if (this.buffer.value === '') return [[], false];
    this.state = next;
    return [[], true];
  }

  private eat(): [GlmEvent[], boolean] {
    const acc = this.buffer.value;
    switch (this.state) {
      case 'lookingForThinkingOpen': {
        const head = leadingTag(this.buffer, THINK_OPEN);
        if (head === 'wait') return [[], false];
        this.state = head === 'absent' ? 'content' : this.buffer.value === '' ? 'thinkingStartedEatingWs' : 'thinking';
        return [[], true];
      }
      case 'thinkingStartedEatingWs':
        return this.eatWs('thinking');
      case 'thinking': {
        if (acc.includes(THINK_CLOSE)) {
          const [thinking, rest] = splitAtTag(this.buffer, THINK_CLOSE, true);
          this.state = rest === '' ? 'thinkingDoneEatingWs' : 'content';
          return [thinking ? [{ kind: 'glm46EventThinkingContent', content: thinking }] : [], true];
        }
        const text = takeUnambiguous(this.buffer, THINK_CLOSE);
        return [text ? [{ kind: 'glm46EventThinkingContent', content: text }] : [], false];
      }
      case 'thinkingDoneEatingWs':
        return this.eatWs('content');
      case 'content': {
        if (acc.includes(TOOL_OPEN)) {
          const [before, after] = splitAtTag(this.buffer, TOOL_OPEN, true);
          this.state = after === '' ? 'toolStartedEatingWs' : 'tool';
          return [before ? [{ kind: 'glm46EventContent', content: before }] : [], true];
        }
        const text = takeUnambiguous(this.buffer, TOOL_OPEN);
        return [text ? [{ kind: 'glm46EventContent', content: text }] : [], false];
      }
      case 'toolStartedEatingWs':
        return this.eatWs('tool');
      case 'toolDoneEatingWs':
        return this.eatWs('content');
      case 'tool': {
        if (!acc.includes(TOOL_CLOSE)) return [[], false];
        const [raw, rest] = splitAtTag(this.buffer, TOOL_CLOSE, true);
        // whitespace after the call is dropped also when it comes in a later piece (unlike Ollama)
        this.state = rest === '' ? 'toolDoneEatingWs' : 'content';
        return [[{ kind: 'glm46EventRawToolCall', raw }], true];
      }
    }
  }
}

/** glm-4.7: starts inside thinking when `think` is on or unset. */
export class GLM47Parser extends GLM46Parser {
  override init(tools: Tool[] | null, last: Message | null, think: ThinkValue): Tool[] | null {
    super.init(tools, last, think);
    if (think === undefined || thinkBool(think)) this.state = 'thinking';
    return tools;
  }
}

export interface GlmToolCallXml {
  content: string;
  keys: string[];
  values: string[];
}

const ARG_TAG = /<(\/?)(arg_key|arg_value)>/g;

/**
 * The body of `<tool_call>…</tool_call>` read as Ollama reads it with encoding/xml: top-level text
 * is the name, arg_key/arg_value elements in order (text nested deeper is skipped); mismatched or
 * unclosed elements are errors.
 */
export function parseGlmXml(body: string): GlmToolCallXml {
  const s = body.replace(/\r\n?/g, '\n');
  const out: GlmToolCallXml = { content: '', keys: [], values: [] };
  const stack: string[] = [];
  let text = '';
  let last = 0;
  const flush = (chunk: string) => {
    if (stack.length === 0) out.content += chunk;
    else if (stack.length === 1) text += chunk;
  };
  for (const m of s.matchAll(ARG_TAG)) {
    flush(s.slice(last, m.index));
    last = m.index + m[0].length;
    const name = m[2]!;
    if (m[1] === '') {
      if (stack.length === 0) text = '';
      stack.push(name);
      continue;
    }
    const open = stack.pop();
    if (open === undefined) throw new ParserError(`XML syntax error: element <tool_call> closed by </${name}>`);
    if (open !== name) throw new ParserError(`XML syntax error: element <${open}> closed by </${name}>`);
    if (stack.length === 0) (name === 'arg_key' ? out.keys : out.values).push(text);
  }
  flush(s.slice(last));
  if (stack.length > 0) throw new ParserError(`XML syntax error: element <${stack.at(-1)}> closed by </tool_call>`);
  return out;
}

function validateFinal(parsed: GlmToolCallXml, tools: Tool[] | null): void {
  const name = trimSpace(parsed.content);
  if (name === '') throw new Error('empty function name');
  if (parsed.keys.length !== parsed.values.length) throw new Error(`mismatched arg_key and arg_value counts: ${parsed.keys.length} keys, ${parsed.values.length} values`);
  const tool = tools?.find((t) => t.function?.name === name);
  if (!tool) throw new Error(`tool "${name}" is not declared`);
  const seen = new Set<string>();
  for (const k of parsed.keys) {
    const key = trimSpace(k);
    if (key === '') throw new Error('empty argument name');
    seen.add(key);
  }
  for (const r of tool.function.parameters?.required ?? []) {
    if (!seen.has(r)) throw new Error(`required argument "${r}" is missing for tool "${name}"`);
  }
}

export function parseGLM46ToolCall(raw: string, tools: Tool[] | null): ToolCall {
  let parsed: GlmToolCallXml;
  try {
    parsed = parseGlmXml(raw);
  } catch (err) {
    try {
      parsed = parseGlmXml(repairGLM46XML(raw));
    } catch {
      throw new ParserError(`failed to parse XML: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const name = trimSpace(parsed.content);
  if (name === '') throw new ParserError('empty function name');
  if (parsed.keys.length !== parsed.values.length) throw new ParserError(`mismatched arg_key and arg_value counts: ${parsed.keys.length} keys, ${parsed.values.length} values`);
  const args: Record<string, unknown> = {};
  parsed.keys.forEach((k, i) => {
    const key = trimSpace(k);
    args[key] = parseQwenValue(parsed.values[i]!, paramTypes(tools, name, key));
  });
  return { function: { index: 0, name, arguments: args } };
}

const CYCLE = [KEY_OPEN, KEY_CLOSE, VAL_OPEN, VAL_CLOSE];

/** Ollama's repair of a malformed arg_key/arg_value sequence: missing tags are inserted in cycle order. */
export function repairGLM46XML(input: string): string {
  const findNext = (s: string): [number, string] => {
    let best = -1;
    let tag = '';
    for (const t of CYCLE) {
      const i = s.indexOf(t);
      if (i !== -1 && (best === -1 || i < best)) {
        best = i;
        tag = t;
      }
    }
    return [best, tag];
  };
  let s = input;
  let result = '';
  const [first, firstTag] = findNext(s);
  if (first === -1) return s;
  const prefix = s.slice(0, first);
  s = s.slice(first);
  let phase = 0;
  if (firstTag !== KEY_OPEN) {
    const sp = [...prefix].findIndex((ch) => isGoSpace(ch));
    if (sp !== -1) {
      const at = [...prefix].slice(0, sp).join('').length;
      result += prefix.slice(0, at) + KEY_OPEN + trimLeftSpace(prefix.slice(at));
      phase = 1;
    } else result += prefix;
  } else result += prefix;

  while (s.length > 0) {
    let [idx, found] = findNext(s);
    const expected = CYCLE[phase]!;
    const isOpen = phase % 2 === 0;
    if (idx === -1) {
      if (isOpen) break;
      result += s + expected;
      phase = (phase + 1) % 4;
      break;
    }
    if (found === expected) {
      result += s.slice(0, idx) + expected;
      s = s.slice(idx + expected.length);
      phase = (phase + 1) % 4;
      continue;
    }
    const foundIdx = CYCLE.indexOf(found);
    if (isOpen && idx > 0) {
      result += expected + s.slice(0, idx);
      phase = (phase + 1) % 4;
      s = s.slice(idx);
      continue;
    }
    while (phase !== foundIdx) {
      const tag = CYCLE[phase]!;
      if (phase % 2 === 1 && (phase + 1) % 4 === foundIdx && idx > 0) {
        result += s.slice(0, idx);
        s = s.slice(idx);
        idx = 0;
      }
      result += tag;
      phase = (phase + 1) % 4;
    }
  }
  if (phase === 1) result += KEY_CLOSE + VAL_OPEN + VAL_CLOSE;
  else if (phase === 2) result += VAL_OPEN + VAL_CLOSE;
  else if (phase === 3) result += VAL_CLOSE;
  return result;
}

/** glm-ocr: the GLM-4.6 parser reporting no thinking support (output may still open `<think>`). */
export class GlmOcrParser extends GLM46Parser {
  override hasThinkingSupport(): boolean {
    return false;
  }
}
