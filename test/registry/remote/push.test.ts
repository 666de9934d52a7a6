/** Push paths the distribution registry does not exercise: Ollama's 307-on-PATCH uploads. */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { pushModel, type ProgressEvent } from '../../../src/registry/remote/index.js';
import { fakeModel, tempStore, writeModel } from '../../helpers/registry.js';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

async function listen(fn: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(fn);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port };
}

async function drain(it: AsyncIterable<ProgressEvent>): Promise<ProgressEvent[]> {
  const out: ProgressEvent[] = [];
  for await (const p of it) out.push(p);
  return out;
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
});
