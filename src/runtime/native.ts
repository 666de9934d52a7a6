/**
 * Which node-llama-cpp binary the runtime loads: the prebuilt addon, or Tollama's patched addon
 * with a persistent ggml threadpool per context (scripts/native/, docs/native.md).
 *
 * The patched addon is installed as a node-llama-cpp local build whose folder name carries a
 * custom CMake option (NATIVE_CMAKE_OPTION). Only a `getLlama()` that passes that option finds it,
 * so nothing else in the process picks it up by accident, and when it is missing node-llama-cpp
 * falls back to the prebuilt binary by itself (never downloading or compiling: `build: 'never'`).
 *
 * Switches:
 * - TOLLAMA_NO_THREADPOOL=1: do not ask for the patched build; the prebuilt binary is loaded.
 * - NODE_LLAMA_CPP_NO_THREADPOOL=1: read by the patch itself; the patched binary is loaded but
 *   attaches no threadpool, so it behaves like the prebuilt one.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Must equal scripts/native/lib.mjs (a test checks it). */
export const NATIVE_CMAKE_OPTION = Object.freeze({ key: 'NLC_PERSISTENT_THREADPOOL', value: 'v3' });
/** The string the patch compiles into the addon (scripts/native/nlc-threadpool.patch). */
export const NATIVE_MARKER = 'nlc-persistent-threadpool v3';

/**
 * The stamp scripts/native/patch-batching.mjs writes into node-llama-cpp's LlamaContext.js: every
 * generating sequence's next token goes into one decode (must equal the script's; a test checks).
 */
export const BATCH_PATCH_MARKER = 'tollama-batch-gather v4';

/** Whether node-llama-cpp's JavaScript at `nlcDir` carries this version of the batching patch. */
export function batchingPatched(nlcDir = nodeLlamaCppDir()): boolean {
  try {
    return fs.readFileSync(path.join(nlcDir, 'dist', 'evaluator', 'LlamaContext', 'LlamaContext.js'), 'utf8').includes(BATCH_PATCH_MARKER);
  } catch {
    return false;
  }
}

/**
 * Whether `typical_p` can reach llama.cpp: the loaded addon's sampler reads "typicalP"
 * (nlc-typical.patch) and node-llama-cpp's JavaScript hands it over (patch-batching.mjs v4).
 */
export function typicalSamplingAvailable(bindings: unknown, javascriptPatched: boolean): boolean {
  const sampler = (bindings as { AddonSampler?: { tollamaTypicalP?: unknown } } | undefined)?.AddonSampler;
  return sampler?.tollamaTypicalP === true && javascriptPatched;
}

/** `prebuilt`: node-llama-cpp's own; `patched`: ours; `localBuild`: some other source build. */
export type NativeBinaryKind = 'prebuilt' | 'patched' | 'localBuild';

export interface NativeBinaryInfo {
  kind: NativeBinaryKind;
  /** Whether contexts keep a persistent threadpool (patched and not switched off). */
  threadpool: boolean;
  /** One human sentence for the startup log. */
  note: string;
}

type Env = Record<string, string | undefined>;

function truthy(v: string | undefined): boolean {
  const s = (v ?? '').trim().toLowerCase();
  return s !== '' && s !== '0' && s !== 'false' && s !== 'no' && s !== 'off';
}

/** TOLLAMA_NO_THREADPOOL: load the prebuilt binary even when the patched one is built. */
export function patchedBinaryDisabled(env: Env = process.env): boolean {
  return truthy(env['TOLLAMA_NO_THREADPOOL']);
}

/** The extra `getLlama()` options that select the patched build (empty when switched off). */
export function nativeGetLlamaOptions(env: Env = process.env): { cmakeOptions?: Record<string, string> } {
  if (patchedBinaryDisabled(env)) return {};
  return { cmakeOptions: { [NATIVE_CMAKE_OPTION.key]: NATIVE_CMAKE_OPTION.value } };
}

/** The folder node-llama-cpp names after our CMake option (its getBuildFolderNameForBuildOptions). */
export function patchedBuildFolderName(platform = `${process.platform}-${process.arch}`): string {
  const text = `${encodeURIComponent(NATIVE_CMAKE_OPTION.key)}=${encodeURIComponent(NATIVE_CMAKE_OPTION.value)}`;
  const digest = createHash('sha1').update(text).digest();
  return `${platform}-${Array.from(digest, (b) => b.toString(36)).join('')}`;
}

/** node-llama-cpp's package folder (where `import('node-llama-cpp')` resolves to). */
export function nodeLlamaCppDir(): string {
  // import.meta.resolve is Node's; under a test transform (vite-node) walk up from here as Node would
  if (typeof import.meta.resolve !== 'function') return findUpwards(path.dirname(fileURLToPath(import.meta.url)));
  let dir = path.dirname(fileURLToPath(import.meta.resolve('node-llama-cpp')));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('node-llama-cpp package folder not found');
    dir = parent;
  }
  return dir;
}

function findUpwards(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', 'node-llama-cpp');
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error('node-llama-cpp package folder not found');
  }
}

/** Path of the patched addon if it were installed (it may not exist). */
export function patchedAddonPath(nlcDir = nodeLlamaCppDir()): string {
  return path.join(nlcDir, 'llama', 'localBuilds', patchedBuildFolderName(), 'Release', 'llama-addon.node');
}

/** Whether the file at `addonPath` carries the patch's marker string. */
export function hasPatchMarker(addonPath: string): boolean {
  try {
    return fs.readFileSync(addonPath).includes(Buffer.from(NATIVE_MARKER));
  } catch {
    return false;
  }
}

export interface LoadedLlamaFacts {
  /** `llama.buildType`. */
  buildType: string;
  /** `llama.cmakeOptions` (from the loaded build's metadata). */
  cmakeOptions: Readonly<Record<string, string>>;
}

/**
 * Classifies the binary a Llama instance loaded. A local build counts as patched only when its
 * metadata carries our option and the addon file carries the patch's marker.
 */
export function describeNativeBinary(llama: LoadedLlamaFacts, addonPath: string | undefined, env: Env = process.env): NativeBinaryInfo {
  if (llama.buildType === 'prebuilt') {
    const note = patchedBinaryDisabled(env)
      ? 'prebuilt node-llama-cpp binary (TOLLAMA_NO_THREADPOOL is set)'
      : 'prebuilt node-llama-cpp binary: generation with 2+ threads is ~30% slower than llama.cpp; run `npm run build:native` (needs g++ and git) for the threadpool build';
    return { kind: 'prebuilt', threadpool: false, note };
  }
  const ours = llama.cmakeOptions[NATIVE_CMAKE_OPTION.key] === NATIVE_CMAKE_OPTION.value;
  if (ours && addonPath !== undefined && hasPatchMarker(addonPath)) {
    const off = truthy(env['NODE_LLAMA_CPP_NO_THREADPOOL']);
    return {
      kind: 'patched',
      threadpool: !off,
      note: off ? 'patched binary, threadpool switched off (NODE_LLAMA_CPP_NO_THREADPOOL)' : 'patched binary with a persistent threadpool per context',
    };
  }
  return { kind: 'localBuild', threadpool: false, note: 'node-llama-cpp local build (not Tollama\'s patched one)' };
}
