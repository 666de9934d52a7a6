import { createHash } from 'node:crypto';
import { open, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/registry/store/index.js';
import { createHttpServer, Router } from '../../src/server/http.js';
import { registerTransferRoutes } from '../../src/server/routes/transfer.js';
import { buildTar, listFiles, makeFixture, type Fixture } from '../registry/archive/fixtures.js';

let fx: Fixture;
const servers: Array<() => Promise<void>> = [];

async function serve(store: Store): Promise<string> {
  const router = new Router();
  registerTransferRoutes(router, { store });
  const server = createHttpServer(router);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let srcUrl: string;
beforeAll(async () => {
  fx = await makeFixture();
  srcUrl = await serve(fx.src);
});
afterAll(async () => {
  for (const close of servers) await close();
  await fx.cleanup();
});

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

function lines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

describe('transfer routes', () => {
  it('export streams a tar straight into another server’s import', async () => {
    const dst = await fx.emptyStore();
    const dstUrl = await serve(dst);
    const exp = await post(`${srcUrl}/api/export`, { models: ['a', 'b', 'someone/c:v1'] });
    expect(exp.status).toBe(200);
    expect(exp.headers.get('content-type')).toBe('application/x-tar');
    const res = await fetch(`${dstUrl}/api/import`, {
      method: 'POST',
      body: exp.body,
      headers: { 'Content-Type': 'application/x-tar' },
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const out = lines(await res.text());
    const last = out.at(-1)!;
    expect(last.status).toBe('success');
    expect(last.models).toEqual(['a:latest', 'b:latest', 'someone/c:v1']);
    expect(last.blobs_written).toBe(5);
    expect(out.some((l) => typeof l.digest === 'string' && l.completed === l.total)).toBe(true);
    for (const n of ['a', 'b', 'someone/c:v1']) {
      expect((await dst.readModel(n)).raw.equals((await fx.src.readModel(n)).raw)).toBe(true);
    }
    const v = await post(`${dstUrl}/api/verify`, {});
    const vr = (await v.json()) as { models: Array<{ name: string; ok: boolean }> };
    expect(vr.models.map((m) => m.ok)).toEqual([true, true, true]);
  });

  it('export sends an exact Content-Length, and errors as JSON before streaming', async () => {
    const exp = await post(`${srcUrl}/api/export`, { models: ['stories'] });
    const buf = Buffer.from(await exp.arrayBuffer());
    expect(buf.length).toBe(Number(exp.headers.get('content-length')));
    const missing = await post(`${srcUrl}/api/export`, { models: ['nope'] });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "model 'nope' not found" });
    const bad = await post(`${srcUrl}/api/export`, { models: 'x' });
    expect(bad.status).toBe(400);
    expect((await post(`${srcUrl}/api/export`, {})).status).toBe(400);
  });

  it('import answers bad archives with a 400 and a clear message; --name via ?name=', async () => {
    const dst = await fx.emptyStore();
    const url = await serve(dst);
    const evil = await buildTar([{ name: '../../evil', data: 'x' }]);
    const r = await fetch(`${url}/api/import`, { method: 'POST', body: evil });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/"\.\." is not allowed/);
    const junk = await fetch(`${url}/api/import`, { method: 'POST', body: 'not a tar'.repeat(200) });
    expect(junk.status).toBe(400);
    expect(await junk.json()).toEqual({ error: 'not a tar archive (or a damaged one)' });
    const badName = await fetch(`${url}/api/import?name=..%2Fx`, { method: 'POST', body: evil });
    expect(badName.status).toBe(400);
    const exp = Buffer.from(await (await post(`${srcUrl}/api/export`, { models: ['stories'] })).arrayBuffer());
    const ok = await fetch(`${url}/api/import?name=renamed:v1`, { method: 'POST', body: exp });
    expect(lines(await ok.text()).at(-1)).toMatchObject({ status: 'success', models: ['renamed:v1'] });
    expect(await listFiles(path.join(dst.root, 'manifests'))).toEqual(['registry.ollama.ai/library/renamed/v1']);
  });

  it('verify reports damage per model; prune removes only what nothing references', async () => {
    const dst = await fx.emptyStore();
    const url = await serve(dst);
    const exp = Buffer.from(await (await post(`${srcUrl}/api/export`, { models: ['a', 'b'] })).arrayBuffer());
    await fetch(`${url}/api/import`, { method: 'POST', body: exp }).then((r) => r.text());
    const sys = (await dst.readModel('a')).manifest.layers[1]!.digest;
    const fh = await open(dst.blobPath(sys), 'r+');
    await fh.write(Buffer.from('X'), 0, 1, 0);
    await fh.close();
    const v = (await (await post(`${url}/api/verify`, { models: ['a', 'b'] })).json()) as {
      models: Array<{ name: string; ok: boolean; problems: Array<{ digest: string; kind: string }> }>;
    };
    expect(v.models.map((m) => [m.name, m.ok])).toEqual([
      ['a:latest', false],
      ['b:latest', true],
    ]);
    expect(v.models[0]!.problems).toMatchObject([{ digest: sys, kind: 'mismatch' }]);
    expect((await post(`${url}/api/verify`, { models: ['nope'] })).status).toBe(404);

    // An unreferenced blob and an old partial download.
    const orphan = Buffer.from('orphan');
    const d = 'sha256:' + createHash('sha256').update(orphan).digest('hex');
    await dst.writeBlob(orphan, { expected: d });
    const partial = path.join(dst.paths.blobsDir, `sha256-${'b'.repeat(64)}-partial`);
    await writeFile(partial, 'half');
    const { utimes } = await import('node:fs/promises');
    const old = new Date(Date.now() - 2 * 3600_000);
    await utimes(partial, old, old);
    const dry = (await (await post(`${url}/api/prune`, { dry_run: true })).json()) as { removed: Array<{ name: string }>; freed: number };
    expect(dry.removed.map((i) => i.name).sort()).toEqual([d, `sha256-${'b'.repeat(64)}-partial`].sort());
    expect(await dst.hasBlob(d)).toBe(true);
    const real = (await (await post(`${url}/api/prune`, {})).json()) as { removed: unknown[]; freed: number };
    expect(real.removed).toHaveLength(2);
    expect(real.freed).toBe(orphan.length + 4);
    expect(await dst.hasBlob(d)).toBe(false);
    expect((await dst.verify(['b']))[0]!.ok).toBe(true);
  });

  it('prune keeps fresh blobs while a download may be in progress', async () => {
    const dst = await fx.emptyStore();
    const url = await serve(dst);
    const orphan = Buffer.from('fresh');
    const d = 'sha256:' + createHash('sha256').update(orphan).digest('hex');
    await dst.writeBlob(orphan, { expected: d });
    await writeFile(path.join(dst.paths.blobsDir, `sha256-${'c'.repeat(64)}-partial`), 'x');
    const r = (await (await post(`${url}/api/prune`, {})).json()) as { removed: unknown[]; kept: Array<{ name: string }> };
    expect(r.removed).toEqual([]);
    expect(r.kept.map((i) => i.name).sort()).toEqual([d, `sha256-${'c'.repeat(64)}-partial`].sort());
    expect((await post(`${url}/api/prune`, { dry_run: 'yes' })).status).toBe(400);
  });
});

describe('transfer routes: early refusal of a large upload', () => {
  it('answers with the error while the client is still sending, and stops reading', async () => {
    const dst = await fx.emptyStore();
    const url = await serve(dst);
    const head = await buildTar([{ name: '/etc/evil', data: 'x' }]);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(head.subarray(0, 1024));
      },
      pull(c) {
        if (sent > 512 << 20) return c.close();
        sent += 1 << 20;
        c.enqueue(new Uint8Array(1 << 20));
      },
    });
    const res = await fetch(`${url}/api/import`, { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/absolute paths/);
    expect(sent).toBeLessThan(512 << 20);
  });
});
