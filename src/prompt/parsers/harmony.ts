/**
 * harmony (gpt-oss): messages `<|start|>ROLE<|channel|>CHANNEL [to=RECIPIENT] [<|constrain|>json]<|message|>TEXT<|end|>`.
 * The `analysis` channel is thinking, `final` (and `commentary` without a recipient) is content,
 * and a message with a recipient (`to=functions.NAME`) is a tool call, parsed when the output is
 * done. The prompt already opened the assistant message, so parsing starts inside its header
 * (or inside its final/analysis text for an assistant prefill). Tool names are given to the model
 * as identifier-safe names and mapped back in the calls.
 */
import type { Message, Tool, ToolCall } from '../../api/types.js';
import { isGoSpace, overlap, trimSpace } from './text.js';
import { ParserError, type ParsedPiece, type Parser, type ThinkValue } from './types.js';

const START = '<|start|>';
const END = '<|end|>';
const MESSAGE = '<|message|>';

export interface HarmonyHeader {
  role: string;
  channel: string;
  recipient: string;
}

export type HarmonyEvent =
  | { kind: 'HarmonyEventMessageStart' }
  | { kind: 'HarmonyEventHeaderComplete'; header: HarmonyHeader }
  | { kind: 'HarmonyEventContentEmitted'; content: string }
  | { kind: 'HarmonyEventMessageEnd' };

/** The message-level tokenizer: raw text in, message start / header / content / end events out. */
export class HarmonyParser {
  private state: 'start' | 'header' | 'content' = 'start';
  private acc = '';

  addImplicitStart(): void {
    this.acc += `${START}assistant`;
  }

  addImplicitStartOrPrefill(last: Message | null): void {
    if (last && last.role === 'assistant') {
      if (last.content) {
        this.acc += `${START}assistant<|channel|>final${MESSAGE}`;
        return;
      }
      if (last.thinking) {
        this.acc += `${START}assistant<|channel|>analysis${MESSAGE}`;
        return;
      }
    }
    this.addImplicitStart();
  }

  addContent(text: string): HarmonyEvent[] {
    this.acc += text;
    const events: HarmonyEvent[] = [];
    for (;;) {
      const [e, again] = this.eat();
      events.push(...e);
      if (!again) return events;
    }
  }

  private eat(): [HarmonyEvent[], boolean] {
    const acc = this.acc;
    switch (this.state) {
      case 'start': {
        const i = acc.indexOf(START);
        if (i < 0) return [[], false];
        this.acc = acc.slice(i + START.length);
        this.state = 'header';
        return [[{ kind: 'HarmonyEventMessageStart' }], true];
      }
      case 'header': {
        const i = acc.indexOf(MESSAGE);
        if (i < 0) return [[], false];
        this.acc = acc.slice(i + MESSAGE.length);
        this.state = 'content';
        return [[{ kind: 'HarmonyEventHeaderComplete', header: parseHarmonyHeader(acc.slice(0, i)) }], true];
      }
      case 'content': {
        const i = acc.indexOf(END);
        if (i >= 0) {
          const content = acc.slice(0, i);
          this.acc = acc.slice(i + END.length);
          this.state = 'start';
          return [[...(content ? [{ kind: 'HarmonyEventContentEmitted' as const, content }] : []), { kind: 'HarmonyEventMessageEnd' }], true];
        }
        const ov = overlap(acc, END);
        const content = acc.slice(0, acc.length - ov);
        this.acc = acc.slice(acc.length - ov);
        return [content ? [{ kind: 'HarmonyEventContentEmitted', content }] : [], false];
      }
    }
  }
}

/** Go's strings.Fields */
function fields(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const ch of s) {
    if (isGoSpace(ch)) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

export function parseHarmonyHeader(header: string): HarmonyHeader {
  const h: HarmonyHeader = { role: '', channel: '', recipient: '' };
  let raw = header;
  if (raw.includes('<|constrain|>')) raw = trimSpace(raw.replace('<|constrain|>', ' <|constrain|>'));
  const ci = raw.indexOf('<|channel|>');
  if (ci >= 0) {
    const before = raw.slice(0, ci);
    let after = raw.slice(ci + '<|channel|>'.length);
    let end = [...after].findIndex((ch) => isGoSpace(ch));
    end = end < 0 ? after.length : [...after].slice(0, end).join('').length;
    h.channel = after.slice(0, end);
    after = after.slice(end);
    raw = trimSpace(before + after);
  }
  const tokens = fields(raw);
  if (tokens.length === 0) return h;
  const role = tokens.shift()!;
  if (role.startsWith('to=')) {
    h.recipient = role.slice(3);
    h.role = 'tool';
  } else h.role = role;
  if (h.recipient === '' && tokens[0]?.startsWith('to=')) h.recipient = tokens[0].slice(3);
  return h;
}

const BUILTIN_TOOLS = new Set(['browser.open', 'browser.search', 'browser.find', 'python']);

/** User tool names ⇄ the identifier-safe names harmony models are shown. */
export class FunctionNameMap {
  readonly userToHarmony = new Map<string, string>();
  readonly harmonyToUser = new Map<string, string>();

  convertAndAdd(user: string): string {
    const harmony = BUILTIN_TOOLS.has(user) ? user : this.deriveName(user);
    this.userToHarmony.set(user, harmony);
    this.harmonyToUser.set(harmony, user);
    return harmony;
  }

  originalFromConverted(harmony: string): string {
    return this.harmonyToUser.get(harmony) ?? harmony;
  }

  static convertToValidChars(user: string): string {
    let out = '';
    for (const ch of user) {
      if (ch === ' ' || ch === '-' || ch === '.') out += '_';
      else if (/^[\p{L}\p{Nd}_$]$/u.test(ch)) out += ch;
    }
    if (out === '') return 'unnamed';
    return /^[0-9]/.test(out) ? `_${out}` : out;
  }

  private deriveName(user: string): string {
    const base = FunctionNameMap.convertToValidChars(user);
    let candidate = base;
    for (let n = 2; this.harmonyToUser.has(candidate); n++) candidate = `${base}_${n}`;
    return candidate;
  }
}

export class HarmonyMessageHandler implements Parser {
  private parser = new HarmonyParser();
  private names = new FunctionNameMap();
  private state: 'normal' | 'thinking' | 'toolCalling' = 'normal';
  private toolName: string | null = null;
  private toolAcc = '';

  hasToolSupport(): boolean {
    return true;
  }
  hasThinkingSupport(): boolean {
    return true;
  }
  preservedTokens(): string[] {
    // <|call|> ends generation for a tool call; it is not needed to find boundaries.
    return [START, END, MESSAGE, '<|channel|>', '<|constrain|>'];
  }

  init(tools: Tool[] | null, last: Message | null, _think: ThinkValue): Tool[] | null {
    this.parser = new HarmonyParser();
    this.names = new FunctionNameMap();
    this.state = 'normal';
    this.toolName = null;
    this.toolAcc = '';
    this.parser.addImplicitStartOrPrefill(last);
    if (!tools || tools.length === 0) return tools;
    return tools.map((t) => (t.function?.name ? { ...t, function: { ...t.function, name: this.names.convertAndAdd(t.function.name) } } : t));
  }

  add(piece: string, done: boolean): ParsedPiece {
    const out: ParsedPiece = { content: '', thinking: '', calls: [] };
    for (const e of this.parser.addContent(piece)) {
      if (e.kind === 'HarmonyEventHeaderComplete') {
        const { channel, recipient } = e.header;
        if (channel === 'analysis' || channel === 'commentary') {
          if (recipient !== '') {
            this.state = 'toolCalling';
            this.toolName = recipient;
          } else this.state = channel === 'analysis' ? 'thinking' : 'normal';
        } else if (channel === 'final') this.state = 'normal';
      } else if (e.kind === 'HarmonyEventContentEmitted') {
        if (this.state === 'normal') out.content += e.content;
        else if (this.state === 'thinking') out.thinking += e.content;
        else this.toolAcc += e.content;
      } else if (e.kind === 'HarmonyEventMessageEnd') this.state = 'normal';
    }
    if (done) {
      const raw = this.toolAcc;
      this.toolAcc = '';
      if (this.toolName !== null) {
        const name = this.names.originalFromConverted(this.toolName.startsWith('functions.') ? this.toolName.slice('functions.'.length) : this.toolName);
        out.calls.push({ function: { index: 0, name, arguments: parseArgs(raw) } } as ToolCall);
      }
    }
    return out;
  }
}

function parseArgs(raw: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (err) {
    throw new ParserError(`error parsing tool call: raw='${raw}', err=${err instanceof Error ? err.message : String(err)}`);
  }
  if (v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new ParserError(`error parsing tool call: raw='${raw}', err=json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go value of type map[string]interface {}`);
  }
  return v as Record<string, unknown>;
}
