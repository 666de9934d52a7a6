/**
 * The process's single node-llama-cpp `Llama` instance, created lazily on first use. The module
 * is imported dynamically so that importing the runtime's types (the CLI does) never loads the
 * native addon. It never downloads or compiles anything (`build: 'never'`), uses a GPU only when
 * node-llama-cpp finds one and the policy in gpu.ts allows it (then its prebuilt GPU binary), and caps the threads of all contexts together at the number of cores (`maxThreads`). It asks for
 * Tollama's patched addon (native.ts) and gets node-llama-cpp's prebuilt one when that is missing.
 */
import os from 'node:os';
import type { Llama } from 'node-llama-cpp';
import { chooseGpuBackend, gpuOverhead, type GpuBackend, type GpuChoice } from './gpu.js';
import { silentLogger, type RuntimeLogger } from './logger.js';
import { batchingPatched, describeNativeBinary, nativeGetLlamaOptions, patchedAddonPath, type NativeBinaryInfo } from './native.js';

export type NodeLlamaCpp = typeof import('node-llama-cpp');

let modulePromise: Promise<NodeLlamaCpp> | undefined;
let llamaPromise: Promise<Llama> | undefined;
let nativeInfo: NativeBinaryInfo | undefined;
let gpuInUse: GpuBackend | false = false;

/** The GPU backend the shared Llama instance uses (false: the CPU; also before it is created). */
export function getGpuBackend(): GpuBackend | false {
  return gpuInUse;
}

/** Backends node-llama-cpp reports usable here (never throws: none on failure). */
async function detectGpus(nlc: NodeLlamaCpp): Promise<GpuBackend[]> {
  try {
    const types = await nlc.getLlamaGpuTypes('supported');
    return types.filter((t): t is GpuBackend => t === 'cuda' || t === 'vulkan' || t === 'metal');
  } catch {
    return [];
  }
}

/** Which binary the shared Llama instance loaded (undefined before it is created). */
export function getNativeBinaryInfo(): NativeBinaryInfo | undefined {
  return nativeInfo;
}

/** The node-llama-cpp module (loaded once, on demand). */
export function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  modulePromise ??= import('node-llama-cpp');
  return modulePromise;
}

let batchPatchLoaded = false;
/** Whether node-llama-cpp's JavaScript carried the batching patch when the Llama instance loaded. */
export function batchingPatchLoaded(): boolean {
  return batchPatchLoaded;
}

/** The shared Llama instance; logs which binary was loaded the first time. */
export function getLlamaInstance(logger: RuntimeLogger = silentLogger): Promise<Llama> {
  if (!llamaPromise) {
    llamaPromise = (async () => {
      const nlc = await loadNodeLlamaCpp();
      const maxThreads = Math.max(1, os.availableParallelism());
      const choice: GpuChoice = chooseGpuBackend({ supported: await detectGpus(nlc), env: process.env });
      if (choice.warning) logger.warn(choice.warning);
      const common = {
        build: 'never' as const,
        maxThreads,
        logLevel: nlc.LlamaLogLevel.error,
        logger: (level: unknown, message: string) => {
          const text = message.trimEnd();
          if (text) logger.debug('llama.cpp', { level, message: text });
        },
      };
      let llama: Llama | undefined;
      gpuInUse = false;
      if (choice.gpu !== false) {
        const overhead = gpuOverhead(process.env);
        if (overhead.warning) logger.warn(overhead.warning);
        try {
          llama = await nlc.getLlama({ ...common, gpu: choice.gpu, ...(overhead.vramPadding ? { vramPadding: overhead.vramPadding } : {}) });
          gpuInUse = llama.gpu === false ? false : choice.gpu;
        } catch (err) {
          logger.warn('GPU backend failed to load; using the CPU', { gpu: choice.gpu, error: String(err) });
        }
      }
      llama ??= await nlc.getLlama({ ...common, gpu: false, ...nativeGetLlamaOptions() });
      let addonPath: string | undefined;
      let batching = false;
      try {
        addonPath = patchedAddonPath();
        batching = batchingPatched();
      } catch {
        addonPath = undefined;
      }
      batchPatchLoaded = batching;
      nativeInfo = describeNativeBinary({ buildType: llama.buildType, cmakeOptions: llama.cmakeOptions ?? {} }, addonPath);
      logger.info('llama.cpp backend loaded', {
        gpu: gpuInUse,
        gpuReason: choice.reason,
        buildType: llama.buildType,
        binary: nativeInfo.kind,
        threadpool: nativeInfo.threadpool,
        note: nativeInfo.note,
        // parallel requests share one decode per token (scripts/native/patch-batching.mjs)
        batchPatch: batching,
        release: llama.llamaCppRelease.release,
        maxThreads: llama.maxThreads,
        cpuMathCores: llama.cpuMathCores,
      });
      return llama;
    })();
    llamaPromise.catch(() => {
      llamaPromise = undefined;
    });
  }
  return llamaPromise;
}
