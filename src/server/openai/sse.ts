/**
 * Server-sent events for the OpenAI endpoints: `Content-Type: text/event-stream`, each chunk a
 * `data: <json>\n\n` frame, ending with `data: [DONE]\n\n`.
 */
import type { ServerResponse } from 'node:http';
import { goJSON } from '../gojson.js';
import { SseStream } from '../sse.js';
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

const OPENAI_ERRORS = { toError: toOpenAIError, frame: sseFrame };

export class SseWriter {
  private readonly out: SseStream;

  /** `coalesceMs`: frames that follow a write sooner are written together (WriteCoalescer). */
  constructor(res: ServerResponse, opts: { coalesceMs?: number } = {}) {
    this.out = new SseStream(res, OPENAI_ERRORS, opts);
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
    this.out.end();
  }

  /** Writes `data: [DONE]` and ends. */
  done(): void {
    this.out.end(SSE_DONE);
  }

  /** Before streaming: an OpenAI JSON error with status. After: an error frame, then the end. */
  fail(err: unknown): void {
    this.out.fail(err);
  }
}
