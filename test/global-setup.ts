/**
 * Builds dist/ once before the suite when it is older than src/, because the end-to-end tests
 * run the real `bin/ollama` (compiled output) as a separate process, as users do.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Brings the patched addon up to date with scripts/native/*.patch (a no-op in ~0.1 s when it is;
 * a rebuild of 1–2 minutes once after a patch changed). Best effort, as at install: without g++ and
 * git the prebuilt binary stays, and the tests that need the patch say so.
 */
function refreshNativeAddon(): void {
  try {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'native', 'build-addon.mjs')], { cwd: root, stdio: 'pipe', timeout: 600_000 });
  } catch (err) {
    process.stderr.write(`warning: the native addon build failed: ${(err as Error).message.slice(0, 500)}\n`);
  }
}

/**
 * Applies scripts/native/patch-batching.mjs to node-llama-cpp's JavaScript, as the postinstall
 * does (idempotent, milliseconds). Best effort: test/runtime/batching.test.ts says when it is missing.
 */
function applyBatchingPatch(): void {
  try {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'native', 'patch-batching.mjs')], { cwd: root, stdio: 'pipe', timeout: 60_000 });
  } catch (err) {
    process.stderr.write(`warning: the batching patch was not applied: ${(err as Error).message.slice(0, 500)}\n`);
  }
}

export default function setup(): void {
  applyBatchingPatch();
  refreshNativeAddon();
  const entry = path.join(root, 'dist', 'cli', 'main.js');
  const marker = path.join(root, 'dist', '.built');
  const built = fs.existsSync(entry) && fs.existsSync(marker) ? fs.statSync(marker).mtimeMs : 0;
  if (built >= newestMtime(path.join(root, 'src'))) return;
  try {
    execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json')], {
      cwd: root,
      stdio: 'pipe',
    });
  } catch (err) {
    // Type errors still emit JavaScript; only a missing entry point is fatal.
    if (!fs.existsSync(entry)) throw err;
    const out = (err as { stdout?: Buffer }).stdout?.toString() ?? '';
    process.stderr.write(`warning: tsc reported errors while building dist/:\n${out.slice(0, 2000)}\n`);
  }
  fs.writeFileSync(path.join(root, 'dist', '.built'), '');
}
