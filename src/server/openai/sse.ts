/**
 * Server-sent events for the OpenAI endpoints: `Content-Type: text/event-stream`, each chunk a
 * `data: <json>\n\n` frame, ending with `data: [DONE]\n\n`.
 */
import type { ServerResponse } from 'node:http';
import { goJSON } from '../gojson.js';
import { WriteCoalescer } from '../coalesce.js';
import { sendJSON } from '../http.js';
import { toOpenAIError } from './errors.js';

export const SSE_DONE = 'data: [DONE]\n\n';

/** One SSE frame for a JSON chunk. */
export function sseFrame(chunk: unknown): string {
  return `data: ${goJSON(chunk)}\n\n`;
}

export class SseWriter {
  private begun = false;
  private readonly out: WriteCoalescer;

  /** `coalesceMs`: frames that follow a write sooner are written together (WriteCoalescer). */
  constructor(
    private readonly res: ServerResponse,
    opts: { coalesceMs?: number } = {},
  ) {
    this.out = new WriteCoalescer((text) => {
      if (this.open) this.res.write(text);
    }, opts.coalesceMs ?? 0);
  }

  get started(): boolean {
    return this.begun;
  }
  get open(): boolean {
    return !this.res.destroyed && !this.res.writableEnded;
  }

  write(chunk: unknown): boolean {
    if (!this.open) {
      this.out.discard();
      return false;
    }
    if (!this.begun) {
      this.res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      this.begun = true;
    }
    this.out.push(sseFrame(chunk));
    return true;
  }

  /** Writes `data: [DONE]` and ends. */
  done(): void {
    this.out.flush();
    if (!this.open) return;
    if (!this.begun) {
      this.res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      this.begun = true;
    }
    this.res.end(SSE_DONE);
  }

  /** Before streaming: an OpenAI JSON error with status. After: an error frame, then the end. */
  fail(err: unknown): void {
    this.out.flush();
    if (!this.open) return;
    const { status, body } = toOpenAIError(err);
    if (!this.begun) {
      sendJSON(this.res, status, body);
      return;
    }
    this.res.end(sseFrame(body));
  }
}
