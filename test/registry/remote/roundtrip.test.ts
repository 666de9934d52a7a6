import { readFileSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullModel, pushModel, type ProgressEvent } from '../../../src/registry/remote/index.js';
import { Store } from '../../../src/registry/store/index.js';
import {
  corruptBlobs,
  fakeModel,
  hasRegistry,
  listFiles,
  manifestPath,
  SKIP_MESSAGE,
  startRegistry,
  tempStore,
  writeModel,
  type RunningRegistry,
  collectProgress as collect,
} from '../../helpers/registry.js';

const available = hasRegistry();
if (!available) console.warn(SKIP_MESSAGE);

const fast = { insecure: true, backoffMs: 5, credentials: null };

describe.skipIf(!available)('push and pull against the real distribution registry', () => {
  let reg: RunningRegistry;
  const roots: string[] = [];
  const store = () => {
    const r = tempStore();
    roots.push(r);
    return r;
  };
  beforeAll(async () => {
    reg = await startRegistry();
  });
  afterAll(async () => {
    await reg?.stop();
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  it('round-trips a model byte for byte (monolithic and chunked uploads, parallel ranged parts)', async () => {
    const src = store();
    const name = `${reg.host}/alice/stories:v1`;
    const m = fakeModel({ modelSize: 1_000_000 });
    writeModel(src, name, m);
    const pushed = await collect(pushModel(src, name, { ...fast, uploadChunkSize: 256 * 1024 }));
    expect(pushed[0]).toEqual({ status: 'retrieving manifest' });
    expect(pushed.at(-2)).toEqual({ status: 'pushing manifest' });
    expect(pushed.at(-1)).toEqual({ status: 'success' });
    const modelDigest = m.digests[0]!;
    expect(pushed).toContainEqual({ status: `pushing ${modelDigest.slice(7, 19)}`, digest: modelDigest, total: 1_000_000, completed: 1_000_000 });

    const dst = store();
    const pulled = await collect(pullModel(dst, name, { ...fast, partSize: 100_000, maxParallel: 4 }));
    expect(pulled[0]).toEqual({ status: 'pulling manifest' });
    expect(pulled.slice(-3)).toEqual([{ status: 'verifying sha256 digest' }, { status: 'writing manifest' }, { status: 'success' }]);
    const firstPerDigest = pulled.filter((p) => p.digest).map((p) => p.digest);
    expect([...new Set(firstPerDigest)]).toEqual(m.digests); // layers in order, then config
    for (const p of pulled.filter((x) => x.digest)) expect(p.status).toBe(`pulling ${p.digest!.slice(7, 19)}`);
    expect(readFileSync(manifestPath(dst, name)).equals(m.manifest)).toBe(true);
    expect(corruptBlobs(dst)).toEqual([]);
    expect(listFiles(dst).filter((f) => f.startsWith('blobs/')).length).toBe(4);
    expect(listFiles(dst).some((f) => f.includes('partial'))).toBe(false);

    // pulling again: every blob already there → one progress object each with completed = total
    const again = await collect(pullModel(dst, name, fast));
    const blobEvents = again.filter((p) => p.digest);
    expect(blobEvents.length).toBe(4);
    for (const e of blobEvents) expect(e.completed).toBe(e.total);

    // pushing again: HEAD says every blob exists
    const repush = await collect(pushModel(src, name, fast));
    expect(repush.filter((p) => p.digest).length).toBe(4);
  });

  it('works with the project Store (its verified manifest writer and GC)', async () => {
    const src = new Store(store());
    const name = `${reg.host}/alice/withstore:v1`;
    const m = fakeModel({ modelSize: 40_000 });
    writeModel(src.root, name, m);
    await collect(pushModel(src, name, fast));
    const dst = new Store(store());
    await collect(pullModel(dst, name, { ...fast, partSize: 16_000 }));
    const got = await dst.readModel(name);
    expect(got.raw.equals(m.manifest)).toBe(true);
    expect(corruptBlobs(dst.root)).toEqual([]);
    const report = await dst.verify();
    expect(JSON.stringify(report)).not.toMatch(/mismatch|missing/i);
  });

  it('pulls an OCI-typed manifest (sends OCI Accept types)', async () => {
    const src = store();
    const name = `${reg.host}/bob/oci:latest`;
    const m = fakeModel({ oci: true, modelSize: 5000 });
    writeModel(src, name, m);
    await collect(pushModel(src, name, fast));
    const dst = store();
    await collect(pullModel(dst, name, fast));
    expect(readFileSync(manifestPath(dst, name)).equals(m.manifest)).toBe(true);
    expect(corruptBlobs(dst)).toEqual([]);
  });

  it('mounts a layer from another repository of the same registry', async () => {
    const src = store();
    const base = `${reg.host}/library/base:latest`;
    const m = fakeModel({ modelSize: 50_000 });
    writeModel(src, base, m);
    await collect(pushModel(src, base, fast));
    // a derived model whose model layer came from the base model
    const derived = `${reg.host}/carol/derived:latest`;
    const manifest = JSON.parse(m.manifest.toString()) as { layers: { from?: string }[] };
    manifest.layers[0]!.from = base;
    const raw = Buffer.from(JSON.stringify(manifest));
    writeModel(src, derived, { ...m, manifest: raw });
    const requests: string[] = [];
    const events = await collect(pushModel(src, derived, { ...fast, onProgress: (p) => requests.push(p.status) }));
    expect(events.at(-1)).toEqual({ status: 'success' });
    const dst = store();
    await collect(pullModel(dst, derived, fast));
    expect(readFileSync(manifestPath(dst, derived)).equals(raw)).toBe(true);
  });

  it('a missing tag fails with Ollama\'s message and writes nothing', async () => {
    const dst = store();
    const events: ProgressEvent[] = [];
    await expect(collect(pullModel(dst, `${reg.host}/nobody/none:x`, { ...fast, onProgress: (p) => events.push(p) }))).rejects.toThrow(
      'pull model manifest: file does not exist',
    );
    expect(events).toEqual([{ status: 'pulling manifest' }]);
    expect(listFiles(dst).filter((f) => !f.startsWith('blobs/'))).toEqual([]);
  });

  it('prunes layers of the replaced manifest unless noPrune', async () => {
    const src = store();
    const name = `${reg.host}/alice/prune:latest`;
    const m1 = fakeModel({ modelSize: 3000, seed: 'one' });
    writeModel(src, name, m1);
    await collect(pushModel(src, name, fast));
    const dst = store();
    await collect(pullModel(dst, name, fast));
    const m2 = fakeModel({ modelSize: 3000, seed: 'two' });
    writeModel(src, name, m2);
    await collect(pushModel(src, name, fast));
    const events = await collect(pullModel(dst, name, fast));
    expect(events.map((e) => e.status)).toContain('removing unused layers');
    const blobs = readdirSync(join(dst, 'blobs'));
    expect(blobs.includes(m1.digests[0]!.replace(':', '-'))).toBe(false);
    expect(blobs.includes(m2.digests[0]!.replace(':', '-'))).toBe(true);
    // params + config are shared and stay
    expect(existsSync(join(dst, 'blobs', m1.digests[3]!.replace(':', '-')))).toBe(true);

    const keep = store();
    await collect(pullModel(keep, name, fast));
    writeModel(src, name, m1);
    await collect(pushModel(src, name, fast));
    const ev2 = await collect(pullModel(keep, name, { ...fast, noPrune: true }));
    expect(ev2.map((e) => e.status)).not.toContain('removing unused layers');
    expect(readdirSync(join(keep, 'blobs')).length).toBe(6);
  });

  it('refuses an http:// name without insecure, with Ollama\'s message', async () => {
    await expect(collect(pullModel(store(), `http://${reg.host}/a/b:c`, { credentials: null }))).rejects.toThrow('insecure protocol http');
  });
});
