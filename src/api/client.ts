/**
 * The HTTP client the CLI uses to talk to a Tollama (or Ollama) server. It mirrors Ollama's Go
 * client: JSON requests, NDJSON streams, and its error decoding (reference §1.2):
 *  - a status ≥ 400 → the body's `{"error": …}` text (or the whole body) as a StatusError;
 *  - in a stream, an `{"error": …}` line with HTTP 200 → a plain Error with that text;
 *    with HTTP ≥ 400 the message is prefixed by the status line (`404 Not Found: …`).
 * It sends `OLLAMA_API_KEY` as a bearer token when set, as the official clients do.
 */
import type { Readable } from 'node:stream';
import { USER_AGENT } from '../version.js';
import { parseOllamaHost } from './host.js';
import { NoAnswerError, postStream } from './upload.js';

export class StatusError extends Error {
  constructor(
    readonly status: number,
    readonly statusLine: string,
    message: string,
  ) {
    super(message);
    this.name = 'StatusError';
  }
}

/** Raised when nothing listens at the server address. */
export class ConnectionError extends Error {
  constructor(
    readonly url: string,
    cause?: unknown,
  ) {
    super(`could not connect to ollama server at ${url}`, { cause });
    this.name = 'ConnectionError';
  }
}

/**
 * A streamed answer whose connection ended before its body did (the server, or a replica
 * behind a load balancer, was killed): `unexpected EOF`, as Ollama's Go client reports it.
 */
export class UnexpectedEOFError extends Error {
  constructor(cause?: unknown) {
    super('unexpected EOF', { cause });
    this.name = 'UnexpectedEOFError';
  }
}

export interface ClientOptions {
  /** Base URL such as `http://127.0.0.1:11434`. Defaults to OLLAMA_HOST. */
  baseUrl?: string;
  /** Bearer token. Defaults to OLLAMA_API_KEY. */
  apiKey?: string;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Request Entity Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * Tollama: requests naming a model carry it in `X-Ollama-Model`, so a load balancer in front of
 * several servers can send one model's requests to one replica (docs/replicas.md). Servers
 * ignore it.
 */
export const MODEL_HEADER = 'X-Ollama-Model';

function modelHeader(body: unknown): Record<string, string> {
  if (!body || typeof body !== 'object' || isStreamBody(body)) return {};
  const o = body as { model?: unknown; name?: unknown };
  const m = typeof o.model === 'string' && o.model !== '' ? o.model : typeof o.name === 'string' ? o.name : '';
  // Header values are ASCII without control characters; anything else is simply not sent.
  return m !== '' && /^[\x21-\x7e]+$/.test(m) ? { [MODEL_HEADER]: m } : {};
}

export class Client {
  readonly baseUrl: string;
  private readonly apiKey: string | undefined;

  constructor(opts: ClientOptions = {}) {
    this.baseUrl = (opts.baseUrl ?? parseOllamaHost(process.env.OLLAMA_HOST).connectUrl).replace(/\/+$/, '');
    const key = opts.apiKey ?? process.env.OLLAMA_API_KEY;
    this.apiKey = key && key.length > 0 ? key : undefined;
  }

  private headers(accept: string, extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = {
      'Content-Type': 'application/json',
      Accept: accept,
      'User-Agent': USER_AGENT,
      ...extra,
    };
    if (this.apiKey) h.Authorization = `Bearer ${this.apiKey}`;
    return h;
  }

  private async send(method: string, path: string, body: unknown, accept: string, signal?: AbortSignal, extraHeaders?: Record<string, string>): Promise<Response> {
    const init: RequestInit & { duplex?: 'half' } = { method, headers: this.headers(accept, { ...modelHeader(body), ...extraHeaders }), signal };
    if (body !== undefined) {
      if (isStreamBody(body)) {
        init.body = body as ReadableStream<Uint8Array>;
        init.duplex = 'half';
      } else init.body = JSON.stringify(body);
    }
    try {
      return await fetch(this.baseUrl + path, init);
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ConnectionError(this.baseUrl, err);
    }
  }

  /** A JSON request; returns the decoded body (or undefined for an empty one). */
  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const res = await this.send(method, path, body, 'application/json', signal);
    const text = await res.text();
    if (res.status >= 400) throw new StatusError(res.status, statusLine(res), errorText(text));
    return (text.length > 0 ? JSON.parse(text) : undefined) as T;
  }

  /** A streamed request: yields each NDJSON object; `{"error"}` lines become errors. */
  async *stream<T>(path: string, body: unknown, signal?: AbortSignal): AsyncGenerator<T> {
    const res = await this.send('POST', path, body, 'application/x-ndjson', signal);
    if (!res.body) return;
    const failed = res.status >= 400;
    const decoder = new TextDecoder();
    let buf = '';
    const handle = (line: string): T | undefined => {
      if (line.trim() === '') return undefined;
      let obj: Record<string, unknown>;
      try {
        obj = JSON.parse(line);
      } catch {
        if (failed) throw new StatusError(res.status, statusLine(res), line.trim());
        throw new Error(`unmarshal: invalid character in ${JSON.stringify(line.slice(0, 40))}`);
      }
      if (typeof obj.error === 'string') {
        if (failed) throw new StatusError(res.status, statusLine(res), `${statusLine(res)}: ${obj.error}`);
        throw new Error(obj.error);
      }
      return obj as T;
    };
    const chunks = (res.body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await chunks.next();
        } catch (err) {
          // The connection ended before the body did (the server, or a replica behind a load
          // balancer, went away): Go's client reports this as `unexpected EOF`, and so do we.
          if (signal?.aborted) throw err;
          throw new UnexpectedEOFError(err);
        }
        if (next.done) break;
        buf += decoder.decode(next.value, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const out = handle(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          if (out !== undefined) yield out;
        }
      }
    } finally {
      await chunks.return?.().catch(() => undefined);
    }
    buf += decoder.decode();
    const last = handle(buf);
    if (last !== undefined) yield last;
    if (failed) throw new StatusError(res.status, statusLine(res), statusLine(res));
  }

  /** `HEAD /`: resolves when a server answers. */
  async heartbeat(signal?: AbortSignal): Promise<void> {
    const res = await this.send('HEAD', '/', undefined, 'application/json', signal);
    if (res.status >= 400) throw new StatusError(res.status, statusLine(res), statusLine(res));
  }

  /** `HEAD /api/blobs/:digest` → whether the server already has the blob. */
  async blobExists(digest: string, signal?: AbortSignal): Promise<boolean> {
    const res = await this.send('HEAD', `/api/blobs/${digest}`, undefined, 'application/json', signal);
    if (res.status === 404) return false;
    if (res.status >= 400) throw new StatusError(res.status, statusLine(res), statusLine(res));
    return true;
  }

  /**
   * A POST of a streamed body (an archive) that hears the server's answer even when the server
   * refuses the upload before reading all of it (see upload.ts). Returns the answer's text;
   * a status ≥ 400 becomes a StatusError with the server's message.
   */
  async upload(path: string, body: Readable, contentType: string, signal?: AbortSignal): Promise<string> {
    let answer;
    try {
      answer = await postStream(this.baseUrl + path, this.headers('application/x-ndjson', { 'Content-Type': contentType }), body, signal);
    } catch (err) {
      if (err instanceof NoAnswerError) throw new ConnectionError(this.baseUrl, err.cause);
      throw err;
    }
    if (answer.status >= 400) {
      const line = `${answer.status} ${answer.statusText || STATUS_TEXT[answer.status] || ''}`.trim();
      throw new StatusError(answer.status, line, errorText(answer.text) || line);
    }
    return answer.text;
  }

  /** `POST /api/blobs/:digest` with a streamed body. */
  async uploadBlob(digest: string, body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>, size?: number, signal?: AbortSignal): Promise<void> {
    const extra: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
    if (size !== undefined) extra['Content-Length'] = String(size);
    const res = await this.send('POST', `/api/blobs/${digest}`, toReadable(body), 'application/json', signal, extra);
    const text = await res.text();
    if (res.status >= 400) throw new StatusError(res.status, statusLine(res), errorText(text));
  }
}

function isStreamBody(b: unknown): boolean {
  return b instanceof ReadableStream || (typeof b === 'object' && b !== null && Symbol.asyncIterator in b);
}

function toReadable(body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  if (body instanceof ReadableStream) return body;
  const it = body[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await it.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel() {
      await it.return?.();
    },
  });
}

function statusLine(res: Response): string {
  return `${res.status} ${res.statusText || STATUS_TEXT[res.status] || ''}`.trim();
}

function errorText(body: string): string {
  try {
    const obj = JSON.parse(body);
    if (obj && typeof obj.error === 'string') return obj.error;
    if (obj && typeof obj.error === 'object' && obj.error && typeof obj.error.message === 'string') return obj.error.message;
  } catch {
    /* not JSON: the whole body is the message */
  }
  return body.trim();
}
