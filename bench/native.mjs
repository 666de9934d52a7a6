#!/usr/bin/env node
// Generation speed of the patched addon (persistent threadpool) against node-llama-cpp's prebuilt
// addon, at 1 and 2 threads, interleaved A/B (each round runs every variant once, each in its own
// process), medians of per-round ratios. Optionally against raw llama.cpp's llama-bench.
//
//   node bench/native.mjs [rounds=3] [tokens=128]
//   BENCH_BIG=1     also a generated Qwen2-0.5B-shaped Q8_0 model (~500 MB, written to os.tmpdir())
//   BENCH_SIZES=16,64  also generated llama-shaped Q8_0 models of these sizes in MB (thread policy)
//   BENCH_RAW=/path/to/llama-bench   add the raw llama.cpp column (run against node-llama-cpp's
//                   prebuilt libraries with LD_LIBRARY_PATH); skipped, saying so, when unset.
//
// Needs the patched addon (npm run build:native). Prints a Markdown table.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[2] ?? 3);
const tokens = Number(process.argv[3] ?? 128);
const nlcIndex = pathToFileURL(path.join(root, 'node_modules/node-llama-cpp/dist/index.js')).href;
const libDir = path.join(root, 'node_modules/@node-llama-cpp/linux-x64/bins/linux-x64');

const child = `
const [nlcIndex, modelPath, patched, threads, n] = process.argv.slice(2);
const { getLlama, LlamaLogLevel } = await import(nlcIndex);
const llama = await getLlama({ gpu: false, build: 'never', maxThreads: Number(threads), progressLogs: false, logLevel: LlamaLogLevel.error,
  ...(patched === '1' ? { cmakeOptions: { NLC_PERSISTENT_THREADPOOL: 'v1' } } : {}) });
const model = await llama.loadModel({ modelPath });
const ctx = await model.createContext({ threads: Number(threads), contextSize: 512 });
const seq = ctx.getSequence();
let toks = [model.tokens.bos, ...model.tokenize('Once upon a time', true)].filter((t) => t != null);
// warm-up
{ const it = seq.evaluate(toks, { temperature: 0, yieldEogToken: true }); const { value } = await it.next(); await it.return(); toks = [value]; }
// One evaluate() iterator for all tokens, as the runtime generates (src/runtime/generate.ts);
// a fresh iterator per token would add node-llama-cpp's per-call set-up to every token.
const t0 = performance.now();
let i = 0;
for await (const _ of seq.evaluate(toks, { temperature: 0, yieldEogToken: true })) if (++i >= Number(n)) break;
console.log(JSON.stringify({ buildType: llama.buildType, tps: Number(n) / ((performance.now() - t0) / 1000) }));
await ctx.dispose(); await model.dispose(); await llama.dispose();
`;
const childFile = path.join(os.tmpdir(), `tollama-bench-native-${process.pid}.mjs`);
fs.writeFileSync(childFile, child);

function nodeRun(modelPath, patched, threads) {
  const r = spawnSync(process.execPath, [childFile, nlcIndex, modelPath, patched ? '1' : '0', String(threads), String(tokens)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr.slice(-1500));
  const res = JSON.parse(r.stdout.trim().split('\n').at(-1));
  if (patched && res.buildType !== 'localBuild') throw new Error('the patched addon is not built: run npm run build:native');
  return res.tps;
}

function rawRun(modelPath, threads) {
  const r = spawnSync(process.env.BENCH_RAW, ['-m', modelPath, '-t', String(threads), '-p', '0', '-n', String(tokens), '-r', '1', '-o', 'json'], {
    // BENCH_RAW's own folder first: llama-bench's sonames (libllama.so.0, …) differ from the prebuilt
    // ones, so that folder holds symlinks to the prebuilt .so files under those names (docs/native.md).
    encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: `${path.dirname(process.env.BENCH_RAW)}:${libDir}` },
  });
  if (r.status !== 0) throw new Error(`llama-bench failed: ${r.stderr.slice(-800)}`);
  const cpu = /loaded CPU backend from (\S+)/.exec(r.stderr)?.[1];
  if (!cpu || path.dirname(fs.realpathSync(cpu)) !== fs.realpathSync(libDir)) throw new Error(`llama-bench did not load node-llama-cpp's prebuilt CPU backend (${cpu ?? 'none'})`);
  return JSON.parse(r.stdout)[0].avg_ts;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

const models = [['stories260K', path.resolve(root, '../shared/models/stories260K.gguf')]];
if (process.env.BENCH_BIG === '1') {
  const big = path.join(os.tmpdir(), 'tollama-bench-qwen2-05b-q8_0.gguf');
  if (!fs.existsSync(big)) {
    console.error('writing a Qwen2-0.5B-shaped Q8_0 model to', big);
    const { importTs } = await import('./lib.mjs');
    const gguf = await importTs('test/helpers/gguf.ts');
    await gguf.writeModel(big, gguf.qwen2_05b);
  }
  if (fs.existsSync(big)) models.push(['Qwen2-0.5B Q8_0 (synthetic)', big]);
}
for (const mb of (process.env.BENCH_SIZES ?? '').split(',').filter(Boolean).map(Number)) {
  const file = path.join(os.tmpdir(), `tollama-bench-sized-${mb}mb.gguf`);
  if (!fs.existsSync(file)) {
    const { importTs } = await import('./lib.mjs');
    const gguf = await importTs('test/helpers/gguf.ts');
    await gguf.writeModel(file, gguf.sizedModelShape(mb * 1024 * 1024));
  }
  models.push([`llama-shaped Q8_0, ${mb} MB (synthetic)`, file]);
}
const raw = process.env.BENCH_RAW && fs.existsSync(process.env.BENCH_RAW);
if (!raw) console.error('raw llama.cpp column skipped: set BENCH_RAW to a llama-bench built from node-llama-cpp/llama/gitRelease.bundle (see docs/native.md)');

console.log(`| model | threads | prebuilt t/s | patched t/s | patched ÷ prebuilt |${raw ? ' raw t/s | patched ÷ raw | prebuilt ÷ raw |' : ''}`);
console.log(`|---|---|---|---|---|${raw ? '---|---|---|' : ''}`);
for (const [name, file] of models) {
  if (!fs.existsSync(file)) { console.error(`${file} missing, skipped`); continue; }
  for (const threads of [1, 2]) {
    const pre = []; const pat = []; const rw = [];
    for (let r = 0; r < rounds; r++) {
      pre.push(nodeRun(file, false, threads));
      pat.push(nodeRun(file, true, threads));
      if (raw) rw.push(rawRun(file, threads));
    }
    const ratio = median(pat.map((p, i) => p / pre[i]));
    let line = `| ${name} | ${threads} | ${fmt(median(pre))} [${fmt(Math.min(...pre))}–${fmt(Math.max(...pre))}] | ${fmt(median(pat))} [${fmt(Math.min(...pat))}–${fmt(Math.max(...pat))}] | ${ratio.toFixed(2)} |`;
    if (raw) line += ` ${fmt(median(rw))} | ${median(pat.map((p, i) => p / rw[i])).toFixed(2)} | ${median(pre.map((p, i) => p / rw[i])).toFixed(2)} |`;
    console.log(line);
  }
}
fs.rmSync(childFile, { force: true });
