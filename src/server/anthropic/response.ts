/**
 * `/api/chat` responses → Anthropic's: the `message` object (thinking, text, then tool_use
 * blocks; stop_reason; usage) and the streaming event sequence Ollama emits — `message_start`,
 * then per block `content_block_start` / `content_block_delta`… / `content_block_stop`, then
 * `message_delta` (stop_reason, usage) and `message_stop`.
 */
import type { ChatResponse } from '../../api/types.js';
import { goJSON } from '../gojson.js';

export interface ContentBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: Record<string, unknown>;
  thinking?: string;
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
}

export interface MessagesResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason?: string;
  stop_sequence?: string;
  usage?: Usage;
}

/** Ollama's done_reason → stop_reason (tool_use whenever tools were called; `""` is omitted). */
export function mapStopReason(reason: string | undefined, hasToolCalls: boolean): string {
  if (hasToolCalls) return 'tool_use';
  switch (reason) {
    case 'stop':
      return 'end_turn';
    case 'length':
      return 'max_tokens';
    case undefined:
    case '':
      return '';
    default:
      return 'stop_sequence';
  }
}

function withStopReason<T extends { stop_reason?: string }>(obj: T, reason: string): T {
  if (reason !== '') obj.stop_reason = reason;
  return obj;
}

/** The non-streaming answer from the final (accumulated) chat response. */
export function toMessagesResponse(id: string, r: ChatResponse): MessagesResponse {
  const content: ContentBlock[] = [];
  const m = r.message;
  if (m.thinking) content.push({ type: 'thinking', thinking: m.thinking });
  if (m.content) content.push({ type: 'text', text: m.content });
  for (const tc of m.tool_calls ?? []) content.push({ type: 'tool_use', id: tc.id ?? '', name: tc.function.name, input: tc.function.arguments ?? {} });
  const out: MessagesResponse = { id, type: 'message', role: 'assistant', model: r.model, content };
  withStopReason(out, mapStopReason(r.done_reason, (m.tool_calls?.length ?? 0) > 0));
  out.usage = { input_tokens: r.prompt_eval_count ?? 0, output_tokens: r.eval_count ?? 0 }; // last, as in Ollama's struct
  return out;
}

export interface StreamEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Turns the chat stream into Anthropic events; feed every chat chunk to `process()`. */
export class StreamConverter {
  private first = true;
  private index = 0;
  private thinkingStarted = false;
  private thinkingDone = false;
  private textStarted = false;
  private readonly toolCallsSent = new Set<string>();

  constructor(
    readonly id: string,
    readonly model: string,
    private readonly estimatedInputTokens = 0,
  ) {}

  private stop(out: StreamEvent[]): void {
    out.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index: this.index } });
  }

  private start(out: StreamEvent[], block: ContentBlock): void {
    out.push({ event: 'content_block_start', data: { type: 'content_block_start', index: this.index, content_block: block } });
  }

  private delta(out: StreamEvent[], delta: Record<string, string>): void {
    out.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index: this.index, delta } });
  }

  /** Closes an open thinking block (before text or a tool call). */
  private endThinking(out: StreamEvent[]): void {
    if (!this.thinkingStarted || this.thinkingDone) return;
    this.thinkingDone = true;
    this.stop(out);
    this.index++;
  }

  process(r: ChatResponse): StreamEvent[] {
    const out: StreamEvent[] = [];
    if (this.first) {
      this.first = false;
      const input = r.prompt_eval_count || this.estimatedInputTokens;
      out.push({
        event: 'message_start',
        data: {
          type: 'message_start',
          message: { id: this.id, type: 'message', role: 'assistant', model: this.model, content: [], usage: { input_tokens: input, output_tokens: 0 } },
        },
      });
    }
    const m = r.message;
    if (m.thinking && !this.thinkingDone) {
      if (this.textStarted) {
        this.stop(out);
        this.index++;
        this.textStarted = false;
      }
      if (!this.thinkingStarted) {
        this.thinkingStarted = true;
        this.start(out, { type: 'thinking', thinking: '' });
      }
      this.delta(out, { type: 'thinking_delta', thinking: m.thinking });
    }
    if (m.content) {
      this.endThinking(out);
      if (!this.textStarted) {
        this.textStarted = true;
        this.start(out, { type: 'text', text: '' });
      }
      this.delta(out, { type: 'text_delta', text: m.content });
    }
    for (const [i, tc] of (m.tool_calls ?? []).entries()) {
      const key = tc.id ?? `${this.index}:${i}`;
      if (this.toolCallsSent.has(key)) continue;
      this.endThinking(out);
      if (this.textStarted) {
        this.stop(out);
        this.index++;
        this.textStarted = false;
      }
      this.start(out, { type: 'tool_use', id: tc.id ?? '', name: tc.function.name, input: {} });
      this.delta(out, { type: 'input_json_delta', partial_json: goJSON(tc.function.arguments ?? {}) });
      this.stop(out);
      this.toolCallsSent.add(key);
      this.index++;
    }
    if (r.done) {
      if (this.textStarted || (this.thinkingStarted && !this.thinkingDone)) this.stop(out);
      const delta = withStopReason({} as { stop_reason?: string }, mapStopReason(r.done_reason, this.toolCallsSent.size > 0));
      out.push({
        event: 'message_delta',
        data: { type: 'message_delta', delta, usage: { input_tokens: r.prompt_eval_count ?? 0, output_tokens: r.eval_count ?? 0 } },
      });
      out.push({ event: 'message_stop', data: { type: 'message_stop' } });
    }
    return out;
  }
}
