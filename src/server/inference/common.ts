/**
 * What every inference route shares: the server's dependencies, option merging (defaults ← the
 * model's params layer ← the request), keep_alive, think validation, and acquiring a loaded
 * runner from the scheduler.
 */
import { BadRequestError } from '../../api/errors.js';
import { durationToMs, parseKeepAlive } from '../../api/duration.js';
import { applyRequestOptions, defaultOptions, validateOptions, type Options } from '../../api/options.js';
import type { Capability, ModelDetails } from '../../api/types.js';
import type { Store } from '../../registry/store/index.js';
import { resolveRunnerOptions, type Lease, type Runner, type Scheduler } from '../../runtime/index.js';
import type { ServerConfig } from '../env.js';
import type { ServerLogger } from '../log.js';
import { capabilities, type ResolvedModel } from '../model.js';

export interface ServerDeps {
  store: Store;
  sched: Scheduler<Runner, PsDetails>;
  config: ServerConfig;
  log: ServerLogger;
}

/** What /api/ps shows for a loaded model besides the scheduler's own numbers. */
export interface PsDetails {
  shortName: string;
  digest: string;
  details: ModelDetails;
}

export function modelDetails(m: ResolvedModel): ModelDetails {
  const c = m.config;
  const parent = m.stored.manifest.layers.find((l) => l.mediaType === 'application/vnd.ollama.image.model')?.from ?? '';
  return {
    parent_model: parent,
    format: c?.model_format ?? '',
    family: c?.model_family ?? '',
    families: c?.model_families ?? null,
    parameter_size: c?.model_type ?? '',
    quantization_level: c?.file_type ?? '',
  };
}

/** Merged options for a request; unknown option names are logged and ignored, as Ollama does. */
export function mergeOptions(deps: ServerDeps, m: ResolvedModel, requestOptions: unknown): Options {
  const base = defaultOptions(deps.config.contextLength > 0 ? deps.config.contextLength : undefined);
  const fromModel = applyRequestOptions(base, m.params);
  const merged = applyRequestOptions(fromModel.options, requestOptions);
  for (const key of merged.ignored) deps.log.warn('invalid option provided', { option: key });
  validateOptions(merged.options);
  return merged.options;
}

/** keep_alive from a request in ms for the scheduler (undefined = keep the current one). */
export function keepAliveMs(value: unknown): number | undefined {
  const ns = parseKeepAlive(value);
  return ns === undefined ? undefined : durationToMs(ns);
}

export function isZeroKeepAlive(value: unknown): boolean {
  const ns = parseKeepAlive(value);
  return ns === 0n;
}

/** Think validation (reference §3.3 step 4); returns the effective think value. */
export function resolveThink(model: string, caps: Capability[], think: unknown): boolean | string | undefined {
  const truthy = think === true || (typeof think === 'string' && think !== '' && think !== 'false');
  if (truthy && !caps.includes('thinking')) throw new BadRequestError(`"${model}" does not support thinking`);
  if (think === undefined || think === null) return caps.includes('thinking') ? true : undefined;
  if (typeof think !== 'boolean' && typeof think !== 'string') throw new BadRequestError('invalid think value');
  return think;
}

export async function requireCapabilities(model: string, m: ResolvedModel, needed: Capability[], what: string): Promise<Capability[]> {
  const caps = await capabilities(m);
  for (const c of needed) {
    if (caps.includes(c)) continue;
    if (c === 'completion') throw new BadRequestError(`"${model}" does not support ${what}`);
    throw new BadRequestError(`${m.fullName} does not support ${c}`);
  }
  return caps;
}

/** Loads (or reuses) the model's runner; the caller must release the lease. */
export async function acquire(deps: ServerDeps, m: ResolvedModel, options: Options, keepAlive: unknown, signal?: AbortSignal): Promise<Lease<Runner>> {
  if (!m.modelPath) throw new BadRequestError(`model '${m.shortName}' has no weights`);
  const runnerOptions = resolveRunnerOptions(
    { num_ctx: options.num_ctx, num_batch: options.num_batch, num_thread: options.num_thread, num_gpu: options.num_gpu, main_gpu: options.main_gpu ?? null, use_mmap: options.use_mmap ?? null },
    { contextLength: deps.config.contextLength, numParallel: deps.config.numParallel },
  );
  return deps.sched.acquire({
    name: m.fullName,
    modelPath: m.modelPath,
    options: runnerOptions,
    keepAliveMs: keepAliveMs(keepAlive),
    details: { shortName: m.shortName, digest: m.stored.digest, details: modelDetails(m) },
    signal,
  });
}

/** Unloads a model (keep_alive 0 with an empty prompt); fine when it was not loaded. */
export async function unload(deps: ServerDeps, m: ResolvedModel): Promise<void> {
  await deps.sched.unload(m.fullName);
}
