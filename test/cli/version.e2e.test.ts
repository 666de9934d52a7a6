/**
 * Issue #14 item 1: Tollama reports the Ollama version it implements (0.33.0) at /api/version,
 * in `ollama -v` (with its own package version beside it) and in the User-Agent of every
 * request; a registry that refuses old clients with 412 (as ollama.com does) lets it through,
 * and a 412 aimed at it becomes a clear message.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushModel } from '../../src/registry/remote/index.js';
import { startFaultProxy, type FaultProxy } from '../helpers/faultproxy.js';
import { repoRoot } from '../helpers/models.js';
import { writeModel as writeGGUFModel } from '../helpers/gguf.js';
import { collectProgress, fakeModel, hasRegistry, SKIP_MESSAGE, startRegistry, tempStore, writeModel, type RunningRegistry } from '../helpers/registry.js';
import { startServer, type TestServer } from '../helpers/server.js';

const exec = promisify(execFile);
const bin = path.join(repoRoot, 'bin', 'ollama');
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const UA = new RegExp(`^ollama/0\\.33\\.0 \\((amd64|arm64|386|arm) (linux|darwin|windows|freebsd)\\) Node/v\\d+\\.\\d+\\.\\d+ tollama/${pkg.version.replace(/\./g, '\\.')}$`);
/** ollama.com's answer to clients older than a model's minimum. */
const TOO_OLD_BODY = 'The model you are attempting to pull requires a newer version of Ollama.\n\nPlease download the latest version at:\n\n\thttps://ollama.com/download\n';

/** `1.2.3` < `1.10.0`, numerically per part. */
function older(v: string, min: string): boolean {
  const a = v.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

describe('the version Tollama reports', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('/api/version is the Ollama version implemented, byte for byte', async () => {
    const r = await fetch(`${server.url}/api/version`);
    expect(await r.text()).toBe('{"version":"0.33.0"}');
  });

  it('the server’s log names both versions', () => {
    expect(server.log()).toMatch(new RegExp(`msg="Listening on 127\\.0\\.0\\.1:\\d+ \\(version 0\\.33\\.0\\)" tollama=${pkg.version.replace(/\./g, '\\.')}\n`));
  });

  it('ollama -v / --version: Ollama’s line, then Tollama’s own version', async () => {
    for (const flag of ['-v', '--version']) {
      const r = await exec(process.execPath, [bin, flag], { env: server.env() });
      expect(r.stdout).toBe(`ollama version is 0.33.0\ntollama version is ${pkg.version}\n`);
    }
  });

  it('a server of another version gets Ollama’s warning, and the CLI’s requests carry the User-Agent', async () => {
    const agents: string[] = [];
    const fake = http.createServer((req, res) => {
      agents.push(String(req.headers['user-agent']));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"version":"0.32.4"}');
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    try {
      const host = `127.0.0.1:${(fake.address() as AddressInfo).port}`;
      const r = await exec(process.execPath, [bin, '--version'], { env: server.env({ OLLAMA_HOST: host }) });
      expect(r.stdout).toBe(`ollama version is 0.32.4\nWarning: client version is 0.33.0\ntollama version is ${pkg.version}\n`);
      expect(agents.length).toBe(1);
      expect(agents[0]).toMatch(UA);
    } finally {
      await new Promise<void>((r) => fake.close(() => r()));
    }
  });

  it('every request the CLI sends to a server carries it (create, list, show, ps, pull)', async () => {
    const seen: string[] = [];
    const fake = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url?.replace(/sha256:[0-9a-f]+/, 'sha256:…')} ${String(req.headers['user-agent'])}`);
      req.resume();
      req.on('end', () => {
        if (req.method === 'HEAD' && req.url?.startsWith('/api/blobs/')) return void res.writeHead(404).end();
        if (req.url === '/api/tags' || req.url === '/api/ps') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"models":[]}');
        if (req.url === '/api/show') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"modelfile":"FROM x\\n","details":{}}');
        res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end('{"status":"success"}\n');
      });
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-ua-'));
    try {
      await writeGGUFModel(path.join(work, 'w.gguf'));
      fs.writeFileSync(path.join(work, 'Modelfile'), 'FROM ./w.gguf\n');
      const env = server.env({ OLLAMA_HOST: `127.0.0.1:${(fake.address() as AddressInfo).port}` });
      for (const args of [['create', 'm'], ['list'], ['show', 'm', '--modelfile'], ['ps'], ['pull', 'm']]) {
        await exec(process.execPath, [bin, ...args], { env, cwd: work }).catch(() => undefined);
      }
      const paths = seen.map((l) => l.split(' ').slice(0, 2).join(' '));
      for (const p of ['POST /api/create', 'GET /api/tags', 'POST /api/show', 'GET /api/ps', 'POST /api/pull']) expect(paths).toContain(p);
      expect(paths.some((p) => p.startsWith('POST /api/blobs/'))).toBe(true);
      for (const l of seen) expect(l.split(' ').slice(2).join(' '), l).toMatch(UA);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
      await new Promise<void>((r) => fake.close(() => r()));
    }
  });
});

const available = hasRegistry();
if (!available) console.warn(SKIP_MESSAGE);

describe.skipIf(!available)('a registry that refuses old Ollama clients with 412', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let server: TestServer;
  let minimum = '0.30.0';
  const roots: string[] = [];

  beforeAll(async () => {
    registry = await startRegistry();
    const src = tempStore();
    roots.push(src);
    writeModel(src, `${registry.host}/alice/gated:v1`, fakeModel({ modelSize: 4096 }));
    await collectProgress(pushModel(src, `${registry.host}/alice/gated:v1`, { insecure: true, credentials: null }));
    proxy = await startFaultProxy(registry.port);
    proxy.fault = (req) => {
      const m = /^ollama\/(\d+\.\d+\.\d+)/.exec(String(req.headers['user-agent'] ?? ''));
      if (m && !older(m[1]!, minimum)) return undefined;
      return { kind: 'status', status: 412, body: TOO_OLD_BODY, headers: { 'content-type': 'text/plain; charset=utf-8' } };
    };
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
    await proxy?.stop();
    await registry?.stop();
    for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  });
  const gated = () => `127.0.0.1:${proxy.port}/alice/gated:v1`;
  const pull = () => exec(process.execPath, [bin, 'pull', gated(), '--insecure'], { env: server.env() });

  it('the fake registry refuses a client that says it is Ollama 0.1.0', async () => {
    const r = await fetch(`http://127.0.0.1:${proxy.port}/v2/alice/gated/manifests/v1`, { headers: { 'user-agent': 'ollama/0.1.0 (amd64 linux) Go/go1.24.0' } });
    expect(r.status).toBe(412);
  });

  it('lets Tollama’s pull through, every request carrying the 0.33.0 User-Agent', async () => {
    proxy.requests = [];
    const r = await pull();
    expect(r.stderr.trimEnd().endsWith('success')).toBe(true);
    expect(proxy.requests.length).toBeGreaterThan(0);
    for (const q of proxy.requests) expect(String(q.headers['user-agent'])).toMatch(UA);
  });

  it('a 412 aimed at Tollama becomes a clear message and exit 1', async () => {
    minimum = '0.99.0';
    try {
      await exec(process.execPath, [bin, 'rm', gated()], { env: server.env() });
      const err = await pull().catch((e: { code: number; stderr: string }) => e);
      expect((err as { code: number }).code).toBe(1);
      const stderr = (err as { stderr: string }).stderr;
      expect(stderr).toBe(
        'pulling manifest\nError: pull model manifest: GET manifest: 412: this model requires a newer version of Ollama than 0.33.0 ' +
          `(the version Tollama ${pkg.version} implements); it says: The model you are attempting to pull requires a newer version of Ollama. ` +
          'Please download the latest version at: https://ollama.com/download\n',
      );
    } finally {
      minimum = '0.30.0';
    }
  });
});
