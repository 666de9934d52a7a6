import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  describeNativeBinary, hasPatchMarker, nativeGetLlamaOptions, NATIVE_CMAKE_OPTION, NATIVE_MARKER,
  patchedAddonPath, patchedBinaryDisabled, patchedBuildFolderName, type LoadedLlamaFacts,
} from '../../src/runtime/native.js';
import { chooseThreads, SMALL_MODEL_BYTES, SMALL_MODEL_BYTES_THREADPOOL } from '../../src/runtime/threads.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const buildScript = path.join(repoRoot, 'scripts/native/build-addon.mjs');
const nlcDir = path.join(repoRoot, 'node_modules/node-llama-cpp');
const modelPath = path.resolve(repoRoot, '../shared/models/stories260K.gguf');
const MB = 1024 * 1024;

function node(args: string[], env: Record<string, string> = {}, timeout = 300_000) {
  return spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8', timeout, env: { ...process.env, ...env } });
}

describe('pinned node-llama-cpp and the patch', () => {
  it('node-llama-cpp is exactly 3.22.1 in package.json and in node_modules', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(pkg.dependencies['node-llama-cpp'], 'the patch is written for 3.22.1: pin it exactly').toBe('3.22.1');
    const installed = JSON.parse(fs.readFileSync(path.join(nlcDir, 'package.json'), 'utf8'));
    expect(installed.version).toBe('3.22.1');
  });

  it('the patches apply cleanly to the installed addon sources', () => {
    const r = node([buildScript, '--check'], {}, 60_000);
    expect(r.stdout + r.stderr, 'scripts/native/nlc-*.patch no longer apply').toContain('apply cleanly');
    expect(r.status).toBe(0);
  });

  it('the runtime and the build script agree on the option, the marker and the folder', async () => {
    const lib = await import(pathToFileURL(path.join(repoRoot, 'scripts/native/lib.mjs')).href);
    expect(lib.NATIVE_CMAKE_OPTION).toEqual(NATIVE_CMAKE_OPTION);
    expect(lib.NATIVE_MARKER).toBe(NATIVE_MARKER);
    expect(lib.localBuildFolderName('linux-x64')).toBe(patchedBuildFolderName('linux-x64'));
    expect(fs.readFileSync(path.join(repoRoot, 'scripts/native/nlc-threadpool.patch'), 'utf8')).toContain(NATIVE_MARKER);
  });

  it('names the folder the way node-llama-cpp does (sha1, base-36 bytes)', () => {
    expect(patchedBuildFolderName('linux-x64')).toBe('linux-x64-5n5v3n4t4y40163sl2r675y2w38qhc3h528');
  });
});

describe('switches', () => {
  const cases: Array<[string | undefined, boolean]> = [
    [undefined, false], ['', false], ['0', false], ['false', false], ['no', false], ['off', false],
    ['1', true], ['true', true], ['yes', true], [' 1 ', true], ['TRUE', true],
  ];
  it.each(cases)('TOLLAMA_NO_THREADPOOL=%j → disabled %s', (value, disabled) => {
    const env = value === undefined ? {} : { TOLLAMA_NO_THREADPOOL: value };
    expect(patchedBinaryDisabled(env)).toBe(disabled);
    expect(nativeGetLlamaOptions(env)).toEqual(disabled ? {} : { cmakeOptions: { NLC_PERSISTENT_THREADPOOL: 'v3' } });
  });
});

describe('describeNativeBinary', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-native-test-'));
  const marked = path.join(dir, 'marked.node');
  const plain = path.join(dir, 'plain.node');
  fs.writeFileSync(marked, Buffer.concat([Buffer.alloc(100), Buffer.from(NATIVE_MARKER), Buffer.alloc(100)]));
  fs.writeFileSync(plain, Buffer.alloc(300));
  const ours = { [NATIVE_CMAKE_OPTION.key]: NATIVE_CMAKE_OPTION.value };
  const cases: Array<[string, LoadedLlamaFacts, string | undefined, Record<string, string>, string, boolean]> = [
    ['prebuilt', { buildType: 'prebuilt', cmakeOptions: {} }, marked, {}, 'prebuilt', false],
    ['prebuilt, switched off', { buildType: 'prebuilt', cmakeOptions: {} }, undefined, { TOLLAMA_NO_THREADPOOL: '1' }, 'prebuilt', false],
    ['ours with the marker', { buildType: 'localBuild', cmakeOptions: ours }, marked, {}, 'patched', true],
    ['ours, pool switched off', { buildType: 'localBuild', cmakeOptions: ours }, marked, { NODE_LLAMA_CPP_NO_THREADPOOL: '1' }, 'patched', false],
    ['ours, pool switch 0', { buildType: 'localBuild', cmakeOptions: ours }, marked, { NODE_LLAMA_CPP_NO_THREADPOOL: '0' }, 'patched', true],
    ['ours without the marker', { buildType: 'localBuild', cmakeOptions: ours }, plain, {}, 'localBuild', false],
    ['ours, file missing', { buildType: 'localBuild', cmakeOptions: ours }, path.join(dir, 'none.node'), {}, 'localBuild', false],
    ['ours, path unknown', { buildType: 'localBuild', cmakeOptions: ours }, undefined, {}, 'localBuild', false],
    ['another local build', { buildType: 'localBuild', cmakeOptions: {} }, marked, {}, 'localBuild', false],
    ['another option value', { buildType: 'localBuild', cmakeOptions: { [NATIVE_CMAKE_OPTION.key]: 'v0' } }, marked, {}, 'localBuild', false],
  ];
  it.each(cases)('%s', (_name, llama, addon, env, kind, threadpool) => {
    const info = describeNativeBinary(llama, addon, env);
    expect(info.kind).toBe(kind);
    expect(info.threadpool).toBe(threadpool);
    expect(info.note.length).toBeGreaterThan(10);
  });
  it('the prebuilt note tells how to get the fast build', () => {
    expect(describeNativeBinary({ buildType: 'prebuilt', cmakeOptions: {} }, undefined, {}).note).toContain('npm run build:native');
  });
  it('hasPatchMarker', () => {
    expect(hasPatchMarker(marked)).toBe(true);
    expect(hasPatchMarker(plain)).toBe(false);
    expect(hasPatchMarker(path.join(dir, 'missing'))).toBe(false);
  });
});

describe('thread policy with and without the threadpool', () => {
  const base = { buildType: 'localBuild', cores: 2, maxThreads: 2 };
  const cases: Array<[string, number, boolean | undefined, string, number]> = [
    ['tiny, threadpool', 1 * MB, true, 'localBuild', 1],
    ['just under the threadpool limit', SMALL_MODEL_BYTES_THREADPOOL - 1, true, 'localBuild', 1],
    ['at the threadpool limit', SMALL_MODEL_BYTES_THREADPOOL, true, 'localBuild', 2],
    ['100 MB, threadpool', 100 * MB, true, 'localBuild', 2],
    ['100 MB, prebuilt', 100 * MB, false, 'prebuilt', 1],
    ['100 MB, pool switched off', 100 * MB, false, 'localBuild', 1],
    ['0.5B, prebuilt', 530 * MB, false, 'prebuilt', 2],
    ['0.5B, threadpool', 530 * MB, true, 'localBuild', 2],
    ['under 300 MB, prebuilt, nothing known', SMALL_MODEL_BYTES - 1, undefined, 'prebuilt', 1],
  ];
  it.each(cases)('%s', (_name, fileSizeBytes, threadpool, buildType, threads) => {
    expect(chooseThreads({ ...base, buildType, fileSizeBytes, threadpool }).threads).toBe(threads);
  });
});

// ---- the real binaries ----

const haveModel = fs.existsSync(modelPath);
const haveToolchain = ['g++', 'git'].every((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0);
if (!haveModel) console.warn(`native.test: ${modelPath} is missing, skipping the binary comparison`);
if (!haveToolchain) console.warn('native.test: g++ or git missing, the patched addon cannot be built; comparing nothing');

/** Generates greedily in a child process with the chosen binary; prints JSON. */
const childSource = `
const [nlcIndex, modelPath, patched, threads] = process.argv.slice(2);
const { getLlama, LlamaLogLevel } = await import(nlcIndex);
const fsMod = await import('node:fs');
const tasks = () => { try { return fsMod.readdirSync('/proc/self/task').length; } catch { return -1; } };
const llama = await getLlama({ gpu: false, build: 'never', maxThreads: 2, progressLogs: false, logLevel: LlamaLogLevel.error,
  ...(patched === '1' ? { cmakeOptions: { ${NATIVE_CMAKE_OPTION.key}: '${NATIVE_CMAKE_OPTION.value}' } } : {}) });
const model = await llama.loadModel({ modelPath });
async function generate(n) {
  const ctx = await model.createContext({ threads: Number(threads), contextSize: 256 });
  const seq = ctx.getSequence();
  let toks = [model.tokens.bos, ...model.tokenize('Once upon a time', true)].filter((t) => t != null);
  const out = [];
  for (let i = 0; i < n; i++) {
    const it = seq.evaluate(toks, { temperature: 0, yieldEogToken: true });
    const { value } = await it.next();
    await it.return();
    out.push(value);
    toks = [value];
  }
  await ctx.dispose();
  return out;
}
const tokens = await generate(48);
const before = tasks();
for (let i = 0; i < 5; i++) await generate(4);
const after = tasks();
console.log(JSON.stringify({ buildType: llama.buildType, tokens, text: model.detokenize(tokens), before, after }));
await model.dispose();
await llama.dispose();
`;

interface ChildResult { buildType: string; tokens: number[]; text: string; before: number; after: number }

function runChild(patched: boolean, threads: number, env: Record<string, string> = {}): ChildResult {
  const file = path.join(os.tmpdir(), `tollama-native-child-${process.pid}.mjs`);
  fs.writeFileSync(file, childSource);
  try {
    const r = node([file, pathToFileURL(path.join(nlcDir, 'dist/index.js')).href, modelPath, patched ? '1' : '0', String(threads)], env, 120_000);
    if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr.slice(-2000)}`);
    return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as ChildResult;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

describe.skipIf(!haveModel)('prebuilt and patched binaries on stories260K', () => {
  it('builds the patched addon if missing, then both give the same greedy output', { timeout: 600_000 }, () => {
    const prebuilt = runChild(false, 2);
    expect(prebuilt.buildType).toBe('prebuilt');
    expect(prebuilt.tokens.length).toBe(48);
    expect(prebuilt.text.length).toBeGreaterThan(20);

    if (!fs.existsSync(patchedAddonPath(nlcDir))) {
      if (!haveToolchain) return;
      const r = node([buildScript, '--strict'], {}, 540_000);
      expect(r.status, `build failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
    }
    expect(hasPatchMarker(patchedAddonPath(nlcDir))).toBe(true);

    const patched = runChild(true, 2);
    expect(patched.buildType).toBe('localBuild');
    expect(patched.tokens).toEqual(prebuilt.tokens);
    // five contexts created, used and disposed leave no pool workers behind
    if (patched.before > 0) expect(patched.after).toBe(patched.before);

    const patched1 = runChild(true, 1);
    expect(patched1.tokens).toEqual(prebuilt.tokens);
    const off = runChild(true, 2, { NODE_LLAMA_CPP_NO_THREADPOOL: '1' });
    expect(off.tokens).toEqual(prebuilt.tokens);
  });
});
