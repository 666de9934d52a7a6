#!/usr/bin/env node
// The server's cost over driving node-llama-cpp directly, measured in one run on the same model,
// binary (the runtime's own getLlamaInstance from dist/) and thread count (read from the server's
// "model loaded" log line):
//   * generation tokens/s through /api/generate ÷ direct     (goal ≥ 0.97), interleaved rounds
//     back to back after untimed warm-up rounds; then the same with 200 ms idle before each run
//   * warm time-to-first-token overhead, server − direct      (goal ≤ 15 ms)
//   * 4 parallel streams ÷ 1 stream, aggregate tokens/s        (server with OLLAMA_NUM_PARALLEL=4)
//   * idle server RSS (no model loaded) and RSS with the model loaded
// Models: stories260K always; a generated Qwen2-0.5B-shaped Q8_0 model too with BENCH_QWEN=1
// (writes ~500 MB to the temp dir and takes minutes). Needs `npm run build` first.
// Usage: node bench/api.mjs   |   BENCH_QWEN=1 BENCH_REPS=11 node bench/api.mjs
// Tuning: BENCH_TOKENS (500), BENCH_QWEN_TOKENS (64), BENCH_REPS (31), BENCH_WARM (3 rounds) and
// BENCH_WARM_TOKENS (768: at least this many warm-up tokens), BENCH_IDLE_MS (200), BENCH_SETTLE_MS (150)
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { importTs, median, quantile, startServe } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STORIES = path.resolve(root, '../shared/models/stories260K.gguf');
const TOKENS = Number(process.env.BENCH_TOKENS ?? 500);
const REPS = Number(process.env.BENCH_REPS ?? 31);
const WARM = Number(process.env.BENCH_WARM ?? 3);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 200);
const WARM_TOKENS = Number(process.env.BENCH_WARM_TOKENS ?? 768);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 150);
const PROMPTS = ['Once upon a time', 'The little dog', 'One day, a girl', 'Tom and Sue', 'The sun was', 'A big bird', 'In the park'];

const dist = (p) => import(pathToFileURL(path.join(root, 'dist', p)).href);

/** Adds `name` to a fresh store with the real Store and encoders (via the test helper). */
async function storeWith(name, gguf) {
  const { addModel } = await importTs('test/helpers/models.ts');
  const models = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-bench-api-'));
  await addModel(models, name, gguf, { template: '{{ .Prompt }}' });
  return models;
}

function rssMB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const agent = new http.Agent({ keepAlive: true });

/**
 * Streams one /api/generate; returns client-side first-token latency and decode rate. The client
 * is plain node:http (keep-alive) parsing every line, as the ollama clients do: undici's fetch
 * body stream costs ~2× the client CPU per chunk, and on 2 shared cores the harness's own client
 * competes with the model for the CPU, which is not the server's overhead.
 */
function serverStream(url, model, prompt, numPredict) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = 0;
    let last;
    let buf = '';
    const req = http.request(`${url}/api/generate`, { method: 'POST', agent }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = JSON.parse(buf.slice(0, i));
          buf = buf.slice(i + 1);
          if (line.error) return reject(new Error(line.error));
          if (!first && !line.done) first = performance.now();
          if (line.done) last = line;
        }
      });
      res.on('error', reject);
      res.on('end', () => {
        const end = performance.now();
        if (!last) return reject(new Error('no final line'));
        resolve({ ttft: first - t0, tokens: last.eval_count, rate: (last.eval_count - 1) / ((end - first) / 1000), wall: end - t0, evalRate: (last.eval_count - 1) / (last.eval_duration / 1e9) });
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify({ model, prompt, options: { temperature: 0, num_predict: numPredict } }));
  });
}

/**
 * The same generation driven directly through node-llama-cpp, as a minimal app would write it but
 * doing the same work the server must: the prompt tokenized the same way (special tokens, BOS),
 * the same sampling (Ollama's defaults with temperature 0 — top_k 40, top_p 0.9, repeat_penalty
 * 1.1 over the last 64 tokens — resolved by the runtime's own resolveSampling), each token
 * detokenized with the previous tokens as context, EOS and num_predict ending it.
 */
async function directStream(seq, model, resolveSampling, prompt, numPredict) {
  await seq.clearHistory();
  const t0 = performance.now();
  let tokens = [...model.tokenize(prompt, true)];
  if (model.tokens.bos != null && model.tokens.shouldPrependBosToken) tokens = [model.tokens.bos, ...tokens];
  const history = tokens.slice();
  const sampling = resolveSampling({ temperature: 0 }, () => history, seq.contextSize);
  let first = 0;
  let n = 0;
  const it = seq.evaluate(tokens, sampling.evaluate);
  for await (const tok of it) {
    n++;
    if (n === 1) first = performance.now();
    model.detokenize([tok], false, history.slice(-8));
    history.push(tok);
    if (n >= numPredict) break;
  }
  const end = performance.now();
  return { ttft: first - t0, tokens: n, rate: (n - 1) / ((end - first) / 1000) };
}

async function bench(label, gguf, numPredict) {
  console.log(`\n-- ${label}: ${path.basename(gguf)}, ${numPredict} tokens, ${REPS} reps, ${os.availableParallelism()} cores`);
  const models = await storeWith('bench', gguf);

  // Server (one slot) and direct, both loaded side by side, run in interleaved rounds (the order
  // alternates) so that load from anything else on the machine hits both alike. With more than
  // one thread, ggml's workers keep spinning ~100 ms after a context's last graph (measured on
  // the 0.5B model), which would steal a core from the other side's next run: each run then
  // waits SETTLE_MS first.
  const s1 = await startServe({ OLLAMA_MODELS: models, OLLAMA_NUM_PARALLEL: '1' });
  const url1 = `http://${s1.host}`;
  const idleRss = rssMB(s1.proc.pid);
  let serverLog = '';
  s1.proc.stderr.on('data', (d) => (serverLog += d));
  await serverStream(url1, 'bench', PROMPTS[0], 4); // load + warm
  const threads = Number(/model loaded.*?threads=(\d+)/.exec(serverLog)?.[1] ?? 1);
  const contextSize = Number(/model loaded.*?contextLength=(\d+)/.exec(serverLog)?.[1] ?? 2048);
  const loadedRss = rssMB(s1.proc.pid);
  const settleMs = threads > 1 ? SETTLE_MS : 0;
  // Untimed full-length rounds first: both processes' JavaScript (node-llama-cpp's and the
  // server's) is still being optimised during the first several hundred tokens, and the server
  // has more of it; a server runs for hours, so its warm rate is the one that counts (0.5B
  // model: 3 warm-up rounds of 64 tokens gave 0.958, 12 rounds 0.973).
  const warmRounds = Math.max(WARM, Math.ceil(WARM_TOKENS / numPredict));

  // Direct: same binary, threads, context size and batch size as the server's runner.
  const { getLlamaInstance } = await dist('runtime/llama.js');
  const { resolveSampling } = await dist('runtime/sampling.js');
  const llama = await getLlamaInstance();
  let direct;
  const openDirect = async () => {
    const model = await llama.loadModel({ modelPath: gguf });
    const ctx = await model.createContext({ contextSize, threads, batchSize: Math.min(512, contextSize) });
    const seq = ctx.getSequence();
    await directStream(seq, model, resolveSampling, PROMPTS[0], 4);
    direct = { model, ctx, seq };
  };
  const closeDirect = async () => {
    await direct.ctx.dispose();
    await direct.model.dispose();
  };

  const srv = [];
  const dir = [];
  // 1-thread rounds are run a second time with the machine idle before every run (see below).
  const srvIdle = [];
  const dirIdle = [];
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  await openDirect();
  for (let i = 0; i < warmRounds; i++) {
    if (settleMs > 0) await sleep(settleMs);
    await serverStream(url1, 'bench', PROMPTS[i % PROMPTS.length], numPredict);
    if (settleMs > 0) await sleep(settleMs);
    await directStream(direct.seq, direct.model, resolveSampling, PROMPTS[i % PROMPTS.length], numPredict);
  }
  // Rounds of one server run and one direct run on the same prompt, the order alternating.
  // Steady: back to back, as in a stream of requests. Idle: IDLE_MS of sleep before every run.
  // On this VM a run that starts from idle vCPUs is slower for its first ~100 ms, and more so
  // for the server (two processes, more thread wake-ups per token) than in-process; a busy-wait
  // instead of the sleep removes the difference, so it is the host's idle handling, not code.
  const rounds = async (s, d, idleMs) => {
    for (let i = 0; i < REPS; i++) {
      const prompt = PROMPTS[i % PROMPTS.length];
      const runS = async () => s.push(await serverStream(url1, 'bench', prompt, numPredict));
      const runD = async () => d.push(await directStream(direct.seq, direct.model, resolveSampling, prompt, numPredict));
      for (const run of i % 2 === 0 ? [runS, runD] : [runD, runS]) {
        if (Math.max(idleMs, settleMs) > 0) await sleep(Math.max(idleMs, settleMs));
        await run();
      }
    }
  };
  await rounds(srv, dir, 0);
  if (IDLE_MS > 0 && threads === 1) await rounds(srvIdle, dirIdle, IDLE_MS);
  await s1.stop();
  await closeDirect();

  // Four parallel streams vs one, on a server with four slots.
  const s4 = await startServe({ OLLAMA_MODELS: models, OLLAMA_NUM_PARALLEL: '4' });
  const url4 = `http://${s4.host}`;
  await serverStream(url4, 'bench', PROMPTS[0], 4);
  const one = [];
  const four = [];
  for (let i = 0; i < Math.max(2, Math.ceil(REPS / 2)); i++) {
    const t0 = performance.now();
    const r = await serverStream(url4, 'bench', PROMPTS[i % PROMPTS.length], numPredict);
    one.push(r.tokens / ((performance.now() - t0) / 1000));
    const t1 = performance.now();
    const rs = await Promise.all([0, 1, 2, 3].map((k) => serverStream(url4, 'bench', PROMPTS[(i + k) % PROMPTS.length], numPredict)));
    four.push(rs.reduce((a, x) => a + x.tokens, 0) / ((performance.now() - t1) / 1000));
  }
  await s4.stop();
  fs.rmSync(models, { recursive: true, force: true });

  const sRate = median(srv.map((r) => r.rate));
  const dRate = median(dir.map((r) => r.rate));
  const sTtft = median(srv.map((r) => r.ttft));
  const dTtft = median(dir.map((r) => r.ttft));
  const p1 = median(one);
  const p4 = median(four);
  const ratios = srv.map((r, i) => r.rate / dir[i].rate);
  const span = (rs) => `${Math.min(...rs.map((r) => r.tokens))}–${Math.max(...rs.map((r) => r.tokens))}`;
  console.log(`threads ${threads}, context ${contextSize}, interleaved rounds after ${warmRounds} warm-up rounds${settleMs ? `, ${settleMs} ms settle before each run` : ''}; tokens per run: server ${span(srv)}, direct ${span(dir)}`);
  console.log(`generation tokens/s        server ${sRate.toFixed(1).padStart(8)}   direct ${dRate.toFixed(1).padStart(8)}   ratio ${(sRate / dRate).toFixed(3)}  (goal ≥ 0.97)`);
  console.log(`  per-round ratios: median ${median(ratios).toFixed(3)}, quartiles ${quantile(ratios, 0.25).toFixed(3)}–${quantile(ratios, 0.75).toFixed(3)}, ${ratios.length} rounds; load ${os.loadavg()[0].toFixed(2)}`);
  // The server's own eval_duration (first token to the end, measured in the runner): with it
  // ≈ direct, the rest of the gap is HTTP and the client; below direct, it is in the server.
  const eRate = median(srv.map((r) => r.evalRate));
  console.log(`  server-side rate (eval_count / eval_duration) ${eRate.toFixed(1)}  ÷ direct ${(eRate / dRate).toFixed(3)}`);
  if (srvIdle.length > 0) {
    const si = median(srvIdle.map((r) => r.rate));
    const di = median(dirIdle.map((r) => r.rate));
    const ri = srvIdle.map((r, i) => r.rate / dirIdle[i].rate);
    console.log(`  each run after ${IDLE_MS} ms idle: server ${si.toFixed(1)}   direct ${di.toFixed(1)}   ratio ${(si / di).toFixed(3)} (per-round median ${median(ri).toFixed(3)}); the host's wake-up from idle, see docs/performance.md`);
  }
  console.log(`time to first token (ms)   server ${sTtft.toFixed(2).padStart(8)}   direct ${dTtft.toFixed(2).padStart(8)}   overhead ${(sTtft - dTtft).toFixed(2)} ms  (goal ≤ 15 ms)`);
  console.log(`aggregate tokens/s         1 stream ${p1.toFixed(1).padStart(6)}   4 streams ${p4.toFixed(1).padStart(6)}   ratio ${(p4 / p1).toFixed(2)}`);
  console.log(`server RSS (MB)            idle ${idleRss.toFixed(1)}   model loaded ${loadedRss.toFixed(1)}`);
}

await bench('stories260K', STORIES, TOKENS);
if (process.env.BENCH_QWEN === '1') {
  const { writeModel, qwen2_05b } = await importTs('test/helpers/gguf.ts');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-bench-qwen-')), 'qwen2-0.5b-q8_0.gguf');
  await writeModel(file, qwen2_05b);
  try {
    await bench('qwen2-0.5B-shaped Q8_0 (random weights)', file, Number(process.env.BENCH_QWEN_TOKENS ?? 64));
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}
process.exit(0);
