// `create --quantize` ÷ `llama-quantize` run by hand on the same F16 model, same run, interleaved
// (goal ≤ 1.15×). The create side counts what a user waits for once the F16 blob is in the store:
// the conversion, hashing the result into a blob, and the manifest. BENCH_QUANT_BYTES sets the
// F16 model's size (default 256 MiB); BENCH_QUANT_TYPE the target (default Q4_K_M).
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importTs, median, startServe } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bytes = Number(process.env.BENCH_QUANT_BYTES ?? 256 * 2 ** 20);
const type = process.env.BENCH_QUANT_TYPE ?? 'Q4_K_M';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-bench-quant-'));
const { llamaQuantizePath, llamaQuantizeArgs } = await importTs('src/runtime/quantize.ts');
const bin = llamaQuantizePath(path.join(root, 'node_modules', 'node-llama-cpp'));

try {
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run npm run build:native`);
  const { writeGGUF, modelSpec, sizedModelShape } = await importTs('test/helpers/gguf.ts');
  const file = path.join(work, 'model-f16.gguf');
  await writeGGUF(file, modelSpec(sizedModelShape(bytes, { weightType: 'F16', embd: 1024, ff: 2816 })));
  const digest = `sha256:${crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;
  console.log(`model: ${(fs.statSync(file).size / 2 ** 20).toFixed(0)} MiB F16 (generated) → ${type}`);

  const models = fs.mkdtempSync(path.join(work, 'store-'));
  const server = await startServe({ OLLAMA_MODELS: models });
  const direct = [];
  const viaCreate = [];
  try {
    const up = await fetch(`http://${server.host}/api/blobs/${digest}`, { method: 'POST', body: fs.readFileSync(file) });
    if (!up.ok) throw new Error(`upload: ${up.status}`);
    for (let round = 0; round < 3; round++) {
      const out = path.join(work, 'direct.gguf');
      let t0 = process.hrtime.bigint();
      const r = spawnSync(bin, llamaQuantizeArgs('llama', type, file, out), { stdio: 'ignore' });
      direct.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (r.status !== 0) throw new Error('llama-quantize failed');
      fs.rmSync(out);

      t0 = process.hrtime.bigint();
      const c = await fetch(`http://${server.host}/api/create`, {
        method: 'POST',
        body: JSON.stringify({ model: `bench:${round}`, files: { 'model-f16.gguf': digest }, quantize: type, stream: false }),
      });
      const text = await c.text();
      viaCreate.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (!c.ok) throw new Error(`create: ${c.status} ${text}`);
      // Keep the F16 source for the next round (a quantized create drops it when unreferenced).
      if (!fs.existsSync(path.join(models, 'blobs', digest.replace(':', '-')))) {
        await fetch(`http://${server.host}/api/blobs/${digest}`, { method: 'POST', body: fs.readFileSync(file) });
      }
      await fetch(`http://${server.host}/api/delete`, { method: 'DELETE', body: JSON.stringify({ model: `bench:${round}` }) });
    }
  } finally {
    await server.stop();
  }
  const d = median(direct);
  const c = median(viaCreate);
  console.log(`llama-quantize (by hand)        ${d.toFixed(0).padStart(7)} ms`);
  console.log(`create --quantize (API)         ${c.toFixed(0).padStart(7)} ms  = ${(c / d).toFixed(2)}× llama-quantize  (goal ≤ 1.15×)`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
