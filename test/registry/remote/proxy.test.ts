/**
 * HTTP(S)_PROXY / NO_PROXY through a real proxy (tinyproxy on loopback) to the real registry,
 * reached by this machine's host name (Go never proxies loopback addresses; see
 * test/helpers/tinyproxy.ts). The proxy's log proves which requests went through it.
 */
import { rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullModel, pushModel } from '../../../src/registry/remote/index.js';
import {
  collectProgress as drain,
  corruptBlobs,
  fakeModel,
  hasRegistry,
  listFiles,
  SKIP_MESSAGE,
  startRegistry,
  tempStore,
  writeModel,
  type RunningRegistry,
} from '../../helpers/registry.js';
import { hasTinyproxy, loopbackName, startTinyproxy, TINYPROXY_SKIP, type RunningProxy } from '../../helpers/tinyproxy.js';

const named = await loopbackName();
const skip = !hasRegistry() ? SKIP_MESSAGE : !hasTinyproxy() ? TINYPROXY_SKIP : !named ? 'this machine has no host name that resolves to loopback: proxy tests skipped' : '';
if (skip) console.warn(skip);

describe.skipIf(!!skip)('pull and push through HTTP(S)_PROXY', () => {
  let reg: RunningRegistry;
  let proxy: RunningProxy;
  const roots: string[] = [];
  const store = () => {
    const r = tempStore();
    roots.push(r);
    return r;
  };
  const model = fakeModel({ modelSize: 200_000 });
  let remote: string; // NAME:PORT/alice/viaproxy:v1, NAME not loopback to Go's rules
  const opts = { insecure: true, credentials: null, backoffMs: 5, maxAttempts: 2 } as const;

  beforeAll(async () => {
    reg = await startRegistry({ addr: named!.addr });
    proxy = await startTinyproxy();
    remote = `${named!.name}:${reg.port}/alice/viaproxy:v1`;
  });
  afterAll(async () => {
    await proxy?.stop();
    await reg?.stop();
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  it('HTTP_PROXY carries push and pull of a plain-http registry (absolute-URI requests)', async () => {
    const src = store();
    writeModel(src, remote, model);
    const env = { HTTP_PROXY: proxy.url };
    await drain(pushModel(src, remote, { ...opts, env }));
    const root = store();
    await drain(pullModel(root, remote, { ...opts, env }));
    expect(corruptBlobs(root)).toEqual([]);
    expect(listFiles(root).filter((f) => f.startsWith('blobs/')).length).toBe(model.blobs.size);
    const base = `http://${named!.name}:${reg.port}/v2/alice/viaproxy`;
    const seen = proxy.requests();
    expect(seen).toContain(`HEAD ${base}/blobs/${model.digests[0]} HTTP/1.1`);
    expect(seen).toContain(`PUT ${base}/manifests/v1 HTTP/1.1`);
    expect(seen).toContain(`GET ${base}/manifests/v1 HTTP/1.1`);
    expect(seen.some((l) => l.startsWith(`GET ${base}/blobs/${model.digests[0]} `))).toBe(true);
  });

  it('NO_PROXY (domain, with or without port) and loopback addresses bypass the proxy', async () => {
    const before = proxy.requests().length;
    await drain(pullModel(store(), remote, { ...opts, env: { HTTP_PROXY: proxy.url, NO_PROXY: `example.com, ${named!.name}` } }));
    await drain(pullModel(store(), remote, { ...opts, env: { http_proxy: proxy.url, no_proxy: `${named!.name}:${reg.port}` } }));
    await drain(pullModel(store(), `${reg.host}/alice/viaproxy:v1`, { ...opts, env: { HTTP_PROXY: proxy.url } }));
    expect(proxy.requests().length).toBe(before);
  });

  it('HTTPS_PROXY tunnels https with CONNECT (TLS end to end: a plain-http registry fails in Go’s words)', async () => {
    const err = await drain(pullModel(store(), remote, { credentials: null, env: { HTTPS_PROXY: proxy.url } })).catch((e: Error) => e);
    expect((err as Error).message).toBe(
      `pull model manifest: Get "https://${named!.name}:${reg.port}/v2/alice/viaproxy/manifests/v1": http: server gave HTTP response to HTTPS client`,
    );
    expect(proxy.requests()).toContain(`CONNECT ${named!.name}:${reg.port} HTTP/1.1`);
  });

  it('a proxy that is down fails with Go’s proxyconnect message, not a direct connection', async () => {
    const dead = await new Promise<number>((resolve) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const err = await drain(pullModel(store(), remote, { ...opts, env: { HTTP_PROXY: `127.0.0.1:${dead}` } })).catch((e: Error) => e);
    expect((err as Error).message).toBe(
      `pull model manifest: Get "http://${named!.name}:${reg.port}/v2/alice/viaproxy/manifests/v1": proxyconnect tcp: dial tcp 127.0.0.1:${dead}: connect: connection refused`,
    );
  });

  it('the redirect rules hold behind a proxy: a redirect to the metadata address never reaches the proxy', async () => {
    // A hostile registry on the loopback address, reached by name through the proxy.
    const evil = http.createServer((req, res) => {
      if (req.url!.includes('/manifests/')) {
        const layer = { mediaType: 'application/vnd.ollama.image.model', digest: model.digests[0], size: 10 };
        res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' });
        return res.end(JSON.stringify({ schemaVersion: 2, config: { ...layer, mediaType: 'application/vnd.docker.container.image.v1+json' }, layers: [layer] }));
      }
      res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    });
    await new Promise<void>((r) => evil.listen(0, named!.addr, () => r()));
    const port = (evil.address() as AddressInfo).port;
    try {
      const root = store();
      const err = await drain(pullModel(root, `${named!.name}:${port}/evil/m:v1`, { ...opts, maxAttempts: 6, env: { HTTP_PROXY: proxy.url } })).catch((e: Error) => e);
      expect((err as Error).message).toMatch(/refusing the registry's redirect to 169\.254\.169\.254: link-local, cloud-metadata and unspecified addresses are never followed/);
      const seen = proxy.requests();
      expect(seen.filter((l) => l.includes(`${named!.name}:${port}/v2/evil/m/blobs/`)).length).toBe(1);
      expect(seen.filter((l) => l.includes('169.254.169.254'))).toEqual([]);
      expect(listFiles(root)).toEqual([]);
    } finally {
      evil.closeAllConnections();
      await new Promise((r) => evil.close(r));
    }
  });
});
