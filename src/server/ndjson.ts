/**
 * NDJSON streaming as Ollama's streamResponse does it: `Content-Type: application/x-ndjson`, one
 * Go-encoded JSON object per line, each line flushed as written (token streams coalesce the lines
 * of a few milliseconds into one chunk: NdjsonWriterOptions.coalesceMs). An error before anything was
 * written is an ordinary JSON error response with its status; after streaming began it is a final
 * `{"error":"…"}` line (the status is already 200).
 */
import type { ServerResponse } from 'node:http';
import { messageOf } from '../api/errors.js';
import { toWire, type WireType } from '../api/types.js';
import { CoalescedResponse } from './coalesce.js';
import { goJSON } from './gojson.js';
import { sendError } from './http.js';
import { markStream } from './shutdown.js';

export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';

export { TOKEN_STREAM_COALESCE_MS } from './coalesce.js';

export interface NdjsonWriterOptions {
  /**
   * Coalescing window in ms (default 0: every line is written at once). Lines that follow a
   * write sooner than this are held and written together (WriteCoalescer), so a fast token
   * stream costs one HTTP chunk (one syscall, one read for the client) per window instead of per
   * token. end() and fail() write held lines first.
   */
  coalesceMs?: number;
}

export class NdjsonWriter {
  private readonly out: CoalescedResponse;

  constructor(
    private readonly res: ServerResponse,
    private readonly type?: WireType,
    opts: NdjsonWriterOptions = {},
  ) {
    this.out = new CoalescedResponse(res, NDJSON_CONTENT_TYPE, opts.coalesceMs);
    markStream(res, this);
  }

  /** True once the 200 status and a first line have been sent. */
  get started(): boolean {
    return this.out.started;
  }

  /** False when the client has gone away (writes are then dropped). */
  get open(): boolean {
    return this.out.open;
  }

  /** Writes one object as a line. Returns false when the client is gone. */
  write(value: object): boolean {
    return this.out.push(goJSON(this.type ? toWire(this.type, value) : value) + '\n');
  }

  /** Writes the held lines now. */
  flush(): void {
    this.out.flush();
  }

  /** Reports an error: a JSON error response if nothing was written yet, else a final error line. */
  fail(err: unknown): void {
    this.flush();
    if (!this.open) return;
    if (!this.started) {
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
    this.out.begin();
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
