/**
 * gemma4 / gemma4-no-thinking: content, thinking in `<|channel>thought\n…<channel|>` blocks, and
 * calls in `<|tool_call>call:NAME{…}<tool_call|>` (arguments: gemma4-args.ts). Thinking is kept
 * only when the model supports it and the request asked for it (otherwise it is dropped); after
 * a tool result a thinking model starts inside a thought. Stray `<tool_call|>` /
 * `<|tool_response>` right after a call are dropped, and a call that cannot be parsed is dropped,
 * as in Ollama.
 *
 * Streaming-safe by construction (every split of the output gives the same result, the one
 * Ollama gives for the whole text): trailing white space is held back until the next piece shows
 * whether a tag follows (text before a tag is right-trimmed), text after `<channel|>` is
 * left-trimmed across pieces, and the earliest tag in the buffer wins (Ollama's token stream sees
 * them in that order; its whole-text path looks for `<|channel>` first).
 */
import type { Message, Tool, ToolCall } from '../../api/types.js';
import { parseGemma4ToolCall } from './gemma4-args.js';
import { overlap, trailingWhitespaceLen, trimLeftSpace, trimRightSpace } from './text.js';
import { thinkBool, type ParsedPiece, type ThinkValue } from './types.js';
import { ToolCallingParser } from './base.js';

const THINK_OPEN = '<|channel>';
const THINK_CLOSE = '<channel|>';
const CALL_OPEN = '<|tool_call>';
const CALL_CLOSE = '<tool_call|>';
const TOOL_RESPONSE = '<|tool_response>';
const STRING_DELIM = '<|"|>';
const CHANNEL_NAME = 'thought\n';

type State = 'content' | 'thinking' | 'toolCall' | 'afterCall';

export class Gemma4Parser extends ToolCallingParser {
  private state: State = 'content';
  private buf = '';
  private tools: Tool[] | null = null;
  private callIndex = 0;
  private thinkingEnabled = false;
  private stripChannelName = false;
  private trimLeading = false;

  constructor(thinkingSupport: boolean) {
    super(thinkingSupport, [THINK_OPEN, THINK_CLOSE, CALL_OPEN, CALL_CLOSE, TOOL_RESPONSE, STRING_DELIM]);
  }

  init(tools: Tool[] | null, last: Message | null, think: ThinkValue): Tool[] | null {
    this.tools = tools;
    this.callIndex = 0;
    this.buf = '';
    this.stripChannelName = false;
    this.trimLeading = false;
    this.thinkingEnabled = this.thinkingSupport && thinkBool(think);
    // After a tool result a thinking model continues inside a thought (no channel name).
    this.state = this.thinkingEnabled && last?.role === 'tool' ? 'thinking' : 'content';
    return tools;
  }

  add(piece: string, done: boolean): ParsedPiece {
    this.buf += piece;
    const out: ParsedPiece = { content: '', thinking: '', calls: [] };
    const thought = (t: string): void => {
      if (this.thinkingEnabled) out.thinking += t;
    };
    while (this.buf !== '' && this.step(done, out, thought));
    return out;
  }

  /** One step of the state machine; true when it should run again. */
  private step(done: boolean, out: ParsedPiece, thought: (t: string) => void): boolean {
    switch (this.state) {
      case 'content': {
        if (this.trimLeading) {
          this.buf = trimLeftSpace(this.buf);
          if (this.buf === '') return false;
          this.trimLeading = false;
        }
        const t = this.buf.indexOf(THINK_OPEN);
        const c = this.buf.indexOf(CALL_OPEN);
        if (t !== -1 || c !== -1) {
          const thinkFirst = t !== -1 && (c === -1 || t < c);
          const at = thinkFirst ? t : c;
          out.content += trimRightSpace(this.buf.slice(0, at));
          this.buf = this.buf.slice(at + (thinkFirst ? THINK_OPEN : CALL_OPEN).length);
          this.state = thinkFirst ? 'thinking' : 'toolCall';
          if (thinkFirst) this.stripChannelName = true;
          return true;
        }
        if (done) {
          out.content += this.buf;
          this.buf = '';
          return false;
        }
        out.content += this.takeUnambiguous(THINK_OPEN, CALL_OPEN);
        return false;
      }
      case 'thinking': {
        if (this.stripChannelName) {
          if (this.buf.startsWith(CHANNEL_NAME)) {
            this.buf = this.buf.slice(CHANNEL_NAME.length);
            this.stripChannelName = false;
            if (this.buf === '') return false;
          } else if (!done && CHANNEL_NAME.startsWith(this.buf)) {
            return false;
          } else this.stripChannelName = false;
        }
        const i = this.buf.indexOf(THINK_CLOSE);
        if (i !== -1) {
          thought(trimRightSpace(this.buf.slice(0, i)));
          this.buf = trimLeftSpace(this.buf.slice(i + THINK_CLOSE.length));
          this.state = 'content';
          this.trimLeading = true;
          return true;
        }
        if (done) {
          thought(this.buf);
          this.buf = '';
          return false;
        }
        thought(this.takeUnambiguous(THINK_CLOSE));
        return false;
      }
      case 'toolCall': {
        const i = this.buf.indexOf(CALL_CLOSE);
        if (i !== -1) {
          this.emitCall(this.buf.slice(0, i), out);
          this.buf = trimLeftSpace(this.buf.slice(i + CALL_CLOSE.length));
          this.state = 'afterCall';
          return true;
        }
        if (done) {
          this.emitCall(this.buf, out);
          this.buf = '';
          this.state = 'content';
        }
        return false;
      }
      case 'afterCall': {
        // Stray close tags and a tool-response marker right after a call are noise.
        for (;;) {
          this.buf = trimLeftSpace(this.buf);
          if (this.buf.startsWith(CALL_CLOSE)) this.buf = this.buf.slice(CALL_CLOSE.length);
          else if (this.buf.startsWith(TOOL_RESPONSE)) this.buf = this.buf.slice(TOOL_RESPONSE.length);
          else break;
        }
        if (this.buf === '') return false;
        if (CALL_CLOSE.startsWith(this.buf) || TOOL_RESPONSE.startsWith(this.buf)) {
          if (done) {
            this.buf = '';
            this.state = 'content';
          }
          return false;
        }
        this.state = 'content';
        return true;
      }
    }
  }

  /** What cannot begin a tag or trail before one: text up to trailing white space and a partial tag. */
  private takeUnambiguous(...tags: string[]): string {
    const ov = Math.max(0, ...tags.map((t) => overlap(this.buf, t)));
    const before = this.buf.slice(0, this.buf.length - ov);
    const start = before.length - trailingWhitespaceLen(before);
    const taken = this.buf.slice(0, start);
    this.buf = this.buf.slice(start);
    return taken;
  }

  private emitCall(text: string, out: ParsedPiece): void {
    const call: ToolCall | null = parseGemma4ToolCall(text, this.tools);
    if (!call) return;
    call.function.index = this.callIndex++;
    out.calls.push(call);
  }
}
