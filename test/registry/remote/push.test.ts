/** Push paths the distribution registry does not exercise: Ollama's 307-on-PATCH uploads, a
 * registry refusing monolithic PUTs. */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { pushModel, type ProgressEvent } from '../../../src/registry/remote/index.js';
import { fakeModel, tempStore, writeModel, collectProgress as drain } from '../../helpers/registry.js';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

async function listen(fn: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(fn);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('push', () => {
  it('a missing local model → "couldn\'t retrieve manifest" then a 404 error', async () => {
    const root = tempStore();
    roots.push(root);
    const events: ProgressEvent[] = [];
    const err = await drain(pushModel(root, '127.0.0.1:1/a/b:c', { insecure: true, onProgress: (p) => events.push(p) })).catch((e: unknown) => e);
    expect(events).toEqual([{ status: 'retrieving manifest' }, { status: "couldn't retrieve manifest" }]);
    expect((err as { status: number }).status).toBe(404);
    expect((err as Error).message).toBe("model '127.0.0.1:1/a/b:c' not found");
  });

  it('sends PATCH parts one after another, follows 307 part uploads by PUT without credentials', async () => {
    const root = tempStore();
    roots.push(root);
    const m = fakeModel({ modelSize: 25_000 });
    const received = new Map<string, Buffer[]>();
    const log: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const cdnAuth: (string | undefined)[] = [];
    const cdn = await listen((req, res) => {
      cdnAuth.push(req.headers.authorization);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.get(req.url!.split('/')[2]!)!.push(Buffer.concat(chunks));
        res.writeHead(200);
        res.end();
      });
    });
    let n = 0;
    const manifests: Buffer[] = [];
    const reg = await listen((req, res) => {
      log.push(`${req.method} ${req.url}`);
      if (req.headers.authorization !== 'Basic dTpw') {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' });
        return res.end();
      }
      const chunks: Buffer[] = [];
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        inFlight--;
        const body = Buffer.concat(chunks);
        if (req.method === 'HEAD') {
          res.writeHead(404);
          return res.end();
        }
        if (req.method === 'POST') {
          const id = `u${n++}`;
          received.set(id, []);
          res.writeHead(202, { location: `/v2/a/b/blobs/uploads/${id}` });
          return res.end();
        }
        if (req.method === 'PATCH') {
          const id = req.url!.split('/').pop()!.split('?')[0]!;
          expect(body.length).toBeGreaterThan(0); // the body went to the registry first (retryable)
          res.writeHead(307, { location: `http://localhost:${cdn.port}/cdn/${id}`, 'docker-upload-location': `/v2/a/b/blobs/uploads/${id}?next=1` });
          return res.end();
        }
        if (req.method === 'PUT' && req.url!.includes('/blobs/uploads/')) {
          const id = req.url!.split('/').pop()!.split('?')[0]!;
          const digest = new URL(req.url!, 'http://x').searchParams.get('digest')!;
          const all = Buffer.concat([...received.get(id)!, body]);
          const ok = 'sha256:' + createHash('sha256').update(all).digest('hex') === digest;
          res.writeHead(ok ? 201 : 400);
          return res.end();
        }
        if (req.method === 'PUT' && req.url!.includes('/manifests/')) {
          manifests.push(body);
          expect(req.headers['content-type']).toBe('application/vnd.docker.distribution.manifest.v2+json');
          res.writeHead(201);
          return res.end();
        }
        res.writeHead(500);
        res.end();
      });
    });
    const name = `127.0.0.1:${reg.port}/a/b:c`;
    writeModel(root, name, m);
    const events = await drain(pushModel(root, name, { insecure: true, credentials: { username: 'u', password: 'p' }, uploadChunkSize: 1000 }));
    expect(events.at(-1)).toEqual({ status: 'success' });
    expect(manifests[0]!.equals(m.manifest)).toBe(true);
    expect(maxInFlight).toBe(1);
    expect(cdnAuth.length).toBeGreaterThan(2);
    expect(cdnAuth.every((a) => a === undefined)).toBe(true);
    expect(log.filter((l) => l.startsWith('PATCH')).some((l) => l.includes('next=1'))).toBe(true);
    reg.server.close();
    cdn.server.close();
  });

  /** A registry keeping upload sessions in memory; `refuseOver` = 413 for bigger monolithic PUTs. */
  async function sessionRegistry(refuseOver: number) {
    const sessions = new Map<string, Buffer[]>();
    const log: string[] = [];
    let n = 0;
    const reg = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        log.push(`${req.method} ${req.url!.split('?')[0]} ${body.length}`);
        const id = req.url!.split('/').pop()!.split('?')[0]!;
        if (req.method === 'HEAD') res.writeHead(404);
        else if (req.method === 'POST') {
          sessions.set(`u${n}`, []);
          res.writeHead(202, { location: `/v2/a/b/blobs/uploads/u${n++}` });
        } else if (req.method === 'PATCH') {
          sessions.get(id)!.push(body);
          res.writeHead(202, { location: `/v2/a/b/blobs/uploads/${id}` });
        } else if (req.method === 'PUT' && req.url!.includes('/blobs/uploads/')) {
          if (body.length > refuseOver) res.writeHead(413);
          else {
            const all = Buffer.concat([...sessions.get(id)!, body]);
            const digest = new URL(req.url!, 'http://x').searchParams.get('digest')!;
            res.writeHead('sha256:' + createHash('sha256').update(all).digest('hex') === digest ? 201 : 400);
          }
        } else if (req.method === 'PUT') res.writeHead(201);
        else res.writeHead(500);
        res.end();
      });
    });
    return { reg, log };
  }

  it('uploads each blob in one monolithic PUT by default (no PATCH), reading the file once', async () => {
    const root = tempStore();
    roots.push(root);
    const m = fakeModel({ modelSize: 300_000 });
    const { reg, log } = await sessionRegistry(Infinity);
    const name = `127.0.0.1:${reg.port}/a/b:c`;
    writeModel(root, name, m);
    const events = await drain(pushModel(root, name, { insecure: true, credentials: null }));
    expect(events.at(-1)).toEqual({ status: 'success' });
    expect(log.filter((l) => l.startsWith('PATCH'))).toEqual([]);
    expect(log.filter((l) => l.startsWith('PUT /v2/a/b/blobs/uploads/')).map((l) => Number(l.split(' ')[2]))).toContain(300_000);
    reg.server.close();
  });

  it('falls back to sequential PATCHes when the registry refuses a big monolithic PUT (413)', async () => {
    const root = tempStore();
    roots.push(root);
    const m = fakeModel({ modelSize: 300_000 });
    const { reg, log } = await sessionRegistry(100_000);
    const name = `127.0.0.1:${reg.port}/a/b:c`;
    writeModel(root, name, m);
    // The fallback uses Ollama's part size (100 MB at least): one PATCH for this blob.
    const events = await drain(pushModel(root, name, { insecure: true, credentials: null, maxAttempts: 1 }));
    expect(events.at(-1)).toEqual({ status: 'success' });
    const puts = log.filter((l) => l.startsWith('PUT /v2/a/b/blobs/uploads/'));
    expect(puts.some((l) => l.endsWith(' 300000'))).toBe(true); // tried monolithic first
    expect(log.filter((l) => l.startsWith('PATCH')).map((l) => Number(l.split(' ')[2]))).toEqual([300_000]);
    reg.server.close();
  });
});
