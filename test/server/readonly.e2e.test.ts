/**
 * A real `ollama serve` on a read-only store (OLLAMA_READONLY=1, a read-only bind mount, a
 * directory the server's user may not write): reads and inference work, every write is a 403
 * with a clear message (the CLI prints it as it prints any server error), and the store is left
 * exactly as it was (no start-up rename or prune, no temp files, no locks).
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addModel, haveStories, repoRoot, STORIES } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { snapshot } from '../helpers/snapshot.js';

const execFileP = promisify(execFile);
const BIN = path.join(repoRoot, 'bin', 'ollama');
const READONLY_MSG = "is not allowed: this server's model store is read-only (OLLAMA_READONLY is set)";

async function cli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileP(process.execPath, [BIN, ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function post(url: string, body: unknown, method = 'POST'): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A store with the stories model plus the leftovers a writer's start-up would rename or prune. */
async function seedStore(root: string): Promise<void> {
  await addModel(root, 'stories', STORIES);
  const old = new Date(Date.now() - 3 * 3600_000);
  const junk = path.join(root, 'blobs', 'sha256-' + 'b'.repeat(64) + '-partial');
  fs.writeFileSync(junk, 'stale download');
  fs.utimesSync(junk, old, old);
  const unreferenced = path.join(root, 'blobs', 'sha256-' + 'c'.repeat(64));
  fs.writeFileSync(unreferenced, 'not named by any manifest');
  fs.utimesSync(unreferenced, old, old);
  fs.writeFileSync(path.join(root, 'blobs', 'sha256:' + 'd'.repeat(64)), 'old-style name');
}

if (!haveStories) console.warn(`skipping readonly e2e: ${STORIES} is absent`);

describe.skipIf(!haveStories)('OLLAMA_READONLY=1', () => {
  let server: TestServer;
  let store: string;
  let before: string[];

  beforeAll(async () => {
    store = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-ro-store-'));
    await seedStore(store);
    before = snapshot(store);
    server = await startServer({ models: store, env: { OLLAMA_READONLY: '1' } });
  });
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(store, { recursive: true, force: true });
  });

  it('says so at start-up and neither renamed nor pruned anything', () => {
    expect(server.log()).toMatch(/model store is read-only.*reason="OLLAMA_READONLY is set"/);
    expect(snapshot(store)).toEqual(before);
  });

  it('list, show, generate, chat and embed work', async () => {
    const tags = await fetch(`${server.url}/api/tags`).then((r) => r.json() as Promise<{ models: Array<{ name: string }> }>);
    expect(tags.models.map((m) => m.name)).toEqual(['stories:latest']);
    expect((await post(`${server.url}/api/show`, { model: 'stories' })).status).toBe(200);
    const gen = await post(`${server.url}/api/generate`, { model: 'stories', prompt: 'Once', stream: false, options: { num_predict: 4, seed: 1 } });
    expect(gen.status).toBe(200);
    expect(gen.json.done).toBe(true);
    const chat = await post(`${server.url}/api/chat`, { model: 'stories', messages: [{ role: 'user', content: 'Hi' }], stream: false, options: { num_predict: 4 } });
    expect(chat.status).toBe(200);
    const emb = await post(`${server.url}/api/embed`, { model: 'stories', input: 'hello' });
    expect(emb.status).toBe(200);
    expect((emb.json.embeddings as number[][])[0]!.length).toBeGreaterThan(0);
  });

  it('every write is a 403 naming what was refused and why', async () => {
    const digest = 'sha256:' + 'e'.repeat(64);
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/api/pull', { model: 'registry.example/x/y' }, 'pull'],
      ['POST', '/api/push', { model: 'stories' }, 'push'],
      ['POST', '/api/create', { model: 'other', from: 'stories' }, 'create'],
      ['POST', '/api/copy', { source: 'stories', destination: 'other' }, 'copy'],
      ['DELETE', '/api/delete', { model: 'stories' }, 'delete'],
      ['POST', '/api/prune', {}, 'prune'],
    ];
    for (const [method, route, body, action] of cases) {
      const r = await post(server.url + route, body, method);
      expect(r.status, route).toBe(403);
      expect(r.json.error, route).toBe(`${action} ${READONLY_MSG}`);
    }
    let res = await fetch(`${server.url}/api/blobs/${digest}`, { method: 'POST', body: 'bytes' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toBe(`uploading a blob ${READONLY_MSG}`);
    res = await fetch(`${server.url}/api/import`, { method: 'POST', body: 'not a tar' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toBe(`import ${READONLY_MSG}`);
    // Reading stays allowed: HEAD of a blob, a prune dry run, verify.
    expect((await fetch(`${server.url}/api/blobs/${digest}`, { method: 'HEAD' })).status).toBe(404);
    const dry = await post(`${server.url}/api/prune`, { dry_run: true });
    expect(dry.status).toBe(200);
    expect((await post(`${server.url}/api/verify`, {})).status).toBe(200);
    expect(snapshot(store)).toEqual(before);
  });

  it('the CLI prints the refusal as any server error', async () => {
    const env = server.env();
    let r = await cli(env, 'pull', 'registry.example/x/y');
    expect(r.code).toBe(1);
    // A streamed request's error status is shown with its status line, as Ollama's client does.
    expect(r.stderr).toBe(`Error: 403 Forbidden: pull ${READONLY_MSG}\n`);
    r = await cli(env, 'rm', 'stories');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error: delete ${READONLY_MSG}\n`);
    r = await cli(env, 'cp', 'stories', 'other');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error: copy ${READONLY_MSG}\n`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-ro-mf-'));
    fs.writeFileSync(path.join(dir, 'Modelfile'), `FROM ${STORIES}\n`);
    r = await cli(env, 'create', 'other', '-f', path.join(dir, 'Modelfile'));
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.code).toBe(1);
    expect(r.stderr.endsWith(`Error: 403 Forbidden: create ${READONLY_MSG}\n`), r.stderr).toBe(true);
    expect(snapshot(store)).toEqual(before);
  });
});

/** A bind mount needs root and CAP_SYS_ADMIN (a sandbox may refuse it). */
function tryReadOnlyBind(src: string, dst: string): string | null {
  if (process.getuid?.() !== 0) return 'not root: cannot bind-mount';
  const a = spawnSync('mount', ['--bind', src, dst]);
  if (a.status !== 0) return `mount --bind refused: ${a.stderr.toString().trim()}`;
  const b = spawnSync('mount', ['-o', 'remount,bind,ro', dst]);
  if (b.status !== 0) {
    spawnSync('umount', [dst]);
    return `remount read-only refused: ${b.stderr.toString().trim()}`;
  }
  return null;
}

describe.skipIf(!haveStories)('a store on a read-only mount', () => {
  it('is read-only without OLLAMA_READONLY; reads work, writes are 403', async (t) => {
    const src = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-ro-src-'));
    const dst = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-ro-mnt-'));
    let server: TestServer | undefined;
    const why = tryReadOnlyBind(src, dst);
    try {
      if (why) return t.skip(why);
      // Seed through the writable source path; the server only sees the read-only mount.
      await seedStore(src);
      const before = snapshot(src);
      server = await startServer({ models: dst });
      expect(server.log()).toMatch(/model store is read-only.*reason="the store is on a read-only mount"/);
      const tags = (await fetch(`${server.url}/api/tags`).then((r) => r.json())) as { models: unknown[] };
      expect(tags.models).toHaveLength(1);
      const r = await post(`${server.url}/api/copy`, { source: 'stories', destination: 'other' });
      expect(r.status).toBe(403);
      expect(r.json.error).toBe("copy is not allowed: this server's model store is read-only (the store is on a read-only mount)");
      expect(snapshot(src)).toEqual(before);
    } finally {
      await server?.stop();
      if (!why) spawnSync('umount', [dst]);
      fs.rmSync(dst, { recursive: true, force: true });
      fs.rmSync(src, { recursive: true, force: true });
    }
  });
});

describe('a store directory the server user may not write (chmod 555)', () => {
  it('is detected as read-only (checked as an unprivileged user: root may write anywhere)', (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-ro-chmod-'));
    try {
      fs.chmodSync(dir, 0o555);
      const mod = path.join(repoRoot, 'dist', 'registry', 'store', 'readonly.js');
      const script = `import(${JSON.stringify(mod)}).then(async (m) => process.stdout.write(String(await m.storeReadOnlyReason(${JSON.stringify(dir)}))))`;
      const asRoot = process.getuid?.() === 0;
      const r = spawnSync(process.execPath, ['-e', script], asRoot ? { uid: 65534, gid: 65534 } : {});
      if (r.status !== 0) return t.skip(`could not run the check as an unprivileged user: ${r.stderr.toString().slice(0, 200)}`);
      expect(r.stdout.toString()).toBe('the store directory is not writable');
      if (asRoot) {
        // Root can write there, so for root the store is (correctly) writable.
        const r2 = spawnSync(process.execPath, ['-e', script]);
        expect(r2.stdout.toString()).toBe('null');
      }
    } finally {
      fs.chmodSync(dir, 0o755);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
