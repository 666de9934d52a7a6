#!/usr/bin/env node
// Builds llama.cpp's `llama-quantize` from the source node-llama-cpp bundles (llama/gitRelease.bundle,
// the exact commit of its prebuilt libraries) and links it against those prebuilt libraries. Ollama
// 0.33 quantizes at create time by running llama-quantize (server/quantization.go); Tollama runs
// this build the same way (src/runtime/quantize.ts). Two source files, about 10 s on 2 cores; needs
// g++ and git, no cmake, no network. See docs/native.md.
//
//   node scripts/native/build-quantize.mjs           build if missing or stale, best effort (exit 0)
//   node scripts/native/build-quantize.mjs --strict  same, but any failure exits 1 (CI)
//   node scripts/native/build-quantize.mjs --force   rebuild even when up to date
//   node scripts/native/build-quantize.mjs --clean   remove the build
//
// TOLLAMA_SKIP_NATIVE=1 skips everything.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXPECTED_NLC_VERSION, findNodeLlamaCpp, findPackageDir } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = new Set(process.argv.slice(2));
const strict = args.has('--strict');
const log = (msg) => console.log(`[tollama quantize] ${msg}`);
/** Bump when the recipe changes: a build with another recipe is rebuilt. */
const RECIPE = 'llama-quantize v1';
/** The files this script owns in the shared tools folder (libmtmd lives there too). */
const OWN_FILES = ['llama-quantize', 'tollama-quantize.json'];

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${argv.slice(0, 3).join(' ')} … failed (exit ${r.status}):\n${(r.stderr || r.stdout || '').slice(-4000)}`);
  return r.stdout;
}

/** Where the build goes: beside node-llama-cpp's own builds, so a reinstall of it drops ours too. */
export function quantizeBuildDir(nlcDir, platform = `${process.platform}-${process.arch}`) {
  return path.join(nlcDir, 'llama', 'tollama-tools', platform);
}

function libName(dir, prefix) {
  const f = fs.readdirSync(dir).find((n) => n.startsWith(prefix) && n.endsWith('.so'));
  if (!f) throw new Error(`no ${prefix}*.so in ${dir}`);
  return f;
}

async function main() {
  if (process.env.TOLLAMA_SKIP_NATIVE === '1') return log('TOLLAMA_SKIP_NATIVE=1: skipped');
  const nlcDir = findNodeLlamaCpp(path.join(here, '..', '..'));
  const platform = `${process.platform}-${process.arch}`;
  const out = quantizeBuildDir(nlcDir, platform);
  if (args.has('--clean')) {
    for (const f of OWN_FILES) fs.rmSync(path.join(out, f), { force: true });
    return log(`removed llama-quantize from ${out}`);
  }
  if (platform !== 'linux-x64' && platform !== 'linux-arm64') return log(`${platform}: no recipe; create --quantize will say it is unavailable`);
  const version = JSON.parse(fs.readFileSync(path.join(nlcDir, 'package.json'), 'utf8')).version;
  if (version !== EXPECTED_NLC_VERSION) throw new Error(`node-llama-cpp ${version} installed, recipe written for ${EXPECTED_NLC_VERSION}`);
  const libDir = path.join(findPackageDir(nlcDir, `@node-llama-cpp/${platform}`), 'bins', platform);
  const stampFile = path.join(out, 'tollama-quantize.json');
  const stamp = { recipe: RECIPE, nodeLlamaCpp: version, libDir };
  if (!args.has('--force') && fs.existsSync(path.join(out, 'llama-quantize'))) {
    try {
      if (JSON.stringify(JSON.parse(fs.readFileSync(stampFile, 'utf8'))) === JSON.stringify(stamp)) return log('up to date');
    } catch { /* rebuild */ }
  }
  const t0 = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-quantize-'));
  try {
    const src = path.join(tmp, 'src');
    run('git', ['clone', '-q', '--no-checkout', path.join(nlcDir, 'llama', 'gitRelease.bundle'), src]);
    run('git', ['-C', src, 'sparse-checkout', 'set', '--no-cone', '/include/', '/ggml/include/', '/common/', '/vendor/', '/tools/quantize/']);
    run('git', ['-C', src, 'checkout', '-q', 'HEAD']);
    const staged = path.join(tmp, 'out');
    fs.mkdirSync(staged);
    run('g++', [
      '-std=c++17', '-O2', '-DNDEBUG', '-pthread',
      `-I${path.join(src, 'include')}`, `-I${path.join(src, 'ggml', 'include')}`, `-I${path.join(src, 'common')}`,
      `-I${path.join(src, 'tools', 'quantize')}`,
      path.join(src, 'tools', 'quantize', 'main.cpp'), path.join(src, 'tools', 'quantize', 'quantize.cpp'),
      '-o', path.join(staged, 'llama-quantize'),
      `-L${libDir}`, `-l:${libName(libDir, 'libllama.')}`, '-l:libllama-common.so', `-l:${libName(libDir, 'libggml.')}`, '-l:libggml-base.so',
      `-Wl,-rpath,${libDir}`, '-s',
    ]);
    // Smoke test: the binary loads the prebuilt libraries and prints its usage.
    const r = spawnSync(path.join(staged, 'llama-quantize'), ['--help'], { encoding: 'utf8' });
    if (!/usage/i.test(`${r.stdout}${r.stderr}`)) throw new Error(`the built llama-quantize does not run: ${(r.stderr || r.stdout || String(r.error)).slice(-500)}`);
    fs.writeFileSync(path.join(staged, 'tollama-quantize.json'), JSON.stringify(stamp));
    // The folder is shared with build-mtmd.mjs: replace only this script's files.
    fs.mkdirSync(out, { recursive: true });
    for (const f of OWN_FILES) {
      fs.rmSync(path.join(out, f), { force: true });
      fs.renameSync(path.join(staged, f), path.join(out, f));
    }
    log(`built ${path.join(out, 'llama-quantize')} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(`[tollama quantize] not built: ${err.message}`);
    console.error('[tollama quantize] `ollama create --quantize` will say it is unavailable; everything else works.');
    process.exit(strict ? 1 : 0);
  });
}
