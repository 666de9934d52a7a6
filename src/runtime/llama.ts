/**
 * The process's single node-llama-cpp `Llama` instance, created lazily on first use. The module
 * is imported dynamically so that importing the runtime's types (the CLI does) never loads the
 * native addon. It never downloads or compiles anything (`build: 'never'`), never uses a GPU,
 * and caps the threads of all contexts together at the number of cores (`maxThreads`). It asks for
 * Tollama's patched addon (native.ts) and gets node-llama-cpp's prebuilt one when that is missing.
 */
import os from 'node:os';
import type { Llama } from 'node-llama-cpp';
import { silentLogger, type RuntimeLogger } from './logger.js';
import { describeNativeBinary, nativeGetLlamaOptions, patchedAddonPath, type NativeBinaryInfo } from './native.js';

export type NodeLlamaCpp = typeof import('node-llama-cpp');

let modulePromise: Promise<NodeLlamaCpp> | undefined;
let llamaPromise: Promise<Llama> | undefined;
let nativeInfo: NativeBinaryInfo | undefined;

/** Which binary the shared Llama instance loaded (undefined before it is created). */
export function getNativeBinaryInfo(): NativeBinaryInfo | undefined {
  return nativeInfo;
}

/** The node-llama-cpp module (loaded once, on demand). */
export function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  modulePromise ??= import('node-llama-cpp');
  return modulePromise;
}

/** The shared Llama instance; logs which binary was loaded the first time. */
export function getLlamaInstance(logger: RuntimeLogger = silentLogger): Promise<Llama> {
  if (!llamaPromise) {
    llamaPromise = (async () => {
      const nlc = await loadNodeLlamaCpp();
      const maxThreads = Math.max(1, os.availableParallelism());
      const llama = await nlc.getLlama({
        gpu: false,
        build: 'never',
        maxThreads,
        ...nativeGetLlamaOptions(),
        logLevel: nlc.LlamaLogLevel.error,
        logger: (level, message) => {
          const text = message.trimEnd();
          if (text) logger.debug('llama.cpp', { level, message: text });
        },
      });
      let addonPath: string | undefined;
      try {
        addonPath = patchedAddonPath();
      } catch {
        addonPath = undefined;
      }
      nativeInfo = describeNativeBinary({ buildType: llama.buildType, cmakeOptions: llama.cmakeOptions ?? {} }, addonPath);
      logger.info('llama.cpp backend loaded', {
        buildType: llama.buildType,
        binary: nativeInfo.kind,
        threadpool: nativeInfo.threadpool,
        note: nativeInfo.note,
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
