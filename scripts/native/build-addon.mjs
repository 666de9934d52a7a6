#!/usr/bin/env node
// Builds node-llama-cpp's addon with Tollama's patches (nlc-threadpool.patch: a persistent threadpool;
// nlc-logprobs.patch: raw-logit log-probabilities) against
// node-llama-cpp's own prebuilt libraries, and installs it as a node-llama-cpp local build that only
// Tollama's runtime asks for (see docs/native.md). Needs g++ and git; no cmake, no network.
//
//   node scripts/native/build-addon.mjs            build if missing or stale, best effort (exit 0)
//   node scripts/native/build-addon.mjs --strict   same, but any failure exits 1 (CI)
//   node scripts/native/build-addon.mjs --force    rebuild even when up to date
//   node scripts/native/build-addon.mjs --check    only check that the patches apply (exit 0/1)
//   node scripts/native/build-addon.mjs --clean    remove the installed build
//
// TOLLAMA_SKIP_NATIVE=1 skips everything. Objects are compiled in a temporary folder that is removed.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  EXPECTED_NLC_VERSION, NATIVE_CMAKE_OPTION, NATIVE_MARKER, STAMP_FILE, copyAddonSources,
  findNodeLlamaCpp, findPackageDir, localBuildFolderName, patchPaths,
} from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = new Set(process.argv.slice(2));
const strict = args.has('--strict');
const log = (msg) => console.log(`[tollama native] ${msg}`);

class Skip extends Error {}

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${argv.slice(0, 3).join(' ')} … failed (exit ${r.status}):\n${(r.stderr || r.stdout || '').slice(-4000)}`);
  return r.stdout;
}

function have(cmd) {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

function sha256(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * Applies the patches in order to `dir` (a copy of llama/addon's parent) with git apply, outside any
 * repository. Each patch is written against the previous ones, so each is applied (not only
 * checked) before the next.
 */
function applyPatches(dir) {
  for (const p of patchPaths) {
    try {
      run('git', ['apply', '-p1', p], { cwd: dir, env: { ...process.env, GIT_CEILING_DIRECTORIES: path.dirname(dir) } });
    } catch (err) {
      throw new Error(`${path.basename(p)} does not apply: ${err instanceof Error ? err.message : err}`);
    }
  }
}

/** One hash over all the patches, for the build stamp. */
function patchesSha256() {
  const h = crypto.createHash('sha256');
  for (const p of patchPaths) h.update(fs.readFileSync(p));
  return h.digest('hex');
}

/**
 * The bundled llama.cpp source at llama/llama.cpp, where node-llama-cpp's own `source download` puts
 * it. A sparse clone of the bundle (its exact release) with only the folders needed: the headers the
 * addon compiles against, and grammars/, which node-llama-cpp reads for a local build's
 * getGrammarFor(). An existing full clone is used as it is.
 */
function ensureSource(nlcDir) {
  const src = path.join(nlcDir, 'llama', 'llama.cpp');
  const complete = () => ['include/llama.h', 'src/llama-context.h', 'common/common.h', 'ggml/include/ggml-cpu.h', 'grammars/json.gbnf']
    .every((f) => fs.existsSync(path.join(src, f))) && fs.existsSync(path.join(src, '.git'));
  if (complete()) return src;
  fs.rmSync(src, { recursive: true, force: true });
  run('git', ['clone', '-q', '--no-checkout', path.join(nlcDir, 'llama', 'gitRelease.bundle'), src]);
  run('git', ['-C', src, 'sparse-checkout', 'set', '--no-cone', '/include/', '/ggml/include/', '/src/', '/common/', '/vendor/', '/grammars/']);
  run('git', ['-C', src, 'checkout', '-q', 'HEAD']);
  if (!complete()) throw new Error(`the llama.cpp source in ${src} is incomplete`);
  return src;
}

function compile({ nlcDir, src, addonDir, outFile, libDir }) {
  const napiInclude = findPackageDir(nlcDir, 'node-addon-api');
  let nodeApiInclude;
  try {
    nodeApiInclude = path.join(findPackageDir(nlcDir, 'node-api-headers'), 'include');
  } catch {
    nodeApiInclude = path.join(path.dirname(process.execPath), '..', 'include', 'node');
  }
  const flags = [
    '-std=c++17', '-O3', '-DNDEBUG', '-fPIC', '-fexceptions', '-DNAPI_VERSION=7',
    '-DGGML_BACKEND_SHARED', '-DGGML_SHARED', '-DLLAMA_SHARED', '-DLLAMA_SUBPROCESS',
    `-I${napiInclude}`, `-I${nodeApiInclude}`, `-I${src}`, `-I${path.join(src, 'common')}`,
    `-I${path.join(src, 'src')}`, `-I${path.join(src, 'include')}`, `-I${path.join(src, 'ggml', 'include')}`,
  ];
  const sources = [];
  for (const entry of fs.readdirSync(addonDir, { recursive: true })) {
    if (String(entry).endsWith('.cpp')) sources.push(path.join(addonDir, String(entry)));
  }
  const objDir = path.join(path.dirname(outFile), 'obj');
  fs.mkdirSync(objDir, { recursive: true });
  const jobs = Math.max(1, os.availableParallelism());
  const objects = sources.map((s, i) => path.join(objDir, `${i}-${path.basename(s, '.cpp')}.o`));
  // compile in parallel, `jobs` at a time
  const queue = sources.map((s, i) => [s, objects[i]]);
  const children = [];
  const failures = [];
  return new Promise((resolve, reject) => {
    const next = () => {
      if (queue.length === 0) {
        if (children.length === 0) {
          if (failures.length) return reject(new Error(`g++ failed:\n${failures.join('\n').slice(-4000)}`));
          try {
            run('g++', ['-shared', '-o', outFile, ...objects, `-L${libDir}`,
              '-l:libllama-common.so', `-l:${libName(libDir, 'libllama.')}`, `-l:${libName(libDir, 'libggml.')}`,
              '-l:libggml-base.so', '-Wl,-rpath,$ORIGIN:$ORIGIN/../bin', '-s']);
            resolve();
          } catch (err) {
            reject(err);
          }
        }
        return;
      }
      while (children.length < jobs && queue.length) {
        const [s, o] = queue.shift();
        const child = spawnAsync('g++', [...flags, '-c', s, '-o', o]);
        children.push(child);
        child.then((err) => {
          children.splice(children.indexOf(child), 1);
          if (err) failures.push(err);
          next();
        });
      }
    };
    next();
  });
}

function libName(dir, prefix) {
  const name = fs.readdirSync(dir).find((f) => f.startsWith(prefix) && f.endsWith('.so'));
  if (!name) throw new Error(`no ${prefix}*.so in ${dir}`);
  return name;
}

function spawnAsync(cmd, argv) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => resolve(e.message));
    child.on('close', (code) => resolve(code === 0 ? null : `${path.basename(argv.at(-3))}: ${err}`));
  });
}


function osRelease() {
  for (const p of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      const m = new Map();
      for (const line of fs.readFileSync(p, 'utf8').split('\n')) {
        const i = line.indexOf('=');
        if (i < 1) continue;
        let v = line.slice(i + 1);
        if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
        m.set(line.slice(0, i).toLowerCase(), v);
      }
      return { name: m.get('name') ?? '', version: m.get('version_id') ?? m.get('version') ?? '' };
    } catch { /* next */ }
  }
  return { name: '', version: '' };
}

/** Hard-links (or copies) every prebuilt library next to the new addon. */
function stageLibraries(libDir, releaseDir) {
  for (const f of fs.readdirSync(libDir)) {
    if (!f.endsWith('.so')) continue;
    const from = path.join(libDir, f);
    const to = path.join(releaseDir, f);
    try {
      fs.linkSync(from, to);
    } catch {
      fs.copyFileSync(from, to);
    }
  }
}

/** Loads the installed build in a child process, as the runtime will, and checks it is ours. */
function smokeTest(nlcDir) {
  const code = `
    const { getLlama, LlamaLogLevel } = await import(${JSON.stringify(pathToFileURL(path.join(nlcDir, 'dist', 'index.js')).href)});
    const llama = await getLlama({ gpu: false, build: 'never', progressLogs: false, logLevel: LlamaLogLevel.error,
      cmakeOptions: { ${NATIVE_CMAKE_OPTION.key}: ${JSON.stringify(NATIVE_CMAKE_OPTION.value)} } });
    console.log(llama.buildType);
    await llama.dispose();`;
  const out = run(process.execPath, ['--input-type=module', '-e', code], { timeout: 120_000 });
  if (out.trim().split('\n').at(-1) !== 'localBuild') throw new Error(`the installed build did not load (got: ${out.trim()})`);
}

async function main() {
  if (/^(1|true|yes)$/i.test(process.env.TOLLAMA_SKIP_NATIVE ?? '')) throw new Skip('TOLLAMA_SKIP_NATIVE is set: keeping the prebuilt binary');
  const nlcDir = findNodeLlamaCpp(here);
  const version = JSON.parse(fs.readFileSync(path.join(nlcDir, 'package.json'), 'utf8')).version;
  if (version !== EXPECTED_NLC_VERSION) throw new Skip(`node-llama-cpp is ${version}, the patch is for ${EXPECTED_NLC_VERSION}: keeping the prebuilt binary`);
  const platform = `${process.platform}-${process.arch}`;
  if (platform !== 'linux-x64' && platform !== 'linux-arm64') throw new Skip(`${platform} is not supported by this build recipe: keeping the prebuilt binary`);
  const folder = path.join(nlcDir, 'llama', 'localBuilds', localBuildFolderName(platform));
  const releaseDir = path.join(folder, 'Release');

  if (args.has('--clean')) {
    fs.rmSync(folder, { recursive: true, force: true });
    log(`removed ${folder}`);
    return;
  }
  if (args.has('--check')) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-patch-'));
    try {
      copyAddonSources(nlcDir, tmp);
      applyPatches(tmp);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    log(`the patches apply cleanly to node-llama-cpp ${version}`);
    return;
  }

  const patchSha = patchesSha256();
  const stampPath = path.join(releaseDir, STAMP_FILE);
  if (!args.has('--force') && fs.existsSync(stampPath) && fs.existsSync(path.join(folder, 'buildDone.status'))) {
    const stamp = JSON.parse(fs.readFileSync(stampPath, 'utf8'));
    if (stamp.patchSha256 === patchSha && stamp.nlcVersion === version) {
      log('patched addon already built (threadpool, logprobs)');
      return;
    }
  }
  const missing = ['g++', 'git'].filter((c) => !have(c));
  if (missing.length) throw new Skip(`${missing.join(' and ')} not found: keeping the prebuilt binary (install build-essential and git, then run npm run build:native)`);

  const libDir = path.join(findPackageDir(nlcDir, `@node-llama-cpp/${platform}`), 'bins', platform);
  const prebuiltMeta = JSON.parse(fs.readFileSync(path.join(libDir, '_nlcBuildMetadata.json'), 'utf8'));

  const t0 = Date.now();
  log('building the patched addon (about a minute)');
  const src = ensureSource(nlcDir);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-native-'));
  try {
    copyAddonSources(nlcDir, work);
    applyPatches(work);
    const built = path.join(work, 'llama-addon.node');
    await compile({ nlcDir, src, addonDir: path.join(work, 'llama', 'addon'), outFile: built, libDir });
    if (!fs.readFileSync(built).includes(Buffer.from(NATIVE_MARKER))) throw new Error('the built addon lacks the patch marker');

    // stage next to the final folder, then swap it in
    const staging = `${folder}.tmp-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    const stagingRelease = path.join(staging, 'Release');
    fs.mkdirSync(stagingRelease, { recursive: true });
    stageLibraries(libDir, stagingRelease);
    fs.copyFileSync(built, path.join(stagingRelease, 'llama-addon.node'));
    const meta = {
      buildOptions: {
        ...prebuiltMeta.buildOptions,
        customCmakeOptions: { [NATIVE_CMAKE_OPTION.key]: NATIVE_CMAKE_OPTION.value },
        progressLogs: false,
        platformInfo: osRelease(),
      },
    };
    fs.writeFileSync(path.join(stagingRelease, '_nlcBuildMetadata.json'), JSON.stringify(meta));
    fs.writeFileSync(path.join(stagingRelease, STAMP_FILE), `${JSON.stringify({
      patchSha256: patchSha, nlcVersion: version, addonSha256: sha256(built), builtAt: new Date().toISOString(),
    }, null, 2)}\n`);
    fs.writeFileSync(path.join(staging, 'buildDone.status'), '');
    fs.rmSync(folder, { recursive: true, force: true });
    fs.renameSync(staging, folder);
    try {
      smokeTest(nlcDir);
    } catch (err) {
      fs.rmSync(folder, { recursive: true, force: true });
      throw err;
    }
    log(`patched addon installed in ${Math.round((Date.now() - t0) / 1000)} s: ${folder}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (err) {
  if (err instanceof Skip) {
    log(err.message);
    if (strict && !/TOLLAMA_SKIP_NATIVE/.test(err.message)) process.exitCode = 1;
  } else {
    log(`could not build the patched addon, keeping the prebuilt binary: ${err instanceof Error ? err.message : err}`);
    if (strict || args.has('--check')) process.exitCode = 1;
  }
}
