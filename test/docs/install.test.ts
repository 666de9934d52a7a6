/**
 * README's install paragraph: `npm ci` compiles the patched addon in its `postinstall`
 * (scripts/native/build-addon.mjs), and on a machine without g++ the install still succeeds with
 * the one line README quotes, keeping node-llama-cpp's prebuilt binary. Run with a PATH that
 * has node and git but no g++; --force makes it skip the "already built" shortcut, and the
 * toolchain check comes before anything is touched.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/models.js';

const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const script = path.join(repoRoot, 'scripts', 'native', 'build-addon.mjs');
const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-nogxx-'));
afterAll(() => fs.rmSync(bin, { recursive: true, force: true }));

function withoutCompiler(...args: string[]) {
  fs.symlinkSync(process.execPath, path.join(bin, 'node'), 'file');
  const git = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
  if (git) fs.symlinkSync(git, path.join(bin, 'git'), 'file');
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: bin };
  delete env.TOLLAMA_SKIP_NATIVE;
  try {
    return spawnSync(process.execPath, [script, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  } finally {
    for (const f of fs.readdirSync(bin)) fs.rmSync(path.join(bin, f));
  }
}

describe('README: installing without a compiler', () => {
  it('says npm ci compiles the patched addon, with g++ and git', () => {
    expect(readme).toMatch(/`npm ci`[^]*?compiles Tollama's patched\s+node-llama-cpp addon[^]*?needs g\+\+ and git/);
    expect(readme).not.toMatch(/only ever uses its prebuilt/);
  });

  it('the line README quotes is what the postinstall prints, and the install goes on', () => {
    const quoted = /`(\[tollama native\] g\+\+ not found: [^`]+)`/.exec(readme.replace(/\n/g, ' '));
    expect(quoted, 'README quotes the postinstall line for a machine without g++').not.toBeNull();
    const r = withoutCompiler('--force');
    expect(r.status).toBe(0);
    // With git also missing the line says "g++ and git not found"; README quotes the usual case.
    const expected = spawnSync('sh', ['-c', 'command -v git']).status === 0 ? quoted![1] : quoted![1]!.replace('g++ not found', 'g++ and git not found');
    expect(r.stdout.trim()).toBe(expected);
  });

  it('only --strict (CI, npm run build:native) makes the missing compiler an error', () => {
    const r = withoutCompiler('--force', '--strict');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/g\+\+ (and git )?not found: keeping the prebuilt binary/);
  });
});
