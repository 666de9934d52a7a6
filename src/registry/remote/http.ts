/**
 * The lowest layer: one HTTP request over node:http/https with no automatic redirects, an
 * optional DNS guard against local addresses (SSRF), unverified TLS only when asked, a
 * response-header timeout, and capped body reading (hostile registries may send endless or
 * compressed-bomb bodies: we never ask for compression and never read past a cap).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { AbortedError, BadRemoteError, RegistryError } from './errors.js';
import { isLocalAddress, isLocalHostname } from './url.js';
import { VERSION_UA } from './useragent.js';

export type BodySource = Buffer | (() => Readable);

export interface RawRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: BodySource;
  signal?: AbortSignal;
  /** Skip TLS certificate verification (only with `insecure`). */
  insecureTLS?: boolean;
  /** Refuse to connect when the host is, or resolves to, a loopback/link-local address. */
  blockLocal?: boolean;
  /** Milliseconds to wait for the response headers (default 60 s). */
  headersTimeoutMs?: number;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  url: string;
}

function guardedLookup(): LookupFunction {
  return ((hostname: string, options: unknown, callback: unknown) => {
    const cb = callback as (err: Error | null, address: string | LookupAddress[], family?: number) => void;
    dnsLookup(hostname, { ...(options as object), all: true }, (err, addresses) => {
      if (err) return cb(err, '', 0);
      const list = addresses as LookupAddress[];
      const bad = list.find((a) => isLocalAddress(a.address));
      if (bad) {
        return cb(new BadRemoteError(`refusing to connect to ${hostname}: it resolves to local address ${bad.address}`), '', 0);
      }
      if ((options as { all?: boolean }).all) return cb(null, list);
      return cb(null, list[0]!.address, list[0]!.family);
    });
  }) as LookupFunction;
}

export function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Sends one request and resolves when the response headers arrive. Never follows redirects. */
export function rawRequest(req: RawRequest): Promise<RawResponse> {
  const url = new URL(req.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(new BadRemoteError(`unsupported URL scheme ${url.protocol}`));
  }
  if (req.blockLocal && isLocalHostname(url.hostname)) {
    return Promise.reject(new BadRemoteError(`refusing to connect to local address ${url.hostname} named by a remote registry`));
  }
  if (req.signal?.aborted) return Promise.reject(new AbortedError());
  const mod = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = {
    'user-agent': VERSION_UA,
    'accept-encoding': 'identity',
    ...lowerKeys(req.headers ?? {}),
  };
  if (Buffer.isBuffer(req.body)) headers['content-length'] = String(req.body.length);
  return new Promise<RawResponse>((resolve, reject) => {
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(e);
    };
    const r = mod.request(
      url,
      {
        method: req.method,
        headers,
        ...(url.protocol === 'https:' && req.insecureTLS ? { rejectUnauthorized: false } : {}),
        ...(req.blockLocal ? { lookup: guardedLookup() } : {}),
      },
      (res) => {
        if (settled) {
          res.destroy();
          return;
        }
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        if (req.signal) {
          const onBodyAbort = () => res.destroy(new AbortedError());
          req.signal.addEventListener('abort', onBodyAbort, { once: true });
          res.once('close', () => req.signal?.removeEventListener('abort', onBodyAbort));
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url: req.url });
      },
    );
    const onAbort = () => {
      r.destroy(new AbortedError());
      fail(new AbortedError());
    };
    req.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      r.destroy();
      fail(new RegistryError(`${req.method} ${url.host}: no response within ${Math.round((req.headersTimeoutMs ?? 60_000) / 1000)} s`, 504, 'TIMEOUT'));
    }, req.headersTimeoutMs ?? 60_000);
    timer.unref?.();
    r.on('error', (e) => {
      req.signal?.removeEventListener('abort', onAbort);
      if (e instanceof RegistryError) return fail(e);
      fail(new RegistryError(`${req.method} ${url.host}: ${(e as Error).message}`, 502, 'NETWORK'));
    });
    if (req.body === undefined) r.end();
    else if (Buffer.isBuffer(req.body)) r.end(req.body);
    else {
      const src = req.body();
      src.on('error', (e) => r.destroy(e));
      src.pipe(r);
    }
  });
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

/** Reads a whole body, refusing (and closing the connection) past `max` bytes. */
export async function readCapped(res: RawResponse, max: number, what: string): Promise<Buffer> {
  const declared = Number(header(res.headers, 'content-length'));
  if (Number.isFinite(declared) && declared > max) {
    res.body.destroy();
    throw new BadRemoteError(`${what} is too large (${declared} bytes, the limit is ${max})`);
  }
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      n += chunk.length;
      if (n > max) {
        res.body.destroy();
        throw new BadRemoteError(`${what} is too large (more than ${max} bytes)`);
      }
      chunks.push(chunk);
    }
  } catch (e) {
    if (e instanceof RegistryError) throw e;
    throw new RegistryError(`reading ${what}: ${(e as Error).message}`, 502, 'NETWORK');
  }
  return Buffer.concat(chunks);
}

/** Reads at most a little of an error body (for messages), swallowing stream errors. */
export async function readErrorBody(res: RawResponse, max = 16 * 1024): Promise<Buffer> {
  try {
    return await readCapped(res, max, 'error body');
  } catch {
    return Buffer.alloc(0);
  }
}

/** Drops a response we do not need; the connection is closed rather than drained. */
export function discard(res: RawResponse): void {
  res.body.resume();
  res.body.destroy();
}

export function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

export { Readable };
