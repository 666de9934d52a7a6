#!/usr/bin/env node
// Measures generation speed of a GGUF model at 1 and 2 threads (or the counts given) with
// node-llama-cpp's prebuilt binary, the way Tollama's runtime drives it (raw sequence.evaluate,
// greedy, EOS ignored). Usage: node bench/threads.mjs [model.gguf] [threads,...] [tokens] [reps]
// Default model: ../shared/models/stories260K.gguf relative to the repo root.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const modelPath = process.argv[2] || path.resolve(root, '../shared/models/stories260K.gguf');
const threadList = (process.argv[3] ?? '1,2').split(',').map(Number);
const nTokens = Number(process.argv[4] ?? 128);
const reps = Number(process.argv[5] ?? 3);

const llama = await getLlama({ gpu: false, build: 'never', maxThreads: os.availableParallelism(), logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath });
console.log(`binary: ${llama.buildType}, cores: ${os.availableParallelism()}, model: ${path.basename(modelPath)}`);
const prompt = [model.tokens.bos, ...model.tokenize('Once upon a time', true)].filter((t) => t != null);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const threads of threadList) {
  const ctx = await model.createContext({ threads, contextSize: 512 });
  const seq = ctx.getSequence();
  const tg = [];
  const ttft = [];
  for (let r = 0; r < reps; r++) {
    await seq.clearHistory();
    const t0 = performance.now();
    let first = 0;
    let n = 0;
    let tok = prompt;
    // generate nTokens greedily, ignoring EOS (feed each sampled token back explicitly)
    while (n < nTokens) {
      const it = seq.evaluate(tok, { temperature: 0, yieldEogToken: true });
      const { value } = await it.next();
      await it.return();
      if (n === 0) first = performance.now();
      tok = [value];
      n++;
      if (seq.nextTokenIndex >= 510) await seq.clearHistory(), (tok = prompt);
    }
    const t1 = performance.now();
    ttft.push(first - t0);
    tg.push((nTokens - 1) / ((t1 - first) / 1000));
  }
  console.log(`threads=${threads}: tg ${median(tg).toFixed(1)} t/s [${Math.min(...tg).toFixed(1)}–${Math.max(...tg).toFixed(1)}], first token ${median(ttft).toFixed(2)} ms`);
  await ctx.dispose();
}
await model.dispose();
