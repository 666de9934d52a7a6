/**
 * Tools and thinking through a real `ollama serve`: capabilities in /api/show, the rendered
 * prompt (`_debug_render_only`), and real generation with the tiny stories model behind a
 * template whose prompt ends with `<think>` — so everything it writes is thinking.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addModel, haveStories, STORIES } from '../../helpers/models.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { QWEN3, R1 } from '../../helpers/templates.js';

if (!haveStories) console.warn(`skipping tools-thinking e2e: ${STORIES} is absent`);

const TOOLS = [
  {
    type: 'function',
    function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', required: ['city'], properties: { city: { type: 'string', description: 'City' } } } },
  },
];
const OPTS = { temperature: 0, seed: 1, num_predict: 8 };

describe.skipIf(!haveStories)('tools and thinking through the server', () => {
  let server: TestServer;
  const post = async (route: string, body: unknown) => {
    const r = await fetch(server.url + route, { method: 'POST', body: JSON.stringify(body) });
    return { status: r.status, text: await r.text() };
  };
  const json = async (route: string, body: unknown) => JSON.parse((await post(route, body)).text);

  beforeAll(async () => {
    server = await startServer();
    await addModel(server.models, 'qwen3ish', STORIES, { template: QWEN3 });
    await addModel(server.models, 'r1ish', STORIES, { template: R1 });
    await addModel(server.models, 'plain', STORIES, { template: '{{ .Prompt }}' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reports thinking from the template tags and tools from .Tools', async () => {
    expect((await json('/api/show', { model: 'qwen3ish' })).capabilities).toEqual(['completion', 'tools', 'thinking']);
    expect((await json('/api/show', { model: 'r1ish' })).capabilities).toEqual(['completion', 'thinking']);
    expect((await json('/api/show', { model: 'plain' })).capabilities).toEqual(['completion']);
  });

  it('renders tools, history thinking and tool calls', async () => {
    const r = await json('/api/chat', {
      model: 'qwen3ish',
      _debug_render_only: true,
      tools: TOOLS,
      think: false,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: '', thinking: 'Use the tool.', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
        { role: 'tool', content: '18C' },
      ],
    });
    const prompt: string = r._debug_info.rendered_template;
    expect(prompt).toContain('"name":"get_weather"');
    expect(prompt).toContain('<think>Use the tool.</think>\n<tool_call>\n{"name": "get_weather", "arguments": {"city":"Paris"}}\n</tool_call>');
    expect(prompt.endsWith('<|im_start|>assistant\n<think>\n\n</think>\n\n')).toBe(true);
  });

  it('rejects think on a model without thinking', async () => {
    const r = await post('/api/chat', { model: 'plain', think: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toEqual({ error: '"plain" does not support thinking' });
  });

  it('chat: output after an opening tag in the prompt is thinking (stream:false)', async () => {
    const r = await json('/api/chat', { model: 'r1ish', stream: false, options: OPTS, messages: [{ role: 'user', content: 'Once upon a time' }] });
    expect(r.done).toBe(true);
    expect(r.message.content).toBe('');
    expect(r.message.thinking.length).toBeGreaterThan(0);
    expect(r.message.thinking).toBe(r.message.thinking.trimStart());
  });

  it('chat: streamed chunks carry thinking, never content; think:false gives content', async () => {
    const r = await post('/api/chat', { model: 'r1ish', options: OPTS, messages: [{ role: 'user', content: 'Once upon a time' }] });
    const chunks = r.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(chunks.at(-1).done).toBe(true);
    for (const c of chunks) expect(c.message.content).toBe('');
    expect(chunks.some((c) => c.message.thinking)).toBe(true);
    // Ollama's field order: role, content, thinking
    expect(r.text).toMatch(/"message":\{"role":"assistant","content":"","thinking":"/);

    const off = await json('/api/chat', { model: 'r1ish', stream: false, think: false, options: OPTS, messages: [{ role: 'user', content: 'Once upon a time' }] });
    expect(off.message.content.length).toBeGreaterThan(0);
    expect(off.message.thinking).toBeUndefined();
  });

  it('generate: thinking goes to "thinking", after "response"', async () => {
    const r = await post('/api/generate', { model: 'r1ish', prompt: 'Once upon a time', stream: false, options: OPTS });
    const body = JSON.parse(r.text);
    expect(body.response).toBe('');
    expect(body.thinking.length).toBeGreaterThan(0);
    expect(r.text).toMatch(/"response":"","thinking":"/);
  });

  it('chat with tools: story text is content and no tool calls', async () => {
    const r = await json('/api/chat', { model: 'qwen3ish', stream: false, think: false, tools: TOOLS, options: OPTS, messages: [{ role: 'user', content: 'Once upon a time' }] });
    expect(r.message.content.length).toBeGreaterThan(0);
    expect(r.message.tool_calls).toBeUndefined();
  });
});
