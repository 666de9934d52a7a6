/**
 * `ollama serve` stopped by SIGTERM (kill, systemd, docker stop, Kubernetes) on a real server
 * process with real clients (ollama-js, openai, @anthropic-ai/sdk, fetch): every open stream
 * ends with its protocol's error, not a cut; a non-streamed request in flight is answered within
 * OLLAMA_SHUTDOWN_TIMEOUT, or with a 503 after it; the process exits 0, or at once on a second
 * signal. The servers share one read-only store, which stays as it was.
 */
import Anthropic from '@anthropic-ai/sdk';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addModel, haveStories, STORIES } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { snapshot } from '../helpers/snapshot.js';

if (!haveStories) console.warn(`skipping the shutdown test: ${STORIES} is absent`);

const ENDLESS = 1_000_000;
const SHUTTING_DOWN = 'server is shutting down';

async function metric(server: TestServer, series: string): Promise<number> {
  const text = await fetch(`${server.url}/metrics`).then((r) => r.text());
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return Number(line?.slice(series.length + 1) ?? NaN);
}

/** Polls a metric until `ok` holds for it. */
async function until(server: TestServer, series: string, ok: (v: number) => boolean): Promise<void> {
  for (let t = 0; t < 600; t++) {
    if (ok(await metric(server, series))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${series} never reached the expected value`);
}

function exited(server: TestServer): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const p = server.proc;
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve({ code: p.exitCode, signal: p.signalCode });
  return new Promise((resolve) => p.once('exit', (code, signal) => resolve({ code, signal })));
}

/** A raw NDJSON stream: its lines and how the body ended. */
async function ndjson(res: Response, onLine: () => void): Promise<{ lines: Array<Record<string, unknown>>; transportError?: string }> {
  const lines: Array<Record<string, unknown>> = [];
  let buf = '';
  try {
    const dec = new TextDecoder();
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      buf += dec.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
        buf = buf.slice(nl + 1);
        onLine();
      }
    }
    return { lines };
  } catch (e) {
    return { lines, transportError: String(e) };
  }
}

/**
 * A POST whose JSON body is sent in two halves: the request is in flight (its headers read,
 * its body not) until `finish()` sends the rest.
 */
function slowPost(url: string, body: object): { finish(): void; answer: Promise<{ status: number; text: string }> } {
  const text = JSON.stringify(body);
  const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } });
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let got = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (got += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: got }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  req.write(text.slice(0, 10));
  req.flushHeaders();
  return { finish: () => req.end(text.slice(10)), answer };
}

/** Runs a client's stream to its end; resolves with the error it threw (or null). */
async function drainClientStream(it: AsyncIterable<unknown>, onItem: () => void): Promise<unknown> {
  try {
    for await (const _ of it) onItem();
    return null;
  } catch (e) {
    return e;
  }
}

describe.skipIf(!haveStories)('ollama serve on SIGTERM', () => {
  let store: string;
  let before: string[];
  const started: TestServer[] = [];
  const serve = async (env: Record<string, string>) => {
    const s = await startServer({ models: store, env: { OLLAMA_READONLY: '1', OLLAMA_METRICS: '1', ...env } });
    started.push(s);
    return s;
  };

  beforeAll(async () => {
    store = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-shutdown-'));
    await addModel(store, 'stories', STORIES);
    before = snapshot(store);
  });
  afterAll(async () => {
    for (const s of started) await s.stop();
    if (store) fs.rmSync(store, { recursive: true, force: true });
  });

  it('ends every stream with its protocol’s error, answers the non-streamed request in flight, exits 0', async () => {
    // 7 slots for the 7 streams: the non-streamed request below gets one only once a stream's
    // generation has stopped in the runtime.
    const server = await serve({ OLLAMA_NUM_PARALLEL: '7', OLLAMA_SHUTDOWN_TIMEOUT: '10m' });
    const ollama = new Ollama({ host: server.url });
    const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const anthropic = new Anthropic({ baseURL: server.url, apiKey: 'x', maxRetries: 0 });
    const got = new Map<string, number>();
    const seen = (name: string) => () => got.set(name, (got.get(name) ?? 0) + 1);

    const clients = {
      'ollama-js generate': ollama
        .generate({ model: 'stories', prompt: 'Once upon a time', stream: true, options: { num_predict: ENDLESS } })
        .then((s) => drainClientStream(s, seen('ollama-js generate'))),
      'ollama-js chat': ollama
        .chat({ model: 'stories', messages: [{ role: 'user', content: 'Hi' }], stream: true, options: { num_predict: ENDLESS } })
        .then((s) => drainClientStream(s, seen('ollama-js chat'))),
      'openai chat': openai.chat.completions
        .create({ model: 'stories', messages: [{ role: 'user', content: 'Hi' }], stream: true, max_tokens: ENDLESS })
        .then((s) => drainClientStream(s, seen('openai chat'))),
      'openai completions': openai.completions
        .create({ model: 'stories', prompt: 'Once upon a time', stream: true, max_tokens: ENDLESS })
        .then((s) => drainClientStream(s, seen('openai completions'))),
      'anthropic messages': anthropic.messages
        .create({ model: 'stories', max_tokens: ENDLESS, messages: [{ role: 'user', content: 'Hi' }], stream: true })
        .then((s) => drainClientStream(s, seen('anthropic messages'))),
    };
    const responseEvents: Array<{ type: string; response?: { status?: string; error?: { message?: string } } }> = [];
    const responses = openai.responses
      .create({ model: 'stories', input: 'Once upon a time', stream: true, max_output_tokens: ENDLESS })
      .then((s) =>
        drainClientStream(
          (async function* () {
            for await (const e of s) {
              responseEvents.push(e as (typeof responseEvents)[number]);
              yield e;
            }
          })(),
          seen('openai responses'),
        ),
      );
    const raw = fetch(`${server.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'stories', prompt: 'Once upon a time', options: { num_predict: ENDLESS } }),
    }).then((r) => ndjson(r, seen('raw')));

    // Every stream is flowing.
    for (let t = 0; t < 1200 && got.size < 7; t++) await new Promise((r) => setTimeout(r, 50));
    expect([...got.keys()].sort()).toHaveLength(7);
    // A non-streamed request in flight: its headers are read, its body is still on its way.
    const pending = slowPost(`${server.url}/api/generate`, { model: 'stories', prompt: 'Once upon a time', stream: false, options: { num_predict: 8 } });
    await until(server, 'tollama_requests_in_flight', (n) => n === 9); // 7 streams, the POST, this poll

    server.proc.kill('SIGTERM');
    const errors = Object.fromEntries(await Promise.all(Object.entries(clients).map(async ([k, p]) => [k, await p] as const)));
    for (const [name, err] of Object.entries(errors)) {
      expect(err, name).toBeInstanceOf(Error);
      expect((err as Error).message, name).toContain(SHUTTING_DOWN);
    }
    expect((errors['openai chat'] as InstanceType<typeof OpenAI.APIError>).error).toEqual({ message: SHUTTING_DOWN, type: 'api_error', param: null, code: null });
    expect((errors['anthropic messages'] as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'overloaded_error', message: SHUTTING_DOWN },
    });
    // The Responses API's own error shape: `response.failed`, and then the stream ends.
    expect(await responses).toBeNull();
    expect(responseEvents.at(-1)).toMatchObject({ type: 'response.failed', response: { status: 'failed', error: { message: SHUTTING_DOWN } } });
    // On the wire: the lines so far, then the error line, then a properly ended body.
    const r = await raw;
    expect(r.transportError).toBeUndefined();
    expect(r.lines.length).toBeGreaterThan(1);
    expect(r.lines.at(-1)).toEqual({ error: SHUTTING_DOWN });
    expect(r.lines.some((l) => l.done === true)).toBe(false);

    // The non-streamed request is answered in full after the streams have ended (in a slot
    // one of them freed).
    pending.finish();
    const answer = await pending.answer;
    expect(answer.status, answer.text).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ done: true, eval_count: 8 });

    expect(await exited(server)).toEqual({ code: 0, signal: null });
    expect(server.log()).toContain('msg="server is shutting down" signal=SIGTERM grace=600s');
    expect(server.log()).toContain('msg="server stopped" streams_ended=7 requests_waited=1 requests_cut=0');
    // New connections are refused once it stopped listening.
    await expect(fetch(server.url)).rejects.toThrow();
    expect(snapshot(store)).toEqual(before);
  }, 180_000);

  it('a stream still queued and a request past the grace period answer 503; it exits 0', async () => {
    const server = await serve({ OLLAMA_NUM_PARALLEL: '1', OLLAMA_SHUTDOWN_TIMEOUT: '0' });
    const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    let lines = 0;
    const running = fetch(`${server.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'stories', messages: [{ role: 'user', content: 'Hi' }], options: { num_predict: ENDLESS } }),
    }).then((r) => ndjson(r, () => lines++));
    for (let t = 0; t < 1200 && lines < 2; t++) await new Promise((r) => setTimeout(r, 50));
    // Both wait for the one slot.
    const queuedStream = fetch(`${server.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'stories', prompt: 'Once', options: { num_predict: ENDLESS } }),
    });
    const queuedPlain = openai.chat.completions.create({ model: 'stories', messages: [{ role: 'user', content: 'Hi' }], max_tokens: ENDLESS }).catch((e: unknown) => e);
    await until(server, 'tollama_queue_depth', (n) => n === 2);

    server.proc.kill('SIGTERM');
    expect((await running).lines.at(-1)).toEqual({ error: SHUTTING_DOWN });
    const q = await queuedStream;
    expect(q.status).toBe(503);
    expect(q.headers.get('connection')).toBe('close');
    expect(await q.json()).toEqual({ error: SHUTTING_DOWN });
    const plain = (await queuedPlain) as InstanceType<typeof OpenAI.APIError>;
    expect(plain).toBeInstanceOf(OpenAI.APIError);
    expect(plain.status).toBe(503);
    expect(plain.error).toEqual({ message: SHUTTING_DOWN, type: 'api_error', param: null, code: null });
    expect(await exited(server)).toEqual({ code: 0, signal: null });
    expect(server.log()).toContain('msg="server stopped" streams_ended=2 requests_waited=1 requests_cut=1');
  }, 120_000);

  it('a second signal exits at once', async () => {
    const server = await serve({ OLLAMA_SHUTDOWN_TIMEOUT: '10m' });
    const pending = slowPost(`${server.url}/api/generate`, { model: 'stories', prompt: 'Once', stream: false });
    pending.answer.catch(() => undefined);
    await until(server, 'tollama_requests_in_flight', (n) => n === 2);
    server.proc.kill('SIGTERM');
    for (let t = 0; t < 600 && !server.log().includes('server is shutting down'); t++) await new Promise((r) => setTimeout(r, 50));
    server.proc.kill('SIGTERM');
    expect(await exited(server)).toEqual({ code: 143, signal: null });
    expect(server.log()).toContain('msg="stopping at once" signal=SIGTERM');
  }, 60_000);
});
