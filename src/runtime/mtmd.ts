/**
 * Where libmtmd (llama.cpp's multimodal library), Tollama's bridge libtollama-mtmd.so and
 * `llama-mtmd-cli` are, when scripts/native/build-mtmd.mjs built them (issue #15). The patched
 * addon dlopen()s the bridge on first image use (vision.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { nodeLlamaCppDir } from './native.js';

/** The folder build-mtmd.mjs writes into (mtmdBuildDir there). */
export function mtmdToolsDir(nlcDir = nodeLlamaCppDir(), platform = `${process.platform}-${process.arch}`): string {
  return path.join(nlcDir, 'llama', 'tollama-tools', platform);
}

export const libmtmdPath = (dir = mtmdToolsDir()): string => path.join(dir, 'libmtmd.so');
export const libtollamaMtmdPath = (dir = mtmdToolsDir()): string => path.join(dir, 'libtollama-mtmd.so');
export const mtmdCliPath = (dir = mtmdToolsDir()): string => path.join(dir, 'llama-mtmd-cli');

/** Why libmtmd cannot be used, or undefined when it was built. */
export function mtmdUnavailableReason(): string | undefined {
  try {
    fs.accessSync(libmtmdPath(), fs.constants.R_OK);
    return undefined;
  } catch {
    return 'libmtmd was not built when Tollama was installed; run `npm run build:native` in Tollama\'s folder (needs g++ and git)';
  }
}
