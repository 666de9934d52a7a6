/**
 * A lean HTTP/1.1 GET for the bulk bytes of a blob part over plain http (a loopback or LAN
 * registry). Node's http client costs about as much CPU again as the transfer itself: every
 * 64 KiB read gets a fresh buffer, goes through the parser and a stream of its own. Here the
 * socket reads straight into large slabs (`onread`), the response head is parsed once, and
 * the body is handed on as views of those slabs, framed by Content-Length.
 *
 * It answers only the simple case: a `206` with `Content-Length` and no transfer coding.
 * Anything else (401, redirects, errors, chunked bodies) comes back as `null`, and the caller
 * repeats the request through the full client, which knows auth, redirects and error bodies.
 */
import type { IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';
import { AbortedError, goCause, requestError } from './errors.js';
import type { SlabPool } from './slabpool.js';
import { VERSION_UA } from './useragent.js';

/** Bytes per slab the socket reads into (reads land in its free tail until it is nearly full). */
const SLAB = 4 * 1024 * 1024;
/** A fresh slab is taken when less than this is free. */
const MIN_FREE = 256 * 1024;
/** Largest response head accepted. */
const MAX_HEAD = 64 * 1024;

export interface FastResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body: `Content-Length` bytes, as views of the read slabs. */
  body: Readable;
  url: string;
}

/** Parses `HTTP/1.1 206 Partial Content\r\nName: value\r\n…` (without the blank line). */
export function parseHead(text: string): { status: number; headers: IncomingHttpHeaders } | null {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!m) return null;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0) return null;
    const k = line.slice(0, i).trim().toLowerCase();
    const v = line.slice(i + 1).trim();
    headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
  }
  return { status: Number(m[1]), headers };
}

/**
 * GETs `url` (http: only) with `headers`; resolves with the response when it is a 206 with a
 * plain Content-Length body, or null when it is anything else (the connection is closed).
 */
export interface FastGetOptions {
  signal?: AbortSignal;
  headersTimeoutMs?: number;
  /** Read into this pool's slabs: every body chunk is then held in its slab for the reader,
   *  who releases it (`pool.release(chunk)`) once done with the bytes. */
  pool?: SlabPool;
}

export function fastGet(url: string, headers: Record<string, string>, opts: FastGetOptions = {}): Promise<FastResponse | null> {
  const u = new URL(url);
  if (u.protocol !== 'http:') return Promise.resolve(null);
  if (opts.signal?.aborted) return Promise.reject(new AbortedError());
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const request = `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUser-Agent: ${VERSION_UA}\r\nAccept-Encoding: identity\r\n${extra}Connection: close\r\n\r\n`;

  return new Promise<FastResponse | null>((resolve, reject) => {
    const pool = opts.pool;
    const newSlab = () => (pool ? pool.take() : Buffer.allocUnsafe(SLAB));
    let slab = newSlab();
    let used = 0;
    let head: Buffer[] = [];
    let headBytes = 0;
    let body: Readable | null = null;
    let remaining = 0;
    let settled = false;
    let paused = false;

    const settle = (r: FastResponse | null, e?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (e) reject(e);
      else resolve(r);
    };
    const giveUp = (e: Error) => {
      socket.destroy();
      if (body) body.destroy(e);
      settle(null, e);
    };

    const deliver = (data: Buffer): boolean => {
      if (!body || remaining <= 0) return true;
      const part = data.length > remaining ? data.subarray(0, remaining) : data;
      remaining -= part.length;
      pool?.retain(part);
      const more = body.push(part);
      if (remaining === 0) {
        body.push(null);
        socket.destroy();
        return true;
      }
      return more;
    };

    const onHead = (data: Buffer): boolean => {
      head.push(Buffer.from(data)); // the head is small: copy it out of the slab
      headBytes += data.length;
      const all = Buffer.concat(head);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) {
        if (headBytes > MAX_HEAD) giveUp(requestError('GET', u, 'net/http: response head too large'));
        return true;
      }
      head = [];
      const parsed = parseHead(all.subarray(0, end).toString('latin1'));
      const len = Number(parsed?.headers['content-length']);
      if (!parsed || parsed.status !== 206 || parsed.headers['transfer-encoding'] || !Number.isSafeInteger(len) || len < 0) {
        socket.destroy();
        settle(null);
        return false;
      }
      remaining = len;
      body = new Readable({
        highWaterMark: 2 * SLAB,
        read() {
          if (!paused) return;
          paused = false;
          socket.resume();
        },
        destroy(err, cb) {
          socket.destroy();
          cb(err);
        },
      });
      settle({ status: parsed.status, headers: parsed.headers, body, url });
      if (len === 0) body.push(null);
      else if (all.length > end + 4) return deliver(all.subarray(end + 4));
      return true;
    };

    const socket = net.connect({
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: Number(u.port || 80),
      onread: {
        buffer: () => {
          if (slab.length - used < MIN_FREE) {
            pool?.release(slab);
            slab = newSlab();
            used = 0;
          }
          return slab.subarray(used);
        },
        callback: (n: number, buf: Uint8Array): boolean => {
          const data = Buffer.from(buf.buffer, buf.byteOffset, n);
          used += n; // the bytes stay where they are: later reads go after them
          const more = body ? deliver(data) : onHead(data);
          if (!more && !socket.destroyed) {
            paused = true;
            socket.pause();
          }
          return more;
        },
      },
    });
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(request));
    socket.on('error', (e) => {
      const err = opts.signal?.aborted ? new AbortedError() : requestError('GET', u, goCause(e, u));
      if (body) body.destroy(err);
      settle(null, err);
    });
    socket.on('close', () => {
      pool?.release(slab);
      if (body && remaining > 0 && !body.destroyed) body.push(null); // short: the reader sees too few bytes
      settle(null, requestError('GET', u, 'EOF'));
    });
    const timer = setTimeout(() => giveUp(requestError('GET', u, `net/http: timeout awaiting response headers (no response within ${Math.round((opts.headersTimeoutMs ?? 60_000) / 1000)} s)`, 504, 'TIMEOUT')), opts.headersTimeoutMs ?? 60_000);
    timer.unref?.();
    if (opts.signal) {
      const onAbort = () => giveUp(new AbortedError());
      opts.signal.addEventListener('abort', onAbort, { once: true });
      socket.once('close', () => opts.signal?.removeEventListener('abort', onAbort));
    }
  });
}
