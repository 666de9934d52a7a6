#!/usr/bin/env node
// Parallel requests batched into one decode (#16 item 3): aggregate generation tokens/s of 4 and
// 8 concurrent streams ÷ 1 stream through the runtime (Runner from dist/, one runner per
// num_parallel, greedy), against the same ratio from llama.cpp's own `llama-batched-bench` on the
// same prebuilt libraries, model, threads, batch size and flash-attention setting.
//   goal: (ours 4÷1) ≥ 0.95 × (llama-batched-bench 4÷1), and ours 8 streams ≥ ours 4 streams
// Rounds are interleaved (ours 1/4/8, then llama-batched-bench 1/4/8), after one untimed round.
// Ours: Σ eval_count ÷ the longest eval_duration (the runner's own clock, first token → last),
// i.e. the generation phase, as llama-batched-bench's S_TG.
// llama-batched-bench is built on first use (about 15 s) from node-llama-cpp's bundled source,
// as scripts/native/build-quantize.mjs builds llama-quantize, into the temp dir.
// Models: stories260K; a generated Qwen2-0.5B-shaped Q8_0 model (random weights, ~500 MB in the
// temp dir, kept for the next run). BENCH_BATCH_MODELS=stories,qwen picks them (default both).
// Needs `npm run build` first.
// Tuning: BENCH_BATCH_ROUNDS (3), BENCH_BATCH_TOKENS (200, stories260K), BENCH_BATCH_QWEN_TOKENS (32),
// BENCH_BATCH_THREADS (the thread policy's choice; both sides get the same), num_ctx is 2048 per
// sequence on both sides,
// NODE_LLAMA_CPP_NO_BATCH_GATHER=1 (node-llama-cpp's dispatch without the batching patch).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { importTs, median } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STORIES = path.resolve(root, '../shared/models/stories260K.gguf');
const QWEN = path.join(os.tmpdir(), 'tollama-bench-qwen2-05b-q8_0.gguf');
const ROUNDS = Number(process.env.BENCH_BATCH_ROUNDS ?? 3);
const STREAMS = [1, 4, 8];
const PROMPT_TOKENS = 8;
const PROMPTS = ['Once upon a time', 'The little dog', 'One day, a girl', 'Tom and Sue', 'The sun was', 'A big bird', 'In the park', 'Sam saw a'];
const dist = (p) => import(pathToFileURL(path.join(root, 'dist', p)).href);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.slice(0, 3).join(' ')} … exited ${r.status}: ${(r.stderr || r.stdout).slice(-2000)}`);
  return r.stdout + r.stderr;
}

/**
 * llama-batched-bench from the bundled source (tools/batched-bench), linked against the prebuilt
 * libraries; the CPU backends (libggml-cpu-*.so, loaded at run time from the binary's folder) are
 * linked in beside it.
 */
function batchedBench() {
  const { findNodeLlamaCpp, findPackageDir, EXPECTED_NLC_VERSION } = nativeLib;
  const nlcDir = findNodeLlamaCpp(root);
  const platform = `${process.platform}-${process.arch}`;
  const libDir = path.join(findPackageDir(nlcDir, `@node-llama-cpp/${platform}`), 'bins', platform);
  // keyed by the library folder too: the binary's rpath and the backend links point into it
  const key = createHash('sha256').update(libDir).digest('hex').slice(0, 8);
  const out = path.join(os.tmpdir(), `tollama-llama-batched-bench-${EXPECTED_NLC_VERSION}-${key}`);
  const bin = path.join(out, 'llama-batched-bench');
  if (fs.existsSync(bin)) return bin;
  const lib = (prefix) => fs.readdirSync(libDir).find((f) => f.startsWith(prefix) && f.endsWith('.so'));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-batched-bench-src-'));
  try {
    const src = path.join(tmp, 'src');
    console.log('building llama-batched-bench from the bundled llama.cpp source …');
    run('git', ['clone', '-q', '--no-checkout', path.join(nlcDir, 'llama', 'gitRelease.bundle'), src]);
    run('git', ['-C', src, 'sparse-checkout', 'set', '--no-cone', '/include/', '/ggml/include/', '/common/', '/vendor/', '/tools/batched-bench/']);
    run('git', ['-C', src, 'checkout', '-q', 'HEAD']);
    const staged = path.join(tmp, 'out');
    fs.mkdirSync(staged);
    run('g++', [
      '-std=c++17', '-O2', '-DNDEBUG', '-pthread',
      ...['include', 'ggml/include', 'common', 'vendor'].map((d) => `-I${path.join(src, d)}`),
      path.join(src, 'tools/batched-bench/main.cpp'), path.join(src, 'tools/batched-bench/batched-bench.cpp'),
      '-o', path.join(staged, 'llama-batched-bench'),
      `-L${libDir}`, `-l:${lib('libllama.')}`, '-l:libllama-common.so', `-l:${lib('libggml.')}`, '-l:libggml-base.so',
      `-Wl,-rpath,${libDir}`, '-s',
    ]);
    for (const f of fs.readdirSync(libDir)) if (f.startsWith('libggml-cpu-')) fs.symlinkSync(path.join(libDir, f), path.join(staged, f));
    fs.rmSync(out, { recursive: true, force: true });
    fs.renameSync(staged, out);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}

/** S_TG (generation tokens/s) for each number of sequences, from one llama-batched-bench run. */
function refRates(bin, model, { threads, tokens, batch }) {
  const text = run(bin, [
    '-m', model, '-c', String(8 * 2048), '-b', String(batch), '-ub', String(batch), '-fa', 'off',
    '-npp', String(PROMPT_TOKENS), '-ntg', String(tokens), '-npl', STREAMS.join(','), '-t', String(threads), '-tb', String(threads),
  ]);
  const rates = {};
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((c) => c.trim()).filter(Boolean);
    if (cells.length === 10 && /^\d+$/.test(cells[2])) rates[Number(cells[2])] = Number(cells[7]);
  }
  for (const n of STREAMS) if (!(rates[n] > 0)) throw new Error(`llama-batched-bench printed no rate for ${n} sequences:\n${text.slice(-1500)}`);
  return rates;
}

/** Aggregate generation tokens/s of `n` concurrent greedy streams on `runner`. */
async function ourRate(runner, n, tokens) {
  const res = await Promise.all(Array.from({ length: n }, (_, i) =>
    runner.generate({ prompt: PROMPTS[i % PROMPTS.length], options: { temperature: 0, num_predict: tokens } }).collect()));
  const count = res.reduce((s, r) => s + r.result.eval_count, 0);
  const ns = Math.max(...res.map((r) => r.result.eval_duration));
  return { rate: count / (ns / 1e9), count };
}

const nativeLib = await import(pathToFileURL(path.join(root, 'scripts/native/lib.mjs')).href);

async function benchModel(label, model, tokens) {
  const { Runner } = await dist('runtime/runner.js');
  const { resolveRunnerOptions } = await dist('runtime/options.js');
  const runners = {};
  const opts = { num_ctx: 2048, ...(process.env.BENCH_BATCH_THREADS ? { num_thread: Number(process.env.BENCH_BATCH_THREADS) } : {}) };
  for (const n of STREAMS) runners[n] = await Runner.load({ name: label, modelPath: model, options: resolveRunnerOptions(opts, { numParallel: n }) });
  const threads = runners[1].threads;
  const batch = Math.min(resolveRunnerOptions({}, {}).numBatch, runners[1].contextLength);
  const bin = batchedBench();
  console.log(`\n-- ${label}: ${tokens} tokens per stream, ${threads} thread(s), batch ${batch}, ${ROUNDS} rounds, ${os.availableParallelism()} cores, load ${os.loadavg()[0].toFixed(1)}`);
  for (const n of STREAMS) await ourRate(runners[n], n, Math.min(tokens, 32)); // warm-up
  const ours = Object.fromEntries(STREAMS.map((n) => [n, []]));
  const ref = Object.fromEntries(STREAMS.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    const line = [];
    for (const n of STREAMS) {
      const { rate, count } = await ourRate(runners[n], n, tokens);
      ours[n].push(rate);
      line.push(`ours ${n}: ${rate.toFixed(1)} t/s${count < n * tokens ? ` (${count} tokens: EOS)` : ''}`);
    }
    const rr = refRates(bin, model, { threads, tokens, batch });
    for (const n of STREAMS) ref[n].push(rr[n]);
    console.log(`round ${r + 1}: ${line.join(', ')} | llama-batched-bench ${STREAMS.map((n) => `${n}: ${rr[n].toFixed(1)}`).join(', ')}`);
  }
  for (const n of STREAMS) await runners[n].dispose();
  const m = (xs) => median(xs);
  const perRound = (a, b) => a.map((x, i) => x / b[i]);
  for (const n of [4, 8]) {
    const o = m(ours[n]) / m(ours[1]);
    const b = m(ref[n]) / m(ref[1]);
    const paired = m(perRound(perRound(ours[n], ours[1]), perRound(ref[n], ref[1])));
    console.log(`${n} streams ÷ 1: ours ${o.toFixed(2)}× (${m(ours[n]).toFixed(1)} / ${m(ours[1]).toFixed(1)} t/s), llama-batched-bench ${b.toFixed(2)}× (${m(ref[n]).toFixed(1)} / ${m(ref[1]).toFixed(1)} t/s) → ${(o / b).toFixed(3)} of its ratio (per round ${paired.toFixed(3)})${n === 4 ? '  goal ≥ 0.95' : ''}`);
  }
  console.log(`8 streams ÷ 4 streams, ours: ${(m(ours[8]) / m(ours[4])).toFixed(2)}×  goal ≥ 1 (llama-batched-bench ${(m(ref[8]) / m(ref[4])).toFixed(2)}×)`);
}

if (process.env.NODE_LLAMA_CPP_NO_BATCH_GATHER) console.log('NODE_LLAMA_CPP_NO_BATCH_GATHER is set: node-llama-cpp dispatches without the batching patch');
const MODELS = (process.env.BENCH_BATCH_MODELS ?? 'stories,qwen').split(',');
if (!MODELS.includes('stories')) { /* not asked for */ } else if (fs.existsSync(STORIES)) await benchModel('stories260K', STORIES, Number(process.env.BENCH_BATCH_TOKENS ?? 200));
else console.log(`skipped stories260K: ${STORIES} is absent`);
if (MODELS.includes('qwen')) {
  if (!fs.existsSync(QWEN)) {
    console.log(`writing a Qwen2-0.5B-shaped Q8_0 model (random weights) to ${QWEN} …`);
    const gguf = await importTs('test/helpers/gguf.ts');
    await gguf.writeModel(QWEN, gguf.qwen2_05b);
  }
  await benchModel('Qwen2-0.5B-shaped Q8_0 (random weights)', QWEN, Number(process.env.BENCH_BATCH_QWEN_TOKENS ?? 32));
}
