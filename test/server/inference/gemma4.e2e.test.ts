/**
 * Gemma 4 through a real `ollama serve`: a GGUF whose architecture is `gemma4` is created with
 * Ollama's implied RENDERER/PARSER gemma4 and stop `<turn|>`; `_debug_render_only` shows the
 * gemma4-small / gemma4-large prompt (chosen by the model's name) byte for byte as Ollama's table;
 * and the gemma4 parser runs on real output of the stories model (after a tool result a
 * thinking model starts inside a thought, so the story is thinking).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest } from '../../../src/registry/gojson.js';
import { writeGGUF } from '../../helpers/gguf.js';
import { addModel, haveStories, STORIES } from '../../helpers/models.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { goTests } from '../../prompt/renderers/cases.js';

if (!haveStories) console.warn(`skipping gemma4 e2e: ${STORIES} is absent`);

const OPTS = { temperature: 0, seed: 1, num_predict: 8 };
const AFTER_TOOL = [
  { role: 'user', content: 'List files' },
  { role: 'assistant', content: '', tool_calls: [{ function: { name: 'bash', arguments: { command: 'ls' } } }] },
  { role: 'tool', tool_name: 'bash', content: 'Once upon a time' },
];

describe.skipIf(!haveStories)('gemma4 through the server', () => {
  let server: TestServer;
  let tmp: string;
  const post = async (route: string, body: unknown) => {
    const r = await fetch(server.url + route, { method: 'POST', body: JSON.stringify(body) });
    return { status: r.status, text: await r.text() };
  };
  const json = async (route: string, body: unknown) => JSON.parse((await post(route, body)).text);

  beforeAll(async () => {
    server = await startServer();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-gemma4-'));
    const f = path.join(tmp, 'gemma4.gguf');
    await writeGGUF(f, { metadata: { 'general.architecture': 'gemma4' }, tensors: [] });
    const bytes = fs.readFileSync(f);
    const digest = sha256Digest(bytes);
    expect((await fetch(`${server.url}/api/blobs/${digest}`, { method: 'POST', body: bytes })).status).toBeLessThan(300);
    for (const model of ['gemma4:e2b', 'gemma4:31b']) {
      const r = await post('/api/create', { model, files: { 'model.gguf': digest }, stream: false });
      expect(r.status, r.text).toBe(200);
    }
    await addModel(server.models, 'storyg4', STORIES, { renderer: 'gemma4', parser: 'gemma4' });
  });
  afterAll(async () => {
    await server?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('create implies RENDERER/PARSER gemma4 and stop <turn|>; show reports tools and thinking', async () => {
    const show = await json('/api/show', { model: 'gemma4:e2b' });
    expect(show.modelfile).toContain('RENDERER gemma4\nPARSER gemma4\n');
    expect(show.parameters).toBe('stop                           "<turn|>"');
    expect(show.capabilities).toEqual(['completion', 'tools', 'thinking']);
  });

  it('_debug_render_only: gemma4-small for e2b, gemma4-large for 31b, as Ollama\'s tables', async () => {
    const ref = goTests('gemma4_reference');
    const c = ref.TestGemma4RendererMatchesReference!.tests.find((t: { name: string }) => t.name === 'thinking_system_tools');
    const r = await json('/api/chat', { model: 'gemma4:e2b', messages: c.messages, tools: c.tools, think: true, stream: false, _debug_render_only: true });
    expect(r._debug_info.rendered_template).toBe(c.expected);
    for (const v of ref.TestGemma4RendererVariantsMatchExpectedGenerationPrompt!.tests.filter((t: { name: string }) => t.name !== 'legacy_alias')) {
      const model = v.name === 'large' ? 'gemma4:31b' : 'gemma4:e2b';
      // think:false: a thinking model gets think:true by default (Ollama's ChatHandler)
      const g = await json('/api/chat', { model, messages: [{ role: 'user', content: 'Hello' }], think: false, stream: false, _debug_render_only: true });
      expect(g._debug_info.rendered_template, model).toBe(v.expected);
    }
  });

  it('/api/chat: after a tool result the story is thinking (think defaults to true); with think:false, content', async () => {
    const r = await post('/api/chat', { model: 'storyg4', think: true, options: OPTS, messages: AFTER_TOOL });
    const chunks = r.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(chunks.at(-1).done).toBe(true);
    const thinking = chunks.map((c) => c.message.thinking ?? '').join('');
    expect(chunks.map((c) => c.message.content).join('')).toBe('');
    expect(thinking.length).toBeGreaterThan(0);
    const whole = await json('/api/chat', { model: 'storyg4', think: true, stream: false, options: OPTS, messages: AFTER_TOOL });
    expect(whole.message).toEqual({ role: 'assistant', content: '', thinking });

    const byDefault = await json('/api/chat', { model: 'storyg4', stream: false, options: OPTS, messages: AFTER_TOOL });
    expect(byDefault.message).toEqual({ role: 'assistant', content: '', thinking });
    const plain = await json('/api/chat', { model: 'storyg4', think: false, stream: false, options: OPTS, messages: AFTER_TOOL });
    expect(plain.message.content.length).toBeGreaterThan(0);
    expect(plain.message.thinking).toBeUndefined();
  });

  it('/v1/chat/completions (openai client): the thought is the reasoning field', async () => {
    const client = new OpenAI({ baseURL: server.url + '/v1', apiKey: 'x', maxRetries: 0 });
    const r = await client.chat.completions.create({
      model: 'storyg4',
      messages: [
        { role: 'user', content: 'List files' },
        { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'bash', arguments: '{"command":"ls"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'Once upon a time' },
      ],
      reasoning_effort: 'low',
      temperature: 0,
      seed: 1,
      max_tokens: 8,
    });
    const msg = r.choices[0]!.message as { content: string | null; reasoning?: string };
    expect(msg.content).toBe('');
    expect(msg.reasoning?.length).toBeGreaterThan(0);
  });
});
