/**
 * `ollama push` and `ollama pull` through HTTP_PROXY set on the server (the server pulls and
 * pushes): the real CLI, a real server, the real registry and a real tinyproxy, all on
 * loopback, the registry named by this machine's host name (see test/helpers/tinyproxy.ts).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveStories, repoRoot, STORIES } from '../helpers/models.js';
import { hasRegistry, SKIP_MESSAGE, startRegistry, type RunningRegistry } from '../helpers/registry.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { hasTinyproxy, loopbackName, startTinyproxy, TINYPROXY_SKIP, type RunningProxy } from '../helpers/tinyproxy.js';

const exec = promisify(execFile);
const bin = path.join(repoRoot, 'bin', 'ollama');
const named = await loopbackName();
const skip = !hasRegistry()
  ? SKIP_MESSAGE
  : !hasTinyproxy()
    ? TINYPROXY_SKIP
    : !haveStories
      ? 'stories260K.gguf is absent: proxy e2e skipped'
      : !named
        ? 'this machine has no host name that resolves to loopback: proxy e2e skipped'
        : '';
if (skip) console.warn(skip);

describe.skipIf(!!skip)('ollama push / pull through HTTP_PROXY', () => {
  let registry: RunningRegistry;
  let proxy: RunningProxy;
  let server: TestServer;
  let work: string;
  const ollama = (args: string[]) => exec(process.execPath, [bin, ...args], { env: server.env(), cwd: work });

  beforeAll(async () => {
    registry = await startRegistry({ addr: named!.addr });
    proxy = await startTinyproxy();
    server = await startServer({ env: { HTTP_PROXY: proxy.url, NO_PROXY: 'example.com' } });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-px-'));
    fs.copyFileSync(STORIES, path.join(work, 'stories.gguf'));
    fs.writeFileSync(path.join(work, 'Modelfile'), 'FROM ./stories.gguf\n');
  });
  afterAll(async () => {
    await server?.stop();
    await proxy?.stop();
    await registry?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('pushes and pulls through the proxy', async () => {
    const remote = `${named!.name}:${registry.port}/alice/stories:v1`;
    await ollama(['create', remote]);
    await ollama(['push', remote, '--insecure']);
    await ollama(['rm', remote]);
    const pulled = await ollama(['pull', remote, '--insecure']);
    expect(pulled.stderr.trimEnd().endsWith('success')).toBe(true);
    const base = `http://${named!.name}:${registry.port}/v2/alice/stories`;
    expect(proxy.requests()).toContain(`PUT ${base}/manifests/v1 HTTP/1.1`);
    expect(proxy.requests()).toContain(`GET ${base}/manifests/v1 HTTP/1.1`);
  });
});
