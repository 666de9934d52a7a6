/**
 * The scheduler (Ollama's server/sched.go, reference §8): keeps runners loaded by model name,
 * hands out leases (one per request, at most `numParallel` at a time per runner), reloads a model
 * whose runner options changed, evicts idle models when `maxLoadedModels` is reached, expires
 * idle runners after their keep-alive, and rejects with ServerBusyError (503) when more than
 * `maxQueue` requests are waiting. It takes its configuration as arguments (the server reads the
 * environment) and a `load` function, so tests can run it with fake runners.
 */
import { RequestAbortedError, RunnerClosedError, ServerBusyError } from './errors.js';
import { silentLogger, type RuntimeLogger } from './logger.js';
import { runnerOptionsDiffer, type RunnerOptions } from './options.js';

/** What the scheduler needs from a runner. Runner satisfies it. */
export interface SchedulableRunner {
  readonly contextLength: number;
  readonly sizeBytes: number;
  /** Of sizeBytes, the bytes in GPU memory (0 on the CPU). */
  readonly sizeVramBytes?: number;
  dispose(): Promise<void>;
}

export interface LoadSpec {
  name: string;
  modelPath: string;
  /** LoRA adapter GGUFs applied on top (the model's adapter layers, in order). */
  adapterPaths?: readonly string[];
  /** The model's projector GGUF (vision), loaded on first image use. */
  projectorPath?: string | undefined;
  options: RunnerOptions;
  signal?: AbortSignal;
}

export interface SchedulerConfig<R extends SchedulableRunner> {
  load: (spec: LoadSpec) => Promise<R>;
  /** OLLAMA_KEEP_ALIVE in ms (default 5 min); negative = forever; 0 = unload when idle. */
  keepAliveMs?: number;
  /** OLLAMA_MAX_LOADED_MODELS; 0 or absent = 3 (Ollama's CPU default). */
  maxLoadedModels?: number;
  /** OLLAMA_NUM_PARALLEL: concurrent requests per runner (default 1). */
  numParallel?: number;
  /** OLLAMA_MAX_QUEUE: waiting requests before 503 (default 512). */
  maxQueue?: number;
  logger?: RuntimeLogger;
  /** Clock in ms (tests may pass a fake). */
  now?: () => number;
}

export interface AcquireRequest<D = unknown> {
  name: string;
  modelPath: string;
  /** LoRA adapters; a runner loaded with other adapters is reloaded (as Ollama's needsReload). */
  adapterPaths?: readonly string[];
  /** The model's projector GGUF; a runner loaded with another one is reloaded. */
  projectorPath?: string | undefined;
  options: RunnerOptions;
  /** ms; undefined = keep the runner's current duration (default for a new load); <0 forever. */
  keepAliveMs?: number | undefined;
  /** Shown by ps() (e.g. the model's details for /api/ps). */
  details?: D;
  signal?: AbortSignal;
}

export interface Lease<R> {
  readonly runner: R;
  /** Nanoseconds this request spent waiting for the model to load (0 if it was loaded). */
  readonly loadDuration: number;
  /** Ends the request's use of the runner; idempotent. */
  release(): void;
}

export interface LoadedModelInfo<D = unknown> {
  name: string;
  model: string;
  size: number;
  size_vram: number;
  context_length: number;
  expires_at: Date;
  /** Milliseconds of the current keep-alive (Infinity = forever). */
  keep_alive_ms: number;
  details: D | undefined;
}

/** Ollama's "forever": max int64 nanoseconds, in ms. */
const FOREVER_MS = 9223372036854;
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Entry<R, D> {
  name: string;
  modelPath: string;
  adapterPaths: readonly string[];
  projectorPath: string | undefined;
  options: RunnerOptions;
  details: D | undefined;
  runner?: R;
  loading?: Promise<R>;
  loadStarted: bigint;
  refs: number;
  sessionMs: number;
  expiresAt: number;
  timer?: NodeJS.Timeout;
  unloading: boolean;
  gone?: boolean;
}

export class Scheduler<R extends SchedulableRunner, D = unknown> {
  private readonly entries = new Map<string, Entry<R, D>>();
  private readonly changeWaiters = new Set<() => void>();
  private pending = 0;
  private closed = false;
  private readonly keepAliveMs: number;
  private readonly maxLoaded: number;
  private readonly numParallel: number;
  private readonly maxQueue: number;
  private readonly logger: RuntimeLogger;
  private readonly now: () => number;

  constructor(private readonly config: SchedulerConfig<R>) {
    this.keepAliveMs = normKeepAlive(config.keepAliveMs ?? 5 * 60_000);
    this.maxLoaded = config.maxLoadedModels && config.maxLoadedModels > 0 ? config.maxLoadedModels : 3;
    this.numParallel = Math.max(1, config.numParallel ?? 1);
    this.maxQueue = Math.max(0, config.maxQueue ?? 512);
    this.logger = config.logger ?? silentLogger;
    this.now = config.now ?? Date.now;
  }

  /** Number of requests currently waiting (for a load, a slot or an eviction). */
  get queued(): number {
    return this.pending;
  }

  /** Gets a lease on the runner for `req.name`, loading (or reloading) it when needed. */
  async acquire(req: AcquireRequest<D>): Promise<Lease<R>> {
    let waited = false;
    try {
      for (;;) {
        if (this.closed) throw new RunnerClosedError('the server is shutting down');
        if (req.signal?.aborted) throw new RequestAbortedError();
        const e = this.entries.get(req.name);
        if (e && !e.unloading && e.modelPath === req.modelPath && sameList(e.adapterPaths, req.adapterPaths ?? []) && e.projectorPath === req.projectorPath && !runnerOptionsDiffer(e.options, req.options)) {
          if (e.runner && e.refs < this.numParallel) return this.lease(e, req, 0n);
          if (e.loading && !e.runner) {
            waited = this.enqueue(waited);
            const t0 = e.loadStarted;
            const r = await abortable(e.loading, req.signal);
            if (e.runner === r && !e.unloading && e.refs < this.numParallel) {
              return this.lease(e, req, process.hrtime.bigint() - t0);
            }
            continue;
          }
          waited = this.enqueue(waited);
          await this.waitForChange(req.signal);
          continue;
        }
        if (e) {
          // stale runner (other options or file, or being unloaded): unload it when idle, then retry
          waited = this.enqueue(waited);
          this.retire(e);
          await this.waitForChange(req.signal);
          continue;
        }
        if (this.entries.size >= this.maxLoaded) {
          const victim = this.pickVictim();
          waited = this.enqueue(waited);
          if (victim) {
            this.logger.debug('evicting model', { model: victim.name });
            await this.unloadEntry(victim);
          } else await this.waitForChange(req.signal);
          continue;
        }
        waited = this.enqueue(waited);
        const entry = this.startLoad(req);
        const r = await abortable(entry.loading!, req.signal);
        if (entry.runner === r && !entry.unloading && entry.refs < this.numParallel) {
          return this.lease(entry, req, process.hrtime.bigint() - entry.loadStarted);
        }
      }
    } finally {
      if (waited) this.pending--;
    }
  }

  /** The loaded models, as /api/ps reports them. */
  ps(): LoadedModelInfo<D>[] {
    const now = this.now();
    const out: LoadedModelInfo<D>[] = [];
    for (const e of this.entries.values()) {
      if (!e.runner) continue;
      const forever = e.sessionMs === Infinity;
      const expires = forever ? now + FOREVER_MS : e.refs > 0 || e.timer === undefined ? now + e.sessionMs : e.expiresAt;
      out.push({
        name: e.name,
        model: e.modelPath,
        size: e.runner.sizeBytes,
        size_vram: e.runner.sizeVramBytes ?? 0,
        context_length: e.runner.contextLength,
        expires_at: new Date(expires),
        keep_alive_ms: e.sessionMs,
        details: e.details,
      });
    }
    return out;
  }

  /** Unloads `name` now if idle, else as soon as its requests finish (keep_alive 0). */
  async unload(name: string): Promise<boolean> {
    const e = this.entries.get(name);
    if (!e) return false;
    e.sessionMs = 0;
    if (e.loading && !e.runner) await e.loading.catch(() => {});
    if (e.refs === 0) await this.unloadEntry(e);
    else e.unloading = true;
    return true;
  }

  /** Shutdown: rejects waiting requests and frees every runner, busy or not. */
  async unloadAll(): Promise<void> {
    this.closed = true;
    this.notify();
    const all = [...this.entries.values()];
    await Promise.all(all.map(async (e) => {
      if (e.loading && !e.runner) await e.loading.catch(() => {});
      await this.unloadEntry(e);
    }));
  }

  private enqueue(already: boolean): boolean {
    if (already) return true;
    if (this.pending >= this.maxQueue) throw new ServerBusyError();
    this.pending++;
    return true;
  }

  private startLoad(req: AcquireRequest<D>): Entry<R, D> {
    const entry: Entry<R, D> = {
      name: req.name,
      modelPath: req.modelPath,
      adapterPaths: [...(req.adapterPaths ?? [])],
      projectorPath: req.projectorPath,
      options: req.options,
      details: req.details,
      loadStarted: process.hrtime.bigint(),
      refs: 0,
      sessionMs: req.keepAliveMs === undefined ? this.keepAliveMs : normKeepAlive(req.keepAliveMs),
      expiresAt: 0,
      unloading: false,
    };
    this.entries.set(req.name, entry);
    entry.loading = this.config.load({ name: req.name, modelPath: req.modelPath, adapterPaths: entry.adapterPaths, projectorPath: req.projectorPath, options: req.options }).then(
      (runner) => {
        entry.runner = runner;
        this.notify();
        if (this.closed || this.entries.get(entry.name) !== entry) void runner.dispose();
        return runner;
      },
      (err: unknown) => {
        if (this.entries.get(entry.name) === entry) this.entries.delete(entry.name);
        this.notify();
        throw err;
      },
    );
    entry.loading.catch(() => {});
    return entry;
  }

  private lease(e: Entry<R, D>, req: AcquireRequest<D>, loadNs: bigint): Lease<R> {
    e.refs++;
    if (req.keepAliveMs !== undefined) e.sessionMs = normKeepAlive(req.keepAliveMs);
    if (req.details !== undefined) e.details = req.details;
    if (e.timer) clearTimeout(e.timer);
    e.timer = undefined;
    let released = false;
    const runner = e.runner!;
    return {
      runner,
      loadDuration: Number(loadNs),
      release: () => {
        if (released) return;
        released = true;
        e.refs--;
        if (e.refs === 0) this.onIdle(e);
        this.notify();
      },
    };
  }

  private onIdle(e: Entry<R, D>): void {
    if (this.entries.get(e.name) !== e) return;
    if (e.unloading || e.sessionMs === 0) {
      void this.unloadEntry(e);
      return;
    }
    if (e.sessionMs === Infinity) return;
    e.expiresAt = this.now() + e.sessionMs;
    this.arm(e);
  }

  private arm(e: Entry<R, D>): void {
    const left = e.expiresAt - this.now();
    e.timer = setTimeout(() => {
      e.timer = undefined;
      if (e.refs > 0 || this.entries.get(e.name) !== e) return;
      if (this.now() < e.expiresAt) this.arm(e);
      else {
        this.logger.debug('keep-alive expired', { model: e.name });
        void this.unloadEntry(e);
      }
    }, Math.max(0, Math.min(left, MAX_TIMER_MS)));
    e.timer.unref?.();
  }

  /** Marks an entry for unloading; unloads right away when idle. */
  private retire(e: Entry<R, D>): void {
    e.unloading = true;
    if (e.refs === 0 && e.runner) void this.unloadEntry(e);
  }

  /** Ollama's choice: shortest keep-alive first (forever last), then soonest expiry, then path; idle only. */
  private pickVictim(): Entry<R, D> | undefined {
    const idle = [...this.entries.values()].filter((e) => e.runner && e.refs === 0);
    idle.sort((a, b) => a.sessionMs - b.sessionMs || a.expiresAt - b.expiresAt || (a.modelPath < b.modelPath ? -1 : a.modelPath > b.modelPath ? 1 : 0));
    return idle[0];
  }

  private async unloadEntry(e: Entry<R, D>): Promise<void> {
    if (e.gone) return;
    e.gone = true;
    if (e.timer) clearTimeout(e.timer);
    e.timer = undefined;
    e.unloading = true;
    if (this.entries.get(e.name) === e) this.entries.delete(e.name);
    const r = e.runner;
    if (r) {
      try {
        await r.dispose();
      } catch (err) {
        this.logger.warn('error unloading model', { model: e.name, error: String(err) });
      }
    }
    this.notify();
  }

  private notify(): void {
    const ws = [...this.changeWaiters];
    this.changeWaiters.clear();
    for (const w of ws) w();
  }

  private waitForChange(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.changeWaiters.delete(done);
        reject(new RequestAbortedError());
      };
      this.changeWaiters.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function normKeepAlive(ms: number): number {
  if (!Number.isFinite(ms)) return ms > 0 ? Infinity : 0;
  return ms < 0 ? Infinity : ms;
}

function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new RequestAbortedError());
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
