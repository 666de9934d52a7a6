/**
 * Built-in parsers on known raw output, through a real `ollama serve`: each model is a scripted
 * GGUF (test/helpers/gguf/scripted.ts) that answers every prompt with the same pieces, one token
 * each, so the parser named in its config sees that exact text streamed token by token. Checked on
 * /api/chat (streamed and not), /api/generate and /v1/chat/completions (tool_calls, reasoning).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tool } from '../../../src/api/types.js';
import { sha256Digest } from '../../../src/registry/gojson.js';
import { writeScriptedModel } from '../../helpers/gguf.js';
import { addModel } from '../../helpers/models.js';
import { startServer, type TestServer } from '../../helpers/server.js';

const TOOLS: Tool[] = [{ type: 'function', function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
const CALL = { name: 'get_weather', arguments: { city: 'Paris' } };
const ATEM = '<atem:function_calls>\n<atem:invoke name="get_weather">\n<atem:parameter name="city">Paris</atem:parameter>\n</atem:invoke>\n</atem:function_calls>';

interface Scripted {
  parser: string;
  pieces: string[];
  think: boolean;
  want: { content: string; thinking: string; call: boolean };
}

const MODELS: Record<string, Scripted> = {
  'lfm2-thinking': {
    parser: 'lfm2-thinking',
    pieces: ['<think>', 'Need the weather.', '</think>', 'Checking.', '<|tool_call_start|>', '[get_weather(city="Paris")]', '<|tool_call_end|>'],
    think: true,
    want: { content: 'Checking.', thinking: 'Need the weather.', call: true },
  },
  // a bare call list, no wrapper tags: held back as it streams, read as a call at the end
  lfm2: { parser: 'lfm2', pieces: ['[get_weather(', 'city="Paris")]'], think: false, want: { content: '', thinking: '', call: true } },
  laguna: {
    parser: 'laguna',
    pieces: ['Need the weather.', '</think>', '<tool_call>', 'get_weather', '<arg_key>', 'city', '</arg_key>', '<arg_value>', 'Paris', '</arg_value>', '</tool_call>'],
    think: true,
    want: { content: '', thinking: 'Need the weather.', call: true },
  },
  'poolside-v1': { parser: 'poolside-v1', pieces: ['Reasoning first.', '</think>', 'The answer is 42.'], think: true, want: { content: 'The answer is 42.', thinking: 'Reasoning first.', call: false } },
  glimmer: {
    parser: 'glimmer',
    pieces: [' to=self<|message|>', 'Need the weather.', '<|eom|>', '<|start|>assistant to=get_weather<|message|>', ATEM, '<|eot|>'],
    think: true,
    want: { content: '', thinking: 'Need the weather.', call: true },
  },
};

describe('built-in parsers on scripted output through the server', () => {
  let server: TestServer;
  let tmp: string;
  const post = async (route: string, body: unknown) => {
    const r = await fetch(server.url + route, { method: 'POST', body: JSON.stringify(body) });
    return { status: r.status, text: await r.text() };
  };
  const chat = (name: string, extra: object = {}) => ({ model: name, ...(MODELS[name]!.think ? { think: true } : {}), tools: TOOLS, messages: [{ role: 'user', content: 'Weather in Paris?' }], ...extra });

  beforeAll(async () => {
    server = await startServer();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scripted-parsers-'));
    for (const [name, s] of Object.entries(MODELS)) {
      const file = path.join(tmp, `${name}.gguf`);
      await writeScriptedModel(file, s.pieces);
      await addModel(server.models, name, file, { template: '{{ .Prompt }}', parser: s.parser });
    }
  });
  afterAll(async () => {
    await server?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  for (const [name, s] of Object.entries(MODELS)) {
    describe(name, () => {
      it('/api/chat: content, thinking and tool calls, the same streamed and not', async () => {
        const whole = JSON.parse((await post('/api/chat', chat(name, { stream: false }))).text);
        expect(whole.message.content).toBe(s.want.content);
        expect(whole.message.thinking ?? '').toBe(s.want.thinking);
        expect((whole.message.tool_calls ?? []).map((c: { function: object }) => c.function)).toEqual(s.want.call ? [{ index: 0, ...CALL }] : []);

        const chunks = (await post('/api/chat', chat(name))).text.trim().split('\n').map((l) => JSON.parse(l));
        expect(chunks.at(-1).done).toBe(true);
        expect(chunks.map((c) => c.message.content).join('')).toBe(s.want.content);
        expect(chunks.map((c) => c.message.thinking ?? '').join('')).toBe(s.want.thinking);
        expect(chunks.flatMap((c) => c.message.tool_calls ?? []).map((c: { function: object }) => c.function)).toEqual(s.want.call ? [{ index: 0, ...CALL }] : []);
      });

      it('/v1/chat/completions (openai client): tool_calls and reasoning, streamed and not', async () => {
        const client = new OpenAI({ baseURL: server.url + '/v1', apiKey: 'x', maxRetries: 0 });
        const req = { model: name, messages: [{ role: 'user' as const, content: 'Weather in Paris?' }], tools: TOOLS as OpenAI.ChatCompletionTool[], reasoning_effort: s.think ? ('high' as const) : undefined };
        const r = await client.chat.completions.create(req);
        const msg = r.choices[0]!.message as OpenAI.ChatCompletionMessage & { reasoning?: string };
        expect(msg.content ?? '').toBe(s.want.content);
        expect(msg.reasoning ?? '').toBe(s.want.thinking);
        expect((msg.tool_calls ?? []).map((c) => c.type === 'function' && [c.function.name, JSON.parse(c.function.arguments)])).toEqual(s.want.call ? [[CALL.name, CALL.arguments]] : []);
        expect(r.choices[0]!.finish_reason).toBe(s.want.call ? 'tool_calls' : 'stop');

        let content = '';
        let reasoning = '';
        const calls: string[] = [];
        for await (const chunk of await client.chat.completions.create({ ...req, stream: true })) {
          const d = chunk.choices[0]?.delta as { content?: string | null; reasoning?: string; tool_calls?: { function?: { name?: string } }[] } | undefined;
          content += d?.content ?? '';
          reasoning += d?.reasoning ?? '';
          for (const c of d?.tool_calls ?? []) if (c.function?.name) calls.push(c.function.name);
        }
        expect([content, reasoning, calls]).toEqual([s.want.content, s.want.thinking, s.want.call ? [CALL.name] : []]);
      });
    });
  }

  it('a model created with PARSER lfm2-thinking selects it: capabilities, show --modelfile, chat', async () => {
    const bytes = fs.readFileSync(path.join(tmp, 'lfm2-thinking.gguf'));
    const digest = sha256Digest(bytes);
    expect((await fetch(`${server.url}/api/blobs/${digest}`, { method: 'POST', body: bytes })).status).toBeLessThan(300);
    const created = await post('/api/create', { model: 'made', files: { 'model.gguf': digest }, template: '{{ .Prompt }}', parser: 'lfm2-thinking', stream: false });
    expect(created.status, created.text).toBe(200);
    const show = JSON.parse((await post('/api/show', { model: 'made' })).text);
    expect(show.capabilities).toEqual(['completion', 'tools', 'thinking']);
    expect(show.modelfile).toContain('\nPARSER lfm2-thinking\n');
    const whole = JSON.parse((await post('/api/chat', { ...chat('lfm2-thinking'), model: 'made', stream: false })).text);
    expect([whole.message.thinking, whole.message.content, whole.message.tool_calls?.[0]?.function.name]).toEqual(['Need the weather.', 'Checking.', 'get_weather']);
  });

  it('/api/chat without think: on by default for a model that can think, and the parser sees it on (as Ollama)', async () => {
    const whole = JSON.parse((await post('/api/chat', { model: 'poolside-v1', messages: [{ role: 'user', content: 'Six times seven?' }], stream: false })).text);
    expect([whole.message.content, whole.message.thinking]).toEqual(['The answer is 42.', 'Reasoning first.']);
  });

  it('/api/generate: the parser splits thinking from the response; without think it sees think unset (as Ollama)', async () => {
    const body = JSON.parse((await post('/api/generate', { model: 'poolside-v1', prompt: 'What is six times seven?', think: true, stream: false })).text);
    expect([body.response, body.thinking]).toEqual(['The answer is 42.', 'Reasoning first.']);
    // Ollama's generate initialises the parser before it defaults think: laguna's thinking stays off
    const unset = JSON.parse((await post('/api/generate', { model: 'poolside-v1', prompt: 'What is six times seven?', stream: false })).text);
    expect([unset.response, unset.thinking]).toEqual(['Reasoning first.</think>The answer is 42.', undefined]);
  });
});
