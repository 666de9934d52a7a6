/**
 * Tollama's inference runtime: GGUF models run in-process on node-llama-cpp (CPU only).
 *
 * Importing this module is cheap: node-llama-cpp is loaded (dynamically) only when the first
 * model is loaded. There is one `Llama` instance per process (llama.ts), created with
 * `build: 'never'` (nothing is ever downloaded or compiled) and `maxThreads` = cores.
 *
 * How the server uses it:
 *
 *   const env = readRuntimeEnv(process.env, log);            // NUM_PARALLEL, MAX_LOADED_MODELS, ...
 *   const sched = new Scheduler<Runner, Details>({
 *     load: (spec) => Runner.load({ ...spec, logger: log }),
 *     keepAliveMs, maxLoadedModels: env.maxLoadedModels, numParallel: env.numParallel, maxQueue: env.maxQueue, logger: log,
 *   });
 *   const options = resolveRunnerOptions(mergedOptions, { contextLength: env.contextLength, numParallel: env.numParallel });
 *   const lease = await sched.acquire({ name, modelPath, options, keepAliveMs, details, signal });  // 503 ServerBusyError when the queue is full
 *   try {
 *     const gen = lease.runner.generate({ prompt, context, options: mergedOptions, format, shift, signal,
 *                                         loadDuration: lease.loadDuration, startTime });
 *     for await (const piece of gen) write(piece);                // never a broken UTF-8 character, never stop text
 *     const stats = await gen.result;                             // done_reason, context, *_duration (ns), *_count
 *   } finally { lease.release(); }                                // starts the keep-alive timer when idle
 *
 *   lease.runner.embed(inputs, { truncate, dimensions })          // /api/embed (normalised)
 *   lease.runner.embed([prompt], { normalize: false })            // /api/embeddings (raw)
 *   lease.runner.tokenize(text) / detokenize(tokens)              // counts for truncateChat, `context`
 *   truncateChat({ messages, render, countTokens, numCtx: Math.min(num_ctx, runner.contextLength) })
 *   sched.ps() / sched.unload(name) / sched.unloadAll()
 *
 * Errors are RuntimeError subclasses carrying an HTTP `status` (errors.ts). See docs/runtime.md.
 */
export * from './errors.js';
export { silentLogger, type RuntimeLogger } from './logger.js';
export { chooseThreads, SMALL_MODEL_BYTES, type ThreadChoice, type ThreadPolicyInput } from './threads.js';
export {
  DEFAULT_NUM_BATCH,
  DEFAULT_NUM_CTX,
  DEFAULT_SAMPLING,
  resolveRunnerOptions,
  runnerOptionsDiffer,
  type RunnerDefaults,
  type RunnerOptions,
  type RunnerOptionsInput,
  type SamplingOptions,
} from './options.js';
export { resolveMaxTokens, resolveSampling } from './sampling.js';
export { StopDetector, type StopPush } from './stop.js';
export { TokenTextAssembler } from './utf8.js';
export { parseFormat, type ParsedFormat } from './grammar.js';
export { finishEmbedding, normalize } from './embed.js';
export { truncateChat, truncatePromptTokens, type TruncateChatInput, type TruncateChatResult } from './truncate.js';
export { readRuntimeEnv, type RuntimeEnv } from './env.js';
export type { DoneReason, GenerateRequest, GenerateResult } from './generate.js';
export { completeUtf8Length, LogprobQueue, LogprobsUnavailableError, MAX_TOP_LOGPROBS, TokenPieces, type Logprob as RuntimeLogprob } from './logprobs.js';
export { Generation, Runner, type EmbedOptions, type EmbedResult, type LoadRunnerSpec } from './runner.js';
export {
  Scheduler,
  type AcquireRequest,
  type Lease,
  type LoadedModelInfo,
  type LoadSpec,
  type SchedulableRunner,
  type SchedulerConfig,
} from './scheduler.js';
