#!/usr/bin/env node
// `npm run bench`: runs every benchmark in bench/ (or the ones named on the command line) and
// prints each one's ratios against a baseline measured in the same run. Nothing here is a test:
// figures are recorded in docs/performance.md by hand.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const all = ['startup', 'threads', 'create', 'quantize', 'pull', 'api', 'batch', 'transfer', 'replicas', 'vision'];
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : all;
let failed = 0;
for (const name of chosen) {
  console.log(`\n== ${name} ==`);
  const r = spawnSync(process.execPath, [path.join(here, `${name}.mjs`)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
