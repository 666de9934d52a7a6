import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AbortedError } from '../../../src/registry/remote/errors.js';
import { fastGet, parseHead } from '../../../src/registry/remote/fastget.js';
import { SlabPool } from '../../../src/registry/remote/slabpool.js';

describe('parseHead', () => {
  it.each([
    ['HTTP/1.1 206 Partial Content\r\nContent-Length: 5\r\nContent-Range: bytes 0-4/10', 206, { 'content-length': '5', 'content-range': 'bytes 0-4/10' }],
    ['HTTP/1.0 200 OK', 200, {}],
    ['HTTP/1.1 401', 401, {}],
    ['HTTP/1.1 200 OK\r\nX-A: 1\r\nx-a: 2', 200, { 'x-a': '1, 2' }],
    ['HTTP/1.1 200 OK\r\nLocation:  http://h/a?b=c:d ', 200, { location: 'http://h/a?b=c:d' }],
  ])('%j → %d', (text, status, headers) => {
    expect(parseHead(text)).toEqual({ status, headers });
  });

  it.each([
    ['', 'empty'],
    ['HTTP/2 200', 'not HTTP/1.x'],
    ['HTTP/1.1 20 OK', 'two-digit status'],
    ['ICY 200 OK', 'not HTTP'],
    ['HTTP/1.1 200 OK\r\nno colon here', 'header without a colon'],
    ['HTTP/1.1 200 OK\r\n: empty name', 'empty header name'],
  ])('%j is refused (%s)', (text) => {
    expect(parseHead(text)).toBeNull();
  });
});

/** A raw TCP server answering every connection with `answer(requestHead)`. */
let server: net.Server | undefined;
afterEach(() => server?.close());
async function serve(answer: (req: string, sock: net.Socket) => void): Promise<string> {
  server = net.createServer((sock) => {
    let req = '';
    sock.on('data', (d) => {
      req += d.toString('latin1');
      if (req.includes('\r\n\r\n')) answer(req, sock);
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/v2/a/b/blobs/sha256:x`;
}

async function readAll(body: NodeJS.ReadableStream): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of body) out.push(c as Buffer);
  return Buffer.concat(out);
}

describe('fastGet', () => {
  it('reads a 206 body of exactly Content-Length bytes, sending the range and Connection: close', async () => {
    const data = randomBytes(3_000_000);
    let seen = '';
    const url = await serve((req, sock) => {
      seen = req;
      sock.write(`HTTP/1.1 206 Partial Content\r\nContent-Length: ${data.length}\r\nContent-Range: bytes 0-${data.length - 1}/${data.length}\r\n\r\n`);
      sock.write(data.subarray(0, 1000));
      setTimeout(() => sock.end(Buffer.concat([data.subarray(1000), Buffer.from('trailing junk')])), 20);
    });
    const res = await fastGet(url, { range: `bytes=0-${data.length - 1}` });
    expect(res?.status).toBe(206);
    expect(res?.headers['content-range']).toBe(`bytes 0-${data.length - 1}/${data.length}`);
    expect((await readAll(res!.body)).equals(data)).toBe(true);
    expect(seen).toMatch(/^GET \/v2\/a\/b\/blobs\/sha256:x HTTP\/1\.1\r\n/);
    expect(seen).toMatch(/\r\nrange: bytes=0-2999999\r\n/i);
    expect(seen).toMatch(/\r\nConnection: close\r\n/);
  });

  it('reads into pool slabs when given a pool: each chunk held until the reader releases it', async () => {
    const data = randomBytes(3_000_000);
    const url = await serve((_req, sock) => {
      sock.write(`HTTP/1.1 206 Partial Content\r\nContent-Length: ${data.length}\r\nContent-Range: bytes 0-${data.length - 1}/${data.length}\r\n\r\n`);
      sock.end(data);
    });
    const pool = new SlabPool(512 * 1024);
    const res = await fastGet(url, { range: `bytes=0-${data.length - 1}` }, { pool });
    const chunks: Buffer[] = [];
    for await (const c of res!.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    const pooled = chunks.filter((c) => c.buffer instanceof SharedArrayBuffer);
    expect(pooled.length).toBeGreaterThan(0);
    expect(pooled.every((c) => pool.owns(c))).toBe(true); // the reader still holds them
    expect(pool.freeCount).toBe(0);
    for (const c of chunks) pool.release(c);
    expect(pool.freeCount).toBeGreaterThan(0); // slabs came back for reuse
    expect(pooled.some((c) => pool.owns(c))).toBe(false);
  });

  it.each([
    ['401 (auth needed)', 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm="x"\r\nContent-Length: 0\r\n\r\n'],
    ['307 redirect', 'HTTP/1.1 307 Temporary Redirect\r\nLocation: http://cdn/x\r\nContent-Length: 0\r\n\r\n'],
    ['200 ignoring the range', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc'],
    ['chunked 206', 'HTTP/1.1 206 Partial Content\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'],
    ['206 without Content-Length', 'HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-2/3\r\n\r\nabc'],
    ['416 with a lying Content-Length', 'HTTP/1.1 416 Range Not Satisfiable\r\nContent-Length: 999999\r\n\r\nshort'],
  ])('hands back null for a %s (the full client repeats it)', async (_label, answer) => {
    const url = await serve((_req, sock) => sock.end(answer));
    expect(await fastGet(url, { range: 'bytes=0-2' })).toBeNull();
  });

  it('a body cut short ends early (the reader sees too few bytes)', async () => {
    const url = await serve((_req, sock) => sock.end('HTTP/1.1 206 Partial Content\r\nContent-Length: 10\r\nContent-Range: bytes 0-9/10\r\n\r\nabc'));
    const res = await fastGet(url, {});
    expect((await readAll(res!.body)).toString()).toBe('abc');
  });

  it('a connection closed before any response is a NETWORK error', async () => {
    const url = await serve((_req, sock) => sock.destroy());
    await expect(fastGet(url, {})).rejects.toMatchObject({ code: 'NETWORK' });
  });

  it('no response head in time is a TIMEOUT error', async () => {
    const url = await serve(() => undefined);
    await expect(fastGet(url, {}, { headersTimeoutMs: 50 })).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('an abort stops the request', async () => {
    const url = await serve(() => undefined);
    const ac = new AbortController();
    const p = fastGet(url, {}, { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toBeInstanceOf(AbortedError);
  });

  it('answers null for https URLs (only plain http takes the lean path)', async () => {
    expect(await fastGet('https://127.0.0.1:1/x', {})).toBeNull();
  });
});
