/**
 * The official `ollama` npm client against a real `ollama serve` process: every call a user's
 * program makes — generate, chat (streaming and not), embed, list, show, copy, delete, ps.
 */
import { Ollama } from 'ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addModel, haveStories, STORIES } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';

const GREEDY = { temperature: 0, num_predict: 20 };
const LILY = ', there was a little girl named Lily';

if (!haveStories) console.warn(`skipping e2e-ollama-js: ${STORIES} is absent`);

describe.skipIf(!haveStories)('ollama npm client against a real server', () => {
  let server: TestServer;
  let ollama: Ollama;

  beforeAll(async () => {
    server = await startServer();
    await addModel(server.models, 'stories', STORIES, { params: { stop: ['<|end|>'] } });
    ollama = new Ollama({ host: server.url });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('version', async () => {
    expect((await ollama.version()).version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('generate (not streamed) continues the story greedily', async () => {
    const r = await ollama.generate({ model: 'stories', prompt: 'Once upon a time', options: GREEDY });
    expect(r.response?.startsWith(LILY)).toBe(true);
    expect(r.done).toBe(true);
    expect(r.done_reason).toBe('length');
    expect(r.eval_count).toBe(20);
    expect(Number.isInteger(r.total_duration)).toBe(true);
    expect(r.context.length).toBeGreaterThan(20);
    // The client's types say Date, but it passes the wire string through.
    expect(String(r.created_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  });

  it('generate (streamed) gives the same text piece by piece', async () => {
    const stream = await ollama.generate({ model: 'stories', prompt: 'Once upon a time', options: GREEDY, stream: true });
    let text = '';
    let chunks = 0;
    let last;
    for await (const part of stream) {
      text += part.response;
      chunks++;
      last = part;
    }
    expect(text.startsWith(LILY)).toBe(true);
    expect(chunks).toBeGreaterThan(5);
    expect(last?.done).toBe(true);
    expect(last?.eval_count).toBe(20);
  });

  it('chat, not streamed and streamed', async () => {
    const messages = [{ role: 'user', content: 'Once upon a time' }];
    const r = await ollama.chat({ model: 'stories', messages, options: GREEDY });
    expect(r.message.role).toBe('assistant');
    expect(r.message.content.startsWith(LILY)).toBe(true);
    expect(r.done_reason).toBe('length');

    const stream = await ollama.chat({ model: 'stories', messages, options: GREEDY, stream: true });
    let text = '';
    for await (const part of stream) text += part.message.content;
    expect(text).toBe(r.message.content);
  });

  it('a stop sequence from the request ends generation with done_reason stop', async () => {
    const r = await ollama.generate({ model: 'stories', prompt: 'Once upon a time', options: { ...GREEDY, stop: ['Lily'] } });
    expect(r.response).toBe(', there was a little girl named ');
    expect(r.done_reason).toBe('stop');
  });

  it('embed and the legacy embeddings', async () => {
    const r = await ollama.embed({ model: 'stories', input: ['hello', 'world'] });
    expect(r.embeddings).toHaveLength(2);
    expect(r.embeddings[0]!.length).toBe(64);
    const norm = Math.hypot(...r.embeddings[0]!);
    expect(norm).toBeCloseTo(1, 4);
    const legacy = await ollama.embeddings({ model: 'stories', prompt: 'hello' });
    expect(legacy.embedding.length).toBe(64);
  });

  it('list, show, copy, ps, delete', async () => {
    const list = await ollama.list();
    expect(list.models.map((m) => m.name)).toEqual(['stories:latest']);
    expect(list.models[0]!.details.family).toBe('llama');
    expect(list.models[0]!.digest).toMatch(/^[0-9a-f]{64}$/);

    const show = await ollama.show({ model: 'stories' });
    expect(show.parameters).toContain('stop');
    expect(show.modelfile).toContain('FROM ');
    expect(show.capabilities).toContain('completion');
    expect(show.details.format).toBe('gguf');

    await ollama.copy({ source: 'stories', destination: 'stories-copy:v1' });
    const names = (await ollama.list()).models.map((m) => m.name).sort();
    expect(names).toEqual(['stories-copy:v1', 'stories:latest']);

    const ps = await ollama.ps();
    expect(ps.models.map((m) => m.name)).toContain('stories:latest');
    expect(Number.isNaN(Date.parse(String(ps.models[0]!.expires_at)))).toBe(false);

    await ollama.delete({ model: 'stories-copy:v1' });
    expect((await ollama.list()).models.map((m) => m.name)).toEqual(['stories:latest']);
  });

  it('errors surface as ResponseError with the status and Ollama message', async () => {
    await expect(ollama.generate({ model: 'missing', prompt: 'x' })).rejects.toMatchObject({
      status_code: 404,
      error: "model 'missing' not found",
    });
    await expect(ollama.delete({ model: 'missing' })).rejects.toMatchObject({ status_code: 404 });
    await expect(ollama.generate({ model: 'stories', prompt: 'x', think: true })).rejects.toMatchObject({
      status_code: 400,
      error: '"stories" does not support thinking',
    });
  });
});
