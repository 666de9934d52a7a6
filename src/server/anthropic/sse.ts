/**
 * Server-sent events for `/v1/messages`: `Content-Type: text/event-stream`, `Cache-Control:
 * no-cache`, `Connection: keep-alive` (as Ollama sets them), each event an
 * `event: <name>\ndata: <json>\n\n` frame. The stream simply ends after `message_stop`; an error
 * after streaming began is Anthropic's `error` event.
 */
import type { ServerResponse } from 'node:http';
import { CoalescedResponse } from '../coalesce.js';
import { goJSON } from '../gojson.js';
import { sendJSON } from '../http.js';
import { toAnthropicError } from './errors.js';

/** One SSE frame. */
export function eventFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${goJSON(data)}\n\n`;
}

export class AnthropicSseWriter {
  private readonly out: CoalescedResponse;

  /** `coalesceMs`: frames that follow a write sooner are written together (WriteCoalescer). */
  constructor(
    private readonly res: ServerResponse,
    opts: { coalesceMs?: number } = {},
  ) {
    this.out = new CoalescedResponse(res, 'text/event-stream', opts.coalesceMs);
  }

  get started(): boolean {
    return this.out.started;
  }
  get open(): boolean {
    return this.out.open;
  }

  write(event: string, data: unknown): boolean {
    if (!this.out.started && this.out.open) {
      this.res.setHeader('Cache-Control', 'no-cache');
      this.res.setHeader('Connection', 'keep-alive');
    }
    return this.out.push(eventFrame(event, data));
  }

  /** Writes what is held and ends the response. */
  end(): void {
    this.out.flush();
    if (!this.open) return;
    this.out.begin();
    this.res.end();
  }

  /** Before streaming: an Anthropic JSON error with its status. After: an `error` event, then the end. */
  fail(err: unknown): void {
    this.out.flush();
    if (!this.open) return;
    const { status, body } = toAnthropicError(err);
    if (!this.out.started) {
      sendJSON(this.res, status, body);
      return;
    }
    this.res.end(eventFrame('error', { type: 'error', error: body.error }));
  }
}
