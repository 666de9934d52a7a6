/**
 * Built-in renderers through a real `ollama serve`: a model created with `RENDERER` renders its
 * chat prompt with that renderer (`_debug_render_only` shows it) on /api/chat and /api/generate,
 * an unknown renderer name is refused at create (Ollama stores it), and a model that carries one
 * anyway (copied from elsewhere) answers 500 at chat.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest } from '../../../src/registry/gojson.js';
import { addModel, haveStories, STORIES } from '../../helpers/models.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { goTests } from '../../prompt/renderers/cases.js';

if (!haveStories) console.warn(`skipping renderers e2e: ${STORIES} is absent`);

describe.skipIf(!haveStories)('renderers through the server', () => {
  let server: TestServer;
  const post = async (route: string, body: unknown) => {
    const r = await fetch(server.url + route, { method: 'POST', body: JSON.stringify(body) });
    return { status: r.status, text: await r.text() };
  };
  // The template only gives the model its `tools` capability here; the renderer replaces it.
  const create = async (model: string, renderer: string, template = '{{ if .Tools }}TOOLS{{ end }}{{ .Prompt }}') => {
    const bytes = fs.readFileSync(STORIES);
    const digest = sha256Digest(bytes);
    expect((await fetch(`${server.url}/api/blobs/${digest}`, { method: 'POST', body: bytes })).status).toBeLessThan(300);
    const r = await post('/api/create', { model, files: { 'model.gguf': digest }, renderer, template, stream: false });
    expect(r.status, r.text).toBe(200);
  };

  beforeAll(async () => {
    server = await startServer();
    await create('coder', 'qwen3-coder');
    await addModel(server.models, 'nosuch', STORIES, { template: '{{ .Prompt }}', renderer: 'no-such-renderer' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('/api/chat renders with the RENDERER, byte for byte as Ollama', async () => {
    const c = goTests('qwen3coder').TestQwen3CoderRenderer!.tests.find((t: { name: string }) => t.name === 'with tools and response');
    const r = await post('/api/chat', { model: 'coder', messages: c.msgs, tools: c.tools, stream: false, _debug_render_only: true });
    expect(r.status, r.text).toBe(200);
    expect(JSON.parse(r.text)._debug_info.rendered_template).toBe(c.expected);
  });

  it('/api/generate builds its chat-like prompt with the renderer too', async () => {
    const r = await post('/api/generate', { model: 'coder', prompt: 'Hello', system: 'Be brief.', stream: false, _debug_render_only: true });
    expect(r.status, r.text).toBe(200);
    expect(JSON.parse(r.text)._debug_info.rendered_template).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it('create refuses RENDERER and PARSER names Ollama does not know, with the names it does', async () => {
    const bytes = fs.readFileSync(STORIES);
    const files = { 'model.gguf': sha256Digest(bytes) };
    const r = await post('/api/create', { model: 'typo', files, renderer: 'qwen3-cooder', stream: false });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error).toMatch(/^unknown renderer "qwen3-cooder" \(Ollama 0\.33 knows: qwen3-coder, /);
    const p = await post('/api/create', { model: 'typo', files, parser: 'qwen3-thinkin', stream: false });
    expect(p.status).toBe(400);
    expect(JSON.parse(p.text).error).toMatch(/^unknown parser "qwen3-thinkin" \(Ollama 0\.33 knows: /);
    // A name Ollama knows is kept (models built by Ollama carry them, ported here or not).
    expect((await post('/api/create', { model: 'later', files, parser: 'lfm2', stream: false })).status).toBe(200);
  });

  it('an unknown renderer name is a 500 with Ollama\'s message, not a silent template fallback', async () => {
    const r = await post('/api/chat', { model: 'nosuch', messages: [{ role: 'user', content: 'hi' }], stream: false, _debug_render_only: true });
    expect(r.status).toBe(500);
    expect(JSON.parse(r.text)).toEqual({ error: 'unknown renderer "no-such-renderer"' });
    const g = await post('/api/generate', { model: 'nosuch', prompt: 'hi', stream: false });
    expect(g.status).toBe(500);
    expect(JSON.parse(g.text)).toEqual({ error: 'unknown renderer "no-such-renderer"' });
  });
});
