// The `postinstall` orchestrator (scripts/native/postinstall.mjs): the addon → llama-quantize chain
// and libmtmd side by side, each step's line passed through, a summary with per-step times, exit 0.
// Run with TOLLAMA_SKIP_NATIVE=1 so every step only says it skipped (nothing is built or touched).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/models.js';

const script = path.join(repoRoot, 'scripts', 'native', 'postinstall.mjs');
const run = (env: Record<string, string>) =>
  spawnSync(process.execPath, [script], { env: { ...process.env, TOLLAMA_SKIP_NATIVE: '1', ...env }, encoding: 'utf8', timeout: 60_000 });

describe('postinstall: native steps in parallel, best effort', () => {
  it('is the package\'s postinstall', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.postinstall).toBe('node scripts/native/patch-batching.mjs && node scripts/native/postinstall.mjs');
  });

  it('runs the three steps and sums up', () => {
    const r = run({});
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('[tollama postinstall] building the addon then llama-quantize, and libmtmd (vision) alongside\n');
    expect(r.stdout).toContain('[tollama native] TOLLAMA_SKIP_NATIVE is set');
    expect(r.stdout).toContain('[tollama quantize] TOLLAMA_SKIP_NATIVE=1: skipped');
    expect(r.stdout).toContain('[tollama mtmd] TOLLAMA_SKIP_NATIVE/TOLLAMA_SKIP_MTMD: skipped');
    expect(r.stdout).toMatch(/\[tollama postinstall\] native steps done in \d+ s \(addon \d+ s, quantize \d+ s, mtmd \d+ s\)\n$/);
  });

  it('TOLLAMA_POSTINSTALL_SERIAL=1 runs them one after another, in order', () => {
    const r = run({ TOLLAMA_POSTINSTALL_SERIAL: '1' });
    expect(r.status).toBe(0);
    const order = ['[tollama native]', '[tollama quantize]', '[tollama mtmd]'].map((p) => r.stdout.indexOf(p));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});
