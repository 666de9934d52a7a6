/**
 * Registry authentication: parsing `WWW-Authenticate` challenges and fetching Bearer tokens
 * (reference §7.2). The realm must be on the registry's own host (CVE-2025-51471) unless the
 * caller allow-lists it; credentials go only there; the token body is capped.
 */
import { createHash, randomBytes } from 'node:crypto';
import { basicHeader, type Credentials } from './credentials.js';
import { BadRemoteError, RegistryError, UnauthorizedError } from './errors.js';
import { formatErrorBody } from './errors.js';
import { discard, header, rawRequest, readCapped, readErrorBody, type RawResponse } from './http.js';
import { hostOf } from './url.js';

export interface Challenge {
  scheme: string; // lower-case: 'bearer' | 'basic' | …
  params: Record<string, string>;
}

/**
 * Parses one `WWW-Authenticate` value: `Bearer realm="…",service="…",scope="a b"`.
 * Quoted values may contain commas and escaped quotes; unquoted tokens are accepted too.
 */
export function parseChallenge(value: string): Challenge | null {
  const m = /^\s*([A-Za-z][A-Za-z0-9._-]*)\s*(.*)$/s.exec(value);
  if (!m) return null;
  const params: Record<string, string> = {};
  const rest = m[2]!;
  const re = /\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,|$)/gy;
  let pm: RegExpExecArray | null;
  while (re.lastIndex < rest.length && (pm = re.exec(rest)) !== null) {
    params[pm[1]!.toLowerCase()] = pm[2] !== undefined ? pm[2].replace(/\\(.)/g, '$1') : pm[3]!;
    if (pm[0].length === 0) break;
  }
  return { scheme: m[1]!.toLowerCase(), params };
}

export const MAX_TOKEN_BYTES = 64 * 1024;

export interface TokenRequestOptions {
  /** `host[:port]` of the registry the challenge came from. */
  registryHost: string;
  /** Extra realm hosts the user trusts (e.g. `auth.docker.io` for Docker Hub). */
  allowedRealmHosts?: readonly string[];
  credentials?: Credentials | null;
  /** Signs the token request (Ollama's ed25519 scheme for ollama.com); returns the header. */
  sign?: (url: string) => Promise<string | null>;
  insecure?: boolean;
  signal?: AbortSignal;
  maxBytes?: number;
  headersTimeoutMs?: number;
  /** Environment for HTTP(S)_PROXY / NO_PROXY. */
  env?: NodeJS.ProcessEnv;
}

/** Checks the realm of a Bearer challenge; returns the token URL to call. */
export function tokenURL(ch: Challenge, opts: Pick<TokenRequestOptions, 'registryHost' | 'allowedRealmHosts' | 'insecure'>): string {
  const realm = ch.params.realm;
  if (!realm) throw new BadRemoteError('registry sent a Bearer challenge without a realm');
  let u: URL;
  try {
    u = new URL(realm);
  } catch {
    throw new BadRemoteError(`registry sent an invalid token realm "${realm.slice(0, 100)}"`);
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && opts.insecure)) {
    throw new BadRemoteError(`refusing token realm "${u.origin}": only https is allowed (or http with insecure)`);
  }
  const rh = u.host.toLowerCase();
  const want = opts.registryHost.toLowerCase();
  const allowed = (opts.allowedRealmHosts ?? []).map((h) => h.toLowerCase());
  if (rh !== want && !allowed.includes(rh)) {
    throw new BadRemoteError(`realm host "${rh}" does not match original host "${want}"`);
  }
  const q = new URLSearchParams();
  // Ollama's key order: nonce, scope, service, ts.
  q.append('nonce', randomBytes(16).toString('base64url'));
  for (const s of (ch.params.scope ?? '').split(' ').filter(Boolean)) q.append('scope', s);
  if (ch.params.service) q.append('service', ch.params.service);
  q.append('ts', String(Math.floor(Date.now() / 1000)));
  u.search = q.toString();
  return u.toString();
}

/** Fetches a Bearer token for a challenge. Errors are clear; the body is capped. */
export async function fetchToken(ch: Challenge, opts: TokenRequestOptions): Promise<string> {
  const url = tokenURL(ch, opts);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.credentials) headers.authorization = basicHeader(opts.credentials);
  else if (opts.sign) {
    const sig = await opts.sign(url);
    if (sig) headers.authorization = sig;
  }
  let res: RawResponse;
  res = await rawRequest({
    method: 'GET',
    url,
    headers,
    signal: opts.signal,
    insecureTLS: opts.insecure,
    headersTimeoutMs: opts.headersTimeoutMs,
    env: opts.env,
  });
  if (res.status === 401 || res.status === 403) {
    discard(res);
    throw new UnauthorizedError();
  }
  if (res.status !== 200) {
    const body = await readErrorBody(res);
    throw new RegistryError(`getting token: ${res.status}: ${formatErrorBody(res.status, body, header(res.headers, 'content-type'))}`, 502, 'TOKEN');
  }
  const body = await readCapped(res, opts.maxBytes ?? MAX_TOKEN_BYTES, 'token response');
  let parsed: { token?: unknown; access_token?: unknown };
  try {
    parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
  } catch {
    throw new BadRemoteError('token response is not valid JSON');
  }
  const tok = typeof parsed?.token === 'string' && parsed.token ? parsed.token : parsed?.access_token;
  if (typeof tok !== 'string' || !tok) throw new BadRemoteError('token response has no token');
  if (/[\r\n]/.test(tok) || tok.length > 32 * 1024) throw new BadRemoteError('token response holds an invalid token');
  return tok;
}

/** The string Ollama signs for a token request: `GET,<url>,<base64(hex sha256(""))>`. */
export function tokenSigningString(url: string): string {
  const emptyHex = createHash('sha256').update('').digest('hex');
  return `GET,${url},${Buffer.from(emptyHex).toString('base64')}`;
}

export { hostOf };
