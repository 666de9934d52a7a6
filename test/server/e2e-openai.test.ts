/**
 * The official `openai` npm client against a real `ollama serve` process through /v1: chat
 * (streamed and not, include_usage), completions, embeddings (float and base64), models, and
 * OpenAI-shaped errors.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addModel, haveStories, STORIES } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';

const LILY = ', there was a little girl named Lily';

if (!haveStories) console.warn(`skipping e2e-openai: ${STORIES} is absent`);

describe.skipIf(!haveStories)('openai npm client against a real server', () => {
  let server: TestServer;
  let client: OpenAI;

  beforeAll(async () => {
    server = await startServer();
    await addModel(server.models, 'stories', STORIES);
    client = new OpenAI({ baseURL: server.url + '/v1', apiKey: 'x', maxRetries: 0 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const messages = [{ role: 'user' as const, content: 'Once upon a time' }];

  it('chat completion (not streamed)', async () => {
    const r = await client.chat.completions.create({ model: 'stories', messages, temperature: 0, max_tokens: 12 });
    expect(r.object).toBe('chat.completion');
    expect(r.id).toMatch(/^chatcmpl-\d{1,3}$/);
    expect(r.system_fingerprint).toBe('fp_ollama');
    expect(r.model).toBe('stories');
    expect(r.choices).toHaveLength(1);
    expect(r.choices[0]!.message.role).toBe('assistant');
    expect(r.choices[0]!.message.content!.startsWith(LILY)).toBe(true);
    expect(r.choices[0]!.finish_reason).toBe('length');
    expect(r.usage!.completion_tokens).toBe(12);
    expect(r.usage!.total_tokens).toBe(r.usage!.prompt_tokens + 12);
  });

  it('usage.prompt_tokens counts the whole prompt even when it is cached (a follow-up turn)', async () => {
    const ask = (m: OpenAI.ChatCompletionMessageParam[]) =>
      client.chat.completions.create({ model: 'stories', messages: m, temperature: 0, max_tokens: 4 });
    const first = await ask(messages);
    const again = await ask(messages); // all but one token comes from the cache now
    expect(again.usage!.prompt_tokens).toBe(first.usage!.prompt_tokens);
    const turn2 = [...messages, { role: 'assistant' as const, content: first.choices[0]!.message.content! }, { role: 'user' as const, content: 'and' }];
    const follow = await ask(turn2);
    // /api/chat reports the same count for the same conversation, and it covers the whole of it
    const native = (await (await fetch(server.url + '/api/chat', {
      method: 'POST',
      body: JSON.stringify({ model: 'stories', messages: turn2, stream: false, options: { temperature: 0, num_predict: 4 } }),
    })).json()) as { prompt_eval_count: number };
    expect(native.prompt_eval_count).toBe(follow.usage!.prompt_tokens);
    expect(follow.usage!.prompt_tokens).toBeGreaterThan(first.usage!.prompt_tokens + 4);
  });

  it('chat completion (streamed) with include_usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'stories',
      messages,
      temperature: 0,
      max_tokens: 12,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(new Set(chunks.map((c) => c.created)).size).toBe(1);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text.startsWith(LILY)).toBe(true);
    const finish = chunks[chunks.length - 2]!;
    expect(finish.choices[0]!.delta).toEqual({});
    expect(finish.choices[0]!.finish_reason).toBe('length');
    const usage = chunks[chunks.length - 1]!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage!.completion_tokens).toBe(12);
  });

  it('chat stream without include_usage has no usage chunk', async () => {
    const stream = await client.chat.completions.create({ model: 'stories', messages, temperature: 0, max_tokens: 3, stream: true });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.every((c) => c.usage === undefined)).toBe(true);
    expect(chunks[chunks.length - 1]!.choices[0]!.finish_reason).toBe('length');
  });

  it('stop ends with finish_reason stop', async () => {
    const r = await client.chat.completions.create({ model: 'stories', messages, temperature: 0, max_tokens: 30, stop: ['Lily'] });
    expect(r.choices[0]!.message.content).toBe(', there was a little girl named ');
    expect(r.choices[0]!.finish_reason).toBe('stop');
  });

  it('response_format json_object constrains output to JSON', async () => {
    const r = await client.chat.completions.create({
      model: 'stories',
      messages,
      temperature: 0,
      max_tokens: 40,
      response_format: { type: 'json_object' },
    });
    const content = r.choices[0]!.message.content ?? '';
    expect(content.trimStart().startsWith('{')).toBe(true);
  });

  it('completions, not streamed and streamed', async () => {
    const r = await client.completions.create({ model: 'stories', prompt: 'Once upon a time', temperature: 0, max_tokens: 12 });
    expect(r.object).toBe('text_completion');
    expect(r.id).toMatch(/^cmpl-\d{1,3}$/);
    expect(r.choices[0]!.text.startsWith(LILY)).toBe(true);
    expect(r.choices[0]!.finish_reason).toBe('length');
    expect(r.usage!.completion_tokens).toBe(12);

    const stream = await client.completions.create({
      model: 'stories',
      prompt: 'Once upon a time',
      temperature: 0,
      max_tokens: 12,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.map((c) => c.choices[0]?.text ?? '').join('')).toBe(r.choices[0]!.text);
    const last = chunks[chunks.length - 1]!;
    expect(last.choices).toEqual([]);
    expect(last.usage!.completion_tokens).toBe(12);
    expect(chunks[0]!.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });

  it('embeddings as floats and as base64 agree', async () => {
    const f = await client.embeddings.create({ model: 'stories', input: ['hello', 'world'], encoding_format: 'float' });
    expect(f.object).toBe('list');
    expect(f.data.map((d) => d.index)).toEqual([0, 1]);
    expect(f.data[0]!.embedding).toHaveLength(64);
    expect(f.usage.prompt_tokens).toBeGreaterThan(0);

    // The client decodes base64 itself when it asked for it (its default).
    const b = await client.embeddings.create({ model: 'stories', input: 'hello' });
    expect(b.data[0]!.embedding).toHaveLength(64);
    b.data[0]!.embedding.forEach((x, i) => expect(x).toBeCloseTo(f.data[0]!.embedding[i]!, 5));

    const raw = await fetch(server.url + '/v1/embeddings', {
      method: 'POST',
      body: JSON.stringify({ model: 'stories', input: 'hello', encoding_format: 'base64' }),
    });
    const body = (await raw.json()) as { data: { embedding: string }[] };
    const bytes = Buffer.from(body.data[0]!.embedding, 'base64');
    expect(bytes.length).toBe(64 * 4);
    expect(bytes.readFloatLE(0)).toBeCloseTo(f.data[0]!.embedding[0]!, 6);
  });

  it('models list and retrieve', async () => {
    const list = await client.models.list();
    expect(list.data).toEqual([{ id: 'stories:latest', object: 'model', created: expect.any(Number), owned_by: 'library' }]);
    const m = await client.models.retrieve('stories');
    expect(m).toMatchObject({ id: 'stories', object: 'model', owned_by: 'library' });
    expect(m.created).toBe(list.data[0]!.created);
  });

  it('a missing model is a 404 NotFoundError with OpenAI error shape', async () => {
    const err = await client.chat.completions.create({ model: 'missing', messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    const e = err as InstanceType<typeof OpenAI.NotFoundError>;
    expect(e.status).toBe(404);
    expect(e.error).toEqual({ message: "model 'missing' not found", type: 'not_found_error', param: null, code: null });
    await expect(client.models.retrieve('missing')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.embeddings.create({ model: 'missing', input: 'x' })).rejects.toMatchObject({ status: 404 });
  });

  it('bad requests are 400 invalid_request_error', async () => {
    const err = (await client.chat.completions.create({ model: 'stories', messages: [] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.BadRequestError>;
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.error).toMatchObject({ message: "[] is too short - 'messages'", type: 'invalid_request_error' });
    const raw = await fetch(server.url + '/v1/chat/completions', { method: 'POST', body: '{"model":' });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ error: { message: 'unexpected EOF', type: 'invalid_request_error', param: null, code: null } });
    const enc = await fetch(server.url + '/v1/embeddings', { method: 'POST', body: JSON.stringify({ model: 'stories', input: 'x', encoding_format: 'hex' }) });
    expect(enc.status).toBe(400);
    expect(((await enc.json()) as { error: { message: string } }).error.message).toBe(
      "Invalid value for 'encoding_format' = hex. Supported values: ['float', 'base64'].",
    );
  });

  it('raw SSE framing: content type, data frames, [DONE]', async () => {
    const r = await fetch(server.url + '/v1/chat/completions', {
      method: 'POST',
      body: JSON.stringify({ model: 'stories', messages, temperature: 0, max_tokens: 2, stream: true }),
    });
    expect(r.headers.get('content-type')).toBe('text/event-stream');
    const text = await r.text();
    const frames = text.split('\n\n').filter(Boolean);
    expect(frames.every((f) => f.startsWith('data: '))).toBe(true);
    expect(frames[frames.length - 1]).toBe('data: [DONE]');
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});
