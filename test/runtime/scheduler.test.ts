import { afterEach, describe, expect, it, vi } from 'vitest';
import { RequestAbortedError, ServerBusyError } from '../../src/runtime/errors.js';
import { resolveRunnerOptions } from '../../src/runtime/options.js';
import { Scheduler, type LoadSpec } from '../../src/runtime/scheduler.js';

class FakeRunner {
  disposed = false;
  readonly contextLength = 2048;
  readonly sizeBytes = 1000;
  constructor(readonly spec: LoadSpec) {}
  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

function setup(cfg: { maxLoadedModels?: number; numParallel?: number; maxQueue?: number; keepAliveMs?: number; loadGate?: Promise<void> } = {}) {
  const loads: FakeRunner[] = [];
  const sched = new Scheduler<FakeRunner, { family: string }>({
    ...cfg,
    load: async (spec) => {
      if (cfg.loadGate) await cfg.loadGate;
      if (spec.modelPath.includes('corrupt')) throw new Error('bad file');
      const r = new FakeRunner(spec);
      loads.push(r);
      return r;
    },
  });
  return { sched, loads };
}
const opts = resolveRunnerOptions({});
const req = (name: string, extra: Record<string, unknown> = {}) => ({ name, modelPath: `/blobs/${name}`, options: opts, ...extra });
const tick = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => {
  vi.useRealTimers();
});

describe('Scheduler', () => {
  it('loads once and reuses the runner', async () => {
    const { sched, loads } = setup();
    const a = await sched.acquire(req('m'));
    expect(a.loadDuration).toBeGreaterThan(0);
    a.release();
    const b = await sched.acquire(req('m'));
    expect(b.runner).toBe(a.runner);
    expect(b.loadDuration).toBe(0);
    b.release();
    expect(loads).toHaveLength(1);
  });

  it('reloads when runner options change', async () => {
    const { sched, loads } = setup();
    const a = await sched.acquire(req('m'));
    a.release();
    const b = await sched.acquire(req('m', { options: resolveRunnerOptions({ num_ctx: 1024 }) }));
    expect(b.runner).not.toBe(a.runner);
    expect(a.runner.disposed).toBe(true);
    expect(loads).toHaveLength(2);
    b.release();
  });

  it('reloads when the adapters change (as Ollama\'s needsReload), and passes them to the load', async () => {
    const { sched, loads } = setup();
    const a = await sched.acquire(req('m', { adapterPaths: ['/blobs/lora1'] }));
    expect(a.runner.spec.adapterPaths).toEqual(['/blobs/lora1']);
    a.release();
    const same = await sched.acquire(req('m', { adapterPaths: ['/blobs/lora1'] }));
    expect(same.runner).toBe(a.runner);
    same.release();
    const b = await sched.acquire(req('m', { adapterPaths: ['/blobs/lora2'] }));
    expect(b.runner).not.toBe(a.runner);
    expect(a.runner.disposed).toBe(true);
    b.release();
    const none = await sched.acquire(req('m'));
    expect(none.runner).not.toBe(b.runner);
    expect(none.runner.spec.adapterPaths).toEqual([]);
    none.release();
    expect(loads).toHaveLength(3);
  });

  it('a reload waits for in-flight requests on the old runner', async () => {
    const { sched } = setup({ numParallel: 2 });
    const a = await sched.acquire(req('m'));
    const p = sched.acquire(req('m', { options: resolveRunnerOptions({ num_ctx: 1024 }) }));
    await tick();
    expect(a.runner.disposed).toBe(false);
    a.release();
    const b = await p;
    expect(a.runner.disposed).toBe(true);
    expect(b.runner.spec.options.numCtx).toBe(1024);
  });

  it('limits concurrent leases per runner to numParallel', async () => {
    const { sched } = setup({ numParallel: 2 });
    const a = await sched.acquire(req('m'));
    const b = await sched.acquire(req('m'));
    let got = false;
    const p = sched.acquire(req('m')).then((l) => ((got = true), l));
    await tick();
    expect(got).toBe(false);
    expect(sched.queued).toBe(1);
    a.release();
    const c = await p;
    expect(c.runner).toBe(b.runner);
    expect(sched.queued).toBe(0);
  });

  it('rejects with 503 when the queue is full', async () => {
    const { sched } = setup({ maxQueue: 1 });
    const a = await sched.acquire(req('m'));
    const waiting = sched.acquire(req('m'));
    await tick();
    const err = await sched.acquire(req('m')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerBusyError);
    expect((err as ServerBusyError).status).toBe(503);
    expect((err as Error).message).toBe('server busy, please try again.  maximum pending requests exceeded');
    a.release();
    (await waiting).release();
  });

  it('evicts the idle model with the shortest keep-alive when max loaded is reached', async () => {
    const { sched } = setup({ maxLoadedModels: 2 });
    const a = await sched.acquire(req('a', { keepAliveMs: 60_000 }));
    a.release();
    const b = await sched.acquire(req('b', { keepAliveMs: 10_000 }));
    b.release();
    const c = await sched.acquire(req('c'));
    expect(b.runner.disposed).toBe(true);
    expect(a.runner.disposed).toBe(false);
    expect(sched.ps().map((p) => p.name).sort()).toEqual(['a', 'c']);
    c.release();
  });

  it('waits for a busy model when all are busy', async () => {
    const { sched } = setup({ maxLoadedModels: 1 });
    const a = await sched.acquire(req('a'));
    let got = false;
    const p = sched.acquire(req('b')).then((l) => ((got = true), l));
    await tick();
    expect(got).toBe(false);
    a.release();
    const b = await p;
    expect(a.runner.disposed).toBe(true);
    expect(b.runner.spec.name).toBe('b');
  });

  it('expires an idle runner after its keep-alive', async () => {
    vi.useFakeTimers();
    const { sched } = setup({ keepAliveMs: 1000 });
    const a = await sched.acquire(req('m'));
    a.release();
    expect(sched.ps()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(a.runner.disposed).toBe(false);
    await vi.advanceTimersByTimeAsync(2);
    expect(a.runner.disposed).toBe(true);
    expect(sched.ps()).toHaveLength(0);
  });

  it('a new request cancels the expiry timer', async () => {
    vi.useFakeTimers();
    const { sched } = setup({ keepAliveMs: 1000 });
    (await sched.acquire(req('m'))).release();
    await vi.advanceTimersByTimeAsync(500);
    const b = await sched.acquire(req('m'));
    await vi.advanceTimersByTimeAsync(5000);
    expect(b.runner.disposed).toBe(false);
    b.release();
  });

  it('keep_alive 0 unloads after the request; negative keeps forever', async () => {
    vi.useFakeTimers();
    const { sched } = setup({ keepAliveMs: 1000 });
    const a = await sched.acquire(req('m', { keepAliveMs: 0 }));
    expect(a.runner.disposed).toBe(false);
    a.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(a.runner.disposed).toBe(true);
    const b = await sched.acquire(req('n', { keepAliveMs: -1 }));
    b.release();
    await vi.advanceTimersByTimeAsync(10 ** 9);
    expect(b.runner.disposed).toBe(false);
    const ps = sched.ps();
    expect(ps[0]!.keep_alive_ms).toBe(Infinity);
    expect(ps[0]!.expires_at.getFullYear()).toBeGreaterThan(2200);
  });

  it('a request without keep_alive keeps the current duration', async () => {
    vi.useFakeTimers({ now: 0 });
    const { sched } = setup({ keepAliveMs: 1000 });
    (await sched.acquire(req('m', { keepAliveMs: 60_000 }))).release();
    (await sched.acquire(req('m'))).release();
    expect(sched.ps()[0]!.keep_alive_ms).toBe(60_000);
    expect(sched.ps()[0]!.expires_at.getTime()).toBe(60_000);
  });

  it('ps reports size, context, details', async () => {
    const { sched } = setup();
    const a = await sched.acquire(req('m', { details: { family: 'llama' } }));
    expect(sched.ps()).toEqual([
      expect.objectContaining({ name: 'm', model: '/blobs/m', size: 1000, size_vram: 0, context_length: 2048, details: { family: 'llama' } }),
    ]);
    a.release();
  });

  it('unload(name) unloads an idle model at once and a busy one when done', async () => {
    const { sched } = setup();
    const a = await sched.acquire(req('a'));
    a.release();
    expect(await sched.unload('a')).toBe(true);
    expect(a.runner.disposed).toBe(true);
    expect(await sched.unload('nope')).toBe(false);
    const b = await sched.acquire(req('b'));
    await sched.unload('b');
    expect(b.runner.disposed).toBe(false);
    b.release();
    await tick();
    expect(b.runner.disposed).toBe(true);
  });

  it('a failed load rejects every waiter with the same error and keeps the scheduler usable', async () => {
    const { sched } = setup({ numParallel: 2 });
    const [e1, e2] = await Promise.all([
      sched.acquire({ name: 'x', modelPath: '/corrupt', options: opts }).catch((e: unknown) => e),
      sched.acquire({ name: 'x', modelPath: '/corrupt', options: opts }).catch((e: unknown) => e),
    ]);
    expect((e1 as Error).message).toBe('bad file');
    expect(e2).toBe(e1);
    expect(sched.ps()).toEqual([]);
    const ok = await sched.acquire(req('y'));
    ok.release();
  });

  it('a waiting request can be aborted', async () => {
    const { sched } = setup();
    const a = await sched.acquire(req('m'));
    const ac = new AbortController();
    const p = sched.acquire(req('m', { signal: ac.signal }));
    await tick();
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(RequestAbortedError);
    expect(sched.queued).toBe(0);
    a.release();
  });

  it('unloadAll frees every runner and rejects later requests', async () => {
    const { sched } = setup();
    const a = await sched.acquire(req('a'));
    const b = await sched.acquire(req('b'));
    b.release();
    await sched.unloadAll();
    expect(a.runner.disposed && b.runner.disposed).toBe(true);
    await expect(sched.acquire(req('c'))).rejects.toThrow(/shutting down/);
  });

  it('concurrent first requests share one load', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const { sched, loads } = setup({ numParallel: 2, loadGate: gate });
    const p1 = sched.acquire(req('m'));
    const p2 = sched.acquire(req('m'));
    await tick();
    open();
    const [a, b] = await Promise.all([p1, p2]);
    expect(a.runner).toBe(b.runner);
    expect(loads).toHaveLength(1);
  });
});
