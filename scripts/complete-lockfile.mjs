#!/usr/bin/env node
// Completes package-lock.json with entries for platform-specific optional dependencies that the
// package registry these machines use does not serve (other OSes' native builds of rollup,
// esbuild, node-llama-cpp…). npm then records nothing for them, and `npm ci` refuses the lock
// ("Missing: … from lock file"). An entry marked optional with the package's os/cpu lets
// `npm ci` skip it on other platforms, exactly as a lock written elsewhere would.
// Run after any `npm install` that changes dependencies: `node scripts/complete-lockfile.mjs`.
import fs from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const pkgs = lock.packages;

/** os/cpu/libc from a platform package name such as `@rollup/rollup-linux-arm64-musl`. */
function platformOf(name) {
  const n = name.toLowerCase();
  const os = ['android', 'darwin', 'freebsd', 'linux', 'openbsd', 'netbsd', 'sunos', 'win32', 'aix', 'openharmony']
    .find((o) => n.includes(o)) ?? (n.includes('mac') ? 'darwin' : n.includes('win') ? 'win32' : undefined);
  const cpu = ['arm64', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'mips64el', 'arm']
    .find((c) => n.includes(c)) ?? (n.includes('armv7') || n.includes('eabi') ? 'arm' : undefined);
  const entry = {};
  if (os) entry.os = [os];
  if (cpu) entry.cpu = [cpu];
  if (n.includes('musl')) entry.libc = ['musl'];
  else if (n.includes('gnu') && os === 'linux') entry.libc = ['glibc'];
  return entry;
}

let added = 0;
for (const [where, meta] of Object.entries(pkgs)) {
  for (const [dep, range] of Object.entries(meta.optionalDependencies ?? {})) {
    const nested = `${where ? where + '/' : ''}node_modules/${dep}`;
    const hoisted = `node_modules/${dep}`;
    if (pkgs[nested] || pkgs[hoisted]) continue;
    const version = String(range).replace(/^[\^~=]/, '');
    pkgs[hoisted] = { version, ...(meta.dev ? { dev: true } : {}), optional: true, ...platformOf(dep) };
    added++;
  }
}
const sorted = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
lock.packages = sorted;
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: added ${added} optional platform entries`);
