/**
 * Server-sent events for `/v1/messages`: `Content-Type: text/event-stream`, `Cache-Control:
 * no-cache`, `Connection: keep-alive` (as Ollama sets them), each event an
 * `event: <name>\ndata: <json>\n\n` frame. The stream simply ends after `message_stop`; an error
 * after streaming began is Anthropic's `error` event.
 */
import type { ServerResponse } from 'node:http';
import { goJSON } from '../gojson.js';
import { SseStream } from '../sse.js';
import { toAnthropicError } from './errors.js';

/** One SSE frame. */
export function eventFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${goJSON(data)}\n\n`;
}

const ANTHROPIC_ERRORS = {
  toError: toAnthropicError,
  frame: (body: unknown) => eventFrame('error', { type: 'error', error: (body as { error: unknown }).error }),
};

export class AnthropicSseWriter {
  private readonly out: SseStream;

  /** `coalesceMs`: frames that follow a write sooner are written together (WriteCoalescer). */
  constructor(res: ServerResponse, opts: { coalesceMs?: number } = {}) {
    this.out = new SseStream(res, ANTHROPIC_ERRORS, { ...opts, headers: { 'Cache-Control': 'no-cache', Connection: 'keep-alive' } });
  }

  get started(): boolean {
    return this.out.started;
  }
  get open(): boolean {
    return this.out.open;
  }

  write(event: string, data: unknown): boolean {
    return this.out.push(eventFrame(event, data));
  }

  /** Writes what is held and ends the response. */
  end(): void {
    this.out.end();
  }

  /** Before streaming: an Anthropic JSON error with its status. After: an `error` event, then the end. */
  fail(err: unknown): void {
    this.out.fail(err);
  }
}
