// nlc-mtmd.patch (the addon side of vision, #15) is one of the build's patches: it must apply
// on top of the ones before it and compile (against the llama.cpp source clone the addon build makes), and
// the installed patched addon evaluates images into a sequence through node-llama-cpp's raw
// bindings with the same greedy text as the C++ bridge harness.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { mtmdToolsDir } from '../../src/runtime/mtmd.js';
import { hasPatchMarker, patchedAddonPath } from '../../src/runtime/native.js';
import { writeProjector } from '../helpers/gguf/projector.js';
import { haveStories, repoRoot, STORIES } from '../helpers/models.js';
import { testImages } from '../helpers/png.js';

const nlc = path.join(repoRoot, 'node_modules', 'node-llama-cpp');
const src = path.join(nlc, 'llama', 'llama.cpp');
const native = path.join(repoRoot, 'scripts', 'native');
const mtmdPatch = path.join(native, 'nlc-mtmd.patch');
const haveGpp = spawnSync('g++', ['--version']).status === 0;
const haveSrc = fs.existsSync(path.join(src, 'include', 'llama.h')) && fs.existsSync(path.join(src, 'src', 'llama-context.h'));
const tools = mtmdToolsDir(nlc);
const libDir = path.join(repoRoot, 'node_modules', '@node-llama-cpp', `${process.platform}-${process.arch}`, 'bins', `${process.platform}-${process.arch}`);
const haveBridge = fs.existsSync(path.join(tools, 'libtollama-mtmd.so'));
const skip = !haveGpp ? 'g++ is absent' : !haveSrc ? `${src} is absent (the patched addon build makes it: npm run build:native)` : '';
if (skip) console.warn(`mtmd-patch test skipped: ${skip}`);

function includes(): { napi: string; nodeApi: string } {
  const req = createRequire(path.join(nlc, 'package.json'));
  const napi = path.dirname(req.resolve('node-addon-api/package.json'));
  try {
    return { napi, nodeApi: path.join(path.dirname(req.resolve('node-api-headers/package.json')), 'include') };
  } catch {
    return { napi, nodeApi: path.join(path.dirname(process.execPath), '..', 'include', 'node') };
  }
}

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

describe.skipIf(!!skip)('nlc-mtmd.patch', () => {
  it('applies after the build\'s patches and the patched AddonContext.cpp compiles', async () => {
    const { patchPaths } = (await import(path.join(native, 'lib.mjs'))) as { patchPaths: string[] };
    expect(patchPaths).toContain(mtmdPatch);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-mtmd-patch-'));
    dirs.push(dir);
    fs.cpSync(path.join(nlc, 'llama', 'addon'), path.join(dir, 'llama', 'addon'), { recursive: true });
    for (const p of patchPaths) {
      const r = spawnSync('git', ['apply', p], { cwd: dir, encoding: 'utf8' });
      expect(r.status, `${path.basename(p)}: ${r.stderr}`).toBe(0);
    }
    const cpp = fs.readFileSync(path.join(dir, 'llama', 'addon', 'AddonContext.cpp'), 'utf8');
    for (const s of ['InstanceMethod("mtmdLoad"', 'InstanceMethod("mtmdEval"', 'InstanceMethod("mtmdTokenize"', 'InstanceMethod("mtmdEvalPending"', '"tollama_mtmd_prompt_eval_hold_last"']) expect(cpp).toContain(s);
    const { napi, nodeApi } = includes();
    const r = spawnSync('g++', [
      '-std=c++17', '-fsyntax-only', '-fexceptions', '-DNAPI_VERSION=7', '-DGGML_BACKEND_SHARED', '-DGGML_SHARED', '-DLLAMA_SHARED', '-DLLAMA_SUBPROCESS',
      `-I${napi}`, `-I${nodeApi}`, `-I${src}`, `-I${path.join(src, 'common')}`, `-I${path.join(src, 'src')}`, `-I${path.join(src, 'include')}`, `-I${path.join(src, 'ggml', 'include')}`,
      path.join(dir, 'llama', 'addon', 'AddonContext.cpp'),
    ], { encoding: 'utf8' });
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
  }, 120_000);

  const addon = patchedAddonPath(nlc);
  const haveAddon = hasPatchMarker(addon);
  it.skipIf(!haveBridge || !haveStories || !haveAddon)('the installed addon evaluates images into a sequence: the same greedy text as the C++ harness', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-mtmd-addon-'));
    dirs.push(dir);
    const proj = path.join(dir, 'proj.gguf');
    await writeProjector(proj);
    const images: Record<string, string> = {};
    for (const [name, make] of Object.entries(testImages)) fs.writeFileSync((images[name] = path.join(dir, `${name}.png`)), make());
    const run = (...imgs: string[]) => runWith({}, ...imgs);
    const runWith = (env: Record<string, string>, ...imgs: string[]) => {
      const r = spawnSync(process.execPath, [path.join(repoRoot, 'test', 'runtime', 'mtmd', 'addon-run.mjs'), addon, libDir, tools, STORIES, proj, ...imgs], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
      expect(r.status, r.stderr.slice(-2000)).toBe(0);
      return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { nTokens: number; nImageTokens: number; nPast: number; text: string; chunks?: unknown[] };
    };
    const text = run();
    expect(text).toMatchObject({ nTokens: 5, nImageTokens: 0, nPast: 4 });
    expect(text.text).toMatch(/^, there was a little girl named Lily/);
    const red = run(images.red!);
    expect(red).toMatchObject({ nTokens: 21, nImageTokens: 16, nPast: 20 });
    expect(run(images.red!).text).toBe(red.text);
    const others = [run(images.gradient!).text, run(images.checker!).text];
    expect(new Set([red.text, ...others]).size).toBe(3);
    // The C++ harness's greedy text for the red image (test/runtime/mtmd-bridge.test.ts) starts the same way.
    expect(red.text).toMatch(/^, there were were the grely/);
    // mtmdTokenize + mtmdEvalPending (what the runtime calls): the layout, then the same text
    const pending = runWith({ TOLLAMA_MTMD_PENDING: '1' }, images.red!);
    expect(pending).toMatchObject({ nTokens: 21, nImageTokens: 16, nPast: 20, text: red.text });
    expect(pending.chunks).toEqual([1, 'image:16:64', 4]); // BOS, the image (a SHA-256 id), "Once upon a time"
  }, 120_000);
});
