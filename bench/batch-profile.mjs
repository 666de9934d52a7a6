#!/usr/bin/env node
// Where the time of N parallel streams goes (#16 item 3): wraps the runner context's native
// handle (_ctx) and times every decodeBatch and sampleToken call, then splits each step into
// decode, sampling (first sampleToken start → last end) and the JavaScript gaps around them.
//   UV_THREADPOOL_SIZE=1|2|4 node bench/batch-profile.mjs [model.gguf]
// Tuning: PROFILE_STREAMS (4), PROFILE_TOKENS (16), PROFILE_THREADS (thread policy), PROFILE_ROUNDS (2).
// Needs `npm run build` first.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const model = process.argv[2] ?? path.join(os.tmpdir(), 'tollama-bench-qwen2-05b-q8_0.gguf');
const STREAMS = Number(process.env.PROFILE_STREAMS ?? 4);
const TOKENS = Number(process.env.PROFILE_TOKENS ?? 16);
const ROUNDS = Number(process.env.PROFILE_ROUNDS ?? 2);
const dist = (p) => import(pathToFileURL(path.join(root, 'dist', p)).href);
const { Runner } = await dist('runtime/runner.js');
const { resolveRunnerOptions } = await dist('runtime/options.js');
const PROMPTS = ['Once upon a time', 'The little dog', 'One day, a girl', 'Tom and Sue', 'The sun was', 'A big bird', 'In the park', 'Sam saw a'];
const now = () => Number(process.hrtime.bigint()) / 1e6;

const opts = { num_ctx: 2048, ...(process.env.PROFILE_THREADS ? { num_thread: Number(process.env.PROFILE_THREADS) } : {}) };
const runner = await Runner.load({ name: 'profile', modelPath: model, options: resolveRunnerOptions(opts, { numParallel: STREAMS }) });
const ctx = runner.context;
const native = ctx._ctx;
let events = [];
ctx._ctx = new Proxy(native, {
  get(target, prop) {
    const value = Reflect.get(target, prop);
    if (typeof value !== 'function') return value;
    if (prop === 'decodeBatch' || prop === 'sampleToken') {
      return (...args) => {
        const e = { kind: prop, start: now(), end: 0 };
        events.push(e);
        const p = value.apply(target, args);
        return p.then((v) => { e.end = now(); return v; });
      };
    }
    return value.bind(target);
  },
});

const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[s.length >> 1] : NaN; };
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
console.log(`model ${path.basename(model)}, ${STREAMS} streams × ${TOKENS} tokens, ggml threads ${runner.threads}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '(4)'}, load ${os.loadavg()[0].toFixed(1)}`);
for (let round = 0; round <= ROUNDS; round++) {
  events = [];
  const t0 = now();
  const res = await Promise.all(Array.from({ length: STREAMS }, (_, i) =>
    runner.generate({ prompt: PROMPTS[i % PROMPTS.length], options: { temperature: 0, num_predict: TOKENS } }).collect()));
  const wall = now() - t0;
  if (round === 0) continue; // warm-up
  // steps: each decodeBatch and the sampleToken calls that follow it
  const steps = [];
  for (const e of events) {
    if (e.kind === 'decodeBatch') steps.push({ decode: e, samples: [] });
    else steps.at(-1)?.samples.push(e);
  }
  const gen = steps.slice(1, -1).filter((s) => s.samples.length === STREAMS); // generation steps with every stream
  const decode = gen.map((s) => s.decode.end - s.decode.start);
  const sampling = gen.map((s) => Math.max(...s.samples.map((x) => x.end)) - Math.min(...s.samples.map((x) => x.start)));
  const sampleEach = gen.flatMap((s) => s.samples.map((x) => x.end - x.start));
  const gapBefore = gen.map((s) => Math.min(...s.samples.map((x) => x.start)) - s.decode.end);
  const idx = new Map(steps.map((s, i) => [s, i]));
  const gapAfter = gen.map((s) => steps[idx.get(s) + 1].decode.start - Math.max(...s.samples.map((x) => x.end)));
  const step = gen.map((s) => steps[idx.get(s) + 1].decode.start - s.decode.start);
  const f = (xs) => `${med(xs).toFixed(1)}`;
  console.log(`round ${round}: wall ${wall.toFixed(0)} ms, ${steps.length} decodes (${gen.length} full generation steps), eval ${res.map((r) => r.result.eval_count).join('/')}; per step (median ms): step ${f(step)} = decode ${f(decode)} + decode→1st sample ${f(gapBefore)} + sampling span ${f(sampling)} (each ${f(sampleEach)}) + last sample→next decode ${f(gapAfter)}; Σ decode ${(sum(decode) / sum(step) * 100).toFixed(0)}% of steps`);
}
// one stream alone, for the 4÷1 decode ratio
events = [];
await runner.generate({ prompt: PROMPTS[0], options: { temperature: 0, num_predict: TOKENS } }).collect();
const single = [];
for (const e of events) if (e.kind === 'decodeBatch') single.push(e.end - e.start);
console.log(`1 stream: decode median ${med(single.slice(1)).toFixed(1)} ms (ratio of the ${STREAMS}-token decode to it is the cost of batching)`);
await runner.dispose();
