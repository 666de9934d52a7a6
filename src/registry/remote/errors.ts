/**
 * Errors of the registry client. Every failure a user can see is a RegistryError carrying an
 * HTTP `status` (what /api/pull and /api/push answer with) and a message a person understands.
 */

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status = 500,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** A remote object does not exist (manifest or blob 404). Ollama's text: `file does not exist`. */
export class NotFoundError extends RegistryError {
  constructor(message = 'file does not exist') {
    super(message, 404, 'NOT_FOUND');
    this.name = 'NotFoundError';
  }
}

/** 401 after a fresh token/credentials. Ollama's text: `unauthorized: access denied`. */
export class UnauthorizedError extends RegistryError {
  constructor(message = 'unauthorized: access denied') {
    super(message, 401, 'UNAUTHORIZED');
    this.name = 'UnauthorizedError';
  }
}

/** Something the remote side sent is unsafe or malformed (bad manifest, bad realm, redirect…). */
export class BadRemoteError extends RegistryError {
  constructor(message: string) {
    super(message, 502, 'BAD_REMOTE');
    this.name = 'BadRemoteError';
  }
}

/** A blob's bytes do not hash to its digest. Ollama's message, verbatim. */
export class DigestMismatchError extends RegistryError {
  constructor(want: string, got: string) {
    super(`digest mismatch, file must be downloaded again: want ${want}, got ${got}`, 500, 'DIGEST_MISMATCH');
    this.name = 'DigestMismatchError';
  }
}

/** Raised when the caller's AbortSignal fired. */
export class AbortedError extends RegistryError {
  constructor(message = 'operation was canceled') {
    super(message, 499, 'ABORTED');
    this.name = 'AbortedError';
  }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AbortedError();
}

interface RegistryErrorEntry {
  code?: unknown;
  message?: unknown;
  detail?: unknown;
}

function detailText(d: unknown): string {
  if (d === null || d === undefined) return '';
  if (typeof d === 'string') return d;
  try {
    const s = JSON.stringify(d);
    return s === '{}' || s === '[]' ? '' : s.length > 200 ? s.slice(0, 200) + '…' : s;
  } catch {
    return '';
  }
}

/**
 * Turns an error body into one readable line. Registry JSON `{"errors":[{code,message,detail}]}`
 * becomes `manifest unknown (MANIFEST_UNKNOWN: {"Tag":"x"})`; anything else is shown as plain
 * text, trimmed and capped (bodies may be hostile: never echo megabytes or control characters).
 */
export function formatErrorBody(status: number, body: Buffer | string, contentType = ''): string {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (/json/i.test(contentType) || text.trimStart().startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { errors?: RegistryErrorEntry[]; error?: unknown };
      if (Array.isArray(parsed.errors) && parsed.errors.length > 0) {
        const parts = parsed.errors.slice(0, 5).map((e) => {
          const msg = typeof e?.message === 'string' && e.message ? e.message : 'error';
          const code = typeof e?.code === 'string' ? e.code : '';
          const det = detailText(e?.detail);
          const extra = [code, det].filter(Boolean).join(': ');
          return extra ? `${msg} (${extra})` : msg;
        });
        return parts.join('; ');
      }
      if (typeof parsed.error === 'string') return parsed.error;
    } catch {
      // not JSON after all: fall through to plain text
    }
  }
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?').trim();
  if (!clean) return `${status} ${statusText(status)}`.trim();
  return clean.length > 300 ? clean.slice(0, 300) + '…' : clean;
}

function statusText(status: number): string {
  const t: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    416: 'Range Not Satisfiable',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
  };
  return t[status] ?? '';
}

/** Go's `url.Error` operation name for a method: `GET` → `Get`. */
function goOp(method: string): string {
  return method.slice(0, 1).toUpperCase() + method.slice(1).toLowerCase();
}

const SYSCALL_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  ETIMEDOUT: 'i/o timeout',
  ECONNRESET: 'read: connection reset by peer',
  EPIPE: 'write: broken pipe',
};

const UNTRUSTED_CERT = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);

/**
 * The cause of a failed request in the words Go's net/http uses (what Ollama prints), from a
 * Node socket error: `dial tcp: lookup HOST: no such host`, `dial tcp ADDR:PORT: connect:
 * connection refused`, `http: server gave HTTP response to HTTPS client`, … With a proxy every
 * dial goes to the proxy, so dial errors get Go's `proxyconnect tcp: ` prefix.
 */
export function goCause(e: Error & { code?: string; hostname?: string; address?: string; port?: number }, url: URL, proxied = false): string {
  const code = e.code ?? '';
  const proxy = proxied ? 'proxyconnect tcp: ' : '';
  const dialTo = e.address ? `dial tcp ${e.address.includes(':') ? `[${e.address}]` : e.address}${e.port ? `:${e.port}` : ''}` : 'dial tcp';
  if (code === 'ENOTFOUND') return `${proxy}dial tcp: lookup ${e.hostname ?? url.hostname}: no such host`;
  if (code === 'EAI_AGAIN') return `${proxy}dial tcp: lookup ${e.hostname ?? url.hostname}: temporary failure in name resolution`;
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || (code === 'ETIMEDOUT' && e.address)) {
    return `${proxy}${dialTo}: ${SYSCALL_TEXT[code]}`;
  }
  if (SYSCALL_TEXT[code]) return SYSCALL_TEXT[code]!;
  if (/wrong version number|packet length too long|http request/i.test(e.message) && url.protocol === 'https:') {
    return 'http: server gave HTTP response to HTTPS client';
  }
  if (UNTRUSTED_CERT.has(code)) return `tls: failed to verify certificate: x509: certificate signed by unknown authority (${e.message})`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `tls: failed to verify certificate: ${e.message}`;
  return e.message;
}

/** A failed request as Go reports it: `Get "https://host/v2/…": <cause>` (status 502). */
export function requestError(method: string, url: URL | string, cause: string, status = 502, code = 'NETWORK'): RegistryError {
  return new RegistryError(`${goOp(method)} ${JSON.stringify(String(url))}: ${cause}`, status, code);
}
