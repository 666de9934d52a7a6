/**
 * Loading a model for a Runner: the shared Llama instance, the thread policy, the weights (with
 * OLLAMA_LOAD_TIMEOUT's stall watch), the checks llama.cpp would only answer with "Failed to create
 * context" (K/V cache type, flash attention, head sizes), and the generation context with its
 * LoRA adapters. Every failure is a ModelLoadError (500) naming the model, and a half-made model
 * is disposed.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import type { Llama, LlamaContext, LlamaModel } from 'node-llama-cpp';
import { ModelLoadError, RuntimeError } from './errors.js';
import { gpuLayersFor, mainGpuRefusal } from './gpu.js';
import { getGpuBackend, getLlamaInstance, loadNodeLlamaCpp, type NodeLlamaCpp } from './llama.js';
import { enableRawLogprobs, type TokenPieces } from './logprobs.js';
import { silentLogger, type RuntimeLogger } from './logger.js';
import { KV_CACHE_TYPES, kvCacheHeadProblem, kvCacheProblem } from './options.js';
import type { LoadRunnerSpec } from './runner.js';
import { LoadStallWatch } from './stall.js';
import { chooseThreads } from './threads.js';

export interface LoadedNative {
  nlc: NodeLlamaCpp;
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  threads: number;
  fileSize: number;
  /** Nanoseconds. */
  loadDuration: number;
  logger: RuntimeLogger;
  /** Token texts for logprobs; undefined when the loaded binary cannot compute them. */
  pieces: TokenPieces | undefined;
  lora: LoraOption | undefined;
}

export async function loadNative(spec: LoadRunnerSpec): Promise<LoadedNative> {
  const logger = spec.logger ?? silentLogger;
  const t0 = process.hrtime.bigint();
  let fileSize: number;
  try {
    const st = await fs.stat(spec.modelPath);
    if (!st.isFile()) throw new Error('not a regular file');
    fileSize = st.size;
  } catch (err) {
    throw new ModelLoadError(`unable to load model ${spec.name}: the model file ${spec.modelPath} cannot be read (${reason(err)})`, { cause: err });
  }
  const nlc = await loadNodeLlamaCpp();
  const llama = await getLlamaInstance(logger);
  const { threads, reason: why } = chooseThreads({
    fileSizeBytes: fileSize,
    buildType: llama.buildType,
    cores: os.availableParallelism(),
    maxThreads: llama.maxThreads,
    numThread: spec.options.numThread,
  });
  const refusal = mainGpuRefusal(spec.options.mainGpu, getGpuBackend());
  if (refusal) throw new RuntimeError(refusal, 400);
  const kvProblem = kvCacheProblem(spec.options.kvCacheType, spec.options.flashAttention);
  if (kvProblem) throw new ModelLoadError(`unable to load model ${spec.name}: ${kvProblem}`);
  const kvType = spec.options.kvCacheType === '' ? undefined : KV_CACHE_TYPES[spec.options.kvCacheType];
  const stall = new LoadStallWatch(spec.stallTimeoutMs ?? Infinity);
  const signal = spec.signal ? AbortSignal.any([spec.signal, stall.signal]) : stall.signal;
  const lora = loraOption(spec.adapterPaths);
  let model: LlamaModel;
  let context: LlamaContext;
  try {
    try {
      model = await llama.loadModel({
        modelPath: spec.modelPath,
        gpuLayers: gpuLayersFor(spec.options.numGpu, getGpuBackend()),
        useMmap: spec.options.useMmap ?? 'auto',
        loadSignal: signal,
        onLoadProgress: (p: number) => stall.progress(p),
      });
    } catch (err) {
      throw stall.fired ? stall.error(spec.name, err) : new ModelLoadError(`unable to load model ${spec.name}: ${describeLoadError(err)}`, { cause: err });
    }
    const headProblem = kvCacheHeadProblem(spec.options.kvCacheType, model.fileInfo.metadata);
    if (headProblem) {
      await model.dispose().catch(() => {});
      throw new ModelLoadError(`unable to load model ${spec.name}: ${headProblem}`);
    }
    stall.progress(1); // the weights are in: the context gets a stall window of its own
    try {
      const trained = model.trainContextSize > 0 ? model.trainContextSize : spec.options.numCtx;
      const numCtx = Math.max(4, Math.min(spec.options.numCtx, trained));
      context = await model.createContext({
        contextSize: numCtx,
        sequences: spec.options.numParallel,
        batchSize: Math.max(1, Math.min(spec.options.numBatch, numCtx * spec.options.numParallel)),
        threads,
        flashAttention: spec.options.flashAttention,
        ...(kvType ? { experimentalKvCacheKeyType: kvType, experimentalKvCacheValueType: kvType } : {}),
        createSignal: signal,
        ...(lora ? { lora } : {}),
      } as Parameters<LlamaModel['createContext']>[0]);
    } catch (err) {
      await model.dispose().catch(() => {});
      if (stall.fired) throw stall.error(spec.name, err);
      const what = lora ? 'cannot create a context with its LoRA adapters' : 'cannot create a context';
      throw new ModelLoadError(`unable to load model ${spec.name}: ${what} (${reason(err)})`, { cause: err });
    }
  } finally {
    stall.stop();
  }
  const loadDuration = Number(process.hrtime.bigint() - t0);
  logger.info('model loaded', {
    model: spec.name,
    buildType: llama.buildType,
    threads,
    threadReason: why,
    contextLength: context.contextSize,
    parallel: spec.options.numParallel,
    flashAttention: spec.options.flashAttention,
    kvCacheType: spec.options.kvCacheType || 'f16',
    fileSize,
    ...(lora ? { adapters: lora.adapters.length } : {}),
  });
  const pieces = enableRawLogprobs(model, context);
  return { nlc, llama, model, context, threads, fileSize, loadDuration, logger, pieces, lora };
}

export type LoraOption = { adapters: Array<{ filePath: string; scale: number }> };

/** node-llama-cpp's `lora` context option for the adapters, each at scale 1 as llama-server's `--lora`. */
function loraOption(paths: readonly string[] | undefined): LoraOption | undefined {
  if (!paths || paths.length === 0) return undefined;
  return { adapters: paths.map((filePath) => ({ filePath, scale: 1 })) };
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function describeLoadError(err: unknown): string {
  const name = err instanceof Error ? err.constructor.name : '';
  const msg = reason(err);
  if (/magic/i.test(name) || /magic/i.test(msg)) return 'the file is not a GGUF model (invalid GGUF magic)';
  return `the model file is corrupt or not supported by llama.cpp (${msg})`;
}
