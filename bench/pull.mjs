// `ollama pull` of a model with a 1 GiB layer from a loopback CNCF distribution registry ÷
// `curl -o` of the same blob (goal ≤ 1.25×, hashing included), also shown against
// `curl -o` followed by `sha256sum` (the same verification done with standard tools, one after
// the other), and `ollama push` of it ÷
// `curl -T` monolithic upload (goal ≤ 1.25×). BENCH_PULL_BYTES overrides the size,
// BENCH_PULL_ROUNDS the number of interleaved rounds (default 3). Besides the ratio of the
// medians it prints the median of the per-round ratios (each ours ÷ the curl run right next
// to it), which is steadier on a machine shared with other work. BENCH_PULL_SETTLE: ms of quiet
// before each timed run (default 3000; see below).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importTs, median, startServe } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'ollama');
const bytes = Number(process.env.BENCH_PULL_BYTES ?? 1024 ** 3);
const rounds = Math.max(1, Number(process.env.BENCH_PULL_ROUNDS ?? 3));
if (spawnSync('which', ['docker-registry']).status !== 0 || spawnSync('which', ['curl']).status !== 0) {
  console.log('pull/push benchmark skipped: docker-registry or curl is not installed');
  process.exit(0);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-bench-pull-'));
const time = (fn) => {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
};

// Timed commands run asynchronously: a spawnSync would block this process's event loop, which
// reads the registry's and the server's logs through pipes; with a full pipe they block on
// their next log line, and the timing could measure that instead.
const run = (cmd, args, opts = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'ignore', ...opts });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`))));
  });
const timeRun = async (cmd, args, opts) => {
  const t0 = process.hrtime.bigint();
  await run(cmd, args, opts);
  return Number(process.hrtime.bigint() - t0) / 1e6;
};

const { startRegistry } = await importTs('test/helpers/registry.ts');
const { writeGGUF, modelSpec, sizedModelShape } = await importTs('test/helpers/gguf.ts');
const registry = await startRegistry();
try {
  const file = path.join(work, 'model.gguf');
  await writeGGUF(file, modelSpec(sizedModelShape(bytes)));
  fs.writeFileSync(path.join(work, 'Modelfile'), 'FROM ./model.gguf\n');
  const hex = spawnSync('sha256sum', [file]).stdout.toString().slice(0, 64);
  console.log(`blob: ${(fs.statSync(file).size / 2 ** 20).toFixed(0)} MiB (generated), registry 127.0.0.1:${registry.port}`);

  const src = fs.mkdtempSync(path.join(work, 'src-'));
  const server = await startServe({ OLLAMA_MODELS: src });
  const env = { ...process.env, OLLAMA_HOST: server.host, OLLAMA_NOAUTOSTART: '1' };
  const pushes = [];
  const curlPuts = [];
  const pulls = [];
  const curls = [];
  const curlShas = [];
  const warmCurls = [];
  try {
    spawnSync(process.execPath, [bin, 'create', 'bench', '-f', 'Modelfile'], { cwd: work, env, stdio: 'ignore' });
    for (let round = 0; round < rounds; round++) {
      const name = `127.0.0.1:${registry.port}/bench/m${round}:latest`;
      spawnSync(process.execPath, [bin, 'cp', 'bench', name], { env, stdio: 'ignore' });
      // A fresh repository each round, so nothing is mounted or skipped.
      pushes.push(time(() => spawnSync(process.execPath, [bin, 'push', name, '--insecure'], { env, stdio: 'ignore' })));
      curlPuts.push(
        time(() => {
          const loc = spawnSync('curl', ['-s', '-D', '-', '-o', '/dev/null', '-X', 'POST', `${registry.base}/v2/bench/curl${round}/blobs/uploads/`]).stdout.toString();
          const m = /location: (\S+)/i.exec(loc);
          const url = new URL(m[1], registry.base);
          url.searchParams.set('digest', `sha256:${hex}`);
          spawnSync('curl', ['-s', '-o', '/dev/null', '-X', 'PUT', '-H', 'Content-Type: application/octet-stream', '-T', file, url.href]);
        }),
      );
    }
    // On this VM the cost of a 1 GiB page-cache write swings from 0.2 to 3 s of system time with
    // the state of recently freed memory (the VM hands free memory back to its host), so every
    // timed run starts the same way: the other side's output removed, `sync`, then SETTLE ms of
    // quiet (default 3000). curl also runs once more right after its own output was removed,
    // shown as "warm". The pull writes with O_DIRECT and does not depend on the page cache.
    const settle = () => new Promise((r) => setTimeout(r, Number(process.env.BENCH_PULL_SETTLE ?? 3000)));
    const out = path.join(work, 'curl.out');
    const curlOnce = async () => {
      fs.rmSync(out, { force: true });
      spawnSync('sync');
      await settle();
      return timeRun('curl', ['-s', '-L', '-o', out, `${registry.base}/v2/bench/m0/blobs/sha256:${hex}`]);
    };
    for (let round = 0; round < rounds; round++) {
      const pullOnce = async () => {
        const dst = fs.mkdtempSync(path.join(work, 'dst-'));
        const s2 = await startServe({ OLLAMA_MODELS: dst });
        try {
          fs.rmSync(out, { force: true });
          spawnSync('sync');
          await settle();
          const env2 = { ...process.env, OLLAMA_HOST: s2.host, OLLAMA_NOAUTOSTART: '1' };
          pulls.push(await timeRun(process.execPath, [bin, 'pull', `127.0.0.1:${registry.port}/bench/m0:latest`, '--insecure'], { env: env2 }));
        } finally {
          await s2.stop();
          fs.rmSync(dst, { recursive: true, force: true });
        }
      };
      // Alternate which goes first.
      if (round % 2 === 0) {
        await pullOnce();
        curls.push(await curlOnce());
      } else {
        curls.push(await curlOnce());
        await pullOnce();
      }
      fs.rmSync(out, { force: true });
      spawnSync('sync');
      const c = await timeRun('curl', ['-s', '-L', '-o', out, `${registry.base}/v2/bench/m0/blobs/sha256:${hex}`]);
      warmCurls.push(c);
      let sum = '';
      const h = time(() => (sum = spawnSync('sha256sum', [out]).stdout.toString().slice(0, 64)));
      if (sum !== hex) throw new Error(`curl's download has sha256 ${sum}, not ${hex}`);
      curlShas.push(c + h);
      fs.rmSync(out, { force: true });
    }
  } finally {
    await server.stop();
  }
  const paired = (ours, base) => median(ours.map((x, i) => x / base[i])).toFixed(2);
  const row = (label, ours, base, what) =>
    console.log(`${label.padEnd(30)} ${median(ours).toFixed(0).padStart(7)} ms  = ${(median(ours) / median(base)).toFixed(2)}× ${what} (per round ${paired(ours, base)}×)  (goal ≤ 1.25×)`);
  console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} on ${os.cpus().length} cores, ${rounds} rounds`);
  console.log(`curl -o (download)             ${median(curls).toFixed(0).padStart(7)} ms  (after rm, sync, 3 s quiet, as the pull)`);
  row('ollama pull', pulls, curls, 'curl -o');
  console.log(`curl -o, warm pages            ${median(warmCurls).toFixed(0).padStart(7)} ms  (right after rm of its own output)`);
  console.log(`ollama pull                    ${median(pulls).toFixed(0).padStart(7)} ms  = ${(median(pulls) / median(warmCurls)).toFixed(2)}× curl -o, warm pages`);
  console.log(`curl -o (warm) + sha256sum      ${median(curlShas).toFixed(0).padStart(7)} ms`);
  console.log(`ollama pull                    ${median(pulls).toFixed(0).padStart(7)} ms  = ${(median(pulls) / median(curlShas)).toFixed(2)}× curl -o + sha256sum (per round ${paired(pulls, curlShas)}×)`);
  console.log(`curl -T (monolithic upload)    ${median(curlPuts).toFixed(0).padStart(7)} ms`);
  row('ollama push', pushes, curlPuts, 'curl -T');
} finally {
  await registry.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
