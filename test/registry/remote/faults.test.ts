import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pullModel, pushModel, type ProgressEvent } from '../../../src/registry/remote/index.js';
import { startFaultProxy, type FaultProxy } from '../../helpers/faultproxy.js';
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
  type FakeModel,
  type RunningRegistry,
  collectProgress as drain,
} from '../../helpers/registry.js';

const available = hasRegistry();
if (!available) console.warn(SKIP_MESSAGE);

const SIZE = 1_200_000;
const opts = { insecure: true, backoffMs: 5, credentials: null, partSize: 300_000, maxParallel: 2 };

describe.skipIf(!available)('pull through a fault-injecting proxy', () => {
  let reg: RunningRegistry;
  let proxy: FaultProxy;
  let model: FakeModel;
  let hex: string;
  const roots: string[] = [];
  const store = () => {
    const r = tempStore();
    roots.push(r);
    return r;
  };
  const name = () => `${proxy.host}/alice/faults:v1`;
  const isModelPart = (url: string, range?: string) => url.includes(hex) && range !== 'bytes=0-0';

  beforeAll(async () => {
    reg = await startRegistry();
    model = fakeModel({ modelSize: SIZE });
    hex = model.digests[0]!.slice(7);
    const src = store();
    writeModel(src, `${reg.host}/alice/faults:v1`, model);
    await drain(pushModel(src, `${reg.host}/alice/faults:v1`, { insecure: true, credentials: null }));
    proxy = await startFaultProxy(reg.port);
  });
  afterAll(async () => {
    await proxy?.stop();
    await reg?.stop();
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });
  beforeEach(() => {
    proxy.fault = () => undefined;
    proxy.blobBytes = 0;
    proxy.requests = [];
  });

  function expectComplete(root: string) {
    expect(readFileSync(manifestPath(root, name())).equals(model.manifest)).toBe(true);
    expect(corruptBlobs(root)).toEqual([]);
    expect(listFiles(root).some((f) => f.includes('partial'))).toBe(false);
  }

  it('(a) a connection cut mid-blob is retried from the bytes already received', async () => {
    let cuts = 0;
    proxy.fault = (req) => (isModelPart(req.url!, req.headers.range) && cuts++ < 2 ? { kind: 'cut', after: 100_000 } : undefined);
    const root = store();
    await drain(pullModel(root, name(), opts));
    expectComplete(root);
    expect(cuts).toBeGreaterThanOrEqual(2);
    // the retried parts resumed where they were cut (a restart from the part start would
    // re-fetch 2 × 100 000 bytes; the proxy may count a little it wrote but never delivered)
    expect(proxy.blobBytes).toBeLessThan(SIZE + 100_000);
  });

  it('(b) a flipped byte fails with the digest-mismatch message and leaves no blob, partial or manifest', async () => {
    proxy.fault = (req) => (isModelPart(req.url!, req.headers.range) ? { kind: 'flip', at: 1234 } : undefined);
    const root = store();
    await expect(drain(pullModel(root, name(), opts))).rejects.toThrow(
      /^digest mismatch, file must be downloaded again: want sha256:[0-9a-f]{64}, got sha256:[0-9a-f]{64}$/,
    );
    expect(existsSync(join(root, 'blobs', `sha256-${hex}`))).toBe(false);
    expect(listFiles(root).some((f) => f.includes('partial') || f.startsWith('manifests/'))).toBe(false);
    expect(corruptBlobs(root)).toEqual([]);
    proxy.fault = () => undefined;
    await drain(pullModel(root, name(), opts));
    expectComplete(root);
  });

  it('(a+b) with the hash thread: a cut part resumes and the digest is right; a flipped byte is caught', async () => {
    const thread = { ...opts, hashOnThread: true };
    let cuts = 0;
    proxy.fault = (req) => (isModelPart(req.url!, req.headers.range) && cuts++ < 2 ? { kind: 'cut', after: 100_000 } : undefined);
    const root = store();
    await drain(pullModel(root, name(), thread));
    expectComplete(root);
    proxy.fault = (req) => (isModelPart(req.url!, req.headers.range) ? { kind: 'flip', at: 1234 } : undefined);
    const other = store();
    await expect(drain(pullModel(other, name(), thread))).rejects.toThrow(/^digest mismatch, file must be downloaded again/);
    expect(listFiles(other).some((f) => f.includes('partial') || f.startsWith('manifests/'))).toBe(false);
  });

  it('(a+b) with O_DIRECT writes (parts at unaligned offsets): a cut part resumes, a flipped byte is caught', async () => {
    for (const hashOnThread of [true, false]) {
      const direct = { ...opts, hashOnThread, directIO: true };
      let cuts = 0;
      proxy.fault = (req) => (isModelPart(req.url!, req.headers.range) && cuts++ < 2 ? { kind: 'cut', after: 100_001 } : undefined);
      const root = store();
      await drain(pullModel(root, name(), direct));
      expectComplete(root);
      expect(cuts).toBeGreaterThanOrEqual(2);
      proxy.fault = (req) => (isModelPart(req.url!, req.headers.range) ? { kind: 'flip', at: 4097 } : undefined);
      const other = store();
      await expect(drain(pullModel(other, name(), direct))).rejects.toThrow(/^digest mismatch, file must be downloaded again/);
      expect(listFiles(other).some((f) => f.includes('partial') || f.startsWith('manifests/'))).toBe(false);
      proxy.fault = () => undefined;
    }
  });

  it('(c) two 500 answers are retried with back-off', async () => {
    let n = 0;
    proxy.fault = (req) =>
      isModelPart(req.url!, req.headers.range) && n++ < 2
        ? { kind: 'status', status: 500, body: '{"errors":[{"code":"UNKNOWN","message":"unknown error"}]}' }
        : undefined;
    const root = store();
    await drain(pullModel(root, name(), opts));
    expectComplete(root);
    expect(n).toBeGreaterThan(2);
  });

  it('(c2) a blob that always answers 500 fails cleanly after bounded retries', async () => {
    proxy.fault = (req) => (isModelPart(req.url!, req.headers.range) ? { kind: 'status', status: 500, body: 'boom' } : undefined);
    const root = store();
    await expect(drain(pullModel(root, name(), { ...opts, maxAttempts: 3 }))).rejects.toThrow(/giving up after 3 attempts/);
    expect(existsSync(join(root, 'blobs', `sha256-${hex}`))).toBe(false);
    expect(listFiles(root).some((f) => f.startsWith('manifests/'))).toBe(false);
  });

  it('(d) a stalled part is restarted', async () => {
    let stalls = 0;
    proxy.fault = (req) => (isModelPart(req.url!, req.headers.range) && stalls++ < 1 ? { kind: 'stall', after: 50_000 } : undefined);
    const root = store();
    await drain(pullModel(root, name(), { ...opts, stallMs: 300 }));
    expectComplete(root);
  });

  it('(d2) a part that stalls forever fails cleanly', async () => {
    proxy.fault = (req) => (isModelPart(req.url!, req.headers.range) ? { kind: 'stall', after: 10 } : undefined);
    const root = store();
    await expect(drain(pullModel(root, name(), { ...opts, stallMs: 100, maxStalls: 2 }))).rejects.toThrow(/stalled/);
    expect(listFiles(root).some((f) => f.startsWith('manifests/'))).toBe(false);
  });

  it('resumes an aborted pull from the part descriptors in a fresh pull', async () => {
    proxy.fault = (req) => (isModelPart(req.url!, req.headers.range) ? { kind: 'slow', chunk: 16_384, delayMs: 6 } : undefined);
    const root = store();
    const ac = new AbortController();
    await expect(
      drain(
        pullModel(root, name(), {
          ...opts,
          signal: ac.signal,
          onProgress: (p) => {
            if (p.digest === model.digests[0] && (p.completed ?? 0) > SIZE / 3) ac.abort();
          },
        }),
      ),
    ).rejects.toThrow(/cancel/);
    const partial = join(root, 'blobs', `sha256-${hex}-partial`);
    expect(existsSync(partial)).toBe(true);
    const descs = readdirSync(join(root, 'blobs')).filter((f) => f.startsWith(`sha256-${hex}-partial-`));
    expect(descs.length).toBe(4);
    const d0 = JSON.parse(readFileSync(join(root, 'blobs', descs.sort()[0]!), 'utf8')) as Record<string, number>;
    expect(Object.keys(d0)).toEqual(['N', 'Offset', 'Size', 'Completed']);
    expect(listFiles(root).some((f) => f.startsWith('manifests/'))).toBe(false);
    expect(existsSync(join(root, 'blobs', `sha256-${hex}`))).toBe(false);

    proxy.fault = () => undefined;
    proxy.blobBytes = 0;
    await drain(pullModel(root, name(), opts));
    expectComplete(root);
    expect(proxy.blobBytes).toBeLessThan(SIZE);
  });

  it('shares one download between concurrent pulls of the same blob', async () => {
    proxy.fault = (req) => (isModelPart(req.url!, req.headers.range) ? { kind: 'slow', chunk: 65_536, delayMs: 1 } : undefined);
    const root = store();
    await Promise.all([drain(pullModel(root, name(), opts)), drain(pullModel(root, name(), opts))]);
    expectComplete(root);
    // one transfer of the 1.2 MB blob (plus the few hundred bytes of the small blobs)
    expect(proxy.blobBytes).toBeLessThan(SIZE + 1000);
  });
});
