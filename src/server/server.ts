/**
 * Assembles `ollama serve`: the store (with Ollama's start-up blob rename and prune), the
 * scheduler over node-llama-cpp runners, the router with every route, and the security
 * middleware; listens on OLLAMA_HOST.
 */
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { durationToMs } from '../api/duration.js';
import { Store, storeReadOnlyReason } from '../registry/store/index.js';
import { Runner, Scheduler } from '../runtime/index.js';
import { OLLAMA_VERSION, TOLLAMA_VERSION } from '../version.js';
import { setGoTemplateEnv } from './capabilities.js';
import { readServerConfig, type ServerConfig } from './env.js';
import { createHttpServer, Router, sendText } from './http.js';
import { METRICS_CONTENT_TYPE, recordLoad, renderMetrics, requestMetrics } from './metrics.js';
import type { PsDetails, ServerDeps } from './inference/common.js';
import { createLogger, type ServerLogger } from './log.js';
import { registerBasicRoutes } from './routes/basic.js';
import { registerInferenceRoutes } from './routes/inference.js';
import { registerModelRoutes } from './routes/models.js';
import { securityMiddleware } from './security.js';
import { registerCreateRoutes } from './routes/create.js';
import { quantizeAvailable, runLlamaQuantize } from '../runtime/quantize.js';
import { registerRegistryRoutes } from './routes/registry.js';
import { registerTransferRoutes } from './routes/transfer.js';
import { registerOpenAIRoutes } from './routes/openai.js';
import { registerAnthropicRoutes } from './routes/anthropic.js';
import { pullOrInstall } from './demo-model.js';
import { ensureOllamaKey } from '../registry/remote/keygen.js';
import { Drain, type ShutdownReport } from './shutdown.js';
import { toOpenAIError } from './openai/errors.js';
import { toAnthropicError } from './anthropic/errors.js';
import { messageOf, statusOf } from '../api/errors.js';
import os from 'node:os';

export interface RunningServer {
  server: http.Server;
  deps: ServerDeps;
  address: AddressInfo;
  /** Closes every connection at once and unloads the models. */
  close(): Promise<void>;
  /**
   * The graceful stop of SIGTERM/SIGINT (shutdown.ts): streams end with an error, other
   * requests get OLLAMA_SHUTDOWN_TIMEOUT to finish; then the models are unloaded.
   */
  shutdown(graceMs?: number): Promise<ShutdownReport>;
}

/** An error in the protocol of the route at `path` (OpenAI's, Anthropic's or Ollama's shape). */
function errorShape(err: unknown, path: string): { status: number; body: unknown } {
  if (path === '/v1/messages') return toAnthropicError(err);
  if (path.startsWith('/v1/')) return toOpenAIError(err);
  return { status: statusOf(err), body: { error: messageOf(err) } };
}

export function buildRouter(deps: ServerDeps): Router {
  const router = new Router();
  registerBasicRoutes(router, OLLAMA_VERSION, { noCloud: deps.config.noCloud });
  registerModelRoutes(router, deps);
  registerInferenceRoutes(router, deps);
  registerRegistryRoutes(router, deps);
  registerTransferRoutes(router, { store: deps.store });
  registerOpenAIRoutes(router, deps);
  registerAnthropicRoutes(router, deps);
  registerCreateRoutes(router, {
    store: deps.store,
    env: deps.config.noPrune ? { ...process.env, OLLAMA_NOPRUNE: '1' } : process.env,
    // `FROM <model>` of a model that is not here pulls it first, as Ollama does.
    pullBase: (name, emit, signal) => pullOrInstall(deps.store, name, { signal, noPrune: deps.config.noPrune }, emit),
    // `quantize`: llama-quantize built at install (absent: such a request is a clear 400).
    ...(quantizeAvailable() ? { quantize: runLlamaQuantize } : {}),
  });
  return router;
}

export async function startServer(config: ServerConfig = readServerConfig(), log: ServerLogger = createLogger(config.debug)): Promise<RunningServer> {
  for (const w of config.warnings) log.warn(w);
  setGoTemplateEnv(config.goTemplateSet ? config.goTemplate : undefined);
  // Ollama creates ~/.ollama/id_ed25519 on first start (it signs ollama.com token requests).
  try {
    const msg = await ensureOllamaKey(os.homedir());
    if (msg) process.stdout.write(msg);
  } catch (err) {
    log.warn('could not create ~/.ollama/id_ed25519', { error: err instanceof Error ? err.message : String(err) });
  }
  const readOnly = config.readOnly ? 'OLLAMA_READONLY is set' : await storeReadOnlyReason(config.models);
  if (readOnly) log.info('model store is read-only: pull, create, push, copy, delete, import and prune are refused', { reason: readOnly });
  const store = new Store(config.models, { warn: (msg) => log.warn(msg), readOnly });
  try {
    const { renamed, prune } = await store.startup({ env: config.noPrune ? { ...process.env, OLLAMA_NOPRUNE: '1' } : process.env });
    if (renamed.length) log.info('renamed blobs', { count: renamed.length });
    if (prune.removedBlobs.length) log.info('pruned unused blobs', { count: prune.removedBlobs.length });
  } catch (err) {
    log.warn('start-up prune failed', { error: err instanceof Error ? err.message : String(err) });
  }
  const loadTimeoutMs = durationToMs(config.loadTimeout); // OLLAMA_LOAD_TIMEOUT (forever = Infinity)
  const sched = new Scheduler<Runner, PsDetails>({
    load: async (spec) => {
      const t0 = process.hrtime.bigint();
      const runner = await Runner.load({ ...spec, logger: log, stallTimeoutMs: loadTimeoutMs });
      recordLoad(Number(process.hrtime.bigint() - t0) / 1e9);
      return runner;
    },
    keepAliveMs: durationToMs(config.keepAlive),
    maxLoadedModels: config.maxLoadedModels,
    numParallel: config.numParallel,
    maxQueue: config.maxQueue,
    logger: log,
  });
  const deps: ServerDeps = { store, sched, config, log };
  const router = buildRouter(deps);
  const security = securityMiddleware({ origins: config.origins, listenHost: config.host.host, apiKeys: config.apiKeys });
  if (config.metrics) {
    router.get('/metrics', (ctx) =>
      sendText(
        ctx.res,
        200,
        renderMetrics({
          queued: sched.queued,
          loaded: sched.ps().map((p) => ({ name: p.details?.shortName ?? p.name, size: p.size, size_vram: p.size_vram })),
          readOnly: store.readOnly !== null,
        }),
        METRICS_CONTENT_TYPE,
      ),
    );
  }
  const drain = new Drain(errorShape);
  const server = createHttpServer(router, {
    drain,
    middleware: config.metrics ? [requestMetrics(router), ...security] : security,
    onError: (err) => log.error('request failed', { error: err instanceof Error ? err.message : String(err) }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.host.port, config.host.host || undefined, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`;
  log.info(`Listening on ${shown} (version ${OLLAMA_VERSION})`, { tollama: TOLLAMA_VERSION });
  if (config.apiKeys.length) log.info('API keys required', { keys: config.apiKeys.length });
  return {
    server,
    deps,
    address,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await sched.unloadAll();
    },
    async shutdown(graceMs = config.shutdownTimeoutMs) {
      const report = await drain.shutdown(server, graceMs);
      await sched.unloadAll();
      return report;
    },
  };
}
