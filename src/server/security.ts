/**
 * Request checks that run before routing (reference §3.12), in Ollama's order:
 *  1. CORS (gin-contrib/cors as Ollama configures it): a cross-origin request from an origin not
 *     on the list → 403; an allowed preflight `OPTIONS` → 204 with the Access-Control-* headers.
 *  2. Host header check against DNS rebinding, only when the server listens on loopback → 403.
 *  3. Tollama only: with `OLLAMA_API_KEYS` set, every request except `GET /` and `HEAD /` needs
 *     `Authorization: Bearer <key>` or `X-Api-Key: <key>` (what Anthropic's clients send)
 *     → 401 otherwise.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import os from 'node:os';
import { splitHostPort } from '../api/host.js';
import { anthropicError } from './anthropic/errors.js';
import type { Context, Middleware } from './http.js';
import { sendJSON, sendStatus } from './http.js';

/** Ollama's default allowed origins, appended after `OLLAMA_ORIGINS` entries. */
export function defaultOrigins(): string[] {
  const out: string[] = [];
  for (const h of ['localhost', '127.0.0.1', '0.0.0.0']) {
    out.push(`http://${h}`, `https://${h}`, `http://${h}:*`, `https://${h}:*`);
  }
  out.push('app://*', 'file://*', 'tauri://*', 'vscode-webview://*', 'vscode-file://*');
  return out;
}

/** The full origin list: `OLLAMA_ORIGINS` (comma-separated, trimmed) followed by the defaults. */
export function allowedOrigins(env: string | undefined): string[] {
  const user = (env ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return [...user, ...defaultOrigins()];
}

export const CORS_ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'User-Agent',
  'Accept',
  'X-Requested-With',
  'Openai-Beta',
  'X-Stainless-Arch',
  'X-Stainless-Async',
  'X-Stainless-Custom-Poll-Interval',
  'X-Stainless-Helper-Method',
  'X-Stainless-Lang',
  'X-Stainless-Os',
  'X-Stainless-Package-Version',
  'X-Stainless-Poll-Helper',
  'X-Stainless-Retry-Count',
  'X-Stainless-Runtime',
  'X-Stainless-Runtime-Version',
  'X-Stainless-Timeout',
].join(',');
export const CORS_ALLOW_METHODS = 'GET,POST,PUT,PATCH,DELETE,HEAD,OPTIONS';
export const CORS_MAX_AGE = String(12 * 60 * 60);

/** Matches an origin against the list: exact entries, `*` (everything), or one `*` wildcard. */
export function originAllowed(origin: string, list: readonly string[]): boolean {
  for (const entry of list) {
    if (entry === '*' || entry === origin) return true;
    const star = entry.indexOf('*');
    if (star >= 0) {
      const prefix = entry.slice(0, star);
      const suffix = entry.slice(star + 1);
      if (origin.length >= prefix.length + suffix.length && origin.startsWith(prefix) && origin.endsWith(suffix)) return true;
    }
  }
  return false;
}

/** CORS middleware. */
export function corsMiddleware(origins: readonly string[]): Middleware {
  const allowAll = origins.includes('*');
  return (ctx) => {
    const origin = ctx.req.headers.origin;
    if (!origin) return false;
    const host = ctx.req.headers.host ?? '';
    if (origin === `http://${host}` || origin === `https://${host}`) return false; // same origin
    if (!originAllowed(origin, origins)) {
      sendStatus(ctx.res, 403);
      return true;
    }
    const res = ctx.res;
    if (ctx.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', CORS_ALLOW_METHODS);
      res.setHeader('Access-Control-Allow-Headers', CORS_ALLOW_HEADERS);
      res.setHeader('Access-Control-Max-Age', CORS_MAX_AGE);
      if (allowAll) res.setHeader('Access-Control-Allow-Origin', '*');
      else {
        res.setHeader('Vary', ['Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers']);
        res.setHeader('Access-Control-Allow-Origin', origin);
      }
      sendStatus(res, 204);
      return true;
    }
    if (allowAll) res.setHeader('Access-Control-Allow-Origin', '*');
    else {
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Allow-Origin', origin);
    }
    return false;
  };
}

// ---------------------------------------------------------------------------------------------
// Host check

function ipv4Parts(ip: string): number[] {
  return ip.split('.').map(Number);
}

/** Loopback, private (RFC 1918 / fc00::/7), or unspecified address — Go netip's predicates. */
export function isLocalishIP(ip: string): boolean {
  const v = isIP(ip);
  if (v === 4) {
    const [a, b] = ipv4Parts(ip) as [number, number];
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || ip === '0.0.0.0';
  }
  if (v === 6) {
    const h = new URL(`http://[${ip}]/`).hostname.slice(1, -1).toLowerCase();
    if (h === '::1' || h === '::') return true;
    const mapped = /^::ffff:([0-9a-f]+):([0-9a-f]+)$/.exec(h);
    if (mapped) {
      const hi = parseInt(mapped[1]!, 16);
      const lo = parseInt(mapped[2]!, 16);
      return isLocalishIP(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
    }
    return /^f[cd][0-9a-f]{0,2}:/.test(h);
  }
  return false;
}

/** Addresses of this machine's interfaces. */
function localInterfaceIPs(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) out.add(a.address.toLowerCase());
  }
  return out;
}

/** Ollama's allowedHost: empty, `localhost`, the hostname, or `*.localhost|.local|.internal`. */
export function allowedHostName(host: string, hostname: string = os.hostname()): boolean {
  const h = host.toLowerCase();
  if (h === '' || h === 'localhost') return true;
  if (h === hostname.toLowerCase()) return true;
  return ['localhost', 'local', 'internal'].some((tld) => h.endsWith('.' + tld));
}

/** Whether a `Host` header value passes the DNS-rebinding check. */
export function hostHeaderAllowed(hostHeader: string, hostname?: string): boolean {
  const split = splitHostPort(hostHeader);
  const host = split ? split.host : hostHeader;
  if (isIP(host)) {
    if (isLocalishIP(host) || localInterfaceIPs().has(host.toLowerCase())) return true;
  }
  return allowedHostName(host, hostname);
}

/**
 * DNS-rebinding guard. `listenHost` is the address the server is bound to; the check only runs
 * when it is a loopback address. Allowed-host preflights get 204, others 403 with no body.
 */
export function hostCheckMiddleware(listenHost: string): Middleware {
  const h = listenHost.replace(/^\[|\]$/g, '');
  const loopback = h === '::1' || (isIP(h) === 4 && h.startsWith('127.')) || h === 'localhost';
  return (ctx) => {
    if (!loopback) return false;
    const hostHeader = ctx.req.headers.host ?? '';
    const split = splitHostPort(hostHeader);
    const host = split ? split.host : hostHeader;
    if (isIP(host) && (isLocalishIP(host) || localInterfaceIPs().has(host.toLowerCase()))) return false;
    if (allowedHostName(host)) {
      if (ctx.method === 'OPTIONS') {
        sendStatus(ctx.res, 204);
        return true;
      }
      return false;
    }
    sendStatus(ctx.res, 403);
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// API keys

/** Parses `OLLAMA_API_KEYS`: comma-separated, trimmed, empties dropped. */
export function parseApiKeys(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time check of a presented key against every configured key. */
export function apiKeyMatches(presented: string, keys: readonly string[]): boolean {
  const p = digest(presented);
  let ok = false;
  for (const k of keys) {
    if (timingSafeEqual(p, digest(k))) ok = true;
  }
  return ok;
}

function isPublicPath(ctx: Context): boolean {
  return ctx.path === '/' && (ctx.method === 'GET' || ctx.method === 'HEAD');
}

/** Sends a 401 in the error shape of the endpoint family (Anthropic's for `/v1/messages`, OpenAI's under `/v1/`). */
function unauthorized(ctx: Context, message: string): void {
  ctx.res.setHeader('WWW-Authenticate', 'Bearer');
  if (ctx.path === '/v1/messages' || ctx.path.startsWith('/v1/messages/')) {
    sendJSON(ctx.res, 401, anthropicError(401, message));
  } else if (ctx.path.startsWith('/v1/')) {
    sendJSON(ctx.res, 401, { error: { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
  } else {
    sendJSON(ctx.res, 401, { error: message });
  }
}

/** API-key middleware; a no-op when `keys` is empty. */
export function apiKeyMiddleware(keys: readonly string[]): Middleware {
  return (ctx) => {
    if (keys.length === 0 || isPublicPath(ctx) || ctx.method === 'OPTIONS') return false;
    const auth = ctx.req.headers.authorization ?? '';
    const m = /^Bearer[ \t]+(.+)$/i.exec(auth.trim());
    const xApiKey = ctx.req.headers['x-api-key'];
    const presented = m ? m[1]!.trim() : typeof xApiKey === 'string' && xApiKey.trim() !== '' ? xApiKey.trim() : undefined;
    if (presented === undefined) {
      unauthorized(ctx, 'unauthorized: this server requires an API key; send "Authorization: Bearer <key>" or "X-Api-Key: <key>"');
      return true;
    }
    if (!apiKeyMatches(presented, keys)) {
      unauthorized(ctx, 'unauthorized: invalid API key');
      return true;
    }
    return false;
  };
}

export interface SecurityConfig {
  origins: readonly string[];
  /** The address the server listens on (host part of OLLAMA_HOST). */
  listenHost: string;
  apiKeys: readonly string[];
}

/** The three checks in order, ready for `createHttpServer(router, { middleware })`. */
export function securityMiddleware(cfg: SecurityConfig): Middleware[] {
  return [corsMiddleware(cfg.origins), hostCheckMiddleware(cfg.listenHost), apiKeyMiddleware(cfg.apiKeys)];
}
