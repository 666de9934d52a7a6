/**
 * typical_p through a real `ollama serve` on stories260K: as a request option and as a model's
 * PARAMETER it changes the sampled text (same seed, same text); 0 and 1 mean none. A server on
 * the prebuilt binary (no typical sampler) refuses it with a clear 501 instead of ignoring it, and
 * keeps serving requests that do not ask for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addModel, haveStories, STORIES } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';

if (!haveStories) console.warn(`e2e-typical skipped: ${STORIES} is absent`);

async function generate(server: TestServer, model: string, options: Record<string, unknown>): Promise<{ status: number; json: any }> {
  const r = await fetch(`${server.url}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, prompt: 'Once upon a time', stream: false, options: { temperature: 1, seed: 7, num_predict: 40, ...options } }),
  });
  return { status: r.status, json: await r.json() };
}

describe.skipIf(!haveStories)('typical_p through the server (patched binary)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
    await addModel(server.models, 'stories', STORIES);
    await addModel(server.models, 'stories-typical', STORIES, { params: { typical_p: 0.3 } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('changes the text, deterministically; 0 and 1 are none; a PARAMETER works as the option', async () => {
    const plain = await generate(server, 'stories', {});
    expect(plain.status).toBe(200);
    const typical = await generate(server, 'stories', { typical_p: 0.3 });
    expect(typical.status, JSON.stringify(typical.json)).toBe(200);
    expect(typical.json.response).not.toBe(plain.json.response);
    expect((await generate(server, 'stories', { typical_p: 0.3 })).json.response).toBe(typical.json.response);
    expect((await generate(server, 'stories', { typical_p: 1 })).json.response).toBe(plain.json.response);
    expect((await generate(server, 'stories', { typical_p: 0 })).json.response).toBe(plain.json.response);
    expect((await generate(server, 'stories-typical', {})).json.response).toBe(typical.json.response);
    // a request overrides the model's PARAMETER
    expect((await generate(server, 'stories-typical', { typical_p: 1 })).json.response).toBe(plain.json.response);
  });
});

describe.skipIf(!haveStories)('typical_p on the prebuilt binary (TOLLAMA_NO_THREADPOOL=1)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { TOLLAMA_NO_THREADPOOL: '1' } });
    await addModel(server.models, 'stories', STORIES);
    await addModel(server.models, 'stories-typical', STORIES, { params: { typical_p: 0.3 } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is refused with a 501 naming the fix, never ignored; other requests keep working', async () => {
    for (const [model, options] of [['stories', { typical_p: 0.5 }], ['stories-typical', {}]] as const) {
      const bad = await generate(server, model, options);
      expect(bad.status, model).toBe(501);
      expect(bad.json.error).toMatch(/typical_p needs Tollama's patched llama\.cpp addon.*npm run build:native/);
    }
    const ok = await generate(server, 'stories', { typical_p: 1 });
    expect(ok.status).toBe(200);
    expect(ok.json.eval_count).toBe(40);
    expect((await generate(server, 'stories-typical', { typical_p: 1 })).status).toBe(200);
  });
});
