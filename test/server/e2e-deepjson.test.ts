/**
 * Deeply nested JSON against a real server, as Go's encoding/json treats it: up to 10,000 levels
 * are read (and, where Ollama renders them, rendered) on /api/* and /v1/*; the 10,001st open
 * bracket is a 400 with Go's `invalid character '[' exceeded max depth`. Nothing recurses on the
 * JavaScript stack, so neither case is a 500 "Maximum call stack size exceeded".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addModel, haveStories, STORIES } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';

if (!haveStories) console.warn(`skipping e2e-deepjson: ${STORIES} is absent`);

const MAX = 10_000;
/** `n` nested arrays around 1: depth n. */
const arrays = (n: number) => '['.repeat(n) + '1' + ']'.repeat(n);
/** `n` nested JSON-schema levels through `items`: depth n + 1. */
const items = (n: number) => '{"type":"array","items":'.repeat(n) + '{"type":"string"}' + '}'.repeat(n);

/** Tools in the system turn, tool calls with their arguments as JSON (qwen-shaped). */
const TOOLS_TEMPLATE = `{{- if .Tools }}<tools>{{ range .Tools }}{{ . }}{{ end }}</tools>
{{ end }}{{ range .Messages }}{{ if .Content }}{{ .Role }}: {{ .Content }}
{{ else }}{{ range .ToolCalls }}<tool_call>{"name": "{{ .Function.Name }}", "arguments": {{ .Function.Arguments }}}</tool_call>
{{ end }}{{ end }}{{ end }}assistant:`;

describe.skipIf(!haveStories)('deeply nested JSON', () => {
  let server: TestServer;
  const post = async (route: string, body: string) => {
    const r = await fetch(server.url + route, { method: 'POST', body });
    return { status: r.status, json: (await r.json()) as Record<string, any> };
  };
  beforeAll(async () => {
    server = await startServer();
    await addModel(server.models, 'stories', STORIES);
    await addModel(server.models, 'toolish', STORIES, { template: TOOLS_TEMPLATE });
  });
  afterAll(async () => {
    await server?.stop();
  });

  // Each body builder takes the depth of its deepest value (the body's own braces count).
  const bodies: Array<[string, string, (depth: number) => string]> = [
    ['options', '/api/generate', (d) => `{"model":"stories","prompt":"hi","stream":false,"options":{"num_predict":1,"x":${arrays(d - 2)}}}`],
    ['messages (tool call arguments)', '/api/chat', (d) => `{"model":"toolish","stream":false,"options":{"num_predict":1},"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":{"a":${arrays(d - 7)}}}}]}]}`],
    ['tools (parameter schema)', '/api/chat', (d) => `{"model":"toolish","stream":false,"options":{"num_predict":1},"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"p":${items(d - 7)}}}}}]}`],
    ['/v1 messages', '/v1/chat/completions', (d) => `{"model":"stories","max_tokens":1,"messages":[{"role":"user","content":"hi"}],"metadata":${arrays(d - 1)}}`],
    ['/v1 tools', '/v1/chat/completions', (d) => `{"model":"toolish","max_tokens":1,"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"p":${items(d - 7)}}}}}]}`],
    ['/api/embed options', '/api/embed', (d) => `{"model":"stories","input":"hi","options":{"x":${arrays(d - 2)}}}`],
  ];

  it.each(bodies)('%s: 10,000 levels are read', async (_label, route, body) => {
    const r = await post(route, body(MAX));
    expect(r.status).toBe(200);
  });

  it.each(bodies)('%s: 10,001 levels are a 400 with Go’s message', async (_label, route, body) => {
    const r = await post(route, body(MAX + 1));
    expect(r.status).toBe(400);
    const message = route.startsWith('/v1/') ? r.json.error.message : r.json.error;
    expect(message).toMatch(/^invalid character '[[{]' exceeded max depth$/);
    if (route.startsWith('/v1/')) expect(r.json.error.type).toBe('invalid_request_error');
  });

  it('deep tool call arguments are rendered into the prompt in full', async () => {
    const args = arrays(MAX - 7);
    const body = `{"model":"toolish","stream":false,"_debug_render_only":true,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":{"a":${args}}}}]}]}`;
    const r = await post('/api/chat', body);
    expect(r.status).toBe(200);
    expect(r.json._debug_info.rendered_template).toContain(`"arguments": {"a":${args}}`);
  });

  it('/v1 tool call arguments (a JSON string) follow the same limit: past it, "invalid tool call arguments"', async () => {
    const call = (d: number) =>
      `{"model":"toolish","max_tokens":1,"messages":[{"role":"user","content":"hi"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":${JSON.stringify(`{"a":${arrays(d - 1)}}`)}}}]}]}`;
    expect((await post('/v1/chat/completions', call(MAX))).status).toBe(200);
    const r = await post('/v1/chat/completions', call(MAX + 1));
    expect(r.status).toBe(400);
    expect(r.json.error.message).toBe('invalid tool call arguments');
  });

  it('a model created with deeply nested parameters is written', async () => {
    const r = await post('/api/create', `{"model":"deep-params","from":"stories","stream":false,"parameters":{"x":${arrays(MAX - 2)}}}`);
    expect(r).toEqual({ status: 200, json: { status: 'success' } });
  });
});
