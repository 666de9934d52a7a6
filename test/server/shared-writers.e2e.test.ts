/**
 * Two real `ollama serve` writers on one store (#19): while A pulls a model slowly, B starts
 * (start-up prune), runs `ollama prune`, and pulls the same model. A's download survives even
 * when its partial files look hours old (its lock is live), B waits behind the lock instead of
 * writing the same partial file, both pulls succeed, and the store ends with verified blobs and
 * no leftovers. A dead download without a lock is pruned as before.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushModel } from '../../src/registry/remote/index.js';
import { startFaultProxy, type FaultProxy } from '../helpers/faultproxy.js';
import {
  collectProgress,
  corruptBlobs,
  fakeModel,
  hasRegistry,
  listFiles,
  SKIP_MESSAGE,
  startRegistry,
  tempStore,
  writeModel,
  type RunningRegistry,
} from '../helpers/registry.js';
import { startServer, type TestServer } from '../helpers/server.js';

const available = hasRegistry();
if (!available) console.warn(SKIP_MESSAGE);

async function readLines(res: Response, until: (o: Record<string, unknown>) => boolean): Promise<() => Promise<Record<string, unknown>[]>> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  const seen: Record<string, unknown>[] = [];
  const pump = async (stop: (o: Record<string, unknown>) => boolean): Promise<boolean> => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return false;
      buf += dec.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const o = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
        buf = buf.slice(nl + 1);
        seen.push(o);
        if (stop(o)) return true;
      }
    }
  };
  await pump(until);
  return async () => {
    await pump(() => false);
    return seen;
  };
}

describe.skipIf(!available)('two writers on one store', () => {
  let reg: RunningRegistry;
  let proxy: FaultProxy;
  let store: string;
  const servers: TestServer[] = [];
  const src = tempStore();

  beforeAll(async () => {
    reg = await startRegistry();
    proxy = await startFaultProxy(reg.port);
    store = tempStore();
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    await proxy?.stop();
    await reg?.stop();
    fs.rmSync(src, { recursive: true, force: true });
    if (store) fs.rmSync(store, { recursive: true, force: true });
  });

  it('a second server neither prunes nor rewrites the first one’s download, and both pulls succeed', async () => {
    const m = fakeModel({ modelSize: 200_000 });
    const pushName = `${reg.host}/team/shared:v1`;
    writeModel(src, pushName, m);
    await collectProgress(pushModel(src, pushName, { insecure: true, credentials: null }));
    const weights = m.digests[0]!;
    const hex = weights.slice(7);
    // The weights trickle through the proxy (4 KiB every 50 ms ≈ 2.5 s) so the pull is in flight.
    proxy.fault = (req) => (req.method === 'GET' && req.url!.includes(weights) ? { kind: 'slow', chunk: 4096, delayMs: 50 } : undefined);
    const name = `${proxy.host}/team/shared:v1`;

    const a = await startServer({ models: store });
    servers.push(a);
    const resA = await fetch(`${a.url}/api/pull`, { method: 'POST', body: JSON.stringify({ model: name, insecure: true }) });
    expect(resA.status).toBe(200);
    const restA = await readLines(resA, (o) => o.digest === weights && Number(o.completed) > 0);
    const blobs = path.join(store, 'blobs');
    expect(fs.existsSync(path.join(blobs, `sha256-${hex}-partial.lock`))).toBe(true);
    expect(fs.readdirSync(path.join(store, '.leases'))).toHaveLength(1);

    // A dead download nobody holds, and A's live one made to look hours old.
    const old = new Date(Date.now() - 3 * 3600_000);
    const dead = path.join(blobs, `sha256-${'f'.repeat(64)}-partial`);
    fs.writeFileSync(dead, 'x');
    fs.utimesSync(dead, old, old);
    const ageA = () => {
      for (const f of fs.readdirSync(blobs)) if (f.startsWith(`sha256-${hex}-partial`) && !f.endsWith('.lock')) fs.utimesSync(path.join(blobs, f), old, old);
    };
    ageA();
    const ager = setInterval(() => {
      try {
        ageA();
      } catch {
        /* a file renamed meanwhile */
      }
    }, 5);
    let b: TestServer;
    try {
      b = await startServer({ models: store });
      servers.push(b);
    } finally {
      clearInterval(ager);
    }
    expect(fs.existsSync(dead)).toBe(false); // B's start-up prune ran
    expect(fs.existsSync(path.join(blobs, `sha256-${hex}-partial`)) || fs.existsSync(path.join(blobs, `sha256-${hex}`))).toBe(true);

    // `ollama prune` on B keeps A's download and the blobs A's lease names.
    const pr = (await fetch(`${b.url}/api/prune`, { method: 'POST', body: '{}' }).then((r) => r.json())) as { removed: Array<{ name: string }> };
    expect(pr.removed.filter((x) => x.name.includes(hex) || m.digests.includes(x.name))).toEqual([]);

    // B pulls the same model at the same time: it waits behind A's lock.
    const resB = fetch(`${b.url}/api/pull`, { method: 'POST', body: JSON.stringify({ model: name, insecure: true, stream: false }) }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }),
    );
    const linesA = await restA();
    expect(linesA.at(-1)).toEqual({ status: 'success' });
    expect(await resB).toEqual({ status: 200, body: { status: 'success' } });
    // The weights crossed the proxy once (A's 1-byte probe, then A's one ranged GET): B waited
    // for A's download instead of fetching or writing the same bytes.
    const weightGets = proxy.requests.filter((r) => r.method === 'GET' && r.url.includes(weights) && r.headers.range !== 'bytes=0-0');
    expect(weightGets.length).toBe(1);
    expect(proxy.blobBytes).toBeLessThan(1.5 * 200_000);

    expect(corruptBlobs(store)).toEqual([]);
    const files = listFiles(store);
    expect(files.filter((f) => /partial|lock|\.leases\//.test(f))).toEqual([]);
    for (const dg of m.digests) expect(files).toContain(`blobs/${dg.replace(':', '-')}`);
    const tags = (await fetch(`${b.url}/api/tags`).then((r) => r.json())) as { models: Array<{ name: string }> };
    expect(tags.models.map((x) => x.name)).toEqual([name]);
  });
});
