/**
 * The GGUF's own Jinja chat template through a real `ollama serve`: a model without a template
 * layer renders its chat prompt with the GGUF's `tokenizer.chat_template` (`_debug_render_only`
 * shows it) on /api/chat and /api/generate, with the vocabulary's BOS (dropped: the tokenizer
 * adds it), tools, tool results and `enable_thinking`; its tools/thinking count as capabilities.
 * Bad templates — Jinja or Go — that raise, loop for ever or grow without end answer an error
 * quickly and the server keeps serving.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeModel, writeScriptedModel } from '../../helpers/gguf.js';
import { addModel } from '../../helpers/models.js';
import { startServer, type TestServer } from '../../helpers/server.js';

const QWEN3 = fs.readFileSync(path.join(import.meta.dirname, '../../prompt/jinja/templates/qwen3.jinja'), 'utf8');
const GEMMA = fs.readFileSync(path.join(import.meta.dirname, '../../prompt/jinja/templates/gemma2.jinja'), 'utf8');

const CALL_JSON = '{"name":"get_weather","arguments":{"city":"Paris"}}';
const TOOL = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } } },
};

describe('the GGUF chat template through the server', () => {
  let server: TestServer;
  let work: string;
  const post = async (route: string, body: unknown) => {
    const r = await fetch(server.url + route, { method: 'POST', body: JSON.stringify(body) });
    return { status: r.status, text: await r.text() };
  };
  const render = async (route: '/api/chat' | '/api/generate', body: Record<string, unknown>) => {
    const r = await post(route, { stream: false, _debug_render_only: true, ...body });
    expect(r.status, r.text).toBe(200);
    return JSON.parse(r.text)._debug_info.rendered_template as string;
  };
  const withTemplate = async (name: string, chatTemplate: string, spec: { template?: string } = {}) => {
    const file = path.join(work, `${name}.gguf`);
    await writeModel(file, { chatTemplate });
    await addModel(server.models, name, file, spec);
  };

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-jinja-'));
    server = await startServer();
    await withTemplate('qwen3', QWEN3);
    await withTemplate('gemma', GEMMA);
    await withTemplate('raises', "{{ raise_exception('this template refuses ' + messages[0].role) }}");
    await withTemplate('loops', '{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}');
    await withTemplate('huge', "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}");
    await withTemplate('bigrange', '{% for i in range(1000000000) %}x{% endfor %}');
    await withTemplate('broken', '{% for m in messages %}');
    const variants = path.join(work, 'variants.gguf');
    await writeModel(variants, { chatTemplate: 'plain:{{ messages[0].content }}{# tools #}', extraMetadata: { 'tokenizer.chat_template.tool_use': 'tools:{{ tools[0].function.name }}' } });
    await addModel(server.models, 'variants', variants);
    const thinker = path.join(work, 'thinker.gguf');
    await writeScriptedModel(thinker, ['<think>', 'The user wants the weather.', '</think>', '<tool_call>', CALL_JSON, '</tool_call>'], { 'tokenizer.chat_template': QWEN3 });
    await addModel(server.models, 'thinker', thinker);
    await withTemplate('goloops', '', { template: '{{ range 1000000000 }}x{{ end }}' });
    await withTemplate('gohuge', '', { template: '{{ $x := "ab" }}{{ range 60 }}{{ $x = printf "%s%s" $x $x }}{{ end }}{{ $x }}' });
  });
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('/api/chat renders the GGUF template: tools, a tool round trip, thinking off', async () => {
    const out = await render('/api/chat', {
      model: 'qwen3',
      think: false,
      tools: [TOOL],
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Oslo?' },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Oslo' } } }] },
        { role: 'tool', content: 'sunny', tool_name: 'get_weather' },
      ],
    });
    expect(out).toBe(
      '<|im_start|>system\nBe brief.\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' +
        'You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n' +
        '{"type": "function", "function": {"name": "get_weather", "description": "Weather", "parameters": {"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}}}}\n' +
        '</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n' +
        '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n' +
        '<|im_start|>user\nWeather in Oslo?<|im_end|>\n' +
        // arguments as an object, which the template prints with tojson (common/jinja/caps.cpp:215-307, common/chat.cpp:1041-1060)
        '<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo"}}\n</tool_call><|im_end|>\n' +
        '<|im_start|>user\n<tool_response>\nsunny\n</tool_response><|im_end|>\n' +
        '<|im_start|>assistant\n<think>\n\n</think>\n\n',
    );
  });

  it('a real generation: the prompt from the GGUF template, thinking and tool calls parsed from the output', async () => {
    const r = await post('/api/chat', { model: 'thinker', stream: false, tools: [TOOL], messages: [{ role: 'user', content: 'Weather in Paris?' }], options: { temperature: 0 } });
    expect(r.status, r.text).toBe(200);
    const msg = JSON.parse(r.text).message;
    expect(msg.thinking).toBe('The user wants the weather.');
    expect(msg.tool_calls).toMatchObject([{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }]);
    expect(msg.content).toBe('');
  });

  it('/api/generate builds the same chat-like prompt, thinking on by default', async () => {
    const gen = await render('/api/generate', { model: 'qwen3', prompt: 'Hi', system: 'Be brief.' });
    expect(gen).toBe('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n');
    const chat = await render('/api/chat', { model: 'qwen3', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] });
    expect(chat).toBe(gen);
  });

  it("the vocabulary's BOS is dropped from the front when the tokenizer adds one", async () => {
    const out = await render('/api/chat', { model: 'gemma', messages: [{ role: 'user', content: ' Hello ' }] });
    expect(out).toBe('<start_of_turn>user\nHello<end_of_turn>\n<start_of_turn>model\n');
  });

  it('a model created from a GGUF whose template matches no Go template renders with its own', async () => {
    const file = path.join(work, 'custom.gguf');
    // Long enough to be more than 100 edits from every template Ollama knows (short ones are near all).
    const note = '{#- ' + 'A custom chat template for a test, far from anything in template/index.json. '.repeat(4) + '#}';
    await writeModel(file, { chatTemplate: note + '{% for m in messages %}<<{{ m.role }}>>{{ m.content }}{% endfor %}{% if add_generation_prompt %}<<assistant>>{% endif %}' });
    const bytes = fs.readFileSync(file);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    expect((await fetch(`${server.url}/api/blobs/${digest}`, { method: 'POST', body: bytes })).status).toBeLessThan(300);
    const c = await post('/api/create', { model: 'custom', files: { 'model.gguf': digest }, stream: false });
    expect(c.status, c.text).toBe(200);
    expect(await render('/api/chat', { model: 'custom', messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'U' }] })).toBe('<<system>>S<<user>>U<<assistant>>');
    expect(await render('/api/generate', { model: 'custom', prompt: 'P' })).toBe('<<user>>P<<assistant>>');
  });

  it('the template’s tools and thinking are capabilities', async () => {
    const r = await post('/api/show', { model: 'qwen3' });
    expect(JSON.parse(r.text).capabilities).toEqual(['tools', 'thinking', 'completion']);
    const g = await post('/api/show', { model: 'gemma' });
    expect(JSON.parse(g.text).capabilities).toEqual(['completion']);
  });

  it("raise_exception is a 500 carrying the template's message", async () => {
    for (const route of ['/api/chat', '/api/generate'] as const) {
      const body = route === '/api/chat' ? { messages: [{ role: 'user', content: 'hi' }] } : { prompt: 'hi' };
      const r = await post(route, { model: 'raises', stream: false, _debug_render_only: true, ...body });
      expect(r.status, r.text).toBe(500);
      expect(JSON.parse(r.text)).toEqual({ error: 'this template refuses user' });
    }
    // Gemma 2 raises for a system message, but llama.cpp sees that it never reads one
    // (common/jinja/caps.cpp:186-212) and merges it into the user message (common/chat.cpp:1016-1030).
    const g = await render('/api/chat', { model: 'gemma', messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }] });
    expect(g).toBe('<start_of_turn>user\ns\nu<end_of_turn>\n<start_of_turn>model\n');
  });

  it('a request with tools uses the tokenizer.chat_template.tool_use variant (llama.cpp common/chat.cpp:766-776, 1228-1229)', async () => {
    expect(await render('/api/chat', { model: 'variants', messages: [{ role: 'user', content: 'hi' }] })).toBe('plain:hi');
    expect(await render('/api/chat', { model: 'variants', messages: [{ role: 'user', content: 'hi' }], tools: [TOOL] })).toBe('tools:get_weather');
  });

  it('a template that does not parse is a 500 naming the problem', async () => {
    const r = await post('/api/chat', { model: 'broken', stream: false, _debug_render_only: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(r.status).toBe(500);
    expect(JSON.parse(r.text).error).toMatch(/^chat template: /);
  });

  it('endless loops and endless output are stopped, and the server keeps serving', async () => {
    const cases: Array<[string, RegExp]> = [
      ['loops', /^chat template (took longer than 2000 ms|exceeded 5000000 evaluation steps)$/],
      ['huge', /chat template output exceeds 16777216 bytes/],
      ['bigrange', /^Range too big\. The sandbox blocks ranges larger than MAX_RANGE \(100000\)\.$/],
      ['goloops', /template exceeded 5000000 evaluation steps/],
      ['gohuge', /exceeds 16777216 bytes/],
    ];
    for (const [model, message] of cases) {
      const r = await post('/api/chat', { model, stream: false, _debug_render_only: true, messages: [{ role: 'user', content: 'hi' }] });
      expect(r.status, `${model}: ${r.text}`).toBe(500);
      expect(JSON.parse(r.text).error, model).toMatch(message);
      // The next request is served.
      expect((await render('/api/chat', { model: 'qwen3', think: true, messages: [{ role: 'user', content: 'ok?' }] })).endsWith('<|im_start|>assistant\n')).toBe(true);
    }
  });
});

describe('OLLAMA_GO_TEMPLATE decides alone when set', () => {
  const servers: TestServer[] = [];
  let work: string;
  const SMOL = '{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}';
  const start = async (value: string) => {
    const server = await startServer({ env: { OLLAMA_GO_TEMPLATE: value } });
    servers.push(server);
    const file = path.join(work, 'm.gguf');
    await writeModel(file, { chatTemplate: value === '0' ? SMOL : QWEN3 });
    await addModel(server.models, 'm', file, { template: '{{ .Prompt }}GO_TEMPLATE_SENTINEL' });
    return async (route: string, body: Record<string, unknown>) => {
      const r = await fetch(server.url + route, { method: 'POST', body: JSON.stringify({ model: 'm', stream: false, _debug_render_only: true, ...body }) });
      expect(r.status).toBe(200);
      return ((await r.json()) as { _debug_info: { rendered_template: string } })._debug_info.rendered_template;
    };
  };
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-gotemplate-'));
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('0: the GGUF template renders although the model has a Go template; generate matches chat', async () => {
    const render = await start('0');
    const gen = await render('/api/generate', { prompt: 'Reply with one short sentence about blue skies.' });
    expect(gen).not.toContain('GO_TEMPLATE_SENTINEL');
    expect(gen).toBe('<|im_start|>user\nReply with one short sentence about blue skies.<|im_end|>\n<|im_start|>assistant\n');
    expect(await render('/api/chat', { messages: [{ role: 'user', content: 'Reply with one short sentence about blue skies.' }] })).toBe(gen);
  });

  it('1: the Go template renders although the GGUF template can do more', async () => {
    const render = await start('1');
    expect(await render('/api/generate', { prompt: 'hi' })).toBe('hiGO_TEMPLATE_SENTINEL');
  });
});
