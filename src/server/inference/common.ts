/**
 * What every inference route shares: the server's dependencies, option merging (defaults ← the
 * model's params layer ← the request), keep_alive, think validation, and acquiring a loaded
 * runner from the scheduler.
 */
import path from 'node:path';
import { ApiError, BadRequestError } from '../../api/errors.js';
import { durationToMs, parseKeepAlive } from '../../api/duration.js';
import { applyRequestOptions, defaultOptions, validateOptions, type Options } from '../../api/options.js';
import type { Capability, ModelDetails } from '../../api/types.js';
import { MediaType, type Store } from '../../registry/store/index.js';
import { resolveRunnerOptions, type Lease, type Runner, type Scheduler } from '../../runtime/index.js';
import type { ServerConfig } from '../env.js';
import type { ServerLogger } from '../log.js';
import { loraMismatch } from '../adapters.js';
import { capabilities, modelGGUF, type ResolvedModel } from '../model.js';

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

/** A damaged weights file gets the bounded GGUF reader's plain message (500), not llama.cpp's internals. */
async function checkWeights(m: ResolvedModel): Promise<void> {
  if (!m.modelPath) return;
  await modelGGUF(m.modelPath).catch((err: unknown) => {
    throw new ApiError(500, `unable to load model ${m.shortName}: ${err instanceof Error ? err.message : String(err)}`);
  });
}

/** Ollama 0.33's answer (400) to images sent to a model without a projector. */
export const NO_MULTIMODAL_MESSAGE = 'Multimodal data provided, but model does not support multimodal requests.';

/**
 * Right before loading: a LoRA adapter that does not fit the base gets llama.cpp's reason (500)
 * (adapters.ts). Not at capability checks, so requests that load nothing (`_debug_render_only`)
 * work as in Ollama, which only meets the adapter when llama-server starts.
 */
async function checkAdapters(m: ResolvedModel): Promise<void> {
  if (!m.modelPath || m.adapterPaths.length === 0) return;
  const fail = (msg: string): never => {
    throw new ApiError(500, `unable to load model ${m.shortName}: ${msg}`);
  };
  const base = await modelGGUF(m.modelPath);
  for (const p of m.adapterPaths) {
    const what = `failed to apply lora adapter ${path.basename(p)}`;
    const adapter = await modelGGUF(p).catch((err: unknown) => fail(`${what}: ${err instanceof Error ? err.message : String(err)}`));
    const why = loraMismatch(base, adapter);
    if (why) fail(`${what}: ${why}`);
  }
}

export async function requireCapabilities(model: string, m: ResolvedModel, needed: Capability[], what: string): Promise<Capability[]> {
  await checkWeights(m);
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
  await checkWeights(m);
  await checkAdapters(m);
  const runnerOptions = resolveRunnerOptions(
    { num_ctx: options.num_ctx, num_batch: options.num_batch, num_thread: options.num_thread, num_gpu: options.num_gpu, main_gpu: options.main_gpu ?? null, use_mmap: options.use_mmap ?? null },
    {
      contextLength: deps.config.contextLength,
      numParallel: deps.config.numParallel,
      flashAttention: deps.config.flashAttention,
      kvCacheType: deps.config.kvCacheType,
    },
  );
  const t0 = process.hrtime.bigint();
  const lease = await deps.sched.acquire({
    name: m.fullName,
    modelPath: await loadableModelPath(deps, m, signal),
    adapterPaths: m.adapterPaths,
    // A tower that cannot become a projector must not stop text: image requests met the error
    // already (requireVision), so here it only costs the model its vision.
    projectorPath: await projectorFor(deps, m, signal).catch((err: unknown) => {
      if (signal?.aborted) throw err;
      deps.log.warn('vision tower not usable; loading the text model alone', { model: m.shortName, error: err instanceof Error ? err.message : String(err) });
      return undefined;
    }),
    options: runnerOptions,
    keepAliveMs: keepAliveMs(keepAlive),
    details: { shortName: m.shortName, digest: m.stored.digest, details: modelDetails(m) },
    signal,
  });
  // Ollama's load_duration is the time spent getting a runner, never 0 (so never omitted), even
  // when the model was already loaded.
  if (lease.loadDuration > 0) return lease;
  return { ...lease, loadDuration: Math.max(1, Number(process.hrtime.bigint() - t0)) };
}

/**
 * The file to load: the model blob, or its llama.cpp-layout translation when the blob is in one
 * of Ollama's own published layouts (docs/compat.md). A file the translator recognises but
 * finds inconsistent is a 500 with the translator's message, like a damaged blob.
 */
async function loadableModelPath(deps: ServerDeps, m: ResolvedModel, signal?: AbortSignal): Promise<string> {
  const layer = m.stored.manifest.layers.find((l) => l.mediaType === MediaType.model);
  if (!layer) return m.modelPath!;
  try {
    return await deps.store.loadablePath(layer.digest, signal);
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(500, `unable to load model ${m.shortName}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The projector libmtmd loads for the model: its projector layer when it has one (Ollama's
 * `ProjectorPaths`), else the derived llama.cpp projector of a vision tower embedded in the model
 * blob, Ollama's published layout (docs/compat.md#towers; built at first use), else none.
 */
export async function projectorFor(deps: ServerDeps, m: ResolvedModel, signal?: AbortSignal): Promise<string | undefined> {
  if (m.projectorPaths.length > 0) return m.projectorPaths[0];
  const layer = m.stored.manifest.layers.find((l) => l.mediaType === MediaType.model);
  if (!layer) return undefined;
  try {
    return (await deps.store.projectorPath(layer.digest, signal)) ?? undefined;
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(500, `unable to load model ${m.shortName}: its vision tower: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Unloads a model (keep_alive 0 with an empty prompt); fine when it was not loaded. */
export async function unload(deps: ServerDeps, m: ResolvedModel): Promise<void> {
  await deps.sched.unload(m.fullName);
}

// ---------------------------------------------------------------------------------------------
// Request field types, checked as Go's json.Unmarshal does into Ollama's request structs.

/** Go's type of a request field: a scalar, a slice of one, or `any` (custom unmarshalers). */
type GoFieldType = 'string' | 'bool' | 'int' | '[]int' | '[]string' | 'object' | 'array' | 'any';

export const GENERATE_FIELDS: Record<string, GoFieldType> = {
  model: 'string', prompt: 'string', suffix: 'string', system: 'string', template: 'string', context: '[]int',
  stream: 'bool', raw: 'bool', images: '[]string', options: 'object', truncate: 'bool', shift: 'bool',
  _debug_render_only: 'bool', logprobs: 'bool', top_logprobs: 'int',
};
export const CHAT_FIELDS: Record<string, GoFieldType> = {
  model: 'string', messages: 'array', stream: 'bool', tools: 'array', options: 'object', truncate: 'bool', shift: 'bool',
  _debug_render_only: 'bool', logprobs: 'bool', top_logprobs: 'int',
};
const MESSAGE_FIELDS: Record<string, GoFieldType> = {
  role: 'string', content: 'string', thinking: 'string', images: '[]string', tool_calls: 'array', tool_name: 'string', tool_call_id: 'string',
};

const ARRAY_TYPES: Record<string, string> = { messages: '[]api.Message', tools: 'api.Tools', tool_calls: '[]api.ToolCall' };

function jsonKindOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

function goTypeMismatch(v: unknown, t: GoFieldType): string | null {
  switch (t) {
    case 'string':
      return typeof v === 'string' ? null : jsonKindOf(v);
    case 'bool':
      return typeof v === 'boolean' ? null : jsonKindOf(v);
    case 'int':
      if (typeof v !== 'number') return jsonKindOf(v);
      return Number.isInteger(v) ? null : `number ${v}`;
    case 'object':
      return typeof v === 'object' && !Array.isArray(v) ? null : jsonKindOf(v);
    case 'array':
    case '[]int':
    case '[]string':
      return Array.isArray(v) ? null : jsonKindOf(v);
    case 'any':
      return null;
  }
}

function typeError(kind: string, struct: string, field: string, t: string): BadRequestError {
  return new BadRequestError(`json: cannot unmarshal ${kind} into Go struct field ${struct}.${field} of type ${t}`);
}

function checkStruct(body: Record<string, unknown>, struct: string, path: string, fields: Record<string, GoFieldType>): void {
  for (const [key, t] of Object.entries(fields)) {
    const v = body[key];
    if (v === undefined || v === null) continue;
    const field = path ? `${path}.${key}` : key;
    const bad = goTypeMismatch(v, t);
    if (bad) throw typeError(bad, struct, field, t === 'object' ? 'map[string]interface {}' : t === 'array' ? (ARRAY_TYPES[key] ?? '[]interface {}') : t);
    if (t === '[]int' || t === '[]string') {
      const elem = t.slice(2) as GoFieldType;
      for (const x of v as unknown[]) {
        const e = x === null ? null : goTypeMismatch(x, elem);
        if (e) throw typeError(e, struct, field, elem);
      }
    }
  }
}

/**
 * Rejects a request body whose fields have the wrong JSON type, with Go's decoder message
 * (`json: cannot unmarshal number into Go struct field GenerateRequest.prompt of type string`);
 * a body that is not an object (or null) is `… into Go value of type api.<Struct>`.
 */
export function checkRequestTypes(body: unknown, struct: 'GenerateRequest' | 'ChatRequest'): void {
  if (body === null || body === undefined) return;
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequestError(`json: cannot unmarshal ${jsonKindOf(body)} into Go value of type api.${struct}`);
  }
  const b = body as Record<string, unknown>;
  checkStruct(b, struct, '', struct === 'GenerateRequest' ? GENERATE_FIELDS : CHAT_FIELDS);
  if (struct === 'ChatRequest' && Array.isArray(b.messages)) {
    for (const m of b.messages) {
      if (m === null) continue;
      if (typeof m !== 'object' || Array.isArray(m)) throw typeError(jsonKindOf(m), struct, 'messages', 'api.Message');
      checkStruct(m as Record<string, unknown>, 'Message', 'messages', MESSAGE_FIELDS);
    }
  }
}
