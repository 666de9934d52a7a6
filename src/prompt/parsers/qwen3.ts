/**
 * qwen3 / qwen3-thinking: optional thinking (the prompt ends with `<think>`, so output starts
 * inside it; one explicit leading `<think>` is tolerated), then content with
 * `<tool_call>{"name":…,"arguments":…}</tool_call>` blocks. A tool call before `</think>` ends thinking.
 */
import type { Message, Tool, ToolCall } from '../../api/types.js';
import { ParserError, thinkBool, type ParsedPiece, type Parser, type ThinkValue } from './types.js';
import { leadingTag, splitAtTag, takeUnambiguous, trimLeftSpace } from './text.js';

const THINK_OPEN = '<think>';
const THINK_CLOSE = '</think>';
const TOOL_OPEN = '<tool_call>';
const TOOL_CLOSE = '</tool_call>';

type State = 'lookingForThinkingOpen' | 'thinkingStartedEatingWs' | 'thinking' | 'thinkingDoneEatingWs' | 'content' | 'toolStartedEatingWs' | 'tool';
type Event = { content: string } | { thinking: string } | { raw: string };

export class Qwen3Parser implements Parser {
  private state: State = 'content';
  private buf = { value: '' };
  private callIndex = 0;
  private maybeOpenAtStart = false;

  constructor(
    private readonly thinkingSupport: boolean,
    private readonly defaultThinking: boolean,
  ) {}

  hasToolSupport(): boolean {
    return true;
  }
  hasThinkingSupport(): boolean {
    return this.thinkingSupport;
  }
  preservedTokens(): string[] {
    return [THINK_OPEN, THINK_CLOSE, TOOL_OPEN, TOOL_CLOSE];
  }

  init(tools: Tool[] | null, _last: Message | null, think: ThinkValue): Tool[] | null {
    this.buf.value = '';
    this.callIndex = 0;
    const enabled = think === undefined ? this.defaultThinking : thinkBool(think);
    this.state = this.thinkingSupport && enabled ? 'thinking' : 'content';
    this.maybeOpenAtStart = this.state === 'thinking';
    return tools;
  }

  add(piece: string, _done: boolean): ParsedPiece {
    this.buf.value += piece;
    const out: ParsedPiece = { content: '', thinking: '', calls: [] };
    for (;;) {
      const [events, again] = this.eat();
      for (const e of events) {
        if ('raw' in e) {
          const call = parseJsonToolCall(e.raw);
          call.function.index = this.callIndex++;
          out.calls.push(call);
        } else if ('thinking' in e) out.thinking += e.thinking;
        else out.content += e.content;
      }
      if (!again) return out;
    }
  }

  private eatWs(next: State): [Event[], boolean] {
    const trimmed = trimLeftSpace(this.buf.value);
    this.buf.value = trimmed;
    if (trimmed === '') return [[], false];
    this.state = next;
    return [[], true];
  }

  private toTool(before: string, after: string, kind: 'content' | 'thinking'): [Event[], boolean] {
    this.state = after === '' ? 'toolStartedEatingWs' : 'tool';
    return [before ? [kind === 'thinking' ? { thinking: before } : { content: before }] : [], true];
  }

  private eat(): [Event[], boolean] {
    const acc = this.buf.value;
    switch (this.state) {
      case 'lookingForThinkingOpen': {
        const head = leadingTag(this.buf, THINK_OPEN);
        if (head === 'wait') return [[], false];
        this.state = head === 'absent' ? 'content' : this.buf.value === '' ? 'thinkingStartedEatingWs' : 'thinking';
        return [[], true];
      }
      case 'thinkingStartedEatingWs':
        return this.eatWs('thinking');
      case 'thinking': {
        if (this.maybeOpenAtStart) {
          const head = leadingTag(this.buf, THINK_OPEN);
          if (head === 'wait') return [[], false];
          this.maybeOpenAtStart = false;
          if (head === 'open') {
            // Ollama keeps looking for the tag here, so whitespace in the next piece became
            // thinking; eating it keeps every split of the output equal.
            if (this.buf.value === '') this.state = 'thinkingStartedEatingWs';
            return [[], this.buf.value !== ''];
          }
        }
        const closeIdx = acc.indexOf(THINK_CLOSE);
        const toolIdx = acc.indexOf(TOOL_OPEN);
        if (toolIdx !== -1 && (closeIdx === -1 || toolIdx < closeIdx)) {
          const [before, after] = splitAtTag(this.buf, TOOL_OPEN, true);
          return this.toTool(before, after, 'thinking');
        }
        if (closeIdx !== -1) {
          const [thinking, rest] = splitAtTag(this.buf, THINK_CLOSE, true);
          this.state = rest === '' ? 'thinkingDoneEatingWs' : 'content';
          return [thinking ? [{ thinking }] : [], true];
        }
        const text = takeUnambiguous(this.buf, THINK_CLOSE, TOOL_OPEN);
        return [text ? [{ thinking: text }] : [], false];
      }
      case 'thinkingDoneEatingWs':
        return this.eatWs('content');
      case 'content': {
        if (acc.includes(TOOL_OPEN)) {
          const [before, after] = splitAtTag(this.buf, TOOL_OPEN, true);
          return this.toTool(before, after, 'content');
        }
        const text = takeUnambiguous(this.buf, TOOL_OPEN);
        return [text ? [{ content: text }] : [], false];
      }
      case 'toolStartedEatingWs':
        return this.eatWs('tool');
      case 'tool': {
        if (!acc.includes(TOOL_CLOSE)) return [[], false];
        const [raw] = splitAtTag(this.buf, TOOL_CLOSE, true);
        this.state = 'content';
        return [[{ raw }], true];
      }
    }
  }
}

/** `{"name": …, "arguments": {…}}` as in Qwen's and Hermes-style tool calls. */
export function parseJsonToolCall(raw: string): ToolCall {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new ParserError(`failed to parse JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const obj = (parsed ?? {}) as { name?: unknown; arguments?: unknown };
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ParserError('failed to parse JSON: not an object');
  const name = typeof obj.name === 'string' ? obj.name : '';
  if (name === '') throw new ParserError('empty function name');
  const args = obj.arguments && typeof obj.arguments === 'object' && !Array.isArray(obj.arguments) ? (obj.arguments as Record<string, unknown>) : {};
  return { function: { index: 0, name, arguments: args } };
}
