/**
 * The lowest layer: one HTTP request over node:http/https with no automatic redirects, an
 * optional address guard against SSRF (the registry's class, url.ts `refusal`), HTTP(S)_PROXY /
 * NO_PROXY as Go reads them (proxyenv.ts), unverified TLS only when asked, a response-header
 * timeout, capped body reading (hostile registries may send endless or compressed-bomb bodies:
 * we never ask for compression and never read past a cap), and errors in Go's words
 * (`Get "URL": cause`, errors.ts `goCause`).
 *
 * The guard and a proxy: without a proxy the guard checks the very addresses the socket
 * connects to (a DNS lookup hook, so no re-resolution gap). With a proxy the proxy resolves
 * and connects, not us: literal addresses are still checked, and a name is looked up here too
 * and refused if it resolves to a forbidden address; a name we cannot resolve is left to the
 * proxy (behind a corporate proxy external names often do not resolve locally). What the proxy
 * then reaches is in the proxy's network, which the proxy's own rules must protect.
 */
import { lookup as dnsLookup, promises as dns, type LookupAddress } from 'node:dns';
import http, { type Agent, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { AbortedError, BadRemoteError, goCause, RegistryError, requestError } from './errors.js';
import { proxyEnv, proxyFor, ProxyConfigError } from './proxyenv.js';
import { addressClass, hostClass, refusal, type AddressClass } from './url.js';
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
  /** The class of the registry that sent us here: refuse a host, or an address it resolves
   *  to, that such a registry may not send us to (url.ts `refusal`). Unset: no check. */
  guard?: AddressClass;
  /** Milliseconds to wait for the response headers (default 60 s). */
  headersTimeoutMs?: number;
  /** Environment for HTTP(S)_PROXY / NO_PROXY (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  url: string;
  /** The address the socket is connected to, when no proxy is in between. */
  peer?: string;
}

function guardedLookup(guard: AddressClass): LookupFunction {
  return ((hostname: string, options: unknown, callback: unknown) => {
    const cb = callback as (err: Error | null, address: string | LookupAddress[], family?: number) => void;
    dnsLookup(hostname, { ...(options as object), all: true }, (err, addresses) => {
      if (err) return cb(err, '', 0);
      const list = addresses as LookupAddress[];
      const why = forbidden(guard, hostname, list);
      if (why) return cb(new BadRemoteError(why), '', 0);
      if ((options as { all?: boolean }).all) return cb(null, list);
      return cb(null, list[0]!.address, list[0]!.family);
    });
  }) as LookupFunction;
}

function forbidden(guard: AddressClass, hostname: string, list: LookupAddress[]): string | null {
  for (const a of list) {
    const why = refusal(guard, addressClass(a.address));
    if (why) return `refusing to connect to ${hostname}: it resolves to ${a.address}; ${why}`;
  }
  return null;
}

/** With a proxy: the name is checked here too when it resolves here (see the file comment). */
async function precheck(guard: AddressClass, hostname: string): Promise<void> {
  let list: LookupAddress[];
  try {
    list = await dns.lookup(hostname, { all: true });
  } catch {
    return; // the proxy resolves names we cannot
  }
  const why = forbidden(guard, hostname, list);
  if (why) throw new BadRemoteError(why);
}

const agents = new Map<string, Agent>();

/** One keep-alive agent per proxy and target scheme. */
function proxyAgent(proxy: URL, targetHttps: boolean): Agent {
  const key = `${targetHttps ? 'https' : 'http'} ${proxy.href}`;
  let a = agents.get(key);
  if (!a) {
    a = targetHttps ? new HttpsProxyAgent(proxy, { keepAlive: true }) : new HttpProxyAgent(proxy, { keepAlive: true });
    agents.set(key, a);
  }
  return a;
}

export function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Whether a request to `url` would go through a proxy (throws for an unusable proxy value). */
export function proxied(url: string | URL, env: NodeJS.ProcessEnv = process.env): boolean {
  return proxyFor(typeof url === 'string' ? new URL(url) : url, proxyEnv(env)) !== null;
}

/** Sends one request and resolves when the response headers arrive. Never follows redirects. */
export async function rawRequest(req: RawRequest): Promise<RawResponse> {
  const url = new URL(req.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BadRemoteError(`unsupported URL scheme ${url.protocol}`);
  }
  if (req.guard) {
    const cls = hostClass(url.hostname);
    const why = cls && refusal(req.guard, cls);
    if (why) throw new BadRemoteError(`refusing to connect to ${url.hostname}: ${why}`);
  }
  let proxy: URL | null;
  try {
    proxy = proxyFor(url, proxyEnv(req.env ?? process.env));
  } catch (e) {
    if (e instanceof ProxyConfigError) throw requestError(req.method, url, e.message, 400, 'PROXY');
    throw e;
  }
  if (proxy && req.guard && !hostClass(url.hostname)) await precheck(req.guard, url.hostname);
  if (req.signal?.aborted) throw new AbortedError();
  const secure = url.protocol === 'https:';
  const mod = secure ? https : http;
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
        ...(secure && req.insecureTLS ? { rejectUnauthorized: false } : {}),
        ...(proxy ? { agent: proxyAgent(proxy, secure) } : req.guard ? { lookup: guardedLookup(req.guard) } : {}),
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
        const peer = proxy ? undefined : res.socket?.remoteAddress;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url: req.url, ...(peer ? { peer } : {}) });
      },
    );
    const onAbort = () => {
      r.destroy(new AbortedError());
      fail(new AbortedError());
    };
    req.signal?.addEventListener('abort', onAbort, { once: true });
    const timeoutMs = req.headersTimeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      r.destroy();
      fail(requestError(req.method, url, `net/http: timeout awaiting response headers (no response within ${Math.round(timeoutMs / 1000)} s)`, 504, 'TIMEOUT'));
    }, timeoutMs);
    timer.unref?.();
    r.on('error', (e) => {
      req.signal?.removeEventListener('abort', onAbort);
      if (e instanceof RegistryError) return fail(e);
      fail(requestError(req.method, url, goCause(e, url, !!proxy)));
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
