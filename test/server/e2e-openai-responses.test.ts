/**
 * The official `openai` npm client's `responses.create` against a real `ollama serve` with the
 * real stories model: plain and streamed (the event sequence), a function tool round trip with
 * `function_call_output`, reasoning from a thinking template, and errors in OpenAI's shape. Also
 * the other routes Ollama serves beside it: `/api/status`, `/v1/models/:model` (bytes as Ollama
 * writes them) and `/v1/audio/transcriptions` (refused: no model here hears audio).
 */
import zlib from 'node:zlib';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, Router } from '../../src/server/http.js';
import { registerBasicRoutes } from '../../src/server/routes/basic.js';
import { addModel, haveStories, STORIES } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';

if (!haveStories) console.warn(`skipping e2e-openai-responses: ${STORIES} is absent`);

const LILY = ', there was a little girl named Lily';

/** Tools in the prompt; a call is a bare JSON object (so the tool-call tag is `{`). */
const TOOLS_TEMPLATE = `{{- if .Tools }}Tools:{{ range .Tools }} {{ . }}{{ end }}
{{ end }}
{{- range .Messages }}
{{- if eq .Role "system" }}System: {{ .Content }}
{{ else if eq .Role "user" }}User: {{ .Content }}
{{ else if eq .Role "assistant" }}Assistant: {{ .Content }}{{ range .ToolCalls }}{"name": "{{ .Function.Name }}", "arguments": {{ .Function.Arguments }}}{{ end }}
{{ else if eq .Role "tool" }}Tool: {{ .Content }}
{{ end }}
{{- end }}Assistant:`;

/** deepseek-r1-shaped: the generation prompt opens the thinking block when think is on. */
const R1 = `{{- range .Messages }}{{ if eq .Role "user" }}User: {{ .Content }}
{{ else if eq .Role "assistant" }}Assistant: {{ if .Thinking }}<think>{{ .Thinking }}</think>{{ end }}{{ .Content }}
{{ end }}{{ end }}Assistant:{{ if $.Think }} <think>
{{ end }}`;

const WEATHER = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather in a city',
  strict: false,
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

/** Constrains the tiny model's output to exactly a call of get_weather (the grammar forces it). */
const CALL_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string', enum: ['get_weather'] },
    arguments: { type: 'object', properties: { city: { type: 'string', enum: ['Paris'] } }, required: ['city'] },
  },
  required: ['name', 'arguments'],
};

describe.skipIf(!haveStories)('/v1/responses and friends against a real server', () => {
  let server: TestServer;
  let client: OpenAI;

  beforeAll(async () => {
    server = await startServer();
    await addModel(server.models, 'stories', STORIES);
    await addModel(server.models, 'toolsy', STORIES, { template: TOOLS_TEMPLATE });
    await addModel(server.models, 'r1ish', STORIES, { template: R1 });
    client = new OpenAI({ baseURL: server.url + '/v1', apiKey: 'x', maxRetries: 0 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('responses.create (not streamed): one completed message with usage', async () => {
    const r = await client.responses.create({ model: 'stories', input: 'Once upon a time', temperature: 0, max_output_tokens: 12 });
    expect(r.id).toMatch(/^resp_\d+$/);
    expect(r.object).toBe('response');
    expect(r.status).toBe('completed');
    expect(r.model).toBe('stories');
    expect(r.output).toHaveLength(1);
    expect(r.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    expect(r.output_text.startsWith(LILY)).toBe(true);
    expect(r.usage!.output_tokens).toBe(12);
    expect(r.usage!.total_tokens).toBe(r.usage!.input_tokens + 12);
    expect(r.temperature).toBe(0);
    expect((r as unknown as { store: boolean }).store).toBe(false);
  });

  it('instructions and message items reach the model (same greedy answer as the chat route)', async () => {
    const input = [{ role: 'user' as const, content: [{ type: 'input_text' as const, text: 'Once upon a time' }] }];
    const r = await client.responses.create({ model: 'stories', input, instructions: '', temperature: 0, max_output_tokens: 12 });
    const c = await client.chat.completions.create({ model: 'stories', messages: [{ role: 'user', content: 'Once upon a time' }], temperature: 0, max_tokens: 12 });
    expect(r.output_text).toBe(c.choices[0]!.message.content);
  });

  it('responses.create stream:true: created, in_progress, item/part added, deltas, done events, completed', async () => {
    const stream = await client.responses.create({ model: 'stories', input: 'Once upon a time', temperature: 0, max_output_tokens: 12, stream: true });
    const events = [];
    for await (const e of stream) events.push(e);
    const types = events.map((e) => e.type);
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    expect(new Set(types.slice(4, -4))).toEqual(new Set(['response.output_text.delta']));
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const text = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : [])).join('');
    expect(text.startsWith(LILY)).toBe(true);
    const done = events.at(-1)!;
    if (done.type !== 'response.completed') throw new Error('no completed event');
    expect(done.response.output_text ?? (done.response.output[0] as { content: { text: string }[] }).content[0]!.text).toBe(text);
    expect(done.response.usage!.output_tokens).toBe(12);
  });

  it('the client’s responses.stream() helper assembles the same answer from the events', async () => {
    const plain = await client.responses.create({ model: 'stories', input: 'Once upon a time', temperature: 0, max_output_tokens: 12 });
    const final = await client.responses.stream({ model: 'stories', input: 'Once upon a time', temperature: 0, max_output_tokens: 12 }).finalResponse();
    expect(final.output_text).toBe(plain.output_text);
    expect(final.status).toBe('completed');
  });

  it('the raw stream: named SSE events, no [DONE], text/event-stream', async () => {
    const r = await fetch(server.url + '/v1/responses', {
      method: 'POST',
      body: JSON.stringify({ model: 'stories', input: 'Once upon a time', max_output_tokens: 2, temperature: 0, stream: true }),
    });
    expect(r.headers.get('content-type')).toBe('text/event-stream');
    const text = await r.text();
    expect(text.startsWith('event: response.created\ndata: {"response":{')).toBe(true);
    expect(text).not.toContain('[DONE]');
    expect(text.endsWith('"type":"response.completed"}\n\n')).toBe(true);
  });

  it('function tool round trip: a function_call out, its function_call_output back in', async () => {
    const first = await client.responses.create({
      model: 'toolsy',
      input: 'What is the weather in Paris?',
      tools: [WEATHER],
      text: { format: { type: 'json_schema', name: 'call', schema: CALL_SCHEMA } },
      temperature: 0,
      max_output_tokens: 60,
    });
    const calls = first.output.filter((o) => o.type === 'function_call');
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    if (call.type !== 'function_call') throw new Error('not a call');
    expect(call).toMatchObject({ name: 'get_weather', status: 'completed' });
    expect(JSON.parse(call.arguments)).toEqual({ city: 'Paris' });
    expect(call.call_id).toMatch(/^call_[a-z0-9]{8}$/);
    expect(first.tools).toEqual([WEATHER]);

    // Streamed, the same call arrives as function_call events.
    const stream = await client.responses.create({
      model: 'toolsy',
      input: 'What is the weather in Paris?',
      tools: [WEATHER],
      text: { format: { type: 'json_schema', name: 'call', schema: CALL_SCHEMA } },
      temperature: 0,
      max_output_tokens: 60,
      stream: true,
    });
    const types = [];
    for await (const e of stream) types.push(e.type);
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);

    const second = await client.responses.create({
      model: 'toolsy',
      input: [
        { role: 'user', content: 'What is the weather in Paris?' },
        // The first answer's output items go back as they came, as clients replay them.
        ...(first.output as OpenAI.Responses.ResponseInputItem[]),
        { type: 'function_call_output', call_id: call.call_id, output: '18C and sunny' },
      ],
      tools: [WEATHER],
      temperature: 0,
      max_output_tokens: 8,
    });
    expect(second.status).toBe('completed');
    expect(second.output[0]!.type).toBe('message');
    expect(second.output_text.length).toBeGreaterThan(0);
  });

  it('reasoning: a thinking model answers with a reasoning item (plain and streamed)', async () => {
    const r = await client.responses.create({ model: 'r1ish', input: 'Once upon a time', reasoning: { effort: 'high' }, temperature: 0, max_output_tokens: 8 });
    const reasoning = r.output[0]!;
    if (reasoning.type !== 'reasoning') throw new Error(`first item is ${reasoning.type}`);
    expect(reasoning.summary[0]!.text.length).toBeGreaterThan(0);
    expect(reasoning.encrypted_content).toBe(reasoning.summary[0]!.text);
    expect(r.reasoning).toEqual({ effort: 'high' });

    const stream = await client.responses.create({ model: 'r1ish', input: 'Once upon a time', reasoning: { effort: 'high' }, temperature: 0, max_output_tokens: 8, stream: true });
    const types = [];
    for await (const e of stream) types.push(e.type);
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.reasoning_summary_text.delta']);
    expect(types).toContain('response.reasoning_summary_text.done');
    expect(types.at(-1)).toBe('response.completed');
  });

  it('errors are OpenAI-shaped with their status: unknown model, bad body, image, built-in tool, wrong role', async () => {
    const missing = await client.responses.create({ model: 'missing', input: 'x' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as InstanceType<typeof OpenAI.NotFoundError>).error).toMatchObject({ type: 'not_found_error', message: expect.stringContaining('missing') });

    const streamedMissing = await client.responses.create({ model: 'missing', input: 'x', stream: true }).catch((e: unknown) => e);
    expect(streamedMissing).toBeInstanceOf(OpenAI.NotFoundError);

    const image = await client.responses
      .create({ model: 'stories', input: [{ role: 'user', content: [{ type: 'input_image', detail: 'auto', image_url: 'data:image/png;base64,iVBORw0KGgo=' }] }] })
      .catch((e: unknown) => e);
    expect(image).toBeInstanceOf(OpenAI.BadRequestError); // an image for a model without vision (Ollama 0.33's message)
    expect((image as Error).message).toContain('Multimodal data provided, but model does not support multimodal requests.');

    const search = await client.responses.create({ model: 'stories', input: 'x', tools: [{ type: 'web_search' }] }).catch((e: unknown) => e);
    expect(search).toBeInstanceOf(OpenAI.BadRequestError);
    expect((search as Error).message).toContain('tool type "web_search" is not supported');

    const role = await fetch(server.url + '/v1/responses', { method: 'POST', body: JSON.stringify({ model: 'stories', input: [{ role: 'robot', content: 'x' }] }) });
    expect(role.status).toBe(400);
    expect(await role.json()).toEqual({
      error: { message: 'input[0]: invalid role "robot" (must be "user", "assistant", "system" or "developer")', type: 'invalid_request_error', param: null, code: null },
    });

    const bad = await fetch(server.url + '/v1/responses', { method: 'POST', body: '{"model":' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { message: 'unexpected EOF', type: 'invalid_request_error', param: null, code: null } });

    expect(server.log()).not.toMatch(/\n\s+at |uncaught|unhandled/i);
  });

  it('a zstd body (as Codex sends): decompressed where Node has zstd, else a clear 400', async () => {
    const body = JSON.stringify({ model: 'stories', input: 'Once upon a time', temperature: 0, max_output_tokens: 3 });
    const compress = (zlib as unknown as { zstdCompressSync?: (b: Buffer) => Buffer }).zstdCompressSync;
    const payload = compress ? compress(Buffer.from(body)) : Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0]);
    const r = await fetch(server.url + '/v1/responses', { method: 'POST', headers: { 'Content-Encoding': 'zstd' }, body: payload });
    if (compress) {
      expect(r.status).toBe(200);
      expect(((await r.json()) as { status: string }).status).toBe('completed');
    } else {
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/^failed to decompress zstd body: this server's Node\.js \(v[\d.]+\) has no zstd; send the body uncompressed$/);
    }
  });

  it('/v1/models/:model is written as Ollama writes it: application/json and a trailing newline', async () => {
    const list = (await (await fetch(server.url + '/v1/models')).json()) as { data: { id: string; created: number }[] };
    const created = list.data.find((m) => m.id === 'stories:latest')!.created;
    const r = await fetch(server.url + '/v1/models/stories');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(await r.text()).toBe(`{"id":"stories","object":"model","created":${created},"owned_by":"library"}\n`);

    const missing = await fetch(server.url + '/v1/models/missing');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/json');
    expect(await missing.text()).toBe(`{"error":{"message":"model 'missing:latest' not found","type":"not_found_error","param":null,"code":null}}\n`);
  });

  it('/api/status: cloud is disabled (Tollama has none)', async () => {
    const r = await fetch(server.url + '/api/status');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await r.text()).toBe('{"cloud":{"disabled":true,"source":"none"}}');
  });

  it('/v1/audio/transcriptions: form checked, then refused for a model without audio', async () => {
    const post = async (form: FormData | string) => {
      const r = await fetch(server.url + '/v1/audio/transcriptions', { method: 'POST', body: form });
      return { status: r.status, body: (await r.json()) as { error: { message: string; type: string } } };
    };
    const form = (fields: Record<string, string | Blob>) => {
      const f = new FormData();
      for (const [k, v] of Object.entries(fields)) f.append(k, v, ...(v instanceof Blob ? ['a.wav'] : []));
      return f;
    };
    const wav = new Blob([new Uint8Array([82, 73, 70, 70, 0, 0, 0, 0])], { type: 'audio/wav' });
    expect(await post('{}')).toEqual({ status: 400, body: { error: expect.objectContaining({ message: "failed to parse multipart form: request Content-Type isn't multipart/form-data" }) } });
    expect((await post(form({ file: wav }))).body.error.message).toBe('model is required');
    expect((await post(form({ model: 'stories' }))).body.error.message).toBe('file is required: http: no such file');
    expect((await post(form({ model: 'stories', file: new Blob([]) }))).body.error.message).toBe('audio file is empty');
    expect(await post(form({ model: 'missing', file: wav }))).toEqual({ status: 404, body: { error: expect.objectContaining({ type: 'not_found_error' }) } });
    const refused = await post(form({ model: 'stories', file: wav }));
    expect(refused).toEqual({
      status: 400,
      body: { error: { message: 'registry.ollama.ai/library/stories:latest does not support audio', type: 'invalid_request_error', param: null, code: null } },
    });

    // Through the client too.
    const err = await client.audio.transcriptions.create({ model: 'stories', file: new File([wav], 'a.wav') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
  });

  // Last: the big upload keeps this process busy long enough for pooled keep-alive sockets to expire.
  it('an oversized body is a 413 in OpenAI’s shape, and the server logs no crash', async () => {
    const huge = await fetch(server.url + '/v1/responses', { method: 'POST', body: JSON.stringify({ model: 'stories', input: 'x'.repeat(65 * 1024 * 1024) }) }).catch(
      (e: unknown) => e,
    );
    // The server answers before reading the whole upload and closes; the client may see either.
    if (huge instanceof Response) {
      expect(huge.status).toBe(413);
      expect(((await huge.json()) as { error: { type: string } }).error.type).toBe('api_error');
    }
    expect(server.log()).not.toMatch(/\n\s+at |uncaught|unhandled/i);
  });
});

describe('/api/status with OLLAMA_NO_CLOUD', () => {
  it('says the environment disabled cloud too', async () => {
    const router = new Router();
    registerBasicRoutes(router, '0.0.0', { noCloud: true });
    const srv = createHttpServer(router);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const { port } = srv.address() as { port: number };
      expect(await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()).toEqual({ cloud: { disabled: true, source: 'env' } });
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });
});
