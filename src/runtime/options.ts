/**
 * Ollama's option names and defaults (reference §3.7), split into the options that need a reload
 * (runner options) and those that apply per request (sampling options).
 */
import { defaultOptions } from '../api/options.js';

/** Per-request generation options, with Ollama's names. Absent = Ollama's default. */
export interface SamplingOptions {
  num_keep?: number;
  seed?: number;
  num_predict?: number;
  top_k?: number;
  top_p?: number;
  min_p?: number;
  /** Not supported by node-llama-cpp 3.22.1: accepted and ignored (values ≠ 1 are logged). */
  typical_p?: number;
  repeat_last_n?: number;
  temperature?: number;
  repeat_penalty?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  stop?: string[];
}

const SAMPLING_KEYS = [
  'num_keep', 'seed', 'num_predict', 'top_k', 'top_p', 'min_p', 'typical_p', 'repeat_last_n',
  'temperature', 'repeat_penalty', 'presence_penalty', 'frequency_penalty',
] as const;

/** Ollama's defaults for the sampling options, taken from the one options table (src/api/options.ts). */
export const DEFAULT_SAMPLING: Required<Omit<SamplingOptions, 'stop'>> & { stop: string[] } = (() => {
  const d = defaultOptions();
  const out = { stop: [] as string[] } as Required<Omit<SamplingOptions, 'stop'>> & { stop: string[] };
  for (const k of SAMPLING_KEYS) out[k] = d[k];
  return out;
})();

/** Options fixed when a model is loaded; a change reloads the runner. Ollama names. */
export interface RunnerOptionsInput {
  num_ctx?: number;
  num_batch?: number;
  num_thread?: number;
  /** -1 auto, 0 CPU only; this runtime is CPU-only, so it only matters for reload decisions. */
  num_gpu?: number;
  main_gpu?: number | null;
  use_mmap?: boolean | null;
}

/** Resolved runner options (what a loaded runner was created with). */
export interface RunnerOptions {
  /** Requested context per sequence (before capping to the model's trained context). */
  numCtx: number;
  numBatch: number;
  /** 0 = thread policy decides. */
  numThread: number;
  numGpu: number;
  mainGpu: number | null;
  useMmap: boolean | null;
  /** Parallel sequences (OLLAMA_NUM_PARALLEL). */
  numParallel: number;
  /** OLLAMA_FLASH_ATTENTION: true/false when set, else 'auto' (llama.cpp decides, as Ollama 0.33). */
  flashAttention: boolean | 'auto';
  /** OLLAMA_KV_CACHE_TYPE, lower case; '' = llama.cpp's default (f16). */
  kvCacheType: string;
}

/**
 * The K/V cache types llama-server accepts for `--cache-type-k/-v` (Ollama 0.33 passes
 * OLLAMA_KV_CACHE_TYPE there), with node-llama-cpp's GgmlType name.
 */
export const KV_CACHE_TYPES: Readonly<Record<string, string>> = Object.freeze({
  f32: 'F32', f16: 'F16', bf16: 'BF16', q8_0: 'Q8_0', q4_0: 'Q4_0', q4_1: 'Q4_1', iq4_nl: 'IQ4_NL', q5_0: 'Q5_0', q5_1: 'Q5_1',
});

/** A K/V cache type stored in blocks (every llama-server type but f32, f16 and bf16). */
function quantizedKv(kvCacheType: string): boolean {
  return kvCacheType !== '' && !['f32', 'f16', 'bf16'].includes(kvCacheType);
}

/** Why OLLAMA_KV_CACHE_TYPE / OLLAMA_FLASH_ATTENTION cannot make a context, or null when they can. */
export function kvCacheProblem(kvCacheType: string, flashAttention: boolean | 'auto'): string | null {
  if (kvCacheType === '') return null;
  if (!Object.hasOwn(KV_CACHE_TYPES, kvCacheType)) {
    return `OLLAMA_KV_CACHE_TYPE=${JSON.stringify(kvCacheType)} is not a K/V cache type llama.cpp knows (${Object.keys(KV_CACHE_TYPES).join(', ')})`;
  }
  if (flashAttention === false && quantizedKv(kvCacheType)) {
    return `OLLAMA_KV_CACHE_TYPE=${kvCacheType} quantizes the V cache, which needs flash attention, and OLLAMA_FLASH_ATTENTION turns it off`;
  }
  return null;
}

/** Ollama's default num_ctx on a machine without a GPU (the < 23 GiB VRAM tier). */
export const DEFAULT_NUM_CTX = 4096;
export const DEFAULT_NUM_BATCH = 512;

export interface RunnerDefaults {
  /** OLLAMA_CONTEXT_LENGTH when set (> 0), else DEFAULT_NUM_CTX. */
  contextLength?: number;
  /** OLLAMA_NUM_PARALLEL, default 1. */
  numParallel?: number;
  /** OLLAMA_FLASH_ATTENTION when set (undefined: llama.cpp's auto). */
  flashAttention?: boolean | undefined;
  /** OLLAMA_KV_CACHE_TYPE when set. */
  kvCacheType?: string;
}

export function resolveRunnerOptions(opts: RunnerOptionsInput | undefined, defaults: RunnerDefaults = {}): RunnerOptions {
  const o = opts ?? {};
  const ctxDefault = defaults.contextLength && defaults.contextLength > 0 ? defaults.contextLength : DEFAULT_NUM_CTX;
  const numCtx = intOr(o.num_ctx, ctxDefault);
  return {
    numCtx: numCtx > 0 ? Math.max(4, numCtx) : ctxDefault,
    numBatch: Math.max(1, intOr(o.num_batch, DEFAULT_NUM_BATCH)),
    numThread: Math.max(0, intOr(o.num_thread, 0)),
    numGpu: intOr(o.num_gpu, -1),
    mainGpu: o.main_gpu == null ? null : Math.floor(o.main_gpu),
    useMmap: o.use_mmap == null ? null : Boolean(o.use_mmap),
    numParallel: Math.max(1, intOr(defaults.numParallel, 1)),
    flashAttention: defaults.flashAttention ?? 'auto',
    kvCacheType: (defaults.kvCacheType ?? '').toLowerCase(),
  };
}

/**
 * Whether a loaded runner must be reloaded for `wanted` (Ollama's needsReload): any runner option
 * differs, except num_gpu -1 (auto), which matches anything.
 */
export function runnerOptionsDiffer(loaded: RunnerOptions, wanted: RunnerOptions): boolean {
  return (
    loaded.numCtx !== wanted.numCtx ||
    loaded.numBatch !== wanted.numBatch ||
    loaded.numThread !== wanted.numThread ||
    (wanted.numGpu !== -1 && loaded.numGpu !== wanted.numGpu) ||
    loaded.mainGpu !== wanted.mainGpu ||
    loaded.useMmap !== wanted.useMmap ||
    loaded.numParallel !== wanted.numParallel ||
    loaded.flashAttention !== wanted.flashAttention ||
    loaded.kvCacheType !== wanted.kvCacheType
  );
}

/**
 * Why the model's attention heads cannot hold a quantized K/V cache of this type, or null: llama.cpp
 * stores a head's keys and values in blocks of 32 for q8_0, q4_0, q4_1, q5_0, q5_1 and iq4_nl, so the
 * head size must be a multiple of 32 (it refuses the context otherwise). `metadata` is the GGUF's
 * (node-llama-cpp's `fileInfo.metadata`); unknown sizes are left to llama.cpp.
 */
export function kvCacheHeadProblem(kvCacheType: string, metadata: unknown): string | null {
  if (!quantizedKv(kvCacheType)) return null;
  const m = metadata as Record<string, unknown> | undefined;
  const arch = (m?.general as { architecture?: unknown } | undefined)?.architecture;
  const a = typeof arch === 'string' ? (m?.[arch] as Record<string, unknown> | undefined) : undefined;
  const att = a?.attention as Record<string, unknown> | undefined;
  const first = (v: unknown): number | undefined => {
    const n = Array.isArray(v) ? v.find((x) => typeof x === 'number' && x > 0) : v;
    return typeof n === 'number' && n > 0 ? n : undefined;
  };
  const heads = first(att?.head_count);
  const embd = first(a?.embedding_length);
  const fallback = heads && embd ? embd / heads : undefined;
  for (const [what, size] of [['key', first(att?.key_length) ?? fallback], ['value', first(att?.value_length) ?? fallback]] as const) {
    if (size !== undefined && size % 32 !== 0) {
      return `OLLAMA_KV_CACHE_TYPE=${kvCacheType} stores attention heads in blocks of 32, and this model's ${what} heads hold ${size} values: use f16 (or unset it) for this model`;
    }
  }
  return null;
}

function intOr(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : fallback;
}
