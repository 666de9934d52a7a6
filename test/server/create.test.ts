import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/registry/store/index.js';
import { createHttpServer, Router } from '../../src/server/http.js';
import { IMPORT_REFUSED, registerCreateRoutes } from '../../src/server/routes/create.js';
import { writeBrokenGGUF, writeModel } from '../helpers/gguf.js';

let dir: string;
let store: Store;
let url: string;
let close: () => Promise<void>;
let model: Buffer;
let modelDigest: string;
let modelPath: string;

const sha = (b: Buffer | string): string => 'sha256:' + createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tollama-create-srv-'));
  store = new Store(path.join(dir, 'models'));
  const router = new Router();
  registerCreateRoutes(router, { store, env: {} });
  const server = createHttpServer(router);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  modelPath = path.join(dir, 'm.gguf');
  await writeModel(modelPath);
  model = await readFile(modelPath);
  modelDigest = sha(model);
});
afterAll(async () => {
  await close();
  await rm(dir, { recursive: true, force: true });
});

async function blobNames(): Promise<string[]> {
  return (await readdir(path.join(dir, 'models', 'blobs')).catch(() => [])).sort();
}

describe('blobs', () => {
  it('HEAD: 404, 400 for bad digests', async () => {
    const d = 'sha256:' + '1'.repeat(64);
    const r = await fetch(`${url}/api/blobs/${d}`, { method: 'HEAD' });
    expect(r.status).toBe(404);
    for (const bad of ['sha256:abc', 'sha256:..%2F..%2Fetc%2Fpasswd', 'md5:' + '1'.repeat(64), 'sha256:' + 'A'.repeat(64)]) {
      expect((await fetch(`${url}/api/blobs/${bad}`, { method: 'HEAD' })).status).toBe(400);
    }
    const res = await fetch(`${url}/api/blobs/sha256:..%2F..%2Fx`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid digest format' });
  });

  it('POST: wrong bytes → 400 digest mismatch, nothing stored', async () => {
    const before = await blobNames();
    const want = sha('right');
    const r = await fetch(`${url}/api/blobs/${want}`, { method: 'POST', body: 'wrong' });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ error: `digest mismatch, expected "${want}", got "${sha('wrong')}"` });
    expect(await blobNames()).toEqual(before);
  });

  it('POST: 201 created, then 200 (body not needed), HEAD 200', async () => {
    const r = await fetch(`${url}/api/blobs/${modelDigest}`, { method: 'POST', body: model });
    expect(r.status).toBe(201);
    expect(await store.hasBlob(modelDigest)).toBe(true);
    const again = await fetch(`${url}/api/blobs/${modelDigest}`, { method: 'POST', body: model });
    expect(again.status).toBe(200);
    expect((await fetch(`${url}/api/blobs/${modelDigest.replace(':', '-')}`, { method: 'HEAD' })).status).toBe(200);
  });

  it('X-Tollama-Source-Path: a loopback client names a file the server imports', async () => {
    const f = path.join(dir, 'other.gguf');
    await writeModel(f, { seed: 9 });
    const d = sha(await readFile(f));
    const refuse = async (p: string, digest = d): Promise<void> => {
      const r = await fetch(`${url}/api/blobs/${digest}`, { method: 'POST', headers: { 'X-Tollama-Source-Path': p }, body: '' });
      expect(r.status).toBe(400);
      expect(await r.json()).toEqual({ error: IMPORT_REFUSED });
    };
    await refuse('other.gguf'); // relative
    await refuse('/dev/zero');
    await refuse(path.join(dir, 'missing.gguf'));
    await refuse(modelPath); // hashes to something else
    expect(await store.hasBlob(d)).toBe(false);
    const r = await fetch(`${url}/api/blobs/${d}`, { method: 'POST', headers: { 'X-Tollama-Source-Path': f }, body: '' });
    expect(r.status).toBe(201);
    expect(await store.hasBlob(d)).toBe(true);
  });
});

async function postCreate(body: unknown): Promise<{ status: number; type: string | null; lines: Array<Record<string, unknown>> }> {
  const r = await fetch(`${url}/api/create`, { method: 'POST', body: JSON.stringify(body) });
  const text = await r.text();
  return {
    status: r.status,
    type: r.headers.get('content-type'),
    lines: text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('POST /api/create', () => {
  it('streams Ollama\'s progress objects', async () => {
    const r = await postCreate({ model: 'srv', files: { 'm.gguf': modelDigest }, system: 'be brief' });
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/x-ndjson');
    const st = r.lines.map((l) => l.status);
    expect(st[0]).toBe('parsing GGUF');
    expect(st).toContain(`using existing layer ${modelDigest}`);
    expect(st.some((s) => typeof s === 'string' && s.startsWith('creating new layer sha256:'))).toBe(true);
    expect(st.slice(-2)).toEqual(['writing manifest', 'success']);
  });

  it('stream:false answers only the last object', async () => {
    const r = await postCreate({ model: 'srv2', from: 'srv', stream: false });
    expect(r.status).toBe(200);
    expect(r.lines).toEqual([{ status: 'success' }]);
  });

  it.each([
    [{ model: 'x' }, 400, "neither 'from' or 'files' was specified"],
    [{ model: 'bad name!', from: 'srv' }, 400, 'invalid model name'],
    [{ model: 'x', files: { '/abs.gguf': 'sha256:' + '3'.repeat(64) } }, 400, 'file path must be relative'],
    [{ model: 'x', files: { 'a.gguf': 'sha256:../../../etc/passwd' } }, 400, 'invalid digest format'],
    [{ model: 'x', from: 'srv', template: '{{ if }}' }, 400, 'template error: '],
    [{ model: 'x', from: 'nothere' }, 404, "model 'nothere' not found"],
    [{ model: 'x', files: { 'a.gguf': 'sha256:' + '2'.repeat(64) } }, 400, `blob sha256:${'2'.repeat(64)} not found`],
  ])('%j → %i', async (body, status, msg) => {
    const r = await postCreate(body);
    expect(r.status).toBe(status);
    expect(r.lines).toHaveLength(1);
    expect(String(r.lines[0]!.error).startsWith(msg)).toBe(true);
    expect(await store.findModel('x')).toBeNull();
  });

  it.each(['magic-only', 'truncated-kv', 'not-gguf'] as const)('an uploaded %s file → 400 JSON, nothing kept', async (kind) => {
    const f = path.join(dir, `${kind}.bin`);
    await writeBrokenGGUF(f, kind);
    const bytes = await readFile(f);
    const d = sha(bytes);
    expect((await fetch(`${url}/api/blobs/${d}`, { method: 'POST', body: bytes })).status).toBe(201);
    const r = await postCreate({ model: 'x', files: { 'x.gguf': d } });
    expect(r.status).toBe(400);
    expect(r.type).toContain('application/json');
    expect(typeof r.lines[0]!.error).toBe('string');
    expect(String(r.lines[0]!.error)).not.toContain(dir);
    expect(await store.hasBlob(d)).toBe(false);
    expect(await store.findModel('x')).toBeNull();
  });
});
