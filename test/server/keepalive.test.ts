/**
 * Idle keep-alive connections stay open as with Go's server (src/server/keepalive.ts): a pooling
 * client reuses its connection after a pause longer than Node's default 5 s idle timeout, and only
 * the number of idle connections is bounded.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, Router, sendJSON } from '../../src/server/http.js';
import { startServer, type TestServer } from '../helpers/server.js';

interface Got {
  status: number;
  reused: boolean;
  localPort: number;
  headers: http.IncomingHttpHeaders;
}

function get(url: string, agent: http.Agent): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, reused: req.reusedSocket, localPort: req.socket!.localPort!, headers: res.headers }));
    });
    req.on('error', reject);
  });
}

describe('a real server keeps idle connections open', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('a pooled client reuses its connection after a 6.5 s pause (Node http.Agent and undici fetch)', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(`${server.url}/api/version`, agent);
      expect(first.status).toBe(200);
      expect(first.headers['keep-alive']).toBeUndefined(); // Go announces no idle timeout
      expect((await fetch(`${server.url}/api/version`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 6500)); // past Node's default keepAliveTimeout (5 s)
      const again = await get(`${server.url}/api/version`, agent);
      expect(again.status).toBe(200);
      expect(again.reused).toBe(true);
      expect(again.localPort).toBe(first.localPort);
      expect((await fetch(`${server.url}/api/version`)).status).toBe(200);
    } finally {
      agent.destroy();
    }
  }, 20_000);
});

describe('idle connections are capped', () => {
  const router = new Router().get('/x', (ctx) => sendJSON(ctx.res, 200, { ok: true }));
  const server = createHttpServer(router, { maxIdleSockets: 2 });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  /** A raw connection that made one request and read the whole response; now idle. */
  async function idleConnection(): Promise<net.Socket> {
    const s = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      let got = '';
      s.on('data', (d) => {
        got += d;
        if (got.endsWith('{"ok":true}')) resolve();
      });
      s.once('error', reject);
      s.write('GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n');
    });
    return s;
  }

  it('past the cap the connection idle longest is closed; the others stay open', async () => {
    const a = await idleConnection();
    const b = await idleConnection();
    const closedA = new Promise((r) => a.once('close', r));
    const c = await idleConnection(); // the third idle connection: `a` goes
    await closedA;
    for (const s of [b, c]) expect(s.destroyed).toBe(false);
    // a connection in use again is not idle: b makes a request, then d arrives: c is idle longest
    const closedC = new Promise((r) => c.once('close', r));
    await new Promise<void>((resolve) => {
      b.once('data', () => resolve());
      b.write('GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n');
    });
    const d = await idleConnection();
    await closedC;
    expect(b.destroyed).toBe(false);
    for (const s of [b, d]) s.destroy();
  }, 20_000);
});
