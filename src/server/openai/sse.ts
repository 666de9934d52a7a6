/**
 * Server-sent events for the OpenAI endpoints: `Content-Type: text/event-stream`, each chunk a
 * `data: <json>\n\n` frame, ending with `data: [DONE]\n\n`.
 */
import type { ServerResponse } from 'node:http';
import { goJSON } from '../gojson.js';
import { CoalescedResponse } from '../coalesce.js';
import { sendJSON } from '../http.js';
import { toOpenAIError } from './errors.js';

export const SSE_DONE = 'data: [DONE]\n\n';

/** One SSE frame for a JSON chunk. */
export function sseFrame(chunk: unknown): string {
  return `data: ${goJSON(chunk)}\n\n`;
}

/** One named SSE event (`event: <name>` then its data), as the Responses API streams. */
export function sseEvent(name: string, data: unknown): string {
  return `event: ${name}\n${sseFrame(data)}`;
}

export class SseWriter {
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

  write(chunk: unknown): boolean {
    return this.out.push(sseFrame(chunk));
  }

  /** Writes a named event. */
  writeEvent(name: string, data: unknown): boolean {
    return this.out.push(sseEvent(name, data));
  }

  /** Ends the stream without `[DONE]` (the Responses API has none). */
  end(): void {
    this.out.flush();
    if (!this.open) return;
    this.out.begin();
    this.res.end();
  }

  /** Writes `data: [DONE]` and ends. */
  done(): void {
    this.out.flush();
    if (!this.open) return;
    this.out.begin();
    this.res.end(SSE_DONE);
  }

  /** Before streaming: an OpenAI JSON error with status. After: an error frame, then the end. */
  fail(err: unknown): void {
    this.out.flush();
    if (!this.open) return;
    const { status, body } = toOpenAIError(err);
    if (!this.out.started) {
      sendJSON(this.res, status, body);
      return;
    }
    this.res.end(sseFrame(body));
  }
}
