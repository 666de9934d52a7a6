#!/usr/bin/env node
// Cost of translating a published-layout GGUF into a derived llama.cpp-layout file
// (docs/compat.md), on a generated 1 GiB `olmo3` file (Q8_0 weights; the translation rewrites
// the header and streams every tensor): wall time against `cp` of the same file (page cache
// dropped where possible is not attempted: both read a warm file), extra disk, and the peak RSS
// growth of the translating process. Usage: node bench/compat.mjs [--size 1g] [--runs 3]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importTs, median } from './lib.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const sizeArg = arg('--size', '1g');
const SIZE = Number.parseFloat(sizeArg) * (/g$/i.test(sizeArg) ? 2 ** 30 : /m$/i.test(sizeArg) ? 2 ** 20 : 1);
const RUNS = Number(arg('--runs', '3'));

const { writeGGUF } = await importTs('test/helpers/gguf/writer.ts');
const { translateGGUF } = await importTs('src/registry/compat/translate.ts');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-bench-compat-'));
try {
  const E = 2048;
  const perTensor = (E * E / 32) * 34; // Q8_0
  const count = Math.max(1, Math.round(SIZE / perTensor));
  const tensors = [];
  for (let i = 0; i < count; i++) tensors.push({ name: `blk.${Math.floor(i / 4)}.t${i % 4}.weight`, dims: [E, E], type: 'Q8_0' });
  const src = path.join(dir, 'published.gguf');
  const { size } = await writeGGUF(src, { metadata: { 'general.architecture': 'olmo3', 'olmo3.block_count': Math.ceil(count / 4) }, tensors, seed: 1 });
  console.log(`source: ${(size / 2 ** 30).toFixed(3)} GiB, ${count} tensors`);

  const cpTimes = [];
  const trTimes = [];
  let rssGrowth = 0;
  for (let r = 0; r < RUNS; r++) {
    const cpDst = path.join(dir, 'copy.gguf');
    let t = process.hrtime.bigint();
    execFileSync('cp', [src, cpDst]);
    execFileSync('sync');
    cpTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
    fs.rmSync(cpDst);

    const dst = path.join(dir, 'derived.gguf');
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    t = process.hrtime.bigint();
    const res = await translateGGUF(src, dst);
    trTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
    clearInterval(timer);
    rssGrowth = Math.max(rssGrowth, peak - before);
    if (r === RUNS - 1) console.log(`derived: ${res.size} bytes (${(res.size - size) >= 0 ? '+' : ''}${res.size - size} vs source)`);
    fs.rmSync(dst);
  }
  const cp = median(cpTimes);
  const tr = median(trTimes);
  console.log(`cp + sync:  median ${cp.toFixed(0)} ms`);
  console.log(`translate:  median ${tr.toFixed(0)} ms (${(tr / cp).toFixed(2)}x cp; includes fsync and sha256)`);
  console.log(`peak RSS growth while translating: ${(rssGrowth / 2 ** 20).toFixed(1)} MiB`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
