// Offline transfer benchmark: `ollama export` / `ollama import` of a 1 GiB model against
// `tar -cf` / `tar -xf` of the same files, in the same run (goal ≤ 1.3× each, hashing included).
//
//   node bench/transfer.mjs [--size 1g|256m|…] [--runs 3]
//
// Runs standalone: the TypeScript sources are bundled on the fly with esbuild, so no build is
// needed. Export writes the archive to a file (as `ollama export -o FILE`); import reads
// it back into an empty store (hash while writing, fsync, rename), as `ollama import FILE`.
// Each figure is the best of --runs runs; the page cache is warm for both sides alike.
// Import fsyncs every blob before it becomes visible (the store's guarantee) and plain `tar -xf`
// does not, so the import is also compared with `tar -xf` followed by `sync` of the blobs.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { row } from './lib.mjs';

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}
function parseSize(s) {
  const m = /^(\d+)([kmg]?)$/i.exec(s);
  if (!m) throw new Error(`bad --size ${s}`);
  return Number(m[1]) * { '': 1, k: 1024, m: 1 << 20, g: 1 << 30 }[m[2].toLowerCase()];
}
const SIZE = parseSize(arg('size', '1g'));
const RUNS = Number(arg('runs', '3'));

// Bundle an entry re-exporting what the bench needs; packages stay external, so the bundle is
// written under node_modules/.cache where they resolve.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = fs.mkdtempSync(path.join(root, 'node_modules', '.cache', 'tollama-bench-'));
process.on('exit', () => fs.rmSync(cacheDir, { recursive: true, force: true }));
const entry = path.join(cacheDir, 'entry.ts');
fs.writeFileSync(
  entry,
  [
    `export * from ${JSON.stringify(path.join(root, 'src/registry/archive/index.ts'))};`,
    `export { Store } from ${JSON.stringify(path.join(root, 'src/registry/store/index.ts'))};`,
    `export { buildManifest, configLayer, encodeConfigV2 } from ${JSON.stringify(path.join(root, 'src/registry/gojson.ts'))};`,
  ].join('\n'),
);
const { buildSync } = await import('esbuild');
const out = path.join(cacheDir, 'entry.mjs');
buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: out, logLevel: 'error' });
const mod = await import(pathToFileURL(out).href);
const { Store, planExport, exportTar, importArchive, buildManifest, configLayer, encodeConfigV2 } = mod;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-bench-transfer-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));

// A store holding one model with a SIZE-byte weights blob (random bytes: nothing compresses).
const srcRoot = path.join(work, 'src');
const store = new Store(srcRoot);
const weightsFile = path.join(work, 'weights.bin');
{
  const fd = fs.openSync(weightsFile, 'w');
  const block = randomBytes(1 << 20);
  for (let left = SIZE; left > 0; left -= block.length) {
    block[0]++;
    fs.writeSync(fd, block, 0, Math.min(block.length, left));
  }
  fs.closeSync(fd);
}
const w = await store.importFile(weightsFile);
fs.rmSync(weightsFile);
const cfg = encodeConfigV2({ model_format: 'gguf', model_family: 'llama', architecture: 'amd64', os: 'linux' });
await store.writeBlob(cfg.bytes, { expected: cfg.digest });
await store.writeManifest('bench', buildManifest(configLayer(cfg), [{ mediaType: 'application/vnd.ollama.image.model', digest: w.digest, size: w.size }]));

async function best(fn) {
  let min = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    min = Math.min(min, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return min;
}
function sh(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
}

const ourTar = path.join(work, 'export.tar');
const plainTar = path.join(work, 'plain.tar');
const tExport = await best(async () => {
  const plan = await planExport(store, ['bench']);
  await pipeline(Readable.from(exportTar(store, plan)), fs.createWriteStream(ourTar));
});
const tTarC = await best(async () => sh('tar', ['-cf', plainTar, '-C', srcRoot, 'blobs', 'manifests']));
const tImport = await best(async (i) => {
  const dst = new Store(path.join(work, `dst-${i}`));
  await importArchive(dst, fs.createReadStream(ourTar, { highWaterMark: 1 << 20 }));
  fs.rmSync(dst.root, { recursive: true, force: true });
});
const tTarX = await best(async (i) => {
  const dir = path.join(work, `x-${i}`);
  fs.mkdirSync(dir);
  sh('tar', ['-xf', plainTar, '-C', dir]);
  fs.rmSync(dir, { recursive: true, force: true });
});

const tTarXSync = await best(async (i) => {
  const dir = path.join(work, `xs-${i}`);
  fs.mkdirSync(dir);
  sh('sh', ['-c', `tar -xf "${plainTar}" -C "${dir}" && sync "${dir}"/blobs/*`]);
  fs.rmSync(dir, { recursive: true, force: true });
});

console.log(`transfer of a ${(SIZE / (1 << 20)).toFixed(0)} MiB model (best of ${RUNS})`);
row('tar -cf (baseline)', tTarC);
row('ollama export (stream + sha256)', tExport, tTarC, '≤ 1.3×');
row('tar -xf (baseline)', tTarX);
row('ollama import (sha256 + fsync + rename)', tImport, tTarX, '≤ 1.3×');
row('tar -xf + sync of the blobs (same durability)', tTarXSync);
row('ollama import vs the durable baseline', tImport, tTarXSync, '≤ 1.3×');
