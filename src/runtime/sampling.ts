/**
 * Maps Ollama's sampling options to node-llama-cpp's SequenceEvaluateOptions (pure; no import of
 * node-llama-cpp at run time).
 *
 * - temperature, top_k, top_p, min_p, seed: passed through. seed < 0 (Ollama's "random") picks
 *   a fresh random seed; the same seed, prompt and options give the same output.
 * - repeat_penalty, presence_penalty, frequency_penalty over the last repeat_last_n tokens of the
 *   sequence (prompt included, as llama.cpp's server does); repeat_last_n -1 = num_ctx, 0 = off.
 * - typical_p: llama.cpp's locally typical sampler, between top-k and top-p as in llama-server's
 *   default order. 0 (which Ollama omits from its llama-server request) and ≥ 1 mean none. It needs
 *   Tollama's patched addon and JavaScript patch (node-llama-cpp 3.22.1 has no typical stage):
 *   `typicalP` is handed to the sampler through the sequence (generate.ts).
 * - num_predict, stop, num_keep are handled by the generation loop, not the sampler.
 */
import { RuntimeError } from './errors.js';
import { DEFAULT_SAMPLING, type SamplingOptions } from './options.js';

export interface EvaluateSampling {
  temperature: number;
  topK: number;
  topP: number;
  minP: number;
  seed: number;
  /** Locally typical sampling; undefined = none. Not a node-llama-cpp option (see generate.ts). */
  typicalP?: number;
  repeatPenalty?: {
    punishTokens: () => number[];
    maxPunishTokens: number;
    penalty: number;
    frequencyPenalty: number;
    presencePenalty: number;
  };
}

export interface ResolvedSampling {
  evaluate: EvaluateSampling;
  /** The seed actually used (random when the request asked for -1). */
  seed: number;
}

/**
 * @param history returns the tokens of the sequence so far (prompt + generated); called per token
 * @param numCtx the sequence's context size (for repeat_last_n = -1)
 */
export function resolveSampling(
  opts: SamplingOptions | undefined,
  history: () => readonly number[],
  numCtx: number,
  random: () => number = Math.random,
): ResolvedSampling {
  const o = { ...DEFAULT_SAMPLING, ...stripUndefined(opts ?? {}) };
  const seed = Number.isFinite(o.seed) && o.seed >= 0 ? Math.floor(o.seed) % 2 ** 32 : Math.floor(random() * 2 ** 31);
  const temperature = Math.max(0, num(o.temperature, DEFAULT_SAMPLING.temperature));
  const evaluate: EvaluateSampling = {
    temperature,
    topK: Math.max(0, Math.floor(num(o.top_k, DEFAULT_SAMPLING.top_k))),
    topP: clamp01(num(o.top_p, DEFAULT_SAMPLING.top_p), 1),
    minP: clamp01(num(o.min_p, 0), 0),
    seed,
  };
  const typical = requestedTypicalP(o);
  if (typical !== undefined) evaluate.typicalP = typical;
  let lastN = Math.floor(num(o.repeat_last_n, DEFAULT_SAMPLING.repeat_last_n));
  if (lastN < 0) lastN = numCtx;
  const penalty = num(o.repeat_penalty, 1);
  const presence = num(o.presence_penalty, 0);
  const frequency = num(o.frequency_penalty, 0);
  const active = penalty !== 1 || presence !== 0 || frequency !== 0;
  if (lastN > 0 && active) {
    evaluate.repeatPenalty = {
      punishTokens: () => history().slice(-lastN),
      maxPunishTokens: lastN,
      penalty: penalty > 0 ? penalty : 1,
      frequencyPenalty: frequency,
      presencePenalty: presence,
    };
  }
  return { evaluate, seed };
}

/**
 * num_predict → the maximum number of tokens to generate. -1 (and other negatives except -2) →
 * 10 × num_ctx as Ollama sends; -2 → fill the context (Infinity here; the loop stops when full);
 * values above 10 × num_ctx are capped like Ollama.
 */
export function resolveMaxTokens(numPredict: number | undefined, numCtx: number): number {
  const n = numPredict ?? -1;
  if (n === -2) return Infinity;
  if (!Number.isFinite(n) || n < 0 || n > 10 * numCtx) return 10 * numCtx;
  return Math.floor(n);
}

/** The typical_p the sampler must apply, or undefined (0, ≥ 1 and absent mean none, as llama-server). */
export function requestedTypicalP(opts: SamplingOptions | undefined): number | undefined {
  const p = num(opts?.typical_p, 1);
  return p !== 0 && p < 1 ? p : undefined;
}

/** typical_p asked for, and the loaded binary cannot apply it. */
export class TypicalPUnavailableError extends RuntimeError {
  constructor() {
    super('typical_p needs Tollama\'s patched llama.cpp addon and node-llama-cpp patch, and the loaded binary has no typical sampler: run `npm run build:native` (needs g++ and git), then restart the server; or leave typical_p at 1', 501);
    this.name = 'TypicalPUnavailableError';
  }
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}
function clamp01(v: number, fallback: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : fallback;
}
function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
