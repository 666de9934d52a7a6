/**
 * Thread policy. node-llama-cpp's own default (4 threads on a 2-core machine, and `threads: 0`
 * which resolves to the same) spin-waits ggml's barrier on oversubscribed cores and runs about
 * 100× slower, so the runtime always chooses the count itself (docs/performance.md).
 *
 * - `num_thread` > 0 from the request/Modelfile wins, clamped to [1, maxThreads].
 * - A small model (file < SMALL_MODEL_BYTES) on the prebuilt binary gets 1 thread: the prebuilt
 *   addon spends a fixed ~15 ms per decode creating worker threads when threads > 1, which costs a
 *   tiny model 25× its speed.
 *   Tollama's patched addon (persistent threadpool, native.ts) still loses ~0.6 ms per token at 2
 *   threads, which only pays off above SMALL_MODEL_BYTES_THREADPOOL; below it, 1 thread too.
 * - Anything else gets every core (availableParallelism, capped at maxThreads and MAX_DEFAULT).
 */

import { getNativeBinaryInfo } from './llama.js';

/** Files under this size are "small" (every test model; not a real 0.5B model). */
export const SMALL_MODEL_BYTES = 300 * 1024 * 1024;
/** With the patched addon's threadpool, files under this size still run faster on 1 thread. */
export const SMALL_MODEL_BYTES_THREADPOOL = 32 * 1024 * 1024;
/** Never pick more than this many threads by default, however many cores there are. */
export const MAX_DEFAULT_THREADS = 32;

export interface ThreadPolicyInput {
  /** Size of the GGUF file in bytes. */
  fileSizeBytes: number;
  /** `llama.buildType`: "prebuilt" or "localBuild". */
  buildType: string;
  /** os.availableParallelism() (cores usable by this process). */
  cores: number;
  /** The Llama instance's maxThreads (the process-wide cap). */
  maxThreads: number;
  /** Ollama's `num_thread` option: 0 or absent = choose automatically. */
  numThread?: number | undefined;
  /**
   * Whether contexts get a persistent threadpool (native.ts `NativeBinaryInfo.threadpool`). When
   * absent, the shared Llama instance's binary is asked (llama.ts getNativeBinaryInfo), if it exists.
   */
  threadpool?: boolean | undefined;
}

export interface ThreadChoice {
  threads: number;
  reason: 'num_thread' | 'small-model' | 'cores';
}

export function chooseThreads(input: ThreadPolicyInput): ThreadChoice {
  const cap = Math.max(1, Math.floor(finiteOr(input.maxThreads, 1)));
  const requested = Math.floor(finiteOr(input.numThread ?? 0, 0));
  if (requested > 0) return { threads: Math.min(requested, cap), reason: 'num_thread' };
  const threadpool = input.threadpool ?? getNativeBinaryInfo()?.threadpool;
  if (threadpool === true) {
    if (input.fileSizeBytes < SMALL_MODEL_BYTES_THREADPOOL) return { threads: 1, reason: 'small-model' };
  } else if ((input.buildType === 'prebuilt' || threadpool === false) && input.fileSizeBytes < SMALL_MODEL_BYTES) {
    return { threads: 1, reason: 'small-model' };
  }
  const cores = Math.max(1, Math.floor(finiteOr(input.cores, 1)));
  return { threads: Math.min(cores, cap, MAX_DEFAULT_THREADS), reason: 'cores' };
}

function finiteOr(n: number, fallback: number): number {
  return Number.isFinite(n) ? n : fallback;
}
