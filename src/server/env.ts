/**
 * Server configuration from the environment, with Ollama's defaults and parsing rules
 * (ollama:envconfig/config.go, reference §8 and §3.12):
 *  - every value is trimmed of spaces and surrounding quotes;
 *  - booleans use Go's strconv.ParseBool, and a non-empty value it cannot parse counts as true;
 *  - unsigned integers that do not parse (base 10 only) log a warning and use the default.
 * Warnings are collected in `warnings` for the caller to log.
 */
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_KEEP_ALIVE, MAX_DURATION, SECOND, keepAliveFromEnv, parseDuration } from '../api/duration.js';
import { parseOllamaHost, trimEnvValue, type OllamaHost } from '../api/host.js';
import { allowedOrigins, parseApiKeys } from './security.js';
import { kvCacheProblem } from '../runtime/options.js';

export type Env = Record<string, string | undefined>;

export interface ServerConfig {
  /** OLLAMA_HOST: where `serve` listens. */
  host: OllamaHost;
  /** OLLAMA_MODELS: the store root (default `~/.ollama/models`). */
  models: string;
  /** OLLAMA_ORIGINS followed by Ollama's default origins. */
  origins: string[];
  /** OLLAMA_KEEP_ALIVE in nanoseconds (default 5m; negative = forever = MAX_DURATION). */
  keepAlive: bigint;
  /** OLLAMA_LOAD_TIMEOUT in nanoseconds (default 5m; ≤ 0 = forever = MAX_DURATION). */
  loadTimeout: bigint;
  /** OLLAMA_MAX_LOADED_MODELS (0 = auto). */
  maxLoadedModels: number;
  /** OLLAMA_NUM_PARALLEL (default 1). */
  numParallel: number;
  /** OLLAMA_MAX_QUEUE (default 512). */
  maxQueue: number;
  /** OLLAMA_CONTEXT_LENGTH (0 = automatic). */
  contextLength: number;
  noPrune: boolean;
  /**
   * Tollama only: OLLAMA_READONLY. The store is never written (no pull/create/delete/copy/…,
   * no start-up prune); `serve` also turns this on by itself when the store cannot be written.
   */
  readOnly: boolean;
  /** Tollama only: OLLAMA_METRICS. Serve Prometheus metrics at `GET /metrics` (off: 404, as Ollama). */
  metrics: boolean;
  noHistory: boolean;
  /** OLLAMA_FLASH_ATTENTION: undefined when unset (llama.cpp decides: "auto"), else Ollama's bool. */
  flashAttention: boolean | undefined;
  /** OLLAMA_KV_CACHE_TYPE, lower case ('' = f16). */
  kvCacheType: string;
  /** OLLAMA_GO_TEMPLATE (default true). */
  goTemplate: boolean;
  /** OLLAMA_GO_TEMPLATE is set (non-empty): it then alone decides Go template vs the GGUF's own. */
  goTemplateSet?: boolean;
  noCloud: boolean;
  /** OLLAMA_DEBUG: 0 = info, 1 = debug, 2 = trace. */
  debug: number;
  /** Tollama only: OLLAMA_API_KEYS (comma-separated). Empty = no authentication. */
  apiKeys: string[];
  /**
   * Tollama only: OLLAMA_SHUTDOWN_TIMEOUT in ms (default 5 s). On SIGTERM/SIGINT, how long
   * non-streamed requests in flight may take to finish (streams end at once; shutdown.ts).
   */
  shutdownTimeoutMs: number;
  /** Problems found while reading (bad numbers, …), one sentence each. */
  warnings: string[];
}

/** envconfig.Var: the value trimmed of spaces and surrounding quotes (`""` when unset). */
export function envVar(env: Env, key: string): string {
  return trimEnvValue(env[key] ?? '');
}

/** Go's strconv.ParseBool; null when not a boolean spelling. */
export function parseGoBool(s: string): boolean | null {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return null;
}

/** envconfig.Bool: unset/empty → false, unparseable non-empty → true. */
export function envBool(env: Env, key: string, defaultValue = false): boolean {
  const s = envVar(env, key);
  if (s === '') return defaultValue;
  return parseGoBool(s) ?? true;
}

/** envconfig.Uint: base-10 unsigned integer, else a warning and the default. */
export function envUint(env: Env, key: string, defaultValue: number, warnings: string[] = []): number {
  const s = envVar(env, key);
  if (s === '') return defaultValue;
  if (/^\d+$/.test(s) && Number(s) <= Number.MAX_SAFE_INTEGER) return Number(s);
  warnings.push(`invalid environment variable, using default: ${key}=${JSON.stringify(s)} (default ${defaultValue})`);
  return defaultValue;
}

/** OLLAMA_KV_CACHE_TYPE, lower case as Ollama passes it on; an unknown or unusable one is a warning at start (loads then fail saying why). */
function kvCacheTypeFromEnv(env: Env, flashAttention: boolean | undefined, warnings: string[]): string {
  const t = envVar(env, 'OLLAMA_KV_CACHE_TYPE').toLowerCase();
  const problem = kvCacheProblem(t, flashAttention ?? 'auto');
  if (problem) warnings.push(`${problem}: loading a model will fail`);
  return t;
}

/** OLLAMA_LOAD_TIMEOUT: Go duration or integer seconds; ≤ 0 → forever; bad → 5m. */
export function loadTimeoutFromEnv(raw: string, warnings: string[] = []): bigint {
  const s = trimEnvValue(raw);
  if (s === '') return DEFAULT_KEEP_ALIVE;
  let d: bigint;
  try {
    d = parseDuration(s);
  } catch {
    if (!/^[+-]?\d+$/.test(s)) {
      warnings.push(`invalid duration in OLLAMA_LOAD_TIMEOUT=${JSON.stringify(s)}, using 5m`);
      return DEFAULT_KEEP_ALIVE;
    }
    d = BigInt(s) * SECOND;
  }
  return d <= 0n ? MAX_DURATION : d;
}

/** OLLAMA_SHUTDOWN_TIMEOUT's default: 5 s, within `docker stop`'s 10 s before its SIGKILL. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;

/** OLLAMA_SHUTDOWN_TIMEOUT: Go duration or integer seconds, ≥ 0; anything else → 5s. */
export function shutdownTimeoutFromEnv(raw: string, warnings: string[] = []): number {
  const s = trimEnvValue(raw);
  if (s === '') return DEFAULT_SHUTDOWN_TIMEOUT_MS;
  let d: bigint | undefined;
  try {
    d = parseDuration(s);
  } catch {
    if (/^\d+$/.test(s)) d = BigInt(s) * SECOND;
  }
  if (d === undefined || d < 0n) {
    warnings.push(`invalid duration in OLLAMA_SHUTDOWN_TIMEOUT=${JSON.stringify(s)}, using 5s`);
    return DEFAULT_SHUTDOWN_TIMEOUT_MS;
  }
  return Number(d / 1_000_000n);
}

/** OLLAMA_DEBUG: a true boolean → 1 (debug); an integer n → n; else 0. */
export function debugLevel(raw: string): number {
  const s = trimEnvValue(raw);
  if (s === '') return 0;
  if (parseGoBool(s) === true) return 1;
  return /^[+-]?\d+$/.test(s) ? Math.max(0, Number(s)) : 0;
}

function isDurationOrSeconds(s: string): boolean {
  if (/^[+-]?\d+$/.test(s)) return true;
  try {
    parseDuration(s);
    return true;
  } catch {
    return false;
  }
}

/** The default store: `$HOME/.ollama/models`. */
export function defaultModelsDir(): string {
  return path.join(os.homedir(), '.ollama', 'models');
}

/**
 * Ollama 0.33 settings Tollama reads but has no use for, with why: set, each is a start-up
 * warning rather than silently ignored.
 */
const UNUSED_OLLAMA_VARS: ReadonlyArray<[string, string]> = [
  ['OLLAMA_SCHED_SPREAD', 'node-llama-cpp always spreads a model over every GPU it offloads to'],
  ['OLLAMA_IGPU_ENABLE', 'GPU selection is OLLAMA_LLM_LIBRARY, OLLAMA_VULKAN and num_gpu (docs/runtime.md#gpu)'],
  ['LLAMA_ARG_FIT', 'llama-server\'s fit options do not apply: node-llama-cpp fits the layers to free VRAM itself'],
  ['LLAMA_ARG_FIT_TARGET', 'llama-server\'s fit options do not apply: node-llama-cpp fits the layers to free VRAM itself (OLLAMA_GPU_OVERHEAD reserves VRAM)'],
  ['OLLAMA_MAX_TRANSFER_STREAMS', 'it sets safetensors transfers, and Tollama pulls GGUF models'],
];

export function unusedOllamaVarWarnings(env: Env): string[] {
  return UNUSED_OLLAMA_VARS.filter(([k]) => envVar(env, k) !== '').map(([k, why]) => `${k} is set but has no effect in Tollama: ${why}`);
}

/** Reads the whole server configuration (default: process.env). Never throws. */
export function readServerConfig(env: Env = process.env): ServerConfig {
  const warnings: string[] = unusedOllamaVarWarnings(env);
  const keepAliveRaw = envVar(env, 'OLLAMA_KEEP_ALIVE');
  const keepAlive = keepAliveFromEnv(keepAliveRaw);
  if (keepAliveRaw !== '' && !isDurationOrSeconds(keepAliveRaw)) {
    warnings.push(`invalid OLLAMA_KEEP_ALIVE=${JSON.stringify(keepAliveRaw)}, using 5m`);
  }
  const models = envVar(env, 'OLLAMA_MODELS');
  const flashAttention = envVar(env, 'OLLAMA_FLASH_ATTENTION') === '' ? undefined : envBool(env, 'OLLAMA_FLASH_ATTENTION');
  return {
    host: parseOllamaHost(env.OLLAMA_HOST ?? ''),
    models: models !== '' ? models : defaultModelsDir(),
    origins: allowedOrigins(envVar(env, 'OLLAMA_ORIGINS')),
    keepAlive,
    loadTimeout: loadTimeoutFromEnv(env.OLLAMA_LOAD_TIMEOUT ?? '', warnings),
    maxLoadedModels: envUint(env, 'OLLAMA_MAX_LOADED_MODELS', 0, warnings),
    numParallel: envUint(env, 'OLLAMA_NUM_PARALLEL', 1, warnings),
    maxQueue: envUint(env, 'OLLAMA_MAX_QUEUE', 512, warnings),
    contextLength: envUint(env, 'OLLAMA_CONTEXT_LENGTH', 0, warnings),
    noPrune: envBool(env, 'OLLAMA_NOPRUNE'),
    readOnly: envBool(env, 'OLLAMA_READONLY'),
    metrics: envBool(env, 'OLLAMA_METRICS'),
    noHistory: envBool(env, 'OLLAMA_NOHISTORY'),
    flashAttention,
    kvCacheType: kvCacheTypeFromEnv(env, flashAttention, warnings),
    goTemplate: envBool(env, 'OLLAMA_GO_TEMPLATE', true),
    goTemplateSet: envVar(env, 'OLLAMA_GO_TEMPLATE') !== '',
    noCloud: envBool(env, 'OLLAMA_NO_CLOUD'),
    debug: debugLevel(env.OLLAMA_DEBUG ?? ''),
    apiKeys: parseApiKeys(env.OLLAMA_API_KEYS),
    shutdownTimeoutMs: shutdownTimeoutFromEnv(env.OLLAMA_SHUTDOWN_TIMEOUT ?? '', warnings),
    warnings,
  };
}
