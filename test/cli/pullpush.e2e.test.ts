/**
 * The round trip through the real CLI and a real server against the CNCF distribution
 * registry: create from stories260K → push to 127.0.0.1:PORT/alice/stories:v1 --insecure → rm →
 * pull → the model runs and every blob re-hashes (verify).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSECURE_HINT, OFFLINE_HINT } from '../../src/cli/hints.js';
import { Store } from '../../src/registry/store/index.js';
import { haveStories, repoRoot, STORIES } from '../helpers/models.js';
import { hasRegistry, SKIP_MESSAGE, startRegistry, type RunningRegistry } from '../helpers/registry.js';
import { startServer, type TestServer } from '../helpers/server.js';

const exec = promisify(execFile);
const bin = path.join(repoRoot, 'bin', 'ollama');
const ready = hasRegistry() && haveStories;
if (!ready) console.warn(`pull/push e2e skipped: ${hasRegistry() ? 'stories260K.gguf is absent' : SKIP_MESSAGE}`);

describe.skipIf(!ready)('ollama push / pull against a real registry', () => {
  let registry: RunningRegistry;
  let server: TestServer;
  let work: string;
  const ollama = (args: string[]) => exec(process.execPath, [bin, ...args], { env: server.env(), cwd: work });

  beforeAll(async () => {
    registry = await startRegistry();
    server = await startServer();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-pp-'));
    fs.copyFileSync(STORIES, path.join(work, 'stories.gguf'));
    fs.writeFileSync(path.join(work, 'Modelfile'), 'FROM ./stories.gguf\nPARAMETER temperature 0\nPARAMETER num_predict 12\n');
  });
  afterAll(async () => {
    await server?.stop();
    await registry?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('round-trips a model and runs it', async () => {
    const remote = `127.0.0.1:${registry.port}/alice/stories:v1`;
    await ollama(['create', remote]);
    const pushed = await ollama(['push', remote, '--insecure']);
    expect(pushed.stdout).toBe(`\nYou can find your model at:\n\n\t${remote}\n`);
    expect(pushed.stderr).toContain('pushing manifest');
    // Ollama labels push bars with the server's status, `pushing <12 hex>`; never `pulling`.
    expect(pushed.stderr).toMatch(/^pushing [0-9a-f]{12} +100% /m);
    expect(pushed.stderr).not.toContain('pulling');
    expect(pushed.stderr).toContain('success');

    expect((await ollama(['rm', remote])).stdout).toBe(`deleted '${remote}'\n`);
    expect(fs.readdirSync(path.join(server.models, 'blobs')).filter((f) => /^sha256-[0-9a-f]{64}$/.test(f))).toEqual([]);

    const pulled = await ollama(['pull', remote, '--insecure']);
    expect(pulled.stderr).toContain('pulling manifest');
    expect(pulled.stderr).toContain('verifying sha256 digest');
    expect(pulled.stderr).toContain('writing manifest');
    expect(pulled.stderr.trimEnd().endsWith('success')).toBe(true);

    const reports = await new Store(server.models).verify();
    expect(reports.every((r) => r.problems.length === 0)).toBe(true);

    const res = await fetch(`${server.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: remote, prompt: 'Once upon a time', stream: false }) });
    const body = (await res.json()) as { response: string };
    expect(body.response.startsWith(', there was a little girl')).toBe(true);
  });

  it('a missing tag fails with Ollama’s message and exit 1', async () => {
    const err = await ollama(['pull', `127.0.0.1:${registry.port}/alice/nothing:v9`, '--insecure']).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr).toContain('Error: pull model manifest: file does not exist');
  });

  it('speaks https unless --insecure: a plain-http registry fails in Go’s words, with the full URL and a hint', async () => {
    const err = await ollama(['pull', `127.0.0.1:${registry.port}/alice/stories:v1`]).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr).toContain(
      `Error: pull model manifest: Get "https://127.0.0.1:${registry.port}/v2/alice/stories/manifests/v1": http: server gave HTTP response to HTTPS client\n${INSECURE_HINT}\n`,
    );
    expect(err.stderr).not.toContain('wrong version number');
    expect(err.stderr).not.toContain('success');
  });

  it('a registry that cannot be resolved (offline) keeps Ollama’s message and adds the offline path', async () => {
    // `.invalid` never resolves (RFC 6761), as every registry name does not when offline.
    const running = ollama(['run', 'registry.invalid/library/qwen2:0.5b', 'hi']);
    running.child.stdin?.end(); // no piped prompt
    const err = await running.catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr).toContain(
      'Error: pull model manifest: Get "https://registry.invalid/v2/library/qwen2/manifests/0.5b": dial tcp: lookup registry.invalid: no such host\n' + OFFLINE_HINT + '\n',
    );
    expect(err.stderr).not.toContain('getaddrinfo');
  });
});
