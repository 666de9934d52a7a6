/**
 * kill -9 of a process in the middle of a pull: the next pull (another process, a fresh store
 * instance) resumes from the part descriptors on disk and transfers fewer bytes than the blob.
 * The child runs the client compiled by tsc into a temp dir (vitest runs TS only in-process).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullModel, pushModel, type ProgressEvent } from '../../../src/registry/remote/index.js';
import { startFaultProxy, type FaultProxy } from '../../helpers/faultproxy.js';
import { corruptBlobs, fakeModel, hasRegistry, manifestPath, SKIP_MESSAGE, startRegistry, tempStore, writeModel, type RunningRegistry } from '../../helpers/registry.js';

const available = hasRegistry();
if (!available) console.warn(SKIP_MESSAGE);
const repoRoot = resolve(import.meta.dirname, '../../..');

async function drain(it: AsyncIterable<ProgressEvent>): Promise<void> {
  for await (const _ of it);
}

describe.skipIf(!available)('kill -9 mid-pull, then pull again', () => {
  let reg: RunningRegistry;
  let proxy: FaultProxy;
  let build: string;
  const roots: string[] = [];
  beforeAll(async () => {
    reg = await startRegistry();
    proxy = await startFaultProxy(reg.port);
    build = mkdtempSync(join(tmpdir(), 'tollama-build-'));
    execFileSync(
      'npx',
      ['tsc', '--outDir', build, '--rootDir', repoRoot, '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--lib', 'ES2023', '--types', 'node', '--skipLibCheck', 'src/registry/remote/index.ts'],
      { cwd: repoRoot, stdio: 'pipe' },
    );
    writeFileSync(join(build, 'package.json'), '{"type":"module"}');
    symlinkSync(join(repoRoot, 'node_modules'), join(build, 'node_modules')); // the client's dependencies (proxy agents)
  }, 120_000);
  afterAll(async () => {
    await proxy?.stop();
    await reg?.stop();
    for (const r of [...roots, build]) if (r) rmSync(r, { recursive: true, force: true });
  });

  it.each([false, true])('resumes from the descriptors another (killed) process left behind (O_DIRECT: %s)', async (directIO) => {
    const SIZE = 2_000_000;
    const model = fakeModel({ modelSize: SIZE });
    const hex = model.digests[0]!.slice(7);
    const src = tempStore();
    const root = tempStore();
    roots.push(src, root);
    const repo = `alice/kill${directIO ? 'd' : ''}:v1`;
    writeModel(src, `${reg.host}/${repo}`, model);
    await drain(pushModel(src, `${reg.host}/${repo}`, { insecure: true, credentials: null }));
    const name = `${proxy.host}/${repo}`;

    proxy.fault = (req) => (req.url!.includes(hex) && req.headers.range !== 'bytes=0-0' ? { kind: 'slow', chunk: 4096, delayMs: 3 } : undefined);
    const script = join(build, 'child.mjs');
    writeFileSync(
      script,
      `import { pullModel } from './src/registry/remote/index.js';
for await (const p of pullModel(process.argv[2], process.argv[3], { insecure: true, credentials: null, partSize: 500000, maxParallel: 2, directIO: ${directIO} })) {
  process.stdout.write(JSON.stringify(p) + '\\n');
}
`,
    );
    const child = spawn(process.execPath, [script, root, name], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    // wait until a descriptor on disk records progress, then kill -9
    const blobs = join(root, 'blobs');
    const recorded = () =>
      existsSync(blobs) &&
      readdirSync(blobs)
        .filter((f) => /-partial-\d+$/.test(f))
        .some((f) => {
          try {
            return (JSON.parse(readFileSync(join(blobs, f), 'utf8')) as { Completed: number }).Completed > 100_000;
          } catch {
            return false;
          }
        });
    for (let i = 0; i < 400 && !recorded(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(recorded()).toBe(true);
    process.kill(child.pid!, 'SIGKILL');
    await exited;
    expect(existsSync(join(blobs, `sha256-${hex}`))).toBe(false);
    expect(existsSync(manifestPath(root, name))).toBe(false);

    proxy.fault = () => undefined;
    proxy.blobBytes = 0;
    await drain(pullModel(root, name, { insecure: true, credentials: null, partSize: 500_000, directIO }));
    expect(readFileSync(manifestPath(root, name)).equals(model.manifest)).toBe(true);
    expect(corruptBlobs(root)).toEqual([]);
    expect(proxy.blobBytes).toBeLessThan(SIZE);
  });
});
