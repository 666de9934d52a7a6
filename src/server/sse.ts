/**
 * One server-sent-event stream over a CoalescedResponse (`Content-Type: text/event-stream`),
 * shared by the OpenAI and Anthropic writers: frames are pushed as the protocol builds them;
 * `end` writes what is held (and an optional last frame); `fail` answers an error in the
 * protocol's shape, as JSON with its status before streaming began, as a frame after.
 */
import type { ServerResponse } from 'node:http';
import { CoalescedResponse } from './coalesce.js';
import { sendJSON } from './http.js';
import { markStream } from './shutdown.js';

export interface SseErrors {
  /** The protocol's error status and JSON body. */
  toError(err: unknown): { status: number; body: unknown };
  /** The frame that carries that body once the stream has begun. */
  frame(body: unknown): string;
}

export interface SseOptions {
  /** Frames that follow a write sooner are written together (WriteCoalescer). */
  coalesceMs?: number;
  /** Extra response headers, set before the first frame. */
  headers?: Record<string, string>;
}

export class SseStream {
  private readonly out: CoalescedResponse;

  constructor(
    private readonly res: ServerResponse,
    private readonly errors: SseErrors,
    private readonly opts: SseOptions = {},
  ) {
    this.out = new CoalescedResponse(res, 'text/event-stream', opts.coalesceMs);
    markStream(res, this);
  }

  get started(): boolean {
    return this.out.started;
  }
  get open(): boolean {
    return this.out.open;
  }

  /** Queues one frame; false once the client is gone. */
  push(frame: string): boolean {
    if (!this.out.started && this.out.open) {
      for (const [k, v] of Object.entries(this.opts.headers ?? {})) this.res.setHeader(k, v);
    }
    return this.out.push(frame);
  }

  /** Writes what is held, then `last`, and ends the response. */
  end(last = ''): void {
    this.out.flush();
    if (!this.open) return;
    this.out.begin();
    this.res.end(last);
  }

  /** Before streaming: the protocol's JSON error with its status. After: its error frame, then the end. */
  fail(err: unknown): void {
    this.out.flush();
    if (!this.open) return;
    const { status, body } = this.errors.toError(err);
    if (!this.out.started) {
      sendJSON(this.res, status, body);
      return;
    }
    this.res.end(this.errors.frame(body));
  }
}
