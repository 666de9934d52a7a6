#!/usr/bin/env node
// The `postinstall`: Tollama's three native builds, best effort (always exit 0 unless --strict).
//
//   1. the patched node-llama-cpp addon (build-addon.mjs), then llama-quantize (build-quantize.mjs);
//   2. at the same time, libmtmd + llama-mtmd-cli + the bridge for vision (build-mtmd.mjs).
//
// The two chains share nothing but the read-only source bundle, and each writes only its own files
// (the addon into llama/localBuilds, the tools into llama/tollama-tools/<platform>). Run side by
// side, the install waits for the longer chain instead of the sum: measured numbers in
// docs/vision.md ("What it costs at install").
//
//   node scripts/native/postinstall.mjs            both chains in parallel
//   node scripts/native/postinstall.mjs --strict   same, exit 1 if any step failed (forwarded to each)
//   TOLLAMA_POSTINSTALL_SERIAL=1                   one step after another (to compare, or on a
//                                                  machine short of memory)
//   TOLLAMA_SKIP_MTMD=1 / TOLLAMA_SKIP_NATIVE=1    skip libmtmd / every native step (the scripts' own)
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const forwarded = process.argv.slice(2);
const log = (msg) => console.log(`[tollama postinstall] ${msg}`);

/** Runs one build script with the same stdout/stderr; resolves to its exit code and wall time. */
function step(script) {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(here, script), ...forwarded], { stdio: 'inherit' });
    child.on('error', (err) => {
      console.error(`[tollama postinstall] could not start ${script}: ${err.message}`);
      resolve({ script, code: 1, seconds: (Date.now() - t0) / 1000 });
    });
    child.on('close', (code, signal) => resolve({ script, code: code ?? (signal ? 1 : 0), seconds: (Date.now() - t0) / 1000 }));
  });
}

async function chain(scripts) {
  const results = [];
  for (const s of scripts) results.push(await step(s));
  return results;
}

const secs = (n) => `${n.toFixed(0)} s`;

async function main() {
  const t0 = Date.now();
  const serial = /^(1|true|yes)$/i.test(process.env.TOLLAMA_POSTINSTALL_SERIAL ?? '');
  const main = ['build-addon.mjs', 'build-quantize.mjs'];
  const vision = ['build-mtmd.mjs'];
  let results;
  if (serial) {
    log('building the addon, llama-quantize and libmtmd one after another (TOLLAMA_POSTINSTALL_SERIAL)');
    results = await chain([...main, ...vision]);
  } else {
    log('building the addon then llama-quantize, and libmtmd (vision) alongside');
    const [a, b] = await Promise.all([chain(main), chain(vision)]);
    results = [...a, ...b];
  }
  const parts = results.map((r) => `${r.script.replace(/^build-|\.mjs$/g, '')} ${secs(r.seconds)}${r.code ? ' (failed)' : ''}`);
  log(`native steps done in ${secs((Date.now() - t0) / 1000)} (${parts.join(', ')})`);
  // Best effort like each step: a failure is reported above and the install goes on, unless --strict.
  if (results.some((r) => r.code !== 0) && forwarded.includes('--strict')) process.exitCode = 1;
}

main().catch((err) => {
  console.error(`[tollama postinstall] ${err instanceof Error ? err.message : err}`);
  process.exitCode = forwarded.includes('--strict') ? 1 : 0;
});
