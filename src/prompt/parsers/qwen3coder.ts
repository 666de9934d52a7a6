/**
 * qwen3-coder: content with `<tool_call><function=NAME><parameter=P>VALUE</parameter></function></tool_call>`
 * blocks; parameter values are typed by the tool's declared parameter types. No thinking.
 * Unlike Ollama's, whitespace after `</tool_call>` is dropped also when it arrives in a later
 * piece, so every split of the output gives the same content.
 */
import type { Message, Tool, ToolCall } from '../../api/types.js';
import { ParserError, type ParsedPiece, type Parser, type ThinkValue } from './types.js';
import { paramTypes, typedToolValue } from './toolargs.js';
import { overlap, trailingWhitespaceLen, trimLeftSpace, trimRightSpace } from './text.js';

const OPEN = '<tool_call>';
const CLOSE = '</tool_call>';

export type QwenEvent = { content: string } | { raw: string };

export class Qwen3CoderParser implements Parser {
  acc = '';
  private collecting = false;
  /** After `</tool_call>`: whitespace is dropped until other text arrives (also across chunks). */
  private eatingWs = false;
  private tools: Tool[] | null = null;
  private callIndex = 0;

  hasToolSupport(): boolean {
    return true;
  }
  hasThinkingSupport(): boolean {
    return false;
  }
  preservedTokens(): string[] {
    return [OPEN, CLOSE];
  }

  init(tools: Tool[] | null, _last: Message | null, _think: ThinkValue): Tool[] | null {
    this.tools = tools;
    this.callIndex = 0;
    return tools;
  }

  add(piece: string, _done: boolean): ParsedPiece {
    this.acc += piece;
    let content = '';
    const calls: ToolCall[] = [];
    for (const e of this.parseEvents()) {
      if ('raw' in e) {
        const call = parseQwenXmlToolCall(e.raw, this.tools);
        call.function.index = this.callIndex++;
        calls.push(call);
      } else content += e.content;
    }
    return { content, thinking: '', calls };
  }

  /** The unambiguous events in the buffer (exported for the ported event tables). */
  parseEvents(): QwenEvent[] {
    const all: QwenEvent[] = [];
    for (;;) {
      const [events, again] = this.eat();
      all.push(...events);
      if (!again) return all;
    }
  }

  private eat(): [QwenEvent[], boolean] {
    const acc = this.acc;
    if (this.eatingWs) {
      this.acc = trimLeftSpace(acc);
      if (this.acc === '') return [[], false];
      this.eatingWs = false;
      return [[], true];
    }
    if (!this.collecting) {
      const i = acc.indexOf(OPEN);
      if (i >= 0) {
        const before = trimRightSpace(acc.slice(0, i));
        this.acc = acc.slice(i + OPEN.length);
        this.collecting = true;
        return [before ? [{ content: before }] : [], true];
      }
      const ov = overlap(acc, OPEN);
      const beforePartial = acc.slice(0, acc.length - ov);
      const start = beforePartial.length - trailingWhitespaceLen(beforePartial);
      this.acc = acc.slice(start);
      const text = acc.slice(0, start);
      return [text ? [{ content: text }] : [], false];
    }
    const j = acc.indexOf(CLOSE);
    if (j < 0) return [[], false];
    this.acc = acc.slice(j + CLOSE.length);
    this.collecting = false;
    this.eatingWs = true;
    return [[{ raw: acc.slice(0, j) }], true];
  }
}

const TAG = /<(\w+)=([^>]+)>|<(\/?)(function|parameter)(?:\s+name="([^"]*)")?>/g;

/**
 * Parses `<function=NAME>` … `</function>` with `<parameter=NAME>value</parameter>` children, as
 * Ollama's XML-based reading does: text before the function is skipped, each parameter's value
 * loses one leading and one trailing newline, and unclosed elements are errors.
 */
export function parseQwenXmlToolCall(raw: string, tools: Tool[] | null): ToolCall {
  const text = raw.replace(/\r\n?/g, '\n');
  let fn: string | null = null;
  let param: { name: string; value: string } | null = null;
  let done = false;
  const args: Record<string, unknown> = {};
  const params: { name: string; value: string }[] = [];
  let last = 0;
  for (const m of text.matchAll(TAG)) {
    const kind = m[1] !== undefined ? (m[1] === 'function' || m[1] === 'parameter' ? m[1] : null) : m[4]!;
    if (kind === null) continue; // some other `<x=y>` stays text
    const closing = m[1] === undefined && m[3] === '/';
    const name = m[1] !== undefined ? m[2]! : (m[5] ?? '');
    if (param) param.value += text.slice(last, m.index);
    last = m.index + m[0].length;
    if (fn === null) {
      if (closing) throw new ParserError(`XML syntax error: unexpected end element </${kind}>`);
      if (kind !== 'function') throw new ParserError(`expected element type <function> but have <${kind}>`);
      fn = name;
      continue;
    }
    if (closing) {
      if (param && kind === 'parameter') {
        params.push(param);
        param = null;
      } else if (!param && kind === 'function') {
        done = true;
        break;
      } else throw new ParserError(`XML syntax error: element <${param ? 'parameter' : 'function'}> closed by </${kind}>`);
    } else if (kind === 'parameter' && !param) param = { name, value: '' };
    else if (param) throw new ParserError(`XML syntax error: unexpected <${kind}> inside <parameter>`);
    else throw new ParserError(`XML syntax error: unexpected <${kind}> inside <function>`);
  }
  if (!done) throw new ParserError(fn === null ? 'EOF' : 'XML syntax error: unexpected EOF');
  for (const p of params) args[p.name] = parseQwenValue(p.value, paramTypes(tools, fn!, p.name));
  return { function: { index: 0, name: fn!, arguments: args } };
}

/** One leading and one trailing newline removed, then typed. */
export function parseQwenValue(raw: string, types: string[]): unknown {
  let v = raw.startsWith('\n') ? raw.slice(1) : raw;
  if (v.endsWith('\n')) v = v.slice(0, -1);
  return typedToolValue(v, types);
}
