#!/usr/bin/env node
// Builds llama.cpp's libmtmd (multimodal: clip encoders + projectors, tools/mtmd) and `llama-mtmd-cli`
// from the source node-llama-cpp bundles (llama/gitRelease.bundle, the exact commit of its prebuilt
// libraries), linked against those prebuilt libraries. Vision (issue #15) needs libmtmd; the CLI is
// the baseline that tests and the bench compare against. Video is off (no ffmpeg fallback on a bad
// image); audio is compiled in because libmtmd's own sources need it and it costs nothing at run
// time. Needs g++ and git, no cmake, no network. See docs/vision.md.
//
//   node scripts/native/build-mtmd.mjs           build if missing or stale, best effort (exit 0)
//   node scripts/native/build-mtmd.mjs --strict  same, but any failure exits 1 (CI)
//   node scripts/native/build-mtmd.mjs --force   rebuild even when up to date
//   node scripts/native/build-mtmd.mjs --clean   remove the build
//
// TOLLAMA_SKIP_NATIVE=1 (or TOLLAMA_SKIP_MTMD=1) skips everything.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXPECTED_NLC_VERSION, findNodeLlamaCpp, findPackageDir } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = new Set(process.argv.slice(2));
const strict = args.has('--strict');
const log = (msg) => console.log(`[tollama mtmd] ${msg}`);
/** Bump when the recipe changes: a build with another recipe is rebuilt. */
export const MTMD_RECIPE = 'libmtmd v1 video=off';
export const MTMD_STAMP = 'tollama-mtmd.json';
/** The files this script owns in the shared tools folder (llama-quantize lives there too). */
const BRIDGE_STAMP = 'tollama-mtmd-bridge.json';
const BRIDGE_SOURCES = ['tollama-mtmd.h', 'tollama-mtmd.cpp'];
const MTMD_FILES = ['libmtmd.so', 'llama-mtmd-cli', MTMD_STAMP];
const OWN_FILES = [...MTMD_FILES, 'libtollama-mtmd.so', BRIDGE_STAMP];

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${argv.slice(0, 3).join(' ')} … failed (exit ${r.status}):\n${(r.stderr || r.stdout || '').slice(-4000)}`);
  return r.stdout;
}

/** Runs one compiler job; rejects with its last output lines. */
function job(cmd, argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err = (err + d).slice(-4000); });
    child.on('error', (e) => reject(new Error(`${cmd}: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${argv.at(-1)} failed (exit ${code}):\n${err}`))));
  });
}

/** Runs jobs with at most `n` at once; the first failure stops new ones and is thrown. */
async function parallel(jobs, n) {
  let next = 0;
  let failed = null;
  const worker = async () => {
    while (!failed && next < jobs.length) {
      const j = jobs[next++];
      try { await j(); } catch (e) { failed ??= e; }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, n) }, worker));
  if (failed) throw failed;
}

/** Where the build goes: beside node-llama-cpp's own builds, so a reinstall of it drops ours too. */
export function mtmdBuildDir(nlcDir, platform = `${process.platform}-${process.arch}`) {
  return path.join(nlcDir, 'llama', 'tollama-tools', platform);
}

/** libmtmd's sources, read from its own CMakeLists (the add_library(mtmd …) list), so the recipe follows the bundle. */
export function mtmdSources(mtmdDir) {
  const cmake = fs.readFileSync(path.join(mtmdDir, 'CMakeLists.txt'), 'utf8');
  const m = /add_library\(mtmd\b([\s\S]*?)\)/.exec(cmake);
  if (!m) throw new Error('tools/mtmd/CMakeLists.txt has no add_library(mtmd …)');
  const files = m[1].split(/\s+/).filter((f) => f.endsWith('.cpp'));
  if (files.length < 5) throw new Error(`tools/mtmd/CMakeLists.txt lists only ${files.length} sources`);
  return files;
}

function libName(dir, prefix) {
  const f = fs.readdirSync(dir).find((n) => n.startsWith(prefix) && n.endsWith('.so'));
  if (!f) throw new Error(`no ${prefix}*.so in ${dir}`);
  return f;
}

function removeOwn(out) {
  for (const f of OWN_FILES) fs.rmSync(path.join(out, f), { force: true });
  if (fs.existsSync(out)) for (const f of fs.readdirSync(out)) if (/^libggml-cpu-.*\.so$/.test(f)) fs.rmSync(path.join(out, f), { force: true });
}

/**
 * ggml looks for its CPU backend variants (libggml-cpu-*.so) next to the executable: links to the
 * prebuilt ones let llama-mtmd-cli run from any folder. (libmtmd inside Tollama uses the backends
 * node-llama-cpp already loaded.)
 */
function linkBackends(out, libDir) {
  for (const f of fs.readdirSync(libDir)) {
    if (!/^libggml-cpu-.*\.so$/.test(f) || fs.existsSync(path.join(out, f))) continue;
    fs.symlinkSync(path.join(libDir, f), path.join(out, f));
  }
}

async function main() {
  if (process.env.TOLLAMA_SKIP_NATIVE === '1' || process.env.TOLLAMA_SKIP_MTMD === '1') return log('TOLLAMA_SKIP_NATIVE/TOLLAMA_SKIP_MTMD: skipped');
  const nlcDir = findNodeLlamaCpp(path.join(here, '..', '..'));
  const platform = `${process.platform}-${process.arch}`;
  const out = mtmdBuildDir(nlcDir, platform);
  if (args.has('--clean')) {
    removeOwn(out);
    return log(`removed libmtmd and llama-mtmd-cli from ${out}`);
  }
  if (platform !== 'linux-x64' && platform !== 'linux-arm64') return log(`${platform}: no recipe; images will be refused with a message saying so`);
  const version = JSON.parse(fs.readFileSync(path.join(nlcDir, 'package.json'), 'utf8')).version;
  if (version !== EXPECTED_NLC_VERSION) throw new Error(`node-llama-cpp ${version} installed, recipe written for ${EXPECTED_NLC_VERSION}`);
  const libDir = path.join(findPackageDir(nlcDir, `@node-llama-cpp/${platform}`), 'bins', platform);
  const stampFile = path.join(out, MTMD_STAMP);
  const stamp = { recipe: MTMD_RECIPE, nodeLlamaCpp: version, libDir };
  if (!args.has('--force') && fs.existsSync(path.join(out, 'libmtmd.so')) && fs.existsSync(path.join(out, 'llama-mtmd-cli'))) {
    try {
      if (JSON.stringify(JSON.parse(fs.readFileSync(stampFile, 'utf8'))) === JSON.stringify(stamp)) {
        linkBackends(out, libDir);
        log('libmtmd up to date');
        return buildBridge(nlcDir, out, libDir);
      }
    } catch { /* rebuild */ }
  }
  const t0 = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-mtmd-'));
  try {
    const src = path.join(tmp, 'src');
    run('git', ['clone', '-q', '--no-checkout', path.join(nlcDir, 'llama', 'gitRelease.bundle'), src]);
    run('git', ['-C', src, 'sparse-checkout', 'set', '--no-cone', '/include/', '/ggml/include/', '/common/',
      '/vendor/hash/', '/vendor/stb/', '/vendor/miniaudio/', '/vendor/sheredom/', '/vendor/nlohmann/', '/src/llama-ext.h', '/tools/mtmd/']);
    run('git', ['-C', src, 'checkout', '-q', 'HEAD']);
    const mtmd = path.join(src, 'tools', 'mtmd');
    const vendor = path.join(src, 'vendor');
    const obj = path.join(tmp, 'obj');
    fs.mkdirSync(obj);
    const common = ['-O2', '-DNDEBUG', '-fPIC', '-pthread', '-w'];
    const incs = [`-I${mtmd}`, `-I${path.join(src, 'include')}`, `-I${path.join(src, 'ggml', 'include')}`, `-I${vendor}`, `-I${path.join(vendor, 'hash')}`];
    const defs = ['-DLLAMA_BUILD', '-DLLAMA_SHARED', '-DGGML_SHARED', '-DGGML_BACKEND_SHARED'];
    const units = [
      ...mtmdSources(mtmd).map((f) => ({ file: path.join(mtmd, f), cxx: true })),
      { file: path.join(vendor, 'hash', 'hash.cpp'), cxx: true },
      { file: path.join(vendor, 'hash', 'sha1', 'sha1.c'), cxx: true }, // compiled as C++ upstream (namespaced)
      { file: path.join(vendor, 'hash', 'sha256', 'sha256.c'), cxx: false },
      { file: path.join(vendor, 'hash', 'xxhash', 'xxhash.c'), cxx: false },
    ];
    // Largest first, so the long clip.cpp does not end up alone at the tail.
    units.sort((a, b) => fs.statSync(b.file).size - fs.statSync(a.file).size);
    const objects = [];
    const jobs = units.map((u, i) => {
      const o = path.join(obj, `${i}-${path.basename(u.file)}.o`);
      objects.push(o);
      return () => u.cxx
        ? job('g++', ['-std=c++17', ...common, ...defs, ...incs, '-x', 'c++', '-c', '-o', o, u.file])
        : job('gcc', ['-std=c11', ...common, ...incs, '-c', '-o', o, u.file]);
    });
    const n = Math.max(1, Number(process.env.TOLLAMA_BUILD_JOBS) || os.availableParallelism?.() || os.cpus().length);
    log(`compiling ${units.length} files with ${n} jobs…`);
    await parallel(jobs, n);
    const staged = path.join(tmp, 'out');
    fs.mkdirSync(staged);
    const prebuilt = [`-L${libDir}`, `-l:${libName(libDir, 'libllama.')}`, `-l:${libName(libDir, 'libggml.')}`, '-l:libggml-base.so'];
    run('g++', ['-shared', '-pthread', '-o', path.join(staged, 'libmtmd.so'), '-Wl,-soname,libmtmd.so', ...objects,
      ...prebuilt, `-Wl,-rpath,${libDir}`, '-Wl,--no-undefined', '-s']);
    run('g++', ['-std=c++17', ...common, ...defs, ...incs, `-I${path.join(src, 'common')}`,
      path.join(mtmd, 'mtmd-cli.cpp'), '-o', path.join(staged, 'llama-mtmd-cli'),
      `-L${staged}`, '-l:libmtmd.so', ...prebuilt, '-l:libllama-common.so',
      `-Wl,-rpath,$ORIGIN:${libDir}`, '-s']);
    // Smoke test: the CLI loads libmtmd and the prebuilt libraries and prints its usage.
    const r = spawnSync(path.join(staged, 'llama-mtmd-cli'), ['--help'], { encoding: 'utf8' });
    if (!/mmproj/i.test(`${r.stdout}${r.stderr}`)) throw new Error(`the built llama-mtmd-cli does not run: ${(r.stderr || r.stdout || String(r.error)).slice(-500)}`);
    const seconds = (Date.now() - t0) / 1000;
    fs.writeFileSync(path.join(staged, MTMD_STAMP), JSON.stringify(stamp));
    fs.mkdirSync(out, { recursive: true });
    removeOwn(out);
    for (const f of MTMD_FILES) fs.renameSync(path.join(staged, f), path.join(out, f));
    linkBackends(out, libDir);
    log(`built ${path.join(out, 'libmtmd.so')} and llama-mtmd-cli in ${seconds.toFixed(1)} s`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  buildBridge(nlcDir, out, libDir);
}

/**
 * libtollama-mtmd.so: Tollama's bridge core (scripts/native/mtmd/tollama-mtmd.cpp) linked to
 * libmtmd, for the addon to dlopen on first vision use, so the addon builds and loads without
 * libmtmd. One file, a few seconds; rebuilt when its sources change (its own stamp).
 */
function buildBridge(nlcDir, out, libDir) {
  const bridgeDir = path.join(here, 'mtmd');
  const sha = crypto.createHash('sha256');
  for (const f of BRIDGE_SOURCES) sha.update(fs.readFileSync(path.join(bridgeDir, f)));
  const stamp = { recipe: MTMD_RECIPE, sources: sha.digest('hex'), libDir };
  const stampFile = path.join(out, BRIDGE_STAMP);
  if (!args.has('--force') && fs.existsSync(path.join(out, 'libtollama-mtmd.so'))) {
    try {
      if (JSON.stringify(JSON.parse(fs.readFileSync(stampFile, 'utf8'))) === JSON.stringify(stamp)) return log('bridge up to date');
    } catch { /* rebuild */ }
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-mtmd-bridge-'));
  try {
    const src = path.join(tmp, 'src');
    run('git', ['clone', '-q', '--no-checkout', path.join(nlcDir, 'llama', 'gitRelease.bundle'), src]);
    run('git', ['-C', src, 'sparse-checkout', 'set', '--no-cone', '/include/', '/ggml/include/', '/tools/mtmd/*.h']);
    run('git', ['-C', src, 'checkout', '-q', 'HEAD']);
    const staged = path.join(tmp, 'libtollama-mtmd.so');
    run('g++', ['-std=c++17', '-O2', '-DNDEBUG', '-fPIC', '-shared', '-pthread',
      `-I${bridgeDir}`, `-I${path.join(src, 'tools', 'mtmd')}`, `-I${path.join(src, 'include')}`, `-I${path.join(src, 'ggml', 'include')}`,
      path.join(bridgeDir, 'tollama-mtmd.cpp'), '-o', staged, '-Wl,-soname,libtollama-mtmd.so',
      `-L${out}`, '-l:libmtmd.so', `-L${libDir}`, `-l:${libName(libDir, 'libllama.')}`, `-l:${libName(libDir, 'libggml.')}`, '-l:libggml-base.so',
      `-Wl,-rpath,$ORIGIN:${libDir}`, '-Wl,--no-undefined', '-s']);
    fs.rmSync(path.join(out, 'libtollama-mtmd.so'), { force: true });
    fs.renameSync(staged, path.join(out, 'libtollama-mtmd.so'));
    fs.writeFileSync(stampFile, JSON.stringify(stamp));
    log(`built ${path.join(out, 'libtollama-mtmd.so')}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(`[tollama mtmd] not built: ${err.message}`);
    console.error('[tollama mtmd] images will be refused with a message saying why; everything else works.');
    process.exit(strict ? 1 : 0);
  });
}
