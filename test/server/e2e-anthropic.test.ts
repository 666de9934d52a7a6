/**
 * The official `@anthropic-ai/sdk` client against a real `ollama serve` process through
 * `/v1/messages`: plain and streamed messages (raw events and the `messages.stream` helper),
 * system prompts and multi-turn, stop sequences, tool use round trips and thinking (with models
 * that really emit them), Anthropic-shaped errors, and API keys sent as `x-api-key` or
 * `Authorization: Bearer`.
 */
import Anthropic from '@anthropic-ai/sdk';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { u32, writeModel, writeScriptedModel } from '../helpers/gguf.js';
import { addModel, haveStories, STORIES } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { QWEN3, R1 } from '../helpers/templates.js';

const LILY = ', there was a little girl named Lily';
const CALL_JSON = '{"name":"get_weather","arguments":{"city":"Paris"}}';
const TOOLS: Anthropic.Tool[] = [
  {
    name: 'get_weather',
    description: 'Weather in a city',
    input_schema: { type: 'object', properties: { city: { type: 'string', description: 'City' } }, required: ['city'] },
  },
];
const user = (content: string) => [{ role: 'user' as const, content }];
/** `temperature: 0`: the server honours it, but this SDK's types no longer list the sampling fields. */
const GREEDY = { temperature: 0 } as object;

if (!haveStories) console.warn(`skipping e2e-anthropic: ${STORIES} is absent`);

describe.skipIf(!haveStories)('@anthropic-ai/sdk against a real server', () => {
  let server: TestServer;
  let client: Anthropic;
  let tmp: string;

  beforeAll(async () => {
    server = await startServer();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-anthropic-'));
    // Scripted models: whatever the prompt, they answer with these pieces (test/helpers/gguf/scripted.ts).
    const tooler = path.join(tmp, 'tooler.gguf');
    await writeScriptedModel(tooler, ['Let me check.', '<tool_call>', CALL_JSON, '</tool_call>']);
    const thinker = path.join(tmp, 'thinker.gguf');
    await writeScriptedModel(thinker, ['<think>', 'The user wants the weather.', '</think>', '<tool_call>', CALL_JSON, '</tool_call>']);
    await addModel(server.models, 'stories', STORIES);
    await addModel(server.models, 'r1ish', STORIES, { template: R1 });
    await addModel(server.models, 'tooler', tooler, { template: QWEN3 });
    await addModel(server.models, 'thinker', thinker, { template: QWEN3 });
    const seer = path.join(tmp, 'seer.gguf');
    await writeModel(seer, { extraMetadata: { 'llama.vision.block_count': u32(1) } }); // reported as a vision model
    await addModel(server.models, 'seer', seer);
    client = new Anthropic({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(async () => {
    await server?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });
  afterEach(() => {
    expect(server.proc.exitCode).toBeNull();
  });

  it('a plain message: text block, max_tokens stop, usage', async () => {
    const m = await client.messages.create({ model: 'stories', max_tokens: 12, ...GREEDY, messages: user('Once upon a time') });
    expect(m.id).toMatch(/^msg_[0-9a-f]{24}$/);
    expect(m).toMatchObject({ type: 'message', role: 'assistant', model: 'stories', stop_reason: 'max_tokens' });
    expect(m.content).toHaveLength(1);
    expect(m.content[0]!.type).toBe('text');
    expect((m.content[0] as Anthropic.TextBlock).text.startsWith(LILY)).toBe(true);
    expect(m.usage.output_tokens).toBe(12);
    expect(m.usage.input_tokens).toBeGreaterThan(0);
  });

  it('system prompt and multi-turn history reach the prompt; stop_sequences end the turn', async () => {
    const plain = await client.messages.create({ model: 'stories', max_tokens: 1, ...GREEDY, messages: user('Once upon a time') });
    const more = await client.messages.create({
      model: 'stories',
      max_tokens: 1,
      ...GREEDY,
      system: [{ type: 'text', text: 'Tell a story.' }],
      messages: [
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: [{ type: 'text', text: 'Hi there' }] },
        { role: 'user', content: 'Once upon a time' },
      ],
    });
    expect(more.usage.input_tokens).toBeGreaterThan(plain.usage.input_tokens + 5);

    const stopped = await client.messages.create({ model: 'stories', max_tokens: 30, ...({ top_k: 1, top_p: 0.9 } as object), stop_sequences: ['Lily'], messages: user('Once upon a time') });
    expect(stopped.content).toEqual([{ type: 'text', text: ', there was a little girl named ' }]);
    expect(stopped.stop_reason).toBe('end_turn');
  });

  it('streamed: Anthropic event sequence, same text as not streamed, usage in message_delta', async () => {
    const stream = await client.messages.create({ model: 'stories', max_tokens: 12, ...GREEDY, stream: true, messages: user('Once upon a time') });
    const events: Anthropic.RawMessageStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    const kinds = events.map((e) => e.type);
    expect(kinds[0]).toBe('message_start');
    expect(kinds[1]).toBe('content_block_start');
    expect(kinds.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(new Set(kinds.slice(2, -3))).toEqual(new Set(['content_block_delta']));
    const start = events[0] as Anthropic.RawMessageStartEvent;
    expect(start.message).toMatchObject({ type: 'message', role: 'assistant', model: 'stories', content: [] });
    expect(start.message.id).toMatch(/^msg_/);
    const text = events.flatMap((e) => (e.type === 'content_block_delta' && e.delta.type === 'text_delta' ? [e.delta.text] : [])).join('');
    expect(text.startsWith(LILY)).toBe(true);
    const delta = events.at(-2) as Anthropic.RawMessageDeltaEvent;
    expect(delta.delta.stop_reason).toBe('max_tokens');
    expect(delta.usage.output_tokens).toBe(12);
  });

  it('the messages.stream helper accumulates the final message', async () => {
    const texts: string[] = [];
    const stream = client.messages.stream({ model: 'stories', max_tokens: 12, ...GREEDY, messages: user('Once upon a time') });
    stream.on('text', (t) => texts.push(t));
    const m = await stream.finalMessage();
    expect(m.content).toEqual([{ type: 'text', text: texts.join('') }]);
    expect(texts.join('').startsWith(LILY)).toBe(true);
    expect(m.stop_reason).toBe('max_tokens');
    expect(m.usage.output_tokens).toBe(12);
  });

  it('raw SSE framing: headers, `event:` lines naming each data type, nothing after message_stop', async () => {
    // Claude Code adds ?beta=true.
    const r = await fetch(server.url + '/v1/messages?beta=true', {
      method: 'POST',
      body: JSON.stringify({ model: 'stories', max_tokens: 2, stream: true, messages: user('Once upon a time') }),
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/event-stream');
    expect(r.headers.get('cache-control')).toBe('no-cache');
    const text = await r.text();
    const frames = text.split('\n\n').filter(Boolean);
    for (const f of frames) {
      const m = /^event: (\w+)\ndata: (.*)$/.exec(f);
      expect(m, f).not.toBeNull();
      expect(JSON.parse(m![2]!).type).toBe(m![1]);
    }
    expect(text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true);
  });

  it('tool use: text then a tool_use block, stop_reason tool_use', async () => {
    const m = await client.messages.create({ model: 'tooler', max_tokens: 64, tools: TOOLS, messages: user('Weather in Paris?') });
    expect(m.stop_reason).toBe('tool_use');
    expect(m.content).toEqual([
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: expect.stringMatching(/^call_[a-z0-9]{8}$/), name: 'get_weather', input: { city: 'Paris' } },
    ]);
  });

  it('tool use streamed: the helper rebuilds the input from input_json_delta; tool_result round trip', async () => {
    const stream = client.messages.stream({ model: 'tooler', max_tokens: 64, tools: TOOLS, messages: user('Weather in Paris?') });
    const jsons: string[] = [];
    stream.on('inputJson', (partial) => jsons.push(partial));
    const m = await stream.finalMessage();
    expect(m.stop_reason).toBe('tool_use');
    expect(m.content.map((b) => b.type)).toEqual(['text', 'tool_use']);
    const use = m.content[1] as Anthropic.ToolUseBlock;
    expect(use).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
    expect(jsons).toEqual(['{"city":"Paris"}']);

    // Next turn: the assistant's content as is, then the tool's result.
    const next = await client.messages.create({
      model: 'tooler',
      max_tokens: 64,
      tools: TOOLS,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: m.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '18C and sunny' }] },
      ],
    });
    expect(next.usage.input_tokens).toBeGreaterThan(m.usage.input_tokens);
    expect(next.stop_reason).toBe('tool_use'); // this model always calls the tool
  });

  it('thinking: a thinking block, then a tool call (blocks 0 and 1), streamed and not', async () => {
    const m = await client.messages.create({ model: 'thinker', max_tokens: 64, tools: TOOLS, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: user('Weather?') });
    expect(m.content).toEqual([
      { type: 'thinking', thinking: 'The user wants the weather.' },
      { type: 'tool_use', id: expect.any(String), name: 'get_weather', input: { city: 'Paris' } },
    ]);

    const indexes: Array<[string, number]> = [];
    const stream = client.messages.stream({ model: 'thinker', max_tokens: 64, tools: TOOLS, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: user('Weather?') });
    stream.on('streamEvent', (e) => {
      if (e.type === 'content_block_start') indexes.push([e.content_block.type, e.index]);
    });
    const thinking: string[] = [];
    stream.on('thinking', (t) => thinking.push(t));
    const s = await stream.finalMessage();
    expect(indexes).toEqual([
      ['thinking', 0],
      ['tool_use', 1],
    ]);
    expect(thinking.join('')).toBe('The user wants the weather.');
    expect(s.content.map((b) => b.type)).toEqual(['thinking', 'tool_use']);
  });

  it('thinking from a real model whose prompt opens the block; disabled gives text', async () => {
    const on = await client.messages.create({ model: 'r1ish', max_tokens: 8, ...GREEDY, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: user('Once upon a time') });
    expect(on.content.map((b) => b.type)).toEqual(['thinking']);
    expect((on.content[0] as Anthropic.ThinkingBlock).thinking.length).toBeGreaterThan(0);
    const off = await client.messages.create({ model: 'r1ish', max_tokens: 8, ...GREEDY, thinking: { type: 'disabled' }, messages: user('Once upon a time') });
    expect(off.content.map((b) => b.type)).toEqual(['text']);
  });

  it('thinking asked of a model that cannot think is relaxed (a warning), as Ollama does for Claude Code', async () => {
    const m = await client.messages.create({ model: 'stories', max_tokens: 3, ...GREEDY, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: user('Once upon a time') });
    expect(m.content).toEqual([{ type: 'text', text: ', there was' }]);
    expect(server.log()).toContain('model does not support thinking, relaxing thinking to nil');
  });

  it('an unknown model is a 404 not_found_error, streamed or not', async () => {
    const err = (await client.messages.create({ model: 'missing', max_tokens: 5, messages: user('hi') }).catch((e: unknown) => e)) as InstanceType<typeof Anthropic.NotFoundError>;
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect(err.status).toBe(404);
    expect(err.error).toMatchObject({ type: 'error', error: { type: 'not_found_error', message: "model 'missing' not found" } });
    const streamed = await client.messages.create({ model: 'missing', max_tokens: 5, stream: true, messages: user('hi') }).catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(Anthropic.NotFoundError);
  });

  it('bad bodies are 400 invalid_request_error with the reason', async () => {
    const bad = async (body: Record<string, unknown>) =>
      (await client.messages.create(body as unknown as Anthropic.MessageCreateParamsNonStreaming).catch((e: unknown) => e)) as InstanceType<typeof Anthropic.BadRequestError>;
    const cases: Array<[Record<string, unknown>, string | RegExp]> = [
      [{ model: 'stories', max_tokens: 5, messages: [] }, 'messages is required'],
      [{ model: 'stories', messages: user('hi') }, 'max_tokens is required and must be positive'],
      [{ model: 'stories', max_tokens: 5, messages: [{ role: 'system', content: 'x' }] }, /messages\.0\.role: must be "user" or "assistant"/],
      [{ model: 'stories', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] }, /unsupported content block type "document"/],
      [{ model: 'stories', max_tokens: 5, messages: user('hi'), tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, /server tool type "web_search_20250305" is not supported/],
      [{ model: 'stories', max_tokens: 'many', messages: user('hi') }, 'json: cannot unmarshal string into Go struct field MessagesRequest.max_tokens of type int'],
      [{ model: 'tooler', max_tokens: 5, messages: user('hi'), tools: TOOLS, tool_choice: { type: 'any' } }, /tool_choice type "any" is not supported/],
    ];
    for (const [body, message] of cases) {
      const e = await bad(body);
      expect(e, JSON.stringify(body)).toBeInstanceOf(Anthropic.BadRequestError);
      expect(e.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      expect((e.error as { error: { message: string } }).error.message).toMatch(message);
    }
  });

  it('an image block to a model that cannot see: 400 (no vision) or 501 (vision inside the weights), never ignored', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNk+A8AAQUBAScY42YAAAAASUVORK5CYII=';
    const e = (await client.messages
      .create({
        model: 'stories',
        max_tokens: 5,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } }] }],
      })
      .catch((err: unknown) => err)) as InstanceType<typeof Anthropic.BadRequestError>;
    expect(e).toBeInstanceOf(Anthropic.BadRequestError);
    expect(e.error).toMatchObject({ error: { type: 'invalid_request_error', message: 'Multimodal data provided, but model does not support multimodal requests.' } });

    // A model whose vision tower is in its weights (no projector layer) in a layout no tower
    // handler translates (docs/compat.md#towers): a 501 saying so (as on /api/chat and /api/generate). Images themselves: e2e-vision-images.test.ts.
    const seen = (await client.messages
      .create({ model: 'seer', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } }] }] })
      .catch((err: unknown) => err)) as InstanceType<typeof Anthropic.APIError>;
    expect(seen).toBeInstanceOf(Anthropic.APIError);
    expect(seen.status).toBe(501);
    const why = 'registry.ollama.ai/library/seer:latest: its vision encoder is inside the model weights in a layout this server cannot translate for libmtmd (docs/compat.md#towers lists the families it can)';
    expect(JSON.stringify(seen.error)).toContain(why);
    const chat = await fetch(server.url + '/api/chat', { method: 'POST', body: JSON.stringify({ model: 'seer', messages: [{ role: 'user', content: 'x', images: [png] }] }) });
    expect(chat.status).toBe(501);
    expect(((await chat.json()) as { error: string }).error).toBe(why);
    const generate = await fetch(server.url + '/api/generate', { method: 'POST', body: JSON.stringify({ model: 'seer', prompt: 'x', images: [png] }) });
    expect(generate.status).toBe(501);
    expect(((await generate.json()) as { error: string }).error).toBe(why);
  });

  it('malformed and oversized bodies: Anthropic shape, right status, no crash in the log', async () => {
    const post = (body: string) => fetch(server.url + '/v1/messages', { method: 'POST', body });
    const truncated = await post('{"model":');
    expect(truncated.status).toBe(400);
    expect(await truncated.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'unexpected EOF' }, request_id: expect.stringMatching(/^req_/) });
    const empty = await post('');
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { message: string } }).error.message).toBe('missing request body');
    // A body declared larger than the server takes is refused before it is read.
    const big = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const u = new URL(server.url);
      const req = http.request({ host: u.hostname, port: u.port, method: 'POST', path: '/v1/messages', agent: false, headers: { 'content-length': 70 * 1024 * 1024 } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      req.write('{"model":"stories","max_tokens":5,"messages":[{"role":"user","content":"');
    });
    expect(big.status).toBe(413);
    expect(JSON.parse(big.text)).toMatchObject({ type: 'error', error: { type: 'request_too_large', message: expect.stringMatching(/request body too large/) } });
    expect(server.log()).not.toMatch(/request failed|TypeError|stack/i);
  });
});

describe.skipIf(!haveStories)('@anthropic-ai/sdk with OLLAMA_API_KEYS', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { OLLAMA_API_KEYS: 'k-one,k-two' } });
    await addModel(server.models, 'stories', STORIES);
  });
  afterAll(async () => {
    await server?.stop();
  });
  const ask = (c: Anthropic) => c.messages.create({ model: 'stories', max_tokens: 3, ...GREEDY, messages: user('Once upon a time') });

  it('the key as x-api-key (the SDK default) or as Authorization: Bearer (authToken) is accepted', async () => {
    const viaApiKey = await ask(new Anthropic({ baseURL: server.url, apiKey: 'k-one', maxRetries: 0 }));
    expect(viaApiKey.content).toEqual([{ type: 'text', text: ', there was' }]);
    const viaBearer = await ask(new Anthropic({ baseURL: server.url, apiKey: null, authToken: 'k-two', maxRetries: 0 }));
    expect(viaBearer.content).toEqual([{ type: 'text', text: ', there was' }]);
  });

  it('a wrong or missing key is a 401 authentication_error', async () => {
    const err = (await ask(new Anthropic({ baseURL: server.url, apiKey: 'wrong', maxRetries: 0 })).catch((e: unknown) => e)) as InstanceType<
      typeof Anthropic.AuthenticationError
    >;
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(err.error).toMatchObject({ type: 'error', error: { type: 'authentication_error', message: 'unauthorized: invalid API key' } });
    const none = await fetch(server.url + '/v1/messages', { method: 'POST', body: '{}' });
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { type: string } }).error.type).toBe('authentication_error');
  });
});
