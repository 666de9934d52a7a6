/**
 * Coalescing of fast token streams (one NDJSON line or SSE frame per generated token) into at
 * most one socket write per window, written at a moment that does not stall the model.
 */
import type { ServerResponse } from 'node:http';

/**
 * The coalescing window of generated-token streams (/api/generate, /api/chat and the OpenAI
 * streams): at most one HTTP chunk per 16 ms, one 60 Hz frame. The first line leaves the moment
 * it exists, with the status line and headers in the same packet; every line of a model slower
 * than ~60 tokens/s goes out on the next turn of the event loop; faster lines are written
 * together, right after a token's work (never from a timer while tokens flow, see
 * WriteCoalescer), and wait at most two windows. On stories260K (~1,100 tokens/s) the window
 * raised /api/generate ÷ direct from 0.90–0.93 (5 ms) to 0.95, and writing after the token's work
 * instead of from the timer gained about one point more (docs/performance.md, "API overhead").
 */
export const TOKEN_STREAM_COALESCE_MS = 16;

/**
 * Joins the writes of a fast stream into at most one per window, and chooses *when* to write.
 *
 * Why the timing matters: on a small machine the model's worker thread, the server's main thread
 * and the client share two or so cores. Every write wakes the client, which then parses the
 * chunk. If that happens just as a decode finishes, the main thread (which must hand the next
 * token to node-llama-cpp) waits behind the client, and the model stalls. So a write is never
 * made from a timer at an arbitrary moment while tokens are flowing: text is written from a
 * `setImmediate` queued by the first piece that arrives after the window has passed. That runs
 * right after the token's own work, by which time the runtime has already started the next
 * decode (runtime/generate.ts pipelines it), so the client parses while the model computes.
 *
 * What is never traded for that:
 *  - The first piece is written at once, inside push(): a client sees the first line (and the
 *    status line with it) as soon as it exists, not a turn of the event loop later.
 *  - Held text waits at most two windows. A timer writes it when the stream pauses; when the
 *    event loop is too busy to run that timer or the pending `setImmediate` (a producer that
 *    keeps the main thread), the next push writes it itself, so no line can be held until the
 *    end of the generation.
 * A piece of a stream slower than one per window goes out on the next turn of the event loop.
 */
export class WriteCoalescer {
  private held = '';
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastWrite = -Infinity;
  private readonly windowMs: number;

  /** `windowMs` ≤ 0 (or not finite) turns coalescing off: every push is written at once. */
  constructor(
    private readonly sink: (text: string) => void,
    windowMs: number,
  ) {
    this.windowMs = Number.isFinite(windowMs) && windowMs > 0 ? windowMs : 0;
  }

  /** Queues `text` for the next write (or writes it now: no window, the first piece, overdue text). */
  push(text: string): void {
    if (this.windowMs === 0) {
      this.sink(text);
      return;
    }
    this.held += text;
    const now = performance.now();
    const since = now - this.lastWrite;
    const pending = this.immediate !== undefined || this.timer !== undefined;
    // the first piece, or held text the event loop has not got round to writing in two windows
    if (this.lastWrite === -Infinity || (pending && since >= 2 * this.windowMs)) {
      this.flush();
      return;
    }
    if (this.immediate !== undefined) return;
    if (since >= this.windowMs) {
      this.clearTimer();
      this.immediate = setImmediate(() => {
        this.immediate = undefined;
        this.flush();
      });
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.lastWrite + 2 * this.windowMs - now);
    }
  }

  /** Writes whatever is held now (before an end or an error line), cancelling pending writes. */
  flush(): void {
    this.cancelPending();
    if (this.held === '') return;
    const text = this.held;
    this.held = '';
    this.lastWrite = performance.now();
    this.sink(text);
  }

  /** Drops held text and pending writes (the client has gone). */
  discard(): void {
    this.cancelPending();
    this.held = '';
  }

  private cancelPending(): void {
    if (this.immediate !== undefined) {
      clearImmediate(this.immediate);
      this.immediate = undefined;
    }
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

/**
 * Writes `text` and sends it now. Node corks the socket on a response write and uncorks it on
 * the next tick (so a chunk's size line, data and CRLF leave as one packet); uncorking here sends
 * them the same way, but also when the main thread stays busy past that tick.
 */
export function writeNow(res: ServerResponse, text: string): void {
  res.write(text);
  const socket = res.socket;
  if (socket && socket.writableCorked > 0) socket.uncork();
}

/**
 * The state both streaming formats share (NDJSON for Ollama's routes, SSE for the OpenAI ones):
 * the 200 status with the format's content type sent once, the client's liveness, and a
 * WriteCoalescer that writes only while the client is there.
 */
export class CoalescedResponse {
  private begun = false;
  private readonly out: WriteCoalescer;

  constructor(
    readonly res: ServerResponse,
    private readonly contentType: string,
    coalesceMs = 0,
  ) {
    this.out = new WriteCoalescer((text) => {
      if (this.open) writeNow(this.res, text);
    }, coalesceMs);
  }

  /** True once the 200 status has been sent. */
  get started(): boolean {
    return this.begun;
  }

  /** False when the client has gone away (writes are then dropped). */
  get open(): boolean {
    return !this.res.destroyed && !this.res.writableEnded;
  }

  /** Sends the 200 status and content type, once. */
  begin(): void {
    if (this.begun) return;
    this.res.writeHead(200, { 'Content-Type': this.contentType });
    this.begun = true;
  }

  /** Queues `text` after the status; false (held text dropped) when the client is gone. */
  push(text: string): boolean {
    if (!this.open) {
      this.out.discard();
      return false;
    }
    this.begin();
    this.out.push(text);
    return true;
  }

  /** Writes held text now. */
  flush(): void {
    this.out.flush();
  }
}
