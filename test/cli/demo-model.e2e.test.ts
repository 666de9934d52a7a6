/**
 * The built-in demo model end to end, as on a fresh machine without internet: the real
 * `bin/ollama` against a real server with an empty store, and `npm start`'s script
 * (scripts/start.mjs). Nothing here needs the network: the demo comes from the package, and
 * the "unreachable registry" is a loopback port nobody listens on.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addModel, haveStories, repoRoot, STORIES } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';

const DEMO = 'tollama.invalid/demo/stories260k';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a script of the package with stdin at EOF (as from a pipe), stdout/stderr captured. */
function node(server: TestServer, args: string[], cwd: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { env: server.env(), cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A loopback port that refuses connections (listened on, then closed). */
async function refusingPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('the built-in demo model on a fresh store', () => {
  let server: TestServer;
  let work: string;
  const ollama = (...args: string[]) => node(server, [path.join(repoRoot, 'bin', 'ollama'), ...args], work);

  beforeAll(async () => {
    server = await startServer();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-demo-e2e-'));
  });
  afterAll(async () => {
    await server?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('`ollama run` installs it with no network and writes a story', async () => {
    const r = await ollama('run', DEMO, 'Once upon a time');
    expect(r.stderr).toContain('pulling manifest');
    expect(r.stderr).toContain('pulling 270cba1bd510');
    expect(r.stderr).toContain('success');
    expect(r.stderr).not.toContain('Error');
    expect(r.code).toBe(0);
    // Sampled text (the demo keeps Ollama's default temperature): words, then Ollama's "\n\n".
    expect(r.stdout.trim().split(/\s+/).length).toBeGreaterThan(20);
    expect(r.stdout.endsWith('\n\n')).toBe(true);
  });

  it('`ollama list` shows its full name, host included', async () => {
    const r = await ollama('list');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tollama\.invalid\/demo\/stories260k:latest\s+[0-9a-f]{12}\s+1\.2 MB/m);
  });

  it('`ollama show --license` prints the attribution and the MIT license', async () => {
    const r = await ollama('show', '--license', DEMO);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('https://github.com/karpathy/llama2.c');
    expect(r.stdout).toContain('MIT License');
    expect(r.stdout).toContain('Copyright (c) 2023 Andrej');
  });

  it('`ollama push` of it is refused, saying why and what to do instead', async () => {
    const r = await ollama('push', DEMO);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('tollama.invalid is not a registry');
    expect(r.stderr).toContain(`ollama cp ${DEMO}:latest HOST/NAMESPACE/MODEL`);
  });

  it('`FROM` it in a Modelfile works (a copy under another name may then go anywhere)', async () => {
    fs.writeFileSync(path.join(work, 'Modelfile'), `FROM ${DEMO}\nPARAMETER temperature 0\nPARAMETER num_predict 12\n`);
    const r = await ollama('create', 'my-stories', '-f', 'Modelfile');
    expect(r.stderr).toContain('success');
    expect(r.code).toBe(0);
    const lic = await ollama('show', '--license', 'my-stories');
    expect(lic.stdout).toContain('Copyright (c) 2023 Andrej');
    expect((await ollama('rm', 'my-stories')).code).toBe(0);
  });

  it('`ollama rm` removes it, and `ollama pull` brings it back', async () => {
    const rm = await ollama('rm', DEMO);
    expect(rm.code).toBe(0);
    expect((await ollama('list')).stdout).not.toContain('tollama.invalid');
    expect(fs.readdirSync(path.join(server.models, 'blobs'))).toEqual([]);
    const pull = await ollama('pull', DEMO);
    expect(pull.code).toBe(0);
    expect(pull.stderr).toContain('verifying sha256 digest');
    expect(pull.stderr).toContain('success');
    expect((await ollama('list')).stdout).toContain('tollama.invalid/demo/stories260k:latest');
  });

  it('another name on its host does not exist', async () => {
    const r = await ollama('pull', 'tollama.invalid/demo/other');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error: pull model manifest: tollama.invalid/demo/other:latest does not exist: tollama.invalid is not a registry");
  });
});

describe('`npm start` (scripts/start.mjs)', () => {
  let server: TestServer;
  let port: number;
  const start = (...args: string[]) => node(server, [path.join(repoRoot, 'scripts', 'start.mjs'), ...args], repoRoot);

  beforeAll(async () => {
    server = await startServer();
    port = await refusingPort();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('says in one line that the registry cannot be reached, then runs the demo', async () => {
    const r = await start(`127.0.0.1:${port}/library/qwen2:0.5b`, 'Once upon a time');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe(
      `127.0.0.1:${port} cannot be reached (dial tcp 127.0.0.1:${port}: connect: connection refused): running the built-in demo model ${DEMO} instead`,
    );
    expect(r.stderr).toContain('success');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split(/\s+/).length).toBeGreaterThan(20);
  });

  it.skipIf(!haveStories)('runs a model that is already in the store as it is, without asking its registry', async () => {
    const name = `127.0.0.1:${port}/library/stories:latest`;
    await addModel(server.models, name, STORIES, { params: { temperature: 0, num_predict: 12 } });
    const r = await start(name, 'Once upon a time');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(', there was a little girl named Lily')).toBe(true);
  });
});
