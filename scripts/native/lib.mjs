// Shared facts of the native build (scripts/native/build-addon.mjs and its test). The runtime's copy
// of NATIVE_CMAKE_OPTION / NATIVE_MARKER lives in src/runtime/native.ts; a test keeps them equal.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The only node-llama-cpp version the patch and the build recipe are written for. */
export const EXPECTED_NLC_VERSION = '3.22.1';
/**
 * A custom CMake option recorded in the build's metadata. node-llama-cpp names a local build folder
 * after its custom options, so only a getLlama() that passes this option finds the patched build;
 * every other caller keeps the prebuilt binary. Bump the value when the patch changes.
 */
export const NATIVE_CMAKE_OPTION = Object.freeze({ key: 'NLC_PERSISTENT_THREADPOOL', value: 'v3' });
/** A string the patch compiles into the addon. */
export const NATIVE_MARKER = 'nlc-persistent-threadpool v3';
/** Written next to the installed addon: what it was built from. */
export const STAMP_FILE = 'tollama-native.json';
/**
 * The patches, applied in this order: the persistent threadpool, raw-logit log-probabilities,
 * vision through libtollama-mtmd.so, then the typical sampler (each is written against the ones
 * before it). The build stamp hashes all of them. v2 of the option and marker: the first build with
 * nlc-mtmd.patch; v3: with nlc-typical.patch.
 */
export const patchPaths = Object.freeze(['nlc-threadpool.patch', 'nlc-logprobs.patch', 'nlc-mtmd.patch', 'nlc-typical.patch']
  .map((f) => path.join(path.dirname(fileURLToPath(import.meta.url)), f)));

/** The folder of package `name` as Node would find it from `fromDir` (walking up node_modules). */
export function findPackageDir(fromDir, name) {
  let dir = path.resolve(fromDir);
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`${name} is not installed (looked upwards from ${fromDir})`);
    dir = parent;
  }
}

/** node-llama-cpp's package folder, as resolved from `fromDir`. */
export function findNodeLlamaCpp(fromDir) {
  return findPackageDir(fromDir, 'node-llama-cpp');
}

/** The local-build folder name node-llama-cpp derives for our option (getBuildFolderNameForBuildOptions). */
export function localBuildFolderName(platform) {
  const text = `${encodeURIComponent(NATIVE_CMAKE_OPTION.key)}=${encodeURIComponent(NATIVE_CMAKE_OPTION.value)}`;
  const hash = Array.from(crypto.createHash('sha1').update(text).digest()).map((b) => b.toString(36)).join('');
  return `${platform}-${hash}`;
}

/** Copies node-llama-cpp's addon sources to `<dest>/llama/addon`, where the patch expects them. */
export function copyAddonSources(nlcDir, dest) {
  fs.cpSync(path.join(nlcDir, 'llama', 'addon'), path.join(dest, 'llama', 'addon'), { recursive: true });
}
