/**
 * NDJSON streaming as Ollama's streamResponse does it: `Content-Type: application/x-ndjson`, one
 * Go-encoded JSON object per line, each line flushed as written (token streams may coalesce the
 * lines of a few milliseconds into one chunk: NdjsonWriterOptions.coalesceMs). An error before anything was
 * written is an ordinary JSON error response with its status; after streaming began it is a final
 * `{"error":"…"}` line (the status is already 200).
 */
import type { ServerResponse } from 'node:http';
import { messageOf } from '../api/errors.js';
import { toWire, type WireType } from '../api/types.js';
import { goJSON } from './gojson.js';
import { sendError } from './http.js';

export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';

/**
 * The coalescing window of generated-token streams (/api/generate, /api/chat): at most one HTTP
 * chunk per 16 ms, one 60 Hz frame. A line that comes 16 ms or more after the previous write
 * (the first token, every token of a model slower than ~60 tokens/s) goes out at once; others
 * wait at most 16 ms. On stories260K (~1,100 tokens/s over 500 tokens) the window raised
 * /api/generate ÷ direct from 0.90–0.93 (5 ms) to 0.95 (docs/performance.md, "API overhead");
 * 33 ms gained nothing more.
 */
export const TOKEN_STREAM_COALESCE_MS = 16;

export interface NdjsonWriterOptions {
  /**
   * Coalescing window in ms (default 0: every line is written at once). A line is written at once
   * when the last write was at least this long ago; lines that follow sooner are held and written
   * together when the window ends, so a fast token stream costs one HTTP chunk (one syscall, one
   * read for the client) per window instead of per token, while a lone line (the first token, or
   * every token of a slow model) is never delayed. end() and fail() write held lines first.
   */
  coalesceMs?: number;
}

export class NdjsonWriter {
  private begun = false;
  private readonly coalesceMs: number;
  private held = '';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastWrite = -Infinity;

  constructor(
    private readonly res: ServerResponse,
    private readonly type?: WireType,
    opts: NdjsonWriterOptions = {},
  ) {
    this.coalesceMs = opts.coalesceMs !== undefined && opts.coalesceMs > 0 ? opts.coalesceMs : 0;
  }

  /** True once the 200 status and a first line have been sent. */
  get started(): boolean {
    return this.begun;
  }

  /** False when the client has gone away (writes are then dropped). */
  get open(): boolean {
    return !this.res.destroyed && !this.res.writableEnded;
  }

  /** Writes one object as a line. Returns false when the client is gone. */
  write(value: object): boolean {
    if (!this.open) return false;
    if (!this.begun) {
      this.res.writeHead(200, { 'Content-Type': NDJSON_CONTENT_TYPE });
      this.begun = true;
    }
    const line = goJSON(this.type ? toWire(this.type, value) : value) + '\n';
    if (this.coalesceMs === 0) {
      this.res.write(line);
      return true;
    }
    if (this.timer !== undefined) {
      this.held += line;
      return true;
    }
    const now = performance.now();
    const wait = this.lastWrite + this.coalesceMs - now;
    if (wait <= 0) {
      this.lastWrite = now;
      this.res.write(line);
      return true;
    }
    this.held = line;
    this.timer = setTimeout(() => this.flush(), wait);
    return true;
  }

  /** Writes the held lines now. */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.held === '') return;
    const text = this.held;
    this.held = '';
    if (!this.open) return;
    this.lastWrite = performance.now();
    this.res.write(text);
  }

  /** Reports an error: a JSON error response if nothing was written yet, else a final error line. */
  fail(err: unknown): void {
    this.flush();
    if (!this.open) return;
    if (!this.begun) {
      sendError(this.res, err);
      return;
    }
    this.res.write(goJSON({ error: messageOf(err) }) + '\n');
    this.res.end();
  }

  /** Ends the stream (sends the headers with an empty body if nothing was written). */
  end(): void {
    this.flush();
    if (!this.open) return;
    if (!this.begun) {
      this.res.writeHead(200, { 'Content-Type': NDJSON_CONTENT_TYPE });
      this.begun = true;
    }
    this.res.end();
  }
}

/**
 * Streams every item of `source` as a line, then ends; an error thrown by the source is reported
 * with `fail`. Stops pulling from the source when the client disconnects (`signal`).
 */
export async function pipeNdjson(
  res: ServerResponse,
  source: AsyncIterable<object> | Iterable<object>,
  opts: { type?: WireType; signal?: AbortSignal } = {},
): Promise<void> {
  const w = new NdjsonWriter(res, opts.type);
  try {
    for await (const item of source) {
      if (opts.signal?.aborted || !w.write(item)) return;
    }
    w.end();
  } catch (err) {
    w.fail(err);
  }
}
