/**
 * Bad input against a real `ollama serve` process (peers.md §3's catalogue): every case gets a
 * 4xx with Ollama's message (or a clear 500 for a corrupt model) and the server keeps serving.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addModel, haveStories, STORIES } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';

if (!haveStories) console.warn(`skipping e2e-badinput: ${STORIES} is absent`);

const BUSY = 'server busy, please try again.  maximum pending requests exceeded';

async function post(server: TestServer, p: string, body: unknown): Promise<{ status: number; text: string }> {
  const r = await fetch(server.url + p, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: r.status, text: await r.text() };
}

async function stillServing(server: TestServer): Promise<void> {
  const r = await post(server, '/api/generate', { model: 'stories', prompt: 'Once upon a time', stream: false, options: { temperature: 0, num_predict: 3 } });
  expect(r.status).toBe(200);
  expect(JSON.parse(r.text).response).toBe(', there was');
}

describe.skipIf(!haveStories)('bad input', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
    await addModel(server.models, 'stories', STORIES);
  });
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    expect(server.proc.exitCode).toBeNull();
  });

  const o = { num_predict: 2 };
  const cases: Array<[string, string, unknown, number, string]> = [
    ['malformed JSON', '/api/generate', '{bad}', 400, `invalid character 'b' looking for beginning of object key string`],
    ['truncated JSON', '/api/chat', '{"model":"stories","messages":[', 400, 'unexpected EOF'],
    ['empty body', '/api/generate', '', 400, 'missing request body'],
    ['whitespace body', '/api/embed', '  \n', 400, 'missing request body'],
    ['null body', '/api/generate', 'null', 400, 'model is required'],
    ['array body', '/api/chat', '[1]', 400, 'json: cannot unmarshal array into Go value of type api.ChatRequest'],
    ['model is a number', '/api/generate', { model: 5, prompt: 'x' }, 400, 'json: cannot unmarshal number into Go struct field GenerateRequest.model of type string'],
    ['prompt is a number', '/api/generate', { model: 'stories', prompt: 5 }, 400, 'json: cannot unmarshal number into Go struct field GenerateRequest.prompt of type string'],
    ['stream is a string', '/api/generate', { model: 'stories', prompt: 'x', stream: 'yes' }, 400, 'json: cannot unmarshal string into Go struct field GenerateRequest.stream of type bool'],
    ['context holds strings', '/api/generate', { model: 'stories', prompt: 'x', context: ['a'] }, 400, 'json: cannot unmarshal string into Go struct field GenerateRequest.context of type int'],
    ['messages is a string', '/api/chat', { model: 'stories', messages: 'hi' }, 400, 'json: cannot unmarshal string into Go struct field ChatRequest.messages of type []api.Message'],
    ['message role is a number', '/api/chat', { model: 'stories', messages: [{ role: 1 }] }, 400, 'json: cannot unmarshal number into Go struct field Message.messages.role of type string'],
    ['options is a string', '/api/generate', { model: 'stories', prompt: 'x', options: 'x' }, 400, 'json: cannot unmarshal string into Go struct field GenerateRequest.options of type map[string]interface {}'],
    ['embed input is a number', '/api/embed', { model: 'stories', input: 5 }, 400, 'invalid input type'],
    ['unknown model', '/api/generate', { model: 'nothing-here', prompt: 'x' }, 404, "model 'nothing-here' not found"],
    ['unknown model (chat)', '/api/chat', { model: 'nothing-here', messages: [] }, 404, "model 'nothing-here' not found"],
    ['invalid name', '/api/generate', { model: 'bad name!', prompt: 'x' }, 400, 'invalid model name'],
    ['too many name parts', '/api/chat', { model: 'a/b/c/d/e', messages: [] }, 400, 'invalid model name'],
    ['empty model', '/api/generate', { model: '', prompt: 'x' }, 400, 'model is required'],
    ['negative num_ctx', '/api/generate', { model: 'stories', prompt: 'x', options: { num_ctx: -5, ...o } }, 400, 'option "num_ctx" must be at least 0, got -5'],
    ['absurd num_ctx', '/api/generate', { model: 'stories', prompt: 'x', options: { num_ctx: 1e12, ...o } }, 400, 'option "num_ctx" must be at most 16777216, got 1000000000000'],
    ['negative top_k', '/api/generate', { model: 'stories', prompt: 'x', options: { top_k: -100, ...o } }, 400, 'option "top_k" must be at least -1, got -100'],
    ['absurd top_k', '/api/generate', { model: 'stories', prompt: 'x', options: { top_k: 1e12, ...o } }, 400, 'option "top_k" must be at most 2147483647, got 1000000000000'],
    ['keep_alive without unit', '/api/generate', { model: 'stories', prompt: 'x', keep_alive: '300', options: o }, 400, 'time: missing unit in duration "300"'],
    ['keep_alive overflow', '/api/generate', { model: 'stories', prompt: 'x', keep_alive: '99999999999h', options: o }, 400, 'time: invalid duration "99999999999h"'],
    ['keep_alive bool', '/api/generate', { model: 'stories', prompt: 'x', keep_alive: true, options: o }, 400, "Unsupported type: 'bool'"],
    ['top_logprobs out of range', '/api/generate', { model: 'stories', prompt: 'x', top_logprobs: 50 }, 400, 'top_logprobs must be between 0 and 20'],
    ['copy to an invalid name', '/api/copy', { source: 'stories', destination: 'bad name!' }, 400, 'destination "bad name!" is invalid'],
  ];

  it.each(cases)('%s → %i', async (_label, p, body, status, message) => {
    const r = await post(server, p, body);
    expect(r.status).toBe(status);
    expect(JSON.parse(r.text)).toEqual({ error: message });
  });

  it('absurd num_predict values are clamped, not errors', async () => {
    for (const n of [-100, 1e15]) {
      const r = await post(server, '/api/generate', { model: 'stories', prompt: 'Once upon a time', stream: false, options: { temperature: 0, num_predict: n, stop: ['.'] } });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text).done_reason).toBe('stop');
    }
  });

  it('negative and huge numeric keep_alive mean forever', async () => {
    for (const k of [-1, 1e300]) {
      const r = await post(server, '/api/generate', { model: 'stories', prompt: 'x', stream: false, keep_alive: k, options: o });
      expect(r.status).toBe(200);
    }
  });

  it('a 100 MB streamed body is refused with 413 and the server keeps serving', async () => {
    const u = new URL(server.url);
    const result = await new Promise<{ status: number; text: string } | { error: string }>((resolve) => {
      const req = http.request({ host: u.hostname, port: u.port, method: 'POST', path: '/api/generate', agent: false }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
        res.on('error', (e) => resolve({ error: e.message }));
      });
      req.on('error', (e) => resolve({ error: e.message }));
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      req.write('{"model":"stories","prompt":"');
      let sent = 0;
      const pump = (): void => {
        while (sent < 100) {
          sent++;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end('"}');
      };
      pump();
    });
    if ('status' in result) {
      expect(result.status).toBe(413);
      expect(JSON.parse(result.text).error).toMatch(/request body too large/);
    } else {
      // The server may close the socket while the client is still writing; that is a refusal too.
      expect(result.error).toMatch(/EPIPE|ECONNRESET|socket hang up/);
    }
    await stillServing(server);
  });

  it('a client dropping the socket mid-stream does not disturb the server', async () => {
    const u = new URL(server.url);
    await new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({ model: 'stories', prompt: 'Once upon a time', options: { num_predict: 500 } });
      const req = http.request(
        { host: u.hostname, port: u.port, method: 'POST', path: '/api/generate', agent: false, headers: { 'Content-Length': Buffer.byteLength(body) } },
        (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        },
      );
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
      req.end(body);
    });
    await stillServing(server);
    await stillServing(server);
  });

  it('a model file corrupt on disk is a clear 500 and the server stays up', async () => {
    await addModel(server.models, 'corrupt', STORIES);
    // Unload, then truncate the weights blob (shared with "stories", so this test runs last).
    await post(server, '/api/generate', { model: 'stories', keep_alive: 0 });
    const manifest = JSON.parse(fs.readFileSync(path.join(server.models, 'manifests/registry.ollama.ai/library/corrupt/latest'), 'utf8'));
    const layer = manifest.layers.find((l: { mediaType: string }) => l.mediaType === 'application/vnd.ollama.image.model');
    const blob = path.join(server.models, 'blobs', layer.digest.replace(':', '-'));
    fs.truncateSync(blob, 4096);
    const r = await post(server, '/api/generate', { model: 'corrupt', prompt: 'x', stream: false });
    expect(r.status).toBe(500);
    const msg = JSON.parse(r.text).error as string;
    expect(msg.length).toBeGreaterThan(0);
    expect(msg).toMatch(/^unable to load model corrupt:latest: /);
    expect(msg).not.toMatch(/Cannot read properties|undefined/);
    expect((await fetch(server.url + '/api/version')).status).toBe(200);
    expect((await fetch(server.url + '/api/tags')).status).toBe(200);
  });
});

describe.skipIf(!haveStories)('a full queue', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { OLLAMA_MAX_QUEUE: '8', OLLAMA_NUM_PARALLEL: '1' } });
    await addModel(server.models, 'stories', STORIES);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('200 concurrent requests are each answered 200 or 503 with Ollama text', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, () => post(server, '/api/generate', { model: 'stories', prompt: 'Once upon a time', stream: false, options: { num_predict: 10 } })),
    );
    const statuses = new Map<number, number>();
    for (const r of results) {
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status === 503) expect(JSON.parse(r.text)).toEqual({ error: BUSY });
      else expect(r.status).toBe(200);
    }
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(200) ?? 0).toBeGreaterThanOrEqual(1);
    expect(server.proc.exitCode).toBeNull();
    await stillServing(server);
  });
});
