/**
 * Graceful shutdown of `ollama serve` (SIGTERM/SIGINT; docs/replicas.md). Ollama closes every
 * connection at once, so its clients see a cut stream and lose their non-streamed answers.
 * Here, a Drain tracks every request in flight and, when asked to shut down:
 *
 *  1. stops accepting connections; a request that still arrives on an open keep-alive
 *     connection is a 503 `server is shutting down` with `Connection: close` (a balancer such as
 *     nginx retries it on another replica);
 *  2. ends every stream at once with its protocol's error (an NDJSON `{"error":…}` line, an
 *     OpenAI error frame, Anthropic's `event: error`; a stream that has not begun answers a 503),
 *     closes the chunked body properly and aborts the request's signal, which stops its
 *     generation in the runtime;
 *  3. lets the other requests (non-streamed generations, uploads, …) finish within a grace
 *     period (OLLAMA_SHUTDOWN_TIMEOUT); those still running then answer the 503 (or, when their
 *     answer has begun, are cut), and their generation is stopped too.
 *
 * Streams mark themselves (markStream) when they are created: NdjsonWriter and SseStream do.
 */
import type http from 'node:http';
import type { ServerResponse } from 'node:http';
import { ShuttingDownError } from '../api/errors.js';
import { sendJSON } from './http.js';

/** What a stream writer offers the drain: its protocol's error ending (`fail`). */
export interface EndableStream {
  fail(err: unknown): void;
}

/** The status and body of an error in the protocol of the route at `path`. */
export type ErrorShape = (err: unknown, path: string) => { status: number; body: unknown };

interface InFlight {
  res: ServerResponse;
  path: string;
  abort(reason: unknown): void;
  stream?: EndableStream;
  drain: Drain;
}

const inFlight = new WeakMap<ServerResponse, InFlight>();

/** Called by stream writers on creation: at shutdown this response ends with `stream.fail`. */
export function markStream(res: ServerResponse, stream: EndableStream): void {
  const f = inFlight.get(res);
  if (!f) return;
  f.stream = stream;
  // Shutdown began while this request was being read: end it once its writer is built.
  if (f.drain.draining) queueMicrotask(() => f.drain.endStream(f));
}

export interface ShutdownReport {
  /** Streams ended with an error. */
  streams: number;
  /** Other requests that were still running when the shutdown began. */
  waited: number;
  /** Of those, the ones the grace period did not cover (answered the 503, or cut). */
  cut: number;
}

export class Drain {
  private readonly live = new Set<InFlight>();
  private readonly idle = new Set<() => void>();
  private readonly error = new ShuttingDownError();
  draining = false;

  constructor(private readonly shape: ErrorShape) {}

  /** Registers a request (dispatch does, for each one); `abort` cancels its work. */
  track(res: ServerResponse, path: string, abort: (reason: unknown) => void): void {
    const f: InFlight = { res, path, abort, drain: this };
    inFlight.set(res, f);
    this.live.add(f);
    res.once('close', () => {
      this.live.delete(f);
      if (this.live.size === 0) for (const wake of this.idle) wake();
    });
  }

  /** A request that arrives while draining: the 503, and its connection closes after it. */
  refuse(res: ServerResponse, path: string): void {
    const { status, body } = this.shape(this.error, path);
    res.setHeader('Connection', 'close');
    sendJSON(res, status, body);
  }

  /** Ends one stream with the shutdown error, then stops its work. */
  endStream(f: InFlight): void {
    if (!f.res.headersSent) f.res.setHeader('Connection', 'close');
    f.stream?.fail(this.error);
    f.abort(this.error);
  }

  /**
   * Stops `server` accepting connections, ends the streams, waits up to `graceMs` for the other
   * requests, answers (or cuts) what is left, and closes every connection.
   */
  async shutdown(server: http.Server, graceMs: number): Promise<ShutdownReport> {
    this.draining = true;
    server.close();
    server.closeIdleConnections();
    const report: ShutdownReport = { streams: 0, waited: 0, cut: 0 };
    for (const f of [...this.live]) {
      if (f.stream) {
        report.streams++;
        this.endStream(f);
      } else {
        report.waited++;
        // Their answers close the connection when sent: no new request comes on it.
        if (!f.res.headersSent) f.res.setHeader('Connection', 'close');
      }
    }
    if (!(await this.settled(graceMs))) {
      for (const f of [...this.live]) {
        if (f.stream) continue;
        report.cut++;
        if (!f.res.headersSent) this.refuse(f.res, f.path);
        f.abort(this.error);
      }
      // The handlers unwind on the next turns of the event loop; what still hangs is cut below.
      await this.settled(1000);
    }
    server.closeAllConnections();
    return report;
  }

  /** Resolves true once nothing is in flight, false after `ms`. */
  private settled(ms: number): Promise<boolean> {
    if (this.live.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => finish(true);
      const timer = setTimeout(() => finish(false), Math.min(Math.max(0, ms), 2 ** 31 - 1)); // setTimeout's limit
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.idle.delete(wake);
        resolve(ok);
      };
      this.idle.add(wake);
    });
  }
}
