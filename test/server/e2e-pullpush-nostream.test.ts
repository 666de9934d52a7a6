/**
 * POST /api/pull and /api/push with `stream: false` against a real server and the real CNCF
 * registry, answered as Ollama's waitForStream does: the last progress object with 200, or any
 * failure of the transfer itself as `{"error":…}` with 500 (its errors carry no status), never the
 * registry's own 404. Content-Type is `application/json` either way.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeModel, hasRegistry, SKIP_MESSAGE, startRegistry, writeModel, type RunningRegistry } from '../helpers/registry.js';
import { startServer, type TestServer } from '../helpers/server.js';

if (!hasRegistry()) console.warn(`stream:false pull/push skipped: ${SKIP_MESSAGE}`);

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe.skipIf(!hasRegistry())('pull / push with stream:false', () => {
  let registry: RunningRegistry;
  let server: TestServer;
  const post = async (path: string, body: object) => {
    const res = await fetch(server.url + path, { method: 'POST', body: JSON.stringify({ ...body, stream: false }) });
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
  };

  beforeAll(async () => {
    [registry, server] = await Promise.all([startRegistry(), startServer()]);
  });
  afterAll(async () => {
    await server?.stop();
    await registry?.stop();
  });

  it('a model the registry does not have (registry 404) → 500 with the error', async () => {
    const r = await post('/api/pull', { model: `${registry.host}/nobody/nothing:v1`, insecure: true });
    expect(r.status).toBe(500);
    expect(r.type).toBe('application/json');
    expect(Object.keys(JSON.parse(r.body))).toEqual(['error']);
    expect(JSON.parse(r.body).error).not.toBe('');
  });

  it('an unreachable registry → 500', async () => {
    const r = await post('/api/pull', { model: `127.0.0.1:${await closedPort()}/a/b:c`, insecure: true });
    expect(r.status).toBe(500);
    expect(JSON.parse(r.body)).toHaveProperty('error');
  });

  it('pushing a model that is not here → 500', async () => {
    const r = await post('/api/push', { model: `${registry.host}/alice/missing:v1`, insecure: true });
    expect(r.status).toBe(500);
    expect(JSON.parse(r.body).error).toContain('not found');
  });

  it('a push and a pull that succeed → 200 with the last progress object', async () => {
    const name = `${registry.host}/alice/tiny:v1`;
    writeModel(server.models, name, fakeModel({ modelSize: 5000 }));
    const pushed = await post('/api/push', { model: name, insecure: true });
    expect(pushed).toEqual({ status: 200, type: 'application/json', body: '{"status":"success"}' });
    const pulled = await post('/api/pull', { model: name, insecure: true });
    expect(pulled).toEqual({ status: 200, type: 'application/json', body: '{"status":"success"}' });
  });

  it('a request refused before the transfer starts keeps its 400', async () => {
    const r = await post('/api/pull', { model: 'bad name!' });
    expect(r.status).toBe(400);
  });
});
