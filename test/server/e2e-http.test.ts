/**
 * Raw HTTP against a real `ollama serve` process, for the exact bytes Ollama clients parse:
 * field names and order, NDJSON framing, done_reason values, integer durations, created_at,
 * the debug/raw/system/template/context request fields, load/unload, capability errors,
 * option type errors, status codes, CORS, the Host check and API keys.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addModel, haveStories, repoRoot, STORIES } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const CREATED_AT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;
const GREEDY = { temperature: 0, num_predict: 8 };
const METRICS = ['total_duration', 'load_duration', 'prompt_eval_count', 'prompt_eval_duration', 'eval_count', 'eval_duration'];

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One HTTP request with full control over headers (fetch cannot set Host). */
export function raw(url: string, method: string, p: string, opts: { body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...opts.headers };
    if (opts.body !== undefined) headers['Content-Length'] = Buffer.byteLength(opts.body);
    const req = http.request({ host: u.hostname, port: u.port, method, path: p, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const lines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

if (!haveStories) console.warn(`skipping e2e-http: ${STORIES} is absent`);

describe.skipIf(!haveStories)('raw HTTP against a real server', () => {
  let server: TestServer;
  const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
    raw(server.url, 'POST', p, { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers } });

  beforeAll(async () => {
    server = await startServer();
    await addModel(server.models, 'stories', STORIES);
    await addModel(server.models, 'tmpl', STORIES, { template: '[{{ .System }}] {{ .Prompt }}', system: 'Be brief.' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('generate streams NDJSON with Ollama field order, integer durations and UTC created_at', async () => {
    const r = await post('/api/generate', { model: 'stories', prompt: 'Once upon a time', options: GREEDY });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/x-ndjson');
    expect(r.text.endsWith('}\n')).toBe(true);
    const chunks = lines(r.text);
    const first = chunks[0]!;
    expect(Object.keys(first)).toEqual(['model', 'created_at', 'response', 'done']);
    expect(first.done).toBe(false);
    const last = chunks[chunks.length - 1]!;
    expect(Object.keys(last)).toEqual(['model', 'created_at', 'response', 'done', 'done_reason', 'context', ...METRICS]);
    expect(last.done_reason).toBe('length');
    expect(last.response).toBe('');
    for (const k of METRICS) expect(Number.isInteger(last[k])).toBe(true);
    for (const c of chunks) expect(c.created_at).toMatch(CREATED_AT);
    expect(chunks.map((c) => c.response).join('')).toBe(', there was a little girl');
  });

  it('chat streams with message objects and no context', async () => {
    const r = await post('/api/chat', { model: 'stories', messages: [{ role: 'USER', content: 'Once upon a time' }], options: GREEDY });
    const chunks = lines(r.text);
    expect(Object.keys(chunks[0]!)).toEqual(['model', 'created_at', 'message', 'done']);
    expect(Object.keys(chunks[0]!.message as object)).toEqual(['role', 'content']);
    const last = chunks[chunks.length - 1]!;
    expect(Object.keys(last)).toEqual(['model', 'created_at', 'message', 'done', 'done_reason', ...METRICS]);
    expect(last.message).toEqual({ role: 'assistant', content: '' });
  });

  it('stream:false answers one JSON object with done_reason stop on a stop sequence', async () => {
    const r = await post('/api/generate', { model: 'stories', prompt: 'Once upon a time', stream: false, options: { ...GREEDY, num_predict: 30, stop: ['Lily'] } });
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(r.text);
    expect(body.response).toBe(', there was a little girl named ');
    expect(body.done_reason).toBe('stop');
  });

  it('_debug_render_only returns the rendered template, with system and template override', async () => {
    let r = await post('/api/generate', { model: 'tmpl', prompt: 'Hi', _debug_render_only: true, stream: false });
    let body = JSON.parse(r.text);
    // image_count is omitempty in Ollama's DebugInfo.
    expect(body._debug_info).toEqual({ rendered_template: '[Be brief.] Hi' });
    expect(body.done).toBe(false);
    r = await post('/api/generate', { model: 'tmpl', prompt: 'Hi', system: 'Other.', _debug_render_only: true, stream: false });
    expect(JSON.parse(r.text)._debug_info.rendered_template).toBe('[Other.] Hi');
    r = await post('/api/generate', { model: 'tmpl', prompt: 'Hi', template: '<{{ .Prompt }}>', _debug_render_only: true, stream: false });
    expect(JSON.parse(r.text)._debug_info.rendered_template).toBe('<Hi>');
    r = await post('/api/chat', { model: 'tmpl', messages: [{ role: 'user', content: 'Yo' }], _debug_render_only: true, stream: false });
    body = JSON.parse(r.text);
    expect(body._debug_info.rendered_template).toBe('[Be brief.] Yo');
  });

  it('raw skips the template; raw with system is a 400', async () => {
    const r = await post('/api/generate', { model: 'tmpl', prompt: 'Once upon a time', raw: true, stream: false, options: GREEDY });
    const body = JSON.parse(r.text);
    expect(body.response).toBe(', there was a little girl');
    expect(body.context).toBeUndefined();
    const bad = await post('/api/generate', { model: 'tmpl', prompt: 'x', raw: true, system: 's' });
    expect(bad.status).toBe(400);
    expect(bad.text).toBe('{"error":"raw mode does not support template, system, or context"}');
  });

  it('context continues a previous generation', async () => {
    const a = JSON.parse((await post('/api/generate', { model: 'stories', prompt: 'Once upon a time', stream: false, options: { temperature: 0, num_predict: 4 } })).text);
    expect(a.response).toBe(', there was a');
    const b = JSON.parse((await post('/api/generate', { model: 'stories', prompt: '', context: a.context, stream: false, options: { temperature: 0, num_predict: 4 } })).text);
    expect(b.done_reason).toBe('length');
    expect(b.response).toBe(' little girl');
    expect(b.context.slice(0, a.context.length)).toEqual(a.context);
  });

  it('empty prompt loads, keep_alive 0 unloads', async () => {
    let r = await post('/api/generate', { model: 'stories' });
    let body = lines(r.text);
    expect(body).toHaveLength(1);
    expect(Object.keys(body[0]!)).toEqual(['model', 'created_at', 'response', 'done', 'done_reason']);
    expect(body[0]!.done_reason).toBe('load');
    let ps = JSON.parse((await raw(server.url, 'GET', '/api/ps')).text);
    expect(ps.models.map((m: { name: string }) => m.name)).toContain('stories:latest');

    r = await post('/api/generate', { model: 'stories', keep_alive: 0 });
    body = lines(r.text);
    expect(body[0]!.done_reason).toBe('unload');
    ps = JSON.parse((await raw(server.url, 'GET', '/api/ps')).text);
    expect(ps.models.map((m: { name: string }) => m.name)).not.toContain('stories:latest');

    r = await post('/api/chat', { model: 'stories', messages: [] });
    expect(lines(r.text)[0]).toMatchObject({ message: { role: 'assistant', content: '' }, done: true, done_reason: 'load' });
    r = await post('/api/chat', { model: 'stories', messages: [], keep_alive: '0s' });
    expect(lines(r.text)[0]!.done_reason).toBe('unload');
  });

  it('capability errors: images on a non-vision model, think on a non-thinking model', async () => {
    let r = await post('/api/generate', { model: 'stories', prompt: 'x', images: ['iVBORw0KGgo='] });
    expect(r.status).toBe(400);
    expect(r.text).toBe('{"error":"Multimodal data provided, but model does not support multimodal requests."}');
    r = await post('/api/generate', { model: 'stories', prompt: 'x', think: true });
    expect(r.status).toBe(400);
    expect(r.text).toBe('{"error":"\\"stories\\" does not support thinking"}');
    r = await post('/api/chat', { model: 'stories', messages: [{ role: 'user', content: 'x' }], think: 'high' });
    expect(r.text).toBe('{"error":"\\"stories\\" does not support thinking"}');
  });

  it('option type errors use Ollama text', async () => {
    const r = await post('/api/generate', { model: 'stories', prompt: 'x', options: { temperature: 'hot' } });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(JSON.parse(r.text).error).toBe('option "temperature" must be of type float32');
    const s = await post('/api/generate', { model: 'stories', prompt: 'x', options: { stop: 'x' } });
    expect(JSON.parse(s.text).error).toBe('option "stop" must be of type array');
  });

  it('show with options: parameters stay the model’s own, the generated Modelfile carries the options (Ollama’s GetModelInfo)', async () => {
    await addModel(server.models, 'withparams', STORIES, { params: { temperature: 0.5 } });
    const r = JSON.parse((await post('/api/show', { model: 'withparams', options: { seed: 42, temperature: 0.9 } })).text) as { parameters?: string; modelfile: string };
    expect(r.parameters).toBe(`${'temperature'.padEnd(30)} 0.5`);
    expect(r.modelfile).toContain('PARAMETER seed 42\n');
    expect(r.modelfile).toContain('PARAMETER temperature 0.9\n');
    const bare = JSON.parse((await post('/api/show', { model: 'stories', options: { seed: 42 } })).text) as Record<string, unknown>;
    expect('parameters' in bare).toBe(false);
  });

  it('show reports the REQUIRES version of the model (Ollama’s ShowResponse.requires), and omits it when unset', async () => {
    const c = await post('/api/create', { model: 'needsnew', from: 'stories', requires: '0.14.0', stream: false });
    expect(c.status).toBe(200);
    const r = JSON.parse((await post('/api/show', { model: 'needsnew' })).text) as Record<string, unknown>;
    expect(r.requires).toBe('0.14.0');
    expect(Object.keys(r).at(-1)).toBe('requires'); // Ollama's field order: last
    const bare = JSON.parse((await post('/api/show', { model: 'stories' })).text) as Record<string, unknown>;
    expect('requires' in bare).toBe(false);
  });

  it('status codes and error texts', async () => {
    const missing = await post('/api/generate', { model: 'missing', prompt: 'x' });
    expect(missing.status).toBe(404);
    expect(missing.text).toBe(`{"error":"model 'missing' not found"}`);
    const empty = await post('/api/chat', '');
    expect(empty.status).toBe(400);
    expect(empty.text).toBe('{"error":"missing request body"}');
    const noRoute = await raw(server.url, 'GET', '/api/nothing');
    expect(noRoute.status).toBe(404);
    expect(noRoute.text).toBe('404 page not found');
    const method = await raw(server.url, 'GET', '/api/generate');
    expect(method.status).toBe(405);
    expect(method.text).toBe('405 method not allowed');
    const root = await raw(server.url, 'GET', '/');
    expect(root.text).toBe('Ollama is running');
    const del = await raw(server.url, 'DELETE', '/api/delete', { body: JSON.stringify({ model: 'missing' }) });
    expect(del.status).toBe(404);
    expect(del.text).toBe(`{"error":"model 'missing' not found"}`);
    const copy = await post('/api/copy', { source: 'missing', destination: 'x' });
    expect(copy.status).toBe(404);
    expect(copy.text).toBe('{"error":"model \\"missing\\" not found"}');
    const show = await post('/api/show', { model: 'missing' });
    expect(show.text).toBe(`{"error":"model 'missing:latest' not found"}`);
    const embed = await post('/api/embed', { model: 'missing', input: 'x' });
    expect(embed.text).toBe('{"error":"model \\"missing\\" not found, try pulling it first"}');
  });

  it('CORS: allowed origins get headers, others 403; preflight 204', async () => {
    const ok = await raw(server.url, 'GET', '/api/version', { headers: { Origin: 'http://localhost:3000' } });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    const bad = await raw(server.url, 'GET', '/api/version', { headers: { Origin: 'https://evil.example' } });
    expect(bad.status).toBe(403);
    const pre = await raw(server.url, 'OPTIONS', '/api/chat', {
      headers: { Origin: 'http://127.0.0.1:8080', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-methods']).toContain('POST');
  });

  it('Host check: a foreign Host header gets 403, localhost passes', async () => {
    const bad = await raw(server.url, 'GET', '/api/version', { headers: { Host: 'evil.example' } });
    expect(bad.status).toBe(403);
    const good = await raw(server.url, 'GET', '/api/version', { headers: { Host: `localhost:${server.port}` } });
    expect(good.status).toBe(200);
  });
});

describe.skipIf(!haveStories)('API keys', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { OLLAMA_API_KEYS: 'k-one,k-two' } });
    await addModel(server.models, 'stories', STORIES);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('requests without a key get 401 JSON; with a key they pass; / stays open', async () => {
    const no = await raw(server.url, 'GET', '/api/tags');
    expect(no.status).toBe(401);
    expect(JSON.parse(no.text)).toHaveProperty('error');
    const wrong = await raw(server.url, 'GET', '/api/tags', { headers: { Authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const yes = await raw(server.url, 'GET', '/api/tags', { headers: { Authorization: 'Bearer k-two' } });
    expect(yes.status).toBe(200);
    expect((await raw(server.url, 'GET', '/')).status).toBe(200);
    const v1 = await raw(server.url, 'GET', '/v1/models');
    expect(v1.status).toBe(401);
    expect(JSON.parse(v1.text).error.code).toBe('invalid_api_key');
  });

  it('the CLI sends OLLAMA_API_KEY', async () => {
    const bin = path.join(repoRoot, 'bin', 'ollama');
    const { stdout } = await run(process.execPath, [bin, 'list'], { env: server.env({ OLLAMA_API_KEY: 'k-one' }) });
    expect(stdout.split('\n')[0]).toMatch(/^NAME\s+ID\s+SIZE\s+MODIFIED\s*$/);
    expect(stdout).toContain('stories:latest');
    const err = await run(process.execPath, [bin, 'list'], { env: server.env() }).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).not.toBe(0);
  });
});
