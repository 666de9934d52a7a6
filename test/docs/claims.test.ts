/**
 * Claims in docs/ checked against a real server, so a doc sentence and the behaviour cannot drift
 * apart silently: each test reads the sentence from the doc and runs what it describes.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addModel, haveStories, repoRoot, STORIES } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';

const exec = promisify(execFile);
const doc = (name: string) => fs.readFileSync(path.join(repoRoot, 'docs', name), 'utf8').replace(/\s+/g, ' ');

describe.skipIf(!haveStories)('docs/ claims against a real server', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startServer();
    await addModel(server.models, 'stories', STORIES, { params: { num_predict: 3 } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-claims-'));
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('create.md: a FROM base the store lacks is pulled (not a 404)', async () => {
    const text = doc('create.md');
    expect(text).toMatch(/A base the store lacks is pulled from its registry first, as Ollama does/);
    expect(text).not.toMatch(/not wired yet/);
    // A registry on a closed loopback port: the pull is attempted and its error is the answer.
    fs.writeFileSync(path.join(dir, 'Modelfile'), 'FROM 127.0.0.1:9/library/nosuch\n');
    const r = await exec(process.execPath, [path.join(repoRoot, 'bin', 'ollama'), 'create', 'x', '-f', path.join(dir, 'Modelfile')], {
      env: server.env(),
    }).catch((e: { code: number; stderr: string }) => e);
    expect((r as { code?: number }).code).toBe(1);
    expect(r.stderr).toMatch(/pull model manifest: .*127\.0\.0\.1:9/);
    const res = await fetch(`${server.url}/api/create`, { method: 'POST', body: JSON.stringify({ model: 'y', from: '127.0.0.1:9/library/nosuch' }) });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: string }).error).toMatch(/^pull model manifest: /);
  });

  it('api.md: /v1/chat/completions returns logprobs in choices[0].logprobs.content', async () => {
    expect(doc('api.md')).toMatch(/Both return the entries as `choices\[0\]\.logprobs = \{"content":\[…\]\}`/);
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'stories', messages: [{ role: 'user', content: 'hi' }], logprobs: true, top_logprobs: 2, max_tokens: 2 }),
    });
    if (res.status === 501) {
      // the prebuilt addon (no g++ here): the documented clear error instead
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/npm run build:native/);
      return;
    }
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: Array<{ logprobs?: { content: Array<{ top_logprobs: unknown[] }> } }> };
    expect(body.choices[0]!.logprobs!.content).toHaveLength(2);
    expect(body.choices[0]!.logprobs!.content[0]!.top_logprobs).toHaveLength(2);
  });
});
