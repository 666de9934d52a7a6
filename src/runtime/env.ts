/**
 * Reads the runtime's environment variables (Ollama's envconfig rules: values trimmed of spaces
 * and quotes; an invalid unsigned integer logs a warning and uses the default). OLLAMA_KEEP_ALIVE
 * is a Go duration and is parsed by the server's duration parser, not here.
 */
import { silentLogger, type RuntimeLogger } from './logger.js';

export interface RuntimeEnv {
  /** OLLAMA_NUM_PARALLEL (default 1). */
  numParallel: number;
  /** OLLAMA_MAX_LOADED_MODELS (default 0 = auto, 3 on CPU). */
  maxLoadedModels: number;
  /** OLLAMA_MAX_QUEUE (default 512). */
  maxQueue: number;
  /** OLLAMA_CONTEXT_LENGTH (default 0 = Ollama's default num_ctx, 4096 without a GPU). */
  contextLength: number;
}

export function readRuntimeEnv(env: Record<string, string | undefined> = process.env, logger: RuntimeLogger = silentLogger): RuntimeEnv {
  const uint = (key: string, dflt: number): number => {
    const raw = clean(env[key]);
    if (raw === '') return dflt;
    if (!/^\d+$/.test(raw)) {
      logger.warn(`invalid environment variable, using default`, { key, value: raw, default: dflt });
      return dflt;
    }
    return Number(raw);
  };
  return {
    numParallel: Math.max(1, uint('OLLAMA_NUM_PARALLEL', 1)),
    maxLoadedModels: uint('OLLAMA_MAX_LOADED_MODELS', 0),
    maxQueue: uint('OLLAMA_MAX_QUEUE', 512),
    contextLength: uint('OLLAMA_CONTEXT_LENGTH', 0),
  };
}

function clean(v: string | undefined): string {
  return (v ?? '').trim().replace(/^["']+|["']+$/g, '').trim();
}
