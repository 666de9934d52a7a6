// Small shared helpers for the benchmarks.
import { spawnSync } from 'node:child_process';

/** Wall time of a command, median of `runs` runs (after one warm-up), in milliseconds. */
export function timeCommand(cmd, args, { runs = 9, env = process.env } = {}) {
  const times = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env, stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0 && r.status !== null) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
    if (i > 0) times.push(ms);
  }
  return median(times);
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The q-quantile (0–1) of `xs`, interpolated between the two nearest ranks. */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return lo + 1 < s.length ? s[lo] + (s[lo + 1] - s[lo]) * (pos - lo) : s[lo];
}

export function row(label, value, baseline, goal) {
  const ratio = baseline ? ` (${(value / baseline).toFixed(2)}× baseline)` : '';
  console.log(`${label.padEnd(44)} ${value.toFixed(1).padStart(9)} ms${ratio}${goal ? `  goal ${goal}` : ''}`);
}

/**
 * Imports a TypeScript module from the repo (e.g. the test helpers' GGUF writer) by bundling it
 * with esbuild into a temporary .mjs file.
 */
export async function importTs(relPath) {
  const { buildSync } = await import('esbuild');
  const path = await import('node:path');
  const os = await import('node:os');
  const fs = await import('node:fs');
  const { fileURLToPath, pathToFileURL } = await import('node:url');
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-bench-ts-')), 'mod.mjs');
  buildSync({ entryPoints: [path.join(root, relPath)], bundle: true, platform: 'node', format: 'esm', outfile: out, external: ['node-llama-cpp'], logLevel: 'error' });
  return import(pathToFileURL(out).href);
}

/** Median wall time of an async function over `runs` runs, in ms (`prepare` runs untimed before each). */
export async function timeAsync(fn, { runs = 3, prepare } = {}) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    if (prepare) await prepare(i);
    const t0 = process.hrtime.bigint();
    await fn(i);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

/** Starts `ollama serve` on a free port with the given environment; resolves once it listens. */
export async function startServe(env) {
  const { spawn } = await import('node:child_process');
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'ollama');
  const proc = spawn(process.execPath, [bin, 'serve'], { env: { ...process.env, OLLAMA_HOST: '127.0.0.1:0', OLLAMA_NOAUTOSTART: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    proc.stderr.on('data', (d) => {
      log += d;
      const m = /Listening on 127\.0\.0\.1:(\d+)/.exec(log);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (c) => reject(new Error(`serve exited ${c}: ${log}`)));
  });
  return { port, host: `127.0.0.1:${port}`, proc, stop: () => new Promise((r) => { proc.once('exit', r); proc.kill('SIGTERM'); }) };
}
