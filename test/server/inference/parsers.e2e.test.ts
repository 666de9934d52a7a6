/**
 * Built-in parsers through a real `ollama serve`: a model whose config names a parser gets it on
 * /api/chat, /api/generate and /v1/chat/completions. The stories model writes arbitrary text
 * behind a plain `{{ .Prompt }}` template (no thinking tags at all), so where that text lands
 * shows which parser ran: `qwen3-thinking` starts inside thinking and the story never closes it.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addModel, haveStories, STORIES } from '../../helpers/models.js';
import { startServer, type TestServer } from '../../helpers/server.js';

const OPTS = { temperature: 0, seed: 1, num_predict: 8 };
const MESSAGES = [{ role: 'user' as const, content: 'Once upon a time' }];

describe.skipIf(!haveStories)('built-in parsers through the server', () => {
  let server: TestServer;
  const post = async (route: string, body: unknown) => {
    const r = await fetch(server.url + route, { method: 'POST', body: JSON.stringify(body) });
    return { status: r.status, text: await r.text() };
  };

  beforeAll(async () => {
    server = await startServer();
    await addModel(server.models, 'thinker', STORIES, { template: '{{ .Prompt }}', parser: 'qwen3-thinking' });
    await addModel(server.models, 'passthru', STORIES, { template: '{{ .Prompt }}', parser: 'passthrough' });
    await addModel(server.models, 'mystery', STORIES, { template: '{{ .Prompt }}', parser: 'no-such-parser' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('/api/chat: the parser puts the text in thinking, streamed and not', async () => {
    const r = await post('/api/chat', { model: 'thinker', options: OPTS, messages: MESSAGES });
    const chunks = r.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(chunks.at(-1).done).toBe(true);
    for (const c of chunks) expect(c.message.content).toBe('');
    const thinking = chunks.map((c) => c.message.thinking ?? '').join('');
    expect(thinking.length).toBeGreaterThan(0);

    const whole = JSON.parse((await post('/api/chat', { model: 'thinker', stream: false, options: OPTS, messages: MESSAGES })).text);
    expect(whole.message).toEqual({ role: 'assistant', content: '', thinking });
  });

  it('/api/generate: the parser puts the text in thinking; raw skips it', async () => {
    const body = JSON.parse((await post('/api/generate', { model: 'thinker', prompt: 'Once upon a time', stream: false, options: OPTS })).text);
    expect(body.response).toBe('');
    expect(body.thinking.length).toBeGreaterThan(0);
    const raw = JSON.parse((await post('/api/generate', { model: 'thinker', prompt: 'Once upon a time', raw: true, stream: false, options: OPTS })).text);
    expect(raw.response.length).toBeGreaterThan(0);
    expect(raw.thinking).toBeUndefined();
  });

  it('/v1/chat/completions (openai client): the parser output is the reasoning field', async () => {
    const client = new OpenAI({ baseURL: server.url + '/v1', apiKey: 'x', maxRetries: 0 });
    const r = await client.chat.completions.create({ model: 'thinker', messages: MESSAGES, temperature: 0, seed: 1, max_tokens: 8 });
    const msg = r.choices[0]!.message as { content: string | null; reasoning?: string };
    expect(msg.content).toBe('');
    expect(msg.reasoning?.length).toBeGreaterThan(0);
  });

  it('passthrough leaves the text as content', async () => {
    const whole = JSON.parse((await post('/api/chat', { model: 'passthru', stream: false, options: OPTS, messages: MESSAGES })).text);
    expect(whole.message.content.length).toBeGreaterThan(0);
    expect(whole.message.thinking).toBeUndefined();
  });

  it('an unknown parser name falls back to the template path and says so in the log', async () => {
    const whole = JSON.parse((await post('/api/chat', { model: 'mystery', stream: false, options: OPTS, messages: MESSAGES })).text);
    expect(whole.message.content.length).toBeGreaterThan(0);
    expect(server.log()).toContain('unknown parser \\"no-such-parser\\"');
  });
});
