/**
 * A small router on node:http, shaped like Ollama's gin setup (reference §3): method + path
 * routing with `:params`, `404 page not found` / `405 method not allowed` as plain text, JSON
 * bodies with a size cap, Ollama's `{"error":"…"}` bodies, and an AbortSignal per request that
 * fires when the client goes away.
 *
 *   const router = new Router();
 *   router.post('/api/chat', async (ctx) => { const req = await ctx.json<ChatRequest>(); … });
 *   const server = createHttpServer(router, { middleware: [securityMiddleware(cfg)] });
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { ApiError, PayloadTooLargeError, messageOf, statusOf } from '../api/errors.js';
import { toWire, type WireType } from '../api/types.js';
import { goJSON } from './gojson.js';
import { parseJSONBody } from './jsonbody.js';
import { keepIdleConnections } from './keepalive.js';
import type { Drain } from './shutdown.js';

/** Default cap on JSON request bodies (blob uploads stream and are not capped by this). */
export const DEFAULT_JSON_LIMIT = 64 * 1024 * 1024;

export interface Context {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Path without the query string, percent-decoding left to the handler. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Aborts when the client disconnects before the response has finished. */
  signal: AbortSignal;
  /** Reads the whole body (up to `limit` bytes, else a 413 PayloadTooLargeError). */
  body(limit?: number): Promise<Buffer>;
  /**
   * Reads and parses a JSON body as Ollama does: empty → 400 `missing request body`, malformed →
   * 400 with Go's decoder message, too large → 413. Only the first JSON value is read.
   */
  json<T = unknown>(limit?: number): Promise<T>;
}

export type Handler = (ctx: Context) => unknown | Promise<unknown>;

/** Runs before routing; return `true` when it has answered the request (the chain stops). */
export type Middleware = (ctx: Context) => boolean | Promise<boolean>;

interface Route {
  method: string;
  pattern: string;
  segments: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];
  jsonLimit = DEFAULT_JSON_LIMIT;

  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method: method.toUpperCase(), pattern, segments: splitPath(pattern), handler });
    return this;
  }
  get(p: string, h: Handler): this {
    return this.on('GET', p, h);
  }
  head(p: string, h: Handler): this {
    return this.on('HEAD', p, h);
  }
  /** GET and HEAD with the same handler (Node sends no body for HEAD). */
  getHead(p: string, h: Handler): this {
    return this.on('GET', p, h).on('HEAD', p, h);
  }
  post(p: string, h: Handler): this {
    return this.on('POST', p, h);
  }
  put(p: string, h: Handler): this {
    return this.on('PUT', p, h);
  }
  patch(p: string, h: Handler): this {
    return this.on('PATCH', p, h);
  }
  delete(p: string, h: Handler): this {
    return this.on('DELETE', p, h);
  }

  /** The pattern (`/api/blobs/:digest`) of the route a request path matches, or null. */
  patternOf(path: string): string | null {
    const segs = splitPath(path);
    for (const r of this.routes) if (matchSegments(r.segments, segs)) return r.pattern;
    return null;
  }

  /** Finds the handler: `{handler, params}`, `'method'` when only the method is wrong, or null. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | 'method' | null {
    const segs = splitPath(path);
    let pathMatched = false;
    for (const r of this.routes) {
      const params = matchSegments(r.segments, segs);
      if (!params) continue;
      if (r.method === method) return { handler: r.handler, params };
      pathMatched = true;
    }
    return pathMatched ? 'method' : null;
  }
}

function splitPath(p: string): string[] {
  return p.split('/').slice(1);
}

function matchSegments(pattern: string[], segs: string[]): Record<string, string> | null {
  if (pattern.length !== segs.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const s = segs[i]!;
    if (p.startsWith(':')) {
      if (s === '') return null;
      try {
        params[p.slice(1)] = decodeURIComponent(s);
      } catch {
        params[p.slice(1)] = s;
      }
    } else if (p !== s) return null;
  }
  return params;
}

// ---------------------------------------------------------------------------------------------
// Responses

/** Sends a JSON response (`application/json; charset=utf-8`), Go-encoded, optionally wire-ordered. */
export function sendJSON(res: ServerResponse, status: number, value: unknown, type?: WireType): void {
  const body = goJSON(type && value && typeof value === 'object' ? toWire(type, value) : value);
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** Sends a plain-text response (`text/plain; charset=utf-8` unless given). */
export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Sends Ollama's error body `{"error":"…"}` with the error's status (500 by default). */
/** How long, and how much, of a refused upload is read and dropped before the connection goes. */
const LINGER_MS = 1000;
const LINGER_BYTES = 64 << 20;

/**
 * After a 413: answer with `Connection: close`, then close the connection without reading the
 * rest of the upload. A lingering close, as Go's server and nginx do: the rest of the body is
 * read and dropped for a moment (at most LINGER_MS and LINGER_BYTES) before the socket is
 * closed. Closing at once, with the client's data unread, makes the kernel send a reset, which
 * can reach the client before it has read the 413 — it then sees a broken pipe, not the answer.
 */
export function closeAfterAnswer(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Connection', 'close');
  const sock = req.socket;
  res.once('finish', () => {
    let dropped = 0;
    const done = () => sock.destroy();
    const timer = setTimeout(done, LINGER_MS);
    timer.unref();
    sock.once('close', () => clearTimeout(timer));
    sock.on('data', (d: Buffer) => {
      dropped += d.length;
      if (dropped > LINGER_BYTES) done();
    });
    sock.resume();
  });
}

/**
 * Wraps a handler of a foreign protocol (OpenAI, Anthropic): any error it throws before its
 * answer began is sent in that protocol's shape, as `toError` maps it.
 */
export function protocolErrors(toError: (err: unknown) => { status: number; body: unknown }): (handler: Handler) => Handler {
  return (handler) => async (ctx) => {
    try {
      await handler(ctx);
    } catch (err) {
      const { status, body } = toError(err);
      if (err instanceof PayloadTooLargeError && !ctx.res.headersSent) closeAfterAnswer(ctx.req, ctx.res);
      sendJSON(ctx.res, status, body);
    }
  };
}

export function sendError(res: ServerResponse, err: unknown, status = statusOf(err)): void {
  sendJSON(res, status, { error: messageOf(err) });
}

/** An empty response with a status (Go's c.Status / AbortWithStatus). */
export function sendStatus(res: ServerResponse, status: number): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'Content-Length': 0 });
  res.end();
}

// ---------------------------------------------------------------------------------------------
// Request bodies

/** Reads a request body up to `limit` bytes; on overflow throws PayloadTooLargeError and stops reading. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.pause();
      reject(new PayloadTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(new PayloadTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onClose = (): void => {
      if (!req.complete) {
        cleanup();
        reject(new ApiError(499, 'request canceled'));
      }
    };
    function cleanup(): void {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

// ---------------------------------------------------------------------------------------------
// Server

export interface HttpServerOptions {
  middleware?: Middleware[];
  /** Idle keep-alive connections kept at most (default MAX_IDLE_SOCKETS); they never time out. */
  maxIdleSockets?: number;
  /** Called for handler errors that could not be reported to the client. */
  onError?: (err: unknown, ctx: Context) => void;
  /** Tracks the requests in flight for a graceful shutdown (shutdown.ts). */
  drain?: Drain;
}

function makeContext(req: IncomingMessage, res: ServerResponse, jsonLimit: number, drain?: Drain): Context {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const ac = new AbortController();
  drain?.track(res, url.pathname, (reason) => {
    if (!ac.signal.aborted) ac.abort(reason);
  });
  const abort = (): void => {
    if (!res.writableFinished && !ac.signal.aborted) ac.abort(new ApiError(499, 'request canceled'));
  };
  res.on('close', abort);
  req.on('aborted', abort);
  let bodyPromise: Promise<Buffer> | undefined;
  const ctx: Context = {
    req,
    res,
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    params: {},
    query: url.searchParams,
    signal: ac.signal,
    body(limit = jsonLimit) {
      bodyPromise ??= readBody(req, limit);
      return bodyPromise;
    },
    async json<T>(limit = jsonLimit): Promise<T> {
      const buf = await ctx.body(limit);
      return parseJSONBody(buf) as T;
    },
  };
  return ctx;
}

/** Dispatches one request through middleware and the router, turning thrown errors into responses. */
export async function dispatch(router: Router, req: IncomingMessage, res: ServerResponse, opts: HttpServerOptions = {}): Promise<void> {
  if (opts.drain?.draining) return opts.drain.refuse(res, new URL(req.url ?? '/', 'http://localhost').pathname);
  const ctx = makeContext(req, res, router.jsonLimit, opts.drain);
  try {
    for (const mw of opts.middleware ?? []) {
      if (await mw(ctx)) return;
    }
    const m = router.match(ctx.method, ctx.path);
    if (m === null) return sendText(res, 404, '404 page not found', 'text/plain');
    if (m === 'method') return sendText(res, 405, '405 method not allowed', 'text/plain');
    ctx.params = m.params;
    await m.handler(ctx);
    if (!res.headersSent && !res.writableEnded) sendStatus(res, 200);
    else if (!res.writableEnded) res.end();
  } catch (err) {
    if (!res.headersSent) {
      if (err instanceof PayloadTooLargeError) closeAfterAnswer(req, res);
      sendError(res, err);
    } else {
      opts.onError?.(err, ctx);
      if (!res.writableEnded) res.end();
    }
  }
}

/** Creates (does not start) an http.Server serving `router`. */
export function createHttpServer(router: Router, opts: HttpServerOptions = {}): http.Server {
  const server = http.createServer((req, res) => {
    void dispatch(router, req, res, opts);
  });
  // Streams can be long-lived; Ollama has no request timeout.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  keepIdleConnections(server, opts.maxIdleSockets);
  return server;
}

