/**
 * glimmer: messages `[<|start|>assistant][ to=RECIPIENT]<|message|>BODY` ended by `<|eom|>`,
 * `<|eot|>`, the next assistant header or the end. The recipient says what the body is: `self`
 * is thinking (dropped when `think` is false), a declared tool (also `ns.tool` through the tool's
 * own namespace) is a call whose body is an ATEM block (glimmercalls.ts), anything else is content.
 * A content message for a session with tools that opens like an ATEM block is held until it
 * ends: when it is exactly one well-formed block invoking a declared tool it is that call.
 */
import type { Message, Tool, ToolCall } from '../../api/types.js';
import { parseGlimmerCall, parseGlimmerContentCall, resolveGlimmerTool, ATEM_CALLS_CLOSE, ATEM_CALLS_OPEN } from './glimmercalls.js';
import { overlap, trimSpace } from './text.js';
import { ParserError, thinkBool, type ParsedPiece, type Parser, type ThinkValue } from './types.js';

const START = '<|start|>';
const MESSAGE = '<|message|>';
const END_MESSAGE = '<|eom|>';
const END_TURN = '<|eot|>';
const HEADER = START + 'assistant';
const TO = ' to=';

type State = 'header' | 'content' | 'thinking' | 'tool';
type HeaderStatus = 'invalid' | 'pending' | 'valid';

export class GlimmerParser implements Parser {
  private state: State = 'header';
  private buf = '';
  private recipient = '';
  private tools = new Map<string, Tool>();
  private callIndex = 0;
  private emitThinking = true;
  /** This header's `<|start|>assistant` has been read. */
  private headerOpened = false;
  /** Some of this message's body went out as content: it can no longer become a call. */
  private streamed = false;

  hasToolSupport(): boolean {
    return true;
  }
  hasThinkingSupport(): boolean {
    return true;
  }
  preservedTokens(): string[] {
    return [START, MESSAGE, END_MESSAGE, END_TURN];
  }

  init(tools: Tool[] | null, _last: Message | null, think: ThinkValue): Tool[] | null {
    this.state = 'header';
    this.buf = '';
    this.recipient = '';
    this.headerOpened = false;
    this.tools = new Map();
    for (const t of tools ?? []) {
      const name = trimSpace(t.function?.name ?? '');
      if (name !== '') this.tools.set(name, t);
    }
    this.callIndex = 0;
    this.emitThinking = think === undefined || thinkBool(think);
    this.streamed = false;
    return tools;
  }

  add(piece: string, done: boolean): ParsedPiece {
    this.buf += piece;
    const out: ParsedPiece = { content: '', thinking: '', calls: [] };
    for (;;) {
      if (this.state === 'header') {
        if (!this.header(out, done)) break;
        continue;
      }
      const [progress, body, complete] = this.body(done);
      if (this.state === 'content') {
        const call = complete && !this.streamed ? parseGlimmerContentCall(body, this.tools) : null;
        if (call) out.calls.push(call);
        else if (body !== '') {
          out.content += body;
          this.streamed = true;
        }
      } else if (this.state === 'thinking') {
        if (this.emitThinking) out.thinking += body;
      } else if (complete) {
        out.calls.push(this.toolCall(body));
      }
      if (complete) {
        this.state = 'header';
        this.recipient = '';
        this.streamed = false;
      }
      if (!progress) break;
    }
    for (const c of out.calls) c.function.index = this.callIndex++;
    return out;
  }

  private toolCall(body: string): ToolCall {
    try {
      return parseGlimmerCall(this.recipient, body, this.tools);
    } catch (err) {
      throw new ParserError(err instanceof Error ? err.message : String(err));
    }
  }

  /** Reads a header up to `<|message|>`; text with no header at the end of the reply is content. */
  private header(out: ParsedPiece, done: boolean): boolean {
    let acc = this.buf;
    if (!this.headerOpened && acc.startsWith(HEADER)) {
      acc = this.buf = acc.slice(HEADER.length);
      this.headerOpened = true; // once: what follows is this header's recipient, whatever the split
    } else if (!this.headerOpened && HEADER.startsWith(acc) && acc.startsWith('<') && !done) return false;
    const i = acc.indexOf(MESSAGE);
    if (i < 0) {
      if (!done) return false;
      this.buf = '';
      out.content += acc;
      return acc !== '';
    }
    this.headerOpened = false;
    const header = trimSpace(acc.slice(0, i));
    this.buf = acc.slice(i + MESSAGE.length);
    this.recipient = trimSpace(header.startsWith('to=') ? header.slice(3) : header);
    this.state = this.recipient === 'self' ? 'thinking' : resolveGlimmerTool(this.tools, this.recipient) !== null ? 'tool' : 'content';
    return true;
  }

  /** [progress, body text, whether the message is complete]. */
  private body(done: boolean): [boolean, string, boolean] {
    const acc = this.buf;
    const hold = this.state === 'tool' || this.holdContent(acc);
    let controlStart = 0;
    if (hold) {
      const close = acc.indexOf(ATEM_CALLS_CLOSE);
      controlStart = close >= 0 ? close + ATEM_CALLS_CLOSE.length : acc.length;
    }
    let [idx, markLen] = terminator(acc.slice(controlStart));
    if (idx >= 0) idx += controlStart;
    const [implicit, wait] = this.implicitHeader(acc, controlStart, done);
    if (implicit >= 0 && !wait && (idx < 0 || implicit < idx)) {
      this.buf = acc.slice(implicit);
      return [true, acc.slice(0, implicit), true];
    }
    if (idx >= 0) {
      this.buf = acc.slice(idx + markLen);
      return [true, acc.slice(0, idx), true];
    }
    if (done) {
      this.buf = '';
      return [acc !== '' || this.state === 'tool', acc, true];
    }
    if (hold) return [false, '', false];
    if (wait) {
      this.buf = acc.slice(implicit);
      const body = acc.slice(0, implicit);
      return [body !== '', body, false];
    }
    const keep = Math.max(overlap(acc, END_MESSAGE), overlap(acc, END_TURN));
    if (keep === acc.length) return [false, '', false];
    this.buf = acc.slice(acc.length - keep);
    const body = acc.slice(0, acc.length - keep);
    return [body !== '', body, false];
  }

  /** Where an assistant header starts in s (from `from`), and whether it is still incomplete. */
  private implicitHeader(s: string, from: number, done: boolean): [number, boolean] {
    let search = from;
    for (;;) {
      const rel = s.slice(search).indexOf(START);
      if (rel < 0) break;
      const i = search + rel;
      const status = this.headerStatus(s.slice(i), done);
      if (status === 'valid') return [i, false];
      if (status === 'pending') return [i, true];
      search = i + START.length;
    }
    if (done) return [-1, false];
    const keep = overlap(s.slice(search), HEADER);
    return keep > 0 ? [s.length - keep, true] : [-1, false];
  }

  private headerStatus(s: string, done: boolean): HeaderStatus {
    if (s.length < HEADER.length) return !done && HEADER.startsWith(s) ? 'pending' : 'invalid';
    if (!s.startsWith(HEADER)) return 'invalid';
    const rest = s.slice(HEADER.length);
    if (rest.startsWith(MESSAGE)) return 'valid';
    if (!done && MESSAGE.startsWith(rest)) return 'pending';
    if (rest.length < TO.length) return !done && TO.startsWith(rest) ? 'pending' : 'invalid';
    if (!rest.startsWith(TO)) return 'invalid';
    const after = rest.slice(TO.length);
    const m = after.indexOf(MESSAGE);
    if (m >= 0) return this.validRecipient(after.slice(0, m)) ? 'valid' : 'invalid';
    if (done) return 'invalid';
    if (after === '') return 'pending';
    if (/[ \t\r\n]/.test(after)) return 'invalid';
    const lt = after.indexOf('<');
    if (lt >= 0) return MESSAGE.startsWith(after.slice(lt)) ? 'pending' : 'invalid';
    return 'pending';
  }

  private validRecipient(r: string): boolean {
    return r === 'self' || r === 'user' || (this.tools.get(r)?.function.name ?? '') !== '';
  }

  /** A content message (tools declared, nothing streamed yet) that opens like an ATEM block. */
  private holdContent(acc: string): boolean {
    if (this.state !== 'content' || this.streamed || this.tools.size === 0) return false;
    const t = acc.replace(/^[ \t\r\n]+/, '');
    return ATEM_CALLS_OPEN.startsWith(t) || t.startsWith(ATEM_CALLS_OPEN);
  }
}

/** The first `<|eom|>` or `<|eot|>` in s: [index, length], or [-1, 0]. */
function terminator(s: string): [number, number] {
  let idx = -1;
  let len = 0;
  for (const mark of [END_MESSAGE, END_TURN]) {
    const i = s.indexOf(mark);
    if (i >= 0 && (idx < 0 || i < idx)) [idx, len] = [i, mark.length];
  }
  return [idx, len];
}
