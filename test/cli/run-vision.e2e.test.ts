// Image paths in `ollama run` (src/cli/filedata.ts) against a real server: the real bin/ollama
// talks to the server through a small recording proxy, so the test sees the exact request bodies
// the CLI sends. One-shot runs, and the REPL in tmux. Until the runtime takes images the server
// answers the image request with its "not implemented yet" 400; the checks are on what the CLI
// prints and sends.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeModel } from '../helpers/gguf.js';
import { writeProjector } from '../helpers/gguf/projector.js';
import { addModel, haveStories, repoRoot, STORIES } from '../helpers/models.js';
import { pngHeaderOnly, testImages } from '../helpers/png.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { haveTmux, Pane, PLACEHOLDER, Tmux } from '../helpers/tmux.js';

const exec = promisify(execFile);

interface Seen {
  path: string;
  body: Record<string, unknown>;
}

/** Forwards everything to `target`, recording each JSON request body. */
async function recordingProxy(target: string): Promise<{ host: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const t = new URL(target);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      try {
        if (raw.length) seen.push({ path: req.url ?? '', body: JSON.parse(raw.toString('utf8')) as Record<string, unknown> });
      } catch {
        /* not JSON */
      }
      const up = http.request({ host: t.hostname, port: t.port, path: req.url, method: req.method, headers: req.headers }, (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      });
      up.on('error', () => res.destroy());
      up.end(raw);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { host: `127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
}

describe('ollama run picks up image paths, as Ollama does', () => {
  let server: TestServer;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let dir: string;
  const png = testImages.red();
  const env = () => server.env({ OLLAMA_HOST: proxy.host });
  /** `ollama run …` with stdin closed (an open pipe would be read as the prompt's start). */
  const run = (...args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'ollama'), 'run', ...args], { env: env(), cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const sent = (p: string) => proxy.seen.filter((s) => s.path === p).map((s) => s.body);

  beforeAll(async () => {
    server = await startServer();
    proxy = await recordingProxy(server.url);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-run-vision-'));
    if (haveStories) fs.copyFileSync(STORIES, path.join(dir, 'model.gguf'));
    else await writeModel(path.join(dir, 'model.gguf'));
    await writeProjector(path.join(dir, 'mmproj.gguf'));
    // Short answers: the text runs below generate for real.
    fs.writeFileSync(path.join(dir, 'Modelfile'), 'FROM ./model.gguf\nFROM ./mmproj.gguf\nPARAMETER num_predict 4\n');
    await exec(process.execPath, [path.join(repoRoot, 'bin', 'ollama'), 'create', 'tiny-llava', '-f', 'Modelfile'], { env: server.env(), cwd: dir });
    await addModel(server.models, 'text', path.join(dir, 'model.gguf'), { params: { num_predict: 4 } });
    fs.writeFileSync(path.join(dir, 'photo.png'), png);
    fs.mkdirSync(path.join(dir, 'my pics'));
    fs.writeFileSync(path.join(dir, 'my pics', 'big one.png'), pngHeaderOnly(20000, 20000));
    fs.writeFileSync(path.join(dir, 'notes.png'), 'plain text, not a picture at all; '.repeat(20));
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    proxy.seen.length = 0;
  });

  it('"describe ./photo.png": Added image, the path leaves the prompt, the bytes go in images', async () => {
    const r = await run('tiny-llava', 'describe ./photo.png');
    expect(r.stderr).toContain("Added image './photo.png'\n");
    const [body] = sent('/api/generate');
    expect(body).toMatchObject({ model: 'tiny-llava', prompt: 'describe', images: [png.toString('base64')] });
    // The server got a valid image: today its "not implemented yet" 400, later an answer.
    if (r.code !== 0) expect(r.stderr).toMatch(/Error: .*image input is not implemented yet/);
  });

  it('an escaped space in an absolute path; the server checks the bytes it got', async () => {
    const abs = path.join(dir, 'my pics', 'big one.png');
    const r = await run('tiny-llava', `what is ${abs.replace(/ /g, '\\ ')}`);
    expect(r.stderr).toContain(`Added image '${abs}'\n`);
    expect(sent('/api/generate')[0]).toMatchObject({ prompt: 'what is', images: [fs.readFileSync(abs).toString('base64')] });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('image 1 of 1: 20000x20000 pixels is too large');
  });

  it('a file that is not an image: Couldn\'t process file, nothing sent, exit 1', async () => {
    const r = await run('tiny-llava', 'read ./notes.png');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Couldn\'t process file: "invalid file type: text/plain; charset=utf-8"\n');
    expect(r.stderr).toContain('Error: invalid file type: text/plain; charset=utf-8');
    expect(sent('/api/generate')).toEqual([]);
  });

  it('a missing file stays in the prompt, and a model without vision gets the text as is', async () => {
    const missing = await run('tiny-llava', 'look at ./nope.png');
    expect(missing.stderr).not.toContain('Added image');
    expect(sent('/api/generate')[0]).toMatchObject({ prompt: 'look at ./nope.png' });
    expect(sent('/api/generate')[0]!.images).toBeUndefined();
    proxy.seen.length = 0;
    const text = await run('text', 'describe ./photo.png');
    expect(text.stderr).not.toContain('Added image');
    expect(sent('/api/generate')[0]).toMatchObject({ model: 'text', prompt: 'describe ./photo.png' });
    expect(sent('/api/generate')[0]!.images).toBeUndefined();
  });

  describe.skipIf(!haveTmux)('the REPL in tmux', () => {
    let tmux: Tmux;
    beforeAll(() => {
      tmux = new Tmux();
    });
    afterAll(() => tmux?.kill());

    it('a line starting with an image path is a message; Added image; the chat carries the image', async () => {
      const pane = new Pane(tmux, dir, env(), ['run', 'tiny-llava']);
      await pane.waitText(PLACEHOLDER);
      const abs = path.join(dir, 'photo.png');
      pane.line(`${abs} what is this?`);
      const s = await pane.waitText(`Added image '${abs}'`);
      expect(s).not.toContain('Unknown command');
      await pane.waitFor((t) => /image input is not implemented|>>> Send a message/.test(t.slice(t.indexOf('Added image'))), 'an answer or the server\'s error');
      const chat = sent('/api/chat').at(-1)!;
      const last = (chat.messages as { role: string; content: string; images?: string[] }[]).at(-1)!;
      expect(last).toEqual({ role: 'user', content: 'what is this?', images: [png.toString('base64')] });
    });

    it('a /path that is no image file is still an unknown command', async () => {
      const pane = new Pane(tmux, dir, env(), ['run', 'tiny-llava']);
      await pane.waitText(PLACEHOLDER);
      pane.line('/etc/hostname please');
      await pane.waitText("Unknown command '/etc/hostname'. Type /? for help");
    });
  });
});
