/**
 * The transfer commands through the real CLI (bundled with esbuild from src/, packages left
 * external) against in-process servers holding only the transfer routes: export to a file and
 * import it, `export | import -` and `export -o - | import -` through shell pipes between two
 * servers, the refusal to write a tar to a terminal, verify's exit
 * status on damage, prune's dry run.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/registry/store/index.js';
import { createHttpServer, Router } from '../../src/server/http.js';
import { registerTransferRoutes } from '../../src/server/routes/transfer.js';
import { repoRoot } from '../helpers/models.js';
import { makeFixture, type Fixture } from '../registry/archive/fixtures.js';

const exec = promisify(execFile);
// Inside node_modules so the bundle's external packages resolve from the repo.
const bundleDir = path.join(repoRoot, 'node_modules', '.cache', `tollama-transfer-${process.pid}`);
const cli = path.join(bundleDir, 'main.mjs');

let fx: Fixture;
let work: string;
const closers: Array<() => Promise<void>> = [];

async function serve(store: Store): Promise<string> {
  const router = new Router();
  router.head('/', (ctx) => {
    ctx.res.writeHead(200).end();
  });
  registerTransferRoutes(router, { store });
  const server = createHttpServer(router);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function env(host: string): NodeJS.ProcessEnv {
  return { ...process.env, OLLAMA_HOST: host, OLLAMA_NOAUTOSTART: '1' };
}

async function ollama(host: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, [cli, ...args], { env: env(host), cwd: work, maxBuffer: 1 << 28 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

let srcHost: string;
beforeAll(async () => {
  buildSync({
    entryPoints: [path.join(repoRoot, 'src/cli/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: cli,
    jsx: 'automatic',
    logLevel: 'silent',
  });
  fx = await makeFixture();
  work = path.join(fx.dir, 'work');
  fs.mkdirSync(work);
  srcHost = await serve(fx.src);
});
afterAll(async () => {
  for (const c of closers) await c();
  await fx?.cleanup();
  fs.rmSync(bundleDir, { recursive: true, force: true });
});

describe('ollama export / import / verify / prune', () => {
  it('exports to -o FILE and imports the file elsewhere', async () => {
    const r = await ollama(srcHost, ['export', 'stories', '-o', 'stories.tar']);
    expect(r.stderr).toMatch(/exported stories:latest to stories\.tar/);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');

    const dst = await fx.emptyStore();
    const dstHost = await serve(dst);
    const imp = await ollama(dstHost, ['import', 'stories.tar', '--name', 'copy:v1']);
    expect(imp.code).toBe(0);
    expect(imp.stdout).toBe('imported copy:v1\n');
    expect((await dst.readModel('copy:v1')).raw.equals((await fx.src.readModel('stories')).raw)).toBe(true);
    const v = await ollama(dstHost, ['verify']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^copy:v1: ok \(\d+ blobs\)$/m);
  });

  it('without -o writes to stdout, so `export m | import -` works as README shows, leaving no file', async () => {
    const dst = await fx.emptyStore();
    const dstHost = await serve(dst);
    const dir = fs.mkdtempSync(path.join(work, 'pipe-'));
    const node = `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)}`;
    const cmd = `set -o pipefail; OLLAMA_HOST=${srcHost} ${node} export stories | OLLAMA_HOST=${dstHost} ${node} import -`;
    const r = await exec('bash', ['-c', cmd], { env: { ...process.env, OLLAMA_NOAUTOSTART: '1' }, cwd: dir });
    expect(r.stdout).toBe('imported stories:latest\n');
    expect(r.stderr).toMatch(/exported stories:latest to stdout/);
    expect((await dst.readModel('stories')).raw.equals((await fx.src.readModel('stories')).raw)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses to write the archive to a terminal and names a file to use instead', async () => {
    // script(1) gives the command a pseudo-terminal as stdout, as an interactive shell would.
    const node = `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)}`;
    const r = await exec('script', ['-qec', `${node} export stories; echo "exit=$?"`, '/dev/null'], { env: env(srcHost), cwd: work }).catch(
      (e: { stdout: string }) => e,
    );
    expect(r.stdout).toMatch(/Error: refusing to write a tar archive to a terminal; use -o stories-latest\.tar, or redirect: ollama export stories > stories-latest\.tar/);
    expect(r.stdout).toMatch(/exit=1/);
    expect(fs.existsSync(path.join(work, 'stories-latest.tar'))).toBe(false);
  });

  it('pipes export -o - into import - between two servers', async () => {
    const dst = await fx.emptyStore();
    const dstHost = await serve(dst);
    const node = JSON.stringify(process.execPath);
    const cmd = `OLLAMA_HOST=${srcHost} ${node} ${JSON.stringify(cli)} export a b someone/c:v1 -o - | OLLAMA_HOST=${dstHost} ${node} ${JSON.stringify(cli)} import -`;
    const r = await exec('sh', ['-c', cmd], { env: { ...process.env, OLLAMA_NOAUTOSTART: '1' }, cwd: work });
    expect(r.stdout).toBe('imported a:latest\nimported b:latest\nimported someone/c:v1\n');
    for (const n of ['a', 'b', 'someone/c:v1']) {
      expect((await dst.readModel(n)).raw.equals((await fx.src.readModel(n)).raw)).toBe(true);
    }
    expect((await dst.verify()).every((m) => m.ok)).toBe(true);
  });

  it('reports errors clearly', async () => {
    const missing = await ollama(srcHost, ['export', 'nope', '-o', 'x.tar']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("Error: model 'nope' not found\n");
    expect(fs.existsSync(path.join(work, 'x.tar'))).toBe(false);
    fs.writeFileSync(path.join(work, 'junk.tar'), 'not a tar file at all'.repeat(100));
    const junk = await ollama(srcHost, ['import', 'junk.tar']);
    expect(junk.code).toBe(1);
    expect(junk.stderr).toMatch(/Error: not a tar archive/);
    const nodir = await ollama(srcHost, ['export', 'a', '-o', 'no/such/dir/a.tar']);
    expect(nodir.code).toBe(1);
    expect(nodir.stderr).toMatch(/Error: cannot write no\/such\/dir\/a\.tar/);
    const absent = await ollama(srcHost, ['import', 'absent.tar']);
    expect(absent.stderr).toMatch(/absent\.tar: no such file/);
  });

  it('verify exits 1 on a damaged blob; prune -n lists without removing', async () => {
    const dst = await fx.emptyStore();
    const dstHost = await serve(dst);
    await ollama(srcHost, ['export', 'a', '-o', 'a.tar']);
    expect((await ollama(dstHost, ['import', 'a.tar'])).code).toBe(0);
    const layer = (await dst.readModel('a')).manifest.layers[1]!.digest;
    fs.writeFileSync(dst.blobPath(layer), 'damaged');
    const v = await ollama(dstHost, ['verify', 'a']);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/a:latest: 1 problem/);
    expect(v.stdout).toMatch(/damaged|bytes, the manifest records/);
    fs.writeFileSync(path.join(dst.paths.blobsDir, `sha256-${'d'.repeat(64)}`), 'unreferenced');
    const dry = await ollama(dstHost, ['prune', '-n']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/would remove unused blob sha256:d{64}/);
    expect(fs.existsSync(path.join(dst.paths.blobsDir, `sha256-${'d'.repeat(64)}`))).toBe(true);
    const real = await ollama(dstHost, ['prune']);
    expect(real.stdout).toMatch(/removed unused blob sha256:d{64}/);
    expect(fs.existsSync(path.join(dst.paths.blobsDir, `sha256-${'d'.repeat(64)}`))).toBe(false);
  });
});
