#!/usr/bin/env node
// Throughput of 2 replicas behind nginx ÷ 1 replica behind the same nginx configuration
// (deploy/nginx/tollama.conf, docs/replicas.md), on one shared read-only store: the same batch
// of non-streamed /api/generate requests, CONCURRENCY at a time, without the affinity header (so
// nginx spreads them); aggregate tokens/s = Σ eval_count ÷ wall time. Each replica uses the
// runtime's own thread policy, so on a small machine two replicas compete for the same cores:
// the ratio says what a second replica on the *same* machine buys (replicas are meant for more
// machines); a second pair of rows gives each replica half the cores (num_thread). Needs nginx (apt-get install nginx-light) and `npm run build`.
// Tuning: BENCH_REQUESTS (32), BENCH_CONCURRENCY (4), BENCH_TOKENS (64), BENCH_ROUNDS (3).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importTs, median, startServe } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STORIES = path.resolve(root, '../shared/models/stories260K.gguf');
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 32);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const { nginxBinary, startNginx, NGINX_SKIP } = await importTs('test/helpers/nginx.ts');
if (!fs.existsSync(STORIES) || !nginxBinary()) {
  console.log(`skipped: ${!fs.existsSync(STORIES) ? `${STORIES} is absent` : NGINX_SKIP}`);
  process.exit(0);
}
const { addModel } = await importTs('test/helpers/models.ts');
const store = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-bench-replicas-'));
await addModel(store, 'stories', STORIES);

async function batch(url, numThread) {
  let next = 0;
  let tokens = 0;
  const t0 = performance.now();
  const worker = async () => {
    for (let i = next++; i < REQUESTS; i = next++) {
      const r = await fetch(`${url}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({ model: 'stories', prompt: `Once upon a time ${i}`, stream: false, options: { num_predict: TOKENS, seed: i, ...(numThread ? { num_thread: numThread } : {}) } }),
      });
      const j = await r.json();
      if (!r.ok) throw new Error(j.error);
      tokens += j.eval_count;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return tokens / ((performance.now() - t0) / 1000);
}

async function measure(n, numThread) {
  const replicas = [];
  const homes = [];
  let nginx;
  try {
    for (let i = 0; i < n; i++) {
      homes.push(fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-bench-home-')));
      replicas.push(await startServe({ OLLAMA_MODELS: store, OLLAMA_READONLY: '1', HOME: homes[i] }));
    }
    nginx = await startNginx(
      replicas.map((r) => r.host),
      path.join(root, 'deploy', 'nginx', 'tollama.conf'),
    );
    await batch(nginx.url, numThread); // warm-up: every replica loads the model
    const rates = [];
    for (let r = 0; r < ROUNDS; r++) rates.push(await batch(nginx.url, numThread));
    return median(rates);
  } finally {
    await nginx?.stop();
    for (const r of replicas) await r.stop();
    for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
  }
}

try {
  const one = await measure(1);
  const two = await measure(2);
  const split = Math.max(1, Math.floor(os.availableParallelism() / 2));
  const twoSplit = await measure(2, split);
  console.log(`cores: ${os.availableParallelism()}; ${REQUESTS} requests × ${TOKENS} tokens, ${CONCURRENCY} at a time, median of ${ROUNDS} rounds`);
  console.log(`${'1 replica behind nginx'.padEnd(44)} ${one.toFixed(1).padStart(9)} tokens/s`);
  console.log(`${'2 replicas behind nginx'.padEnd(44)} ${two.toFixed(1).padStart(9)} tokens/s`);
  console.log(`${'2 replicas ÷ 1'.padEnd(44)} ${(two / one).toFixed(2).padStart(9)}×`);
  console.log(`${`2 replicas, num_thread ${split} each`.padEnd(44)} ${twoSplit.toFixed(1).padStart(9)} tokens/s`);
  console.log(`${`2 replicas (num_thread ${split}) ÷ 1`.padEnd(44)} ${(twoSplit / one).toFixed(2).padStart(9)}×`);
} finally {
  fs.rmSync(store, { recursive: true, force: true });
}
