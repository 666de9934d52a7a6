/**
 * Hostile or broken registries (peers.md §3): a small fake registry serves crafted answers.
 * Each case → a clear error, nothing written outside the store, no partial model visible.
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { InvalidNameError } from '../../../src/registry/name.js';
import { pullModel, type ProgressEvent, type PullOptions } from '../../../src/registry/remote/index.js';
import { listFiles, tempStore, collectProgress as drain } from '../../helpers/registry.js';
import { loopbackName } from '../../helpers/tinyproxy.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function serve(h: { fn: Handler }): Promise<{ server: http.Server; host: string; port: number; requests: http.IncomingMessage[] }> {
  const requests: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req);
    h.fn(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return { server, port, host: `127.0.0.1:${port}`, requests };
}

const sha = (b: Buffer | string) => 'sha256:' + createHash('sha256').update(b).digest('hex');

function manifestWith(layers: unknown, extra: Record<string, unknown> = {}): string {
  const cfg = Buffer.from('{}');
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: sha(cfg), size: cfg.length },
    layers,
    ...extra,
  });
}

describe('pull refuses hostile registry input', () => {
  const h: { fn: Handler } = { fn: (_q, s) => s.end() };
  let reg: Awaited<ReturnType<typeof serve>>;
  const roots: string[] = [];
  const base: PullOptions = { insecure: true, credentials: null, backoffMs: 1, maxAttempts: 2, headersTimeoutMs: 5000 };
  beforeAll(async () => {
    reg = await serve(h);
  });
  afterAll(async () => {
    reg.server.closeAllConnections();
    await new Promise((r) => reg.server.close(r));
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });
  afterEach(() => {
    reg.requests.length = 0;
  });
  const store = () => {
    const r = tempStore();
    roots.push(r);
    return r;
  };
  const name = () => `${reg.host}/evil/model:latest`;

  function serveManifest(body: string | Buffer, contentType = 'application/vnd.docker.distribution.manifest.v2+json', blobs = new Map<string, Buffer>()) {
    h.fn = (req, res) => {
      if (req.url!.includes('/manifests/')) {
        res.writeHead(200, { 'content-type': contentType });
        return res.end(body);
      }
      const m = /blobs\/(sha256:[0-9a-f]{64})$/.exec(req.url!);
      const b = m && blobs.get(m[1]!);
      if (!b) {
        res.writeHead(404, { 'content-type': 'application/json' });
        return res.end('{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}');
      }
      const r = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
      if (!r) {
        res.writeHead(200, { 'content-length': b.length });
        return res.end(b);
      }
      const s = Number(r[1]);
      const e = Math.min(Number(r[2]), b.length - 1);
      res.writeHead(206, { 'content-range': `bytes ${s}-${e}/${b.length}`, 'content-length': e - s + 1 });
      res.end(b.subarray(s, e + 1));
    };
  }

  async function expectRefused(re: RegExp, root = store(), opts: PullOptions = {}) {
    await expect(drain(pullModel(root, name(), { ...base, ...opts }))).rejects.toThrow(re);
    // nothing but (possibly) an empty blobs dir: no manifest, no blob, no partial
    expect(listFiles(root)).toEqual([]);
  }

  const layer = (digest: unknown, mediaType = 'application/vnd.ollama.image.model', size = 4) => ({ mediaType, digest, size });

  it.each([
    ['sha256:../../etc/x', /invalid manifest: layer 0 has an invalid digest "sha256:..\/..\/etc\/x"/],
    ['sha256:' + 'a'.repeat(63), /invalid digest/],
    ['sha256:' + 'a'.repeat(65), /invalid digest/],
    ['sha256:' + 'A'.repeat(64), /invalid digest/],
    ['sha512:' + 'a'.repeat(64), /invalid digest/],
    ['../../../../tmp/x', /invalid digest/],
    [42, /invalid digest/],
  ])('layer digest %j is refused before any path is built', async (digest, re) => {
    serveManifest(manifestWith([layer(digest)]));
    await expectRefused(re);
    expect(reg.requests.filter((r) => r.url!.includes('/blobs/'))).toEqual([]);
  });

  it.each([
    ['no layers field', manifestWith(undefined), /layers are missing/],
    ['empty layers', manifestWith([]), /no layers/],
    ['unknown layer type', manifestWith([layer(sha('x'), 'application/x-evil')]), /unsupported media type "application\/x-evil"/],
    ['negative size', manifestWith([{ ...layer(sha('x')), size: -1 }]), /invalid size/],
    ['layer not an object', manifestWith(['x']), /layer 0 is not an object/],
    ['not JSON', '{"schemaVersion":2,', /not valid JSON/],
    ['schema 1', manifestWith([layer(sha('x'))], { schemaVersion: 1 }), /schemaVersion must be 2/],
    ['manifest list', JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] }), /manifest list/],
    ['config digest bad', JSON.stringify({ schemaVersion: 2, config: { mediaType: 'x', digest: 'sha256:..', size: 1 }, layers: [layer(sha('x'))] }), /config has an invalid digest/],
  ])('%s → clear error', async (_label, body, re) => {
    serveManifest(body);
    await expectRefused(new RegExp('^pull model manifest: invalid manifest: .*' + re.source));
  });

  it('a 50 MB manifest is refused (declared length and streamed without length)', async () => {
    const big = Buffer.alloc(50 * 1024 * 1024, 0x20);
    serveManifest(big);
    await expectRefused(/^pull model manifest: manifest is too large/);
    h.fn = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      const chunk = Buffer.alloc(1 << 20, 0x20);
      let n = 0;
      const pump = () => {
        while (n++ < 60) if (!res.write(chunk)) return res.once('drain', pump);
        res.end();
      };
      pump();
    };
    await expectRefused(/manifest is too large \(more than 4194304 bytes\)/);
  });

  it('an endless token response is refused', async () => {
    h.fn = (req, res) => {
      if (req.url!.startsWith('/token')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        res.write('{"token":"');
        pump();
        return;
      }
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${reg.host}/token",service="s",scope="repository:evil/model:pull"` });
      res.end();
    };
    await expectRefused(/token response is too large/);
  });

  it('a realm on another host is refused and nothing is sent there (CVE-2025-51471)', async () => {
    const other = await serve({ fn: (_q, s) => s.end('{"token":"stolen"}') });
    h.fn = (_req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://localhost:${other.port}/token",service="s"` });
      res.end();
    };
    await expectRefused(new RegExp(`realm host "localhost:${other.port}" does not match original host "${reg.host}"`), store(), {
      env: { OLLAMA_REGISTRY_AUTH: `${reg.host}=alice:secret` },
      credentials: undefined,
    });
    expect(other.requests).toEqual([]);
    other.server.close();
  });

  /** Serves the manifest and answers every blob request with a 307 to `target`. */
  function redirectBlobsTo(target: string) {
    const model = Buffer.from('weights');
    const body = manifestWith([layer(sha(model), 'application/vnd.ollama.image.model', model.length)]);
    h.fn = (req, res) => {
      if (req.url!.includes('/manifests/')) {
        res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' });
        return res.end(body);
      }
      res.writeHead(307, { location: target });
      res.end();
    };
  }

  /** Hosts every socket of this process tried to connect to while `fn` ran. */
  async function connectsDuring(fn: () => Promise<unknown>): Promise<string[]> {
    const hosts: string[] = [];
    http.globalAgent.destroy(); // no kept-alive sockets: every request connects while we watch
    const original = net.Socket.prototype.connect;
    const spy = vi.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket, ...args: unknown[]) {
      const o = (Array.isArray(args[0]) ? args[0][0] : args[0]) as { host?: string } | number;
      hosts.push(typeof o === 'object' && o ? String(o.host ?? '') : String(args[1] ?? ''));
      return (original as (...a: unknown[]) => net.Socket).apply(this, args);
    });
    try {
      await fn();
    } finally {
      spy.mockRestore();
    }
    return hosts;
  }

  it.each(['http://169.254.169.254/latest/meta-data/iam/', 'http://[fe80::1]/x', 'http://0.0.0.0:1/x', 'http://[fd00:ec2::254]/latest', 'http://100.100.100.200/latest'])(
    'a blob redirect to %s is refused even from a loopback registry: never connected, never retried',
    async (target) => {
      redirectBlobsTo(target);
      const root = store();
      const host = new URL(target).hostname.replace(/^\[|\]$/g, '');
      let err: unknown;
      const hosts = await connectsDuring(async () => {
        err = await drain(pullModel(root, name(), { ...base, maxAttempts: 6, stallMs: 2000 })).catch((e: unknown) => e);
      });
      expect(String(err)).toMatch(/refusing the registry's redirect to .*: link-local, cloud-metadata and unspecified addresses are never followed/);
      expect(hosts).toContain('127.0.0.1'); // the spy sees connections (the registry's own)
      expect(hosts.filter((x) => x.replace(/^\[|\]$/g, '') === host)).toEqual([]);
      expect(reg.requests.filter((r) => r.url!.includes('/blobs/')).length).toBe(1);
      expect(listFiles(root)).toEqual([]);
    },
  );

  it.each([
    ['http://localhost:1/x', /loopback address and the registry is not on this machine/],
    ['http://[::1]:1/x', /loopback address and the registry is not on this machine/],
    ['http://127.0.0.9/x', /loopback address and the registry is not on this machine/],
    ['http://10.0.0.1/x', /private-network address and the registry is not on a private network/],
    ['http://192.168.1.1/x', /private-network address and the registry is not on a private network/],
    ['http://[fd12::1]/x', /private-network address and the registry is not on a private network/],
  ])('a blob redirect to %s is refused when the registry is public (SSRF), without retries', async (target, re) => {
    redirectBlobsTo(target);
    const root = store();
    const host = new URL(target).hostname.replace(/^\[|\]$/g, '');
    let err: unknown;
    const hosts = await connectsDuring(async () => {
      err = await drain(pullModel(root, name(), { ...base, maxAttempts: 6, stallMs: 2000, registryClass: 'public' })).catch((e: unknown) => e);
    });
    expect(String(err)).toMatch(re);
    expect(hosts.filter((x) => x.replace(/^\[|\]$/g, '') === host)).toEqual([]);
    expect(reg.requests.filter((r) => r.url!.includes('/blobs/')).length).toBe(1);
    expect(listFiles(root)).toEqual([]);
  });

  it('a blob redirect to another host is followed without credentials', async () => {
    const model = Buffer.from('weights-from-the-cdn');
    const cfg = Buffer.from('{}');
    const cdnSeen: (string | undefined)[] = [];
    const cdn = await serve({
      fn: (req, res) => {
        cdnSeen.push(req.headers.authorization);
        const r = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '')!;
        const b = req.url!.includes('cfg') ? cfg : model;
        const e = Math.min(Number(r[2]), b.length - 1);
        res.writeHead(206, { 'content-range': `bytes ${r[1]}-${e}/${b.length}` });
        res.end(b.subarray(Number(r[1]), e + 1));
      },
    });
    const body = manifestWith([layer(sha(model), 'application/vnd.ollama.image.model', model.length)]);
    const regAuth: (string | undefined)[] = [];
    h.fn = (req, res) => {
      regAuth.push(req.headers.authorization);
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' });
        return res.end();
      }
      if (req.url!.includes('/manifests/')) {
        res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' });
        return res.end(body);
      }
      res.writeHead(307, { location: `http://localhost:${cdn.port}/${req.url!.includes(sha(cfg).slice(7)) ? 'cfg' : 'model'}` });
      res.end();
    };
    const root = store();
    await drain(pullModel(root, name(), { ...base, credentials: { username: 'u', password: 'p' } }));
    expect(cdnSeen.length).toBeGreaterThan(0);
    expect(cdnSeen.every((a) => a === undefined)).toBe(true);
    expect(regAuth.some((a) => a?.startsWith('Basic '))).toBe(true);
    expect(listFiles(root).length).toBe(3); // 2 blobs + manifest
    cdn.server.close();
  });

  it('a registry reached by name is placed by the address its connection reached', async () => {
    const named = await loopbackName();
    if (!named || named.addr !== '127.0.0.1') return; // no host name for 127.0.0.1 here: nothing to check
    // The name resolves to loopback, so the registry is on this machine: a redirect to another
    // loopback port is followed (and still refused when the registry is declared public).
    redirectBlobsTo('http://127.0.0.1:1/x');
    const err = await drain(pullModel(store(), `${named.name}:${reg.port}/evil/model:latest`, { ...base, maxAttempts: 1 })).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/connect: connection refused/);
    const refused = await drain(pullModel(store(), `${named.name}:${reg.port}/evil/model:latest`, { ...base, registryClass: 'public' })).catch((e: Error) => e);
    expect((refused as Error).message).toMatch(/loopback address and the registry is not on this machine/);
  });

  it('a blob larger than declared is refused (ranged and unranged servers)', async () => {
    const real = Buffer.from('0123456789abcdef');
    const declared = 10;
    // the digest is of the real bytes: only the size check can catch it early
    const body = manifestWith([layer(sha(real), 'application/vnd.ollama.image.model', declared)]);
    serveManifest(body, undefined, new Map([[sha(real), real]]));
    await expectRefused(/is larger than the manifest declares/);
    const noRanges = new Map([[sha(real), real]]);
    h.fn = (req, res) => {
      if (req.url!.includes('/manifests/')) {
        res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' });
        return res.end(body);
      }
      res.writeHead(200);
      res.end(noRanges.get(sha(real)));
    };
    await expectRefused(/is larger than the manifest declares/);
  });

  it('registry JSON errors become readable messages', async () => {
    h.fn = (_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid","detail":{"Offset":2}}]}');
    };
    await expectRefused(/^pull model manifest: GET manifest: 400: manifest invalid \(MANIFEST_INVALID: \{"Offset":2\}\)$/);
  });

  it.each(['../x', 'a/b/c/d/e', 'a\\b', 'evil/../../x', 'm@sha256:' + 'a'.repeat(64), '/abs', 'x\u0000y'])(
    'name %j is refused before any request',
    async (bad) => {
      const root = store();
      const err = await drain(pullModel(root, bad, base)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidNameError);
      expect((err as InvalidNameError).status).toBe(400);
      expect(reg.requests).toEqual([]);
      expect(listFiles(root)).toEqual([]);
    },
  );
});
