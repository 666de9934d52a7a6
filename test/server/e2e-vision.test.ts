// Vision models in a real `ollama serve` (#15): `ollama create` from a Modelfile naming a model and
// a LLaVA projector, `ollama show`, `/api/show`, images refused with Ollama 0.33's 400 by a model
// without a projector. Images themselves (through libmtmd, with the real clients) are in
// e2e-vision-images.test.ts.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeModel } from '../helpers/gguf.js';
import { writeProjector } from '../helpers/gguf/projector.js';
import { addModel, haveStories, repoRoot, STORIES } from '../helpers/models.js';
import { testImages } from '../helpers/png.js';
import { startServer, type TestServer } from '../helpers/server.js';

const exec = promisify(execFile);
const NO_MM = 'Multimodal data provided, but model does not support multimodal requests.';

describe('vision models: create, show, images refused without a projector', () => {
  let server: TestServer;
  let dir: string;
  const ollama = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const r = await exec(process.execPath, [path.join(repoRoot, 'bin', 'ollama'), ...args], { env: server.env(), cwd: dir });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };
  const post = async (p: string, body: unknown) => {
    const r = await fetch(server.url + p, { method: 'POST', body: JSON.stringify(body) });
    return { status: r.status, text: await r.text() };
  };

  beforeAll(async () => {
    server = await startServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-vision-'));
    if (haveStories) fs.copyFileSync(STORIES, path.join(dir, 'model.gguf'));
    else await writeModel(path.join(dir, 'model.gguf'));
    await writeProjector(path.join(dir, 'mmproj.gguf'), { projectorType: false });
    fs.writeFileSync(path.join(dir, 'Modelfile'), 'FROM ./model.gguf\nFROM ./mmproj.gguf\n');
    await addModel(server.models, 'text', path.join(dir, 'model.gguf'));
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    expect(server.proc.exitCode).toBeNull();
  });

  it('ollama create makes a projector layer and writes clip.projector_type in', async () => {
    const r = await ollama('create', 'tiny-llava', '-f', 'Modelfile');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('updating GGUF projector metadata');
    const manifest = JSON.parse(fs.readFileSync(path.join(server.models, 'manifests', 'registry.ollama.ai', 'library', 'tiny-llava', 'latest'), 'utf8'));
    expect(manifest.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual(['application/vnd.ollama.image.projector', 'application/vnd.ollama.image.model']); // name order, as Ollama
  });

  it('/api/show: vision capability and projector_info; ollama show lists the projector', async () => {
    const r = await post('/api/show', { model: 'tiny-llava' });
    expect(r.status).toBe(200);
    const show = JSON.parse(r.text);
    expect(show.capabilities).toContain('vision');
    expect(show.projector_info).toMatchObject({ 'general.architecture': 'clip', 'clip.projector_type': 'mlp', 'clip.vision.embedding_length': 32, 'clip.vision.projection_dim': 64 });
    const text = JSON.parse((await post('/api/show', { model: 'text' })).text);
    expect(text.capabilities).not.toContain('vision');
    expect(text.projector_info).toBeUndefined();

    const cli = await ollama('show', 'tiny-llava');
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/Capabilities\n(.*\n)*\s+vision\s*\n/);
    expect(cli.stdout).toMatch(/Projector\s*\n\s+architecture\s+clip\s*\n(.*\n)*\s+embedding length\s+32\s*\n\s+dimensions\s+64\s*\n/);
  });

  it('images to a model without a projector: Ollama 0.33\'s 400 on every API', async () => {
    const img = testImages.red().toString('base64');
    const gen = await post('/api/generate', { model: 'text', prompt: 'x', images: [img] });
    expect(gen).toEqual({ status: 400, text: JSON.stringify({ error: NO_MM }) });
    const chat = await post('/api/chat', { model: 'text', messages: [{ role: 'user', content: 'x', images: [img] }] });
    expect(chat).toEqual({ status: 400, text: JSON.stringify({ error: NO_MM }) });
    const v1 = await post('/v1/chat/completions', {
      model: 'text',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${img}` } }] }],
    });
    expect(v1.status).toBe(400);
    expect(JSON.parse(v1.text).error.message).toBe(NO_MM);
  });

  it.skipIf(!haveStories)('text still works on the model with a projector', async () => {
    const r = await post('/api/generate', { model: 'tiny-llava', prompt: 'Once upon a time', stream: false, options: { temperature: 0, num_predict: 8 } });
    expect(r.status, r.text).toBe(200);
    expect(JSON.parse(r.text).response.length).toBeGreaterThan(0);
  });
});
