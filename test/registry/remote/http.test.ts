import http from 'node:http';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, readCapped } from '../../../src/registry/remote/http.js';

describe('rawRequest', () => {
  let server: http.Server;
  let port = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/big') {
        res.writeHead(200, { 'content-length': 1000 });
        return res.end(Buffer.alloc(1000));
      }
      res.writeHead(200, { 'x-accept-encoding': String(req.headers['accept-encoding']) });
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());

  it('never asks for compression and reads capped bodies', async () => {
    const res = await rawRequest({ method: 'GET', url: `http://127.0.0.1:${port}/` });
    expect(res.headers['x-accept-encoding']).toBe('identity');
    expect((await readCapped(res, 10, 'body')).toString()).toBe('ok');
    const big = await rawRequest({ method: 'GET', url: `http://127.0.0.1:${port}/big` });
    await expect(readCapped(big, 999, 'thing')).rejects.toThrow('thing is too large (1000 bytes, the limit is 999)');
  });

  it('the guard refuses literal local hosts and names that resolve to local addresses', async () => {
    await expect(rawRequest({ method: 'GET', url: `http://127.0.0.1:${port}/`, guard: 'public' })).rejects.toThrow(/refusing to connect to 127\.0\.0\.1: it is a loopback address/);
    const h = hostname();
    const addr = await lookup(h).catch(() => null);
    if (!addr || !/^127\./.test(addr.address)) return; // this machine's name is not loopback: nothing more to check
    await expect(rawRequest({ method: 'GET', url: `http://${h}:${port}/`, guard: 'public' })).rejects.toThrow(/resolves to 127\.[0-9.]+; it is a loopback address/);
  });

  it('names failures as Go does: method, full URL, cause', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    await expect(rawRequest({ method: 'GET', url: `http://127.0.0.1:${closed}/v2/a/b/manifests/c` })).rejects.toThrow(
      `Get "http://127.0.0.1:${closed}/v2/a/b/manifests/c": dial tcp 127.0.0.1:${closed}: connect: connection refused`,
    );
    await expect(rawRequest({ method: 'HEAD', url: `https://127.0.0.1:${port}/v2/` })).rejects.toThrow(
      `Head "https://127.0.0.1:${port}/v2/": http: server gave HTTP response to HTTPS client`,
    );
  });

  it('an unusable proxy value is an error (loopback targets are never proxied, so never affected)', async () => {
    const env = { HTTP_PROXY: 'socks5://127.0.0.1:1' };
    const ok = await rawRequest({ method: 'GET', url: `http://127.0.0.1:${port}/`, env });
    expect((await readCapped(ok, 10, 'body')).toString()).toBe('ok');
    await expect(rawRequest({ method: 'GET', url: 'http://r.example/', env })).rejects.toThrow(
      'Get "http://r.example/": HTTP_PROXY: socks5 proxies are not supported (use an http or https proxy)',
    );
  });

  it('refuses non-http schemes and honours an aborted signal', async () => {
    await expect(rawRequest({ method: 'GET', url: 'file:///etc/passwd' })).rejects.toThrow(/unsupported URL scheme/);
    await expect(rawRequest({ method: 'GET', url: `http://127.0.0.1:${port}/`, signal: AbortSignal.abort() })).rejects.toThrow(/canceled/);
  });
});
