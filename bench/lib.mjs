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

export function row(label, value, baseline, goal) {
  const ratio = baseline ? ` (${(value / baseline).toFixed(2)}× baseline)` : '';
  console.log(`${label.padEnd(44)} ${value.toFixed(1).padStart(9)} ms${ratio}${goal ? `  goal ${goal}` : ''}`);
}
