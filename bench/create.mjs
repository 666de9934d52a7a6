// `ollama create` from a 1 GiB generated GGUF ÷ `sha256sum` of the same file, same run
// (goal ≤ 1.3×), and the bytes a second create of the same file adds to the store (goal 0).
// BENCH_CREATE_BYTES overrides the size (default 1 GiB).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importTs, median, startServe } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'ollama');
const bytes = Number(process.env.BENCH_CREATE_BYTES ?? 1024 ** 3);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-bench-create-'));

function dirBytes(dir) {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return n;
}

try {
  const { writeGGUF, modelSpec, sizedModelShape } = await importTs('test/helpers/gguf.ts');
  const file = path.join(work, 'model.gguf');
  await writeGGUF(file, modelSpec(sizedModelShape(bytes)));
  fs.writeFileSync(path.join(work, 'Modelfile'), 'FROM ./model.gguf\n');
  console.log(`model: ${(fs.statSync(file).size / 2 ** 20).toFixed(0)} MiB (generated)`);
  execFileSync('cat', [file], { stdio: 'ignore', maxBuffer: 1 }); // warm the page cache

  const sums = [];
  const creates = [];
  let added = -1;
  for (let round = 0; round < 3; round++) {
    let t0 = process.hrtime.bigint();
    spawnSync('sha256sum', [file], { stdio: 'ignore' });
    sums.push(Number(process.hrtime.bigint() - t0) / 1e6);

    const models = fs.mkdtempSync(path.join(work, 'store-'));
    const server = await startServe({ OLLAMA_MODELS: models });
    const env = { ...process.env, OLLAMA_HOST: server.host, OLLAMA_NOAUTOSTART: '1' };
    try {
      t0 = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [bin, 'create', 'bench', '-f', 'Modelfile'], { cwd: work, env, stdio: ['ignore', 'ignore', 'pipe'] });
      creates.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (r.status !== 0) throw new Error(`create failed: ${r.stderr}`);
      if (round === 0) {
        const before = dirBytes(path.join(models, 'blobs'));
        spawnSync(process.execPath, [bin, 'create', 'bench-again', '-f', 'Modelfile'], { cwd: work, env, stdio: 'ignore' });
        added = dirBytes(path.join(models, 'blobs')) - before;
      }
    } finally {
      await server.stop();
      fs.rmSync(models, { recursive: true, force: true });
    }
  }
  const s = median(sums);
  const c = median(creates);
  console.log(`sha256sum                      ${s.toFixed(0).padStart(7)} ms`);
  console.log(`ollama create (loopback)       ${c.toFixed(0).padStart(7)} ms  = ${(c / s).toFixed(2)}× sha256sum  (goal ≤ 1.3×)`);
  console.log(`second create of the same file, under another name, adds ${added} bytes to blobs/ (goal 0)`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
