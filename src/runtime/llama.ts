/**
 * The process's single node-llama-cpp `Llama` instance, created lazily on first use. The module
 * is imported dynamically so that importing the runtime's types (the CLI does) never loads the
 * native addon. It never downloads or compiles anything (`build: 'never'`), never uses a GPU,
 * and caps the threads of all contexts together at the number of cores (`maxThreads`).
 */
import os from 'node:os';
import type { Llama } from 'node-llama-cpp';
import { silentLogger, type RuntimeLogger } from './logger.js';

export type NodeLlamaCpp = typeof import('node-llama-cpp');

let modulePromise: Promise<NodeLlamaCpp> | undefined;
let llamaPromise: Promise<Llama> | undefined;

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
        logLevel: nlc.LlamaLogLevel.error,
        logger: (level, message) => {
          const text = message.trimEnd();
          if (text) logger.debug('llama.cpp', { level, message: text });
        },
      });
      logger.info('llama.cpp backend loaded', {
        buildType: llama.buildType,
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
