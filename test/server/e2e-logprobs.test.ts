/**
 * logprobs / top_logprobs through a real `ollama serve` on stories260K, on /api/generate,
 * /api/chat, /v1/chat/completions and /v1/completions, checked against a reference log-softmax
 * computed in this process from the same model's raw logits (node-llama-cpp's prebuilt binary,
 * controlledEvaluate at temperature 0, which returns every token's raw logit). Also: nothing is
 * returned unless asked, out-of-range top_logprobs get Ollama's 400, and a server on the prebuilt
 * binary answers a logprobs request with a clear error while plain requests keep working.
 */
import fs from 'node:fs';
import { getLlama, type LlamaModel, type Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { addModel, haveStories, repoRoot, STORIES } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { patchedAddonPath } from '../../src/runtime/native.js';

/** The installed patched addon carries the logprobs patch (test/global-setup.ts builds it when it can). */
const patchedWithLogprobs = (() => {
  try {
    return fs.readFileSync(patchedAddonPath(path.join(repoRoot, 'node_modules', 'node-llama-cpp'))).includes(Buffer.from('setRawLogprobs'));
  } catch {
    return false;
  }
})();
if (haveStories && !patchedWithLogprobs) console.warn('skipping the patched-addon part of e2e-logprobs: no patched addon with nlc-logprobs.patch (run npm run build:native)');

interface TokenLogprob { token: string; logprob: number; bytes?: number[] }
interface Logprob extends TokenLogprob { top_logprobs?: TokenLogprob[] }

const PROMPT = 'Once upon a time';
const N = 10;
const TOL = 1e-4;

async function post(server: TestServer, route: string, body: unknown): Promise<{ status: number; json: any; text: string }> {
  const r = await fetch(server.url + route, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, json, text };
}

/** NDJSON stream → its objects. */
async function ndjson(server: TestServer, route: string, body: unknown): Promise<any[]> {
  const r = await post(server, route, body);
  expect(r.status).toBe(200);
  return r.text.trim().split('\n').map((l) => JSON.parse(l));
}

/** SSE stream → its data objects (without [DONE]). */
async function sse(server: TestServer, route: string, body: unknown): Promise<any[]> {
  const r = await post(server, route, body);
  expect(r.status).toBe(200);
  return r.text.split('\n').filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]').map((l) => JSON.parse(l.slice(6)));
}

/**
 * The reference: greedy decoding of `prompt` for `n` tokens in this process, each position's
 * log-softmax computed here from its raw logits. Returns the tokens and one row per position.
 */
async function referenceLogprobs(model: LlamaModel, prompt: number[], n: number): Promise<{ tokens: number[]; rows: Map<number, number>[] }> {
  const ctx = await model.createContext({ contextSize: 256, threads: 1 });
  try {
    const seq = ctx.getSequence();
    const next = { generateNext: { logits: true, token: true, options: { temperature: 0 } } };
    const tokens = [...prompt];
    const rows: Map<number, number>[] = [];
    let input: unknown[] = prompt.map((t, i) => (i === prompt.length - 1 ? [t, next] : t));
    for (let k = 0; k < n; k++) {
      const out = await seq.controlledEvaluate(input as never);
      const logits = out[input.length - 1]!.next!.logits!;
      let max = -Infinity;
      let best = -1;
      for (const [t, v] of logits) if (v > max) [max, best] = [v, t as number];
      let sum = 0;
      for (const v of logits.values()) sum += Math.exp(v - max);
      const norm = max + Math.log(sum);
      const row = new Map<number, number>();
      for (const [t, v] of logits) row.set(t as number, v - norm);
      rows.push(row);
      tokens.push(best);
      input = [[best, next]];
    }
    return { tokens, rows };
  } finally {
    await ctx.dispose();
  }
}

function utf8(s: string): number[] | undefined {
  return s === '' ? undefined : Array.from(Buffer.from(s, 'utf8'));
}

/** The shape rules of one entry, whatever the endpoint. */
function checkEntry(e: Logprob, top: number): void {
  expect(Object.keys(e)).toEqual(['token', 'logprob', ...(e.bytes ? ['bytes'] : []), ...(top > 0 ? ['top_logprobs'] : [])]);
  expect(e.bytes).toEqual(utf8(e.token));
  expect(e.logprob).toBeLessThanOrEqual(0);
  if (top === 0) return;
  const t = e.top_logprobs!;
  expect(t).toHaveLength(top);
  for (let i = 1; i < t.length; i++) expect(t[i]!.logprob).toBeLessThanOrEqual(t[i - 1]!.logprob);
  for (const x of t) expect(x.bytes).toEqual(utf8(x.token));
  // greedy: the chosen token is the most likely one
  expect(t[0]!.token).toBe(e.token);
  expect(t[0]!.logprob).toBe(e.logprob);
  expect(t.reduce((s, x) => s + Math.exp(x.logprob), 0)).toBeLessThanOrEqual(1 + 1e-6);
}

const opts = { temperature: 0, num_predict: N };

describe.skipIf(!haveStories || !patchedWithLogprobs)('logprobs through a real server (patched addon)', () => {
  let server: TestServer;
  let model: LlamaModel;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    server = await startServer();
    await addModel(server.models, 'stories', STORIES);
    const llama = await getLlama({ gpu: false, build: 'never' });
    model = await llama.loadModel({ modelPath: STORIES });
    dispose = async () => {
      await model.dispose();
      await llama.dispose();
    };
  });
  afterAll(async () => {
    await server?.stop();
    await dispose?.();
  });

  it('the server loaded the patched addon (else this file tests nothing)', async () => {
    await post(server, '/api/generate', { model: 'stories', prompt: 'a', raw: true, options: { num_predict: 1 } });
    expect(server.log()).toMatch(/binary=patched/);
  });

  it('/api/generate: each token\'s logprob and top 5 equal the reference log-softmax of the raw logits', async () => {
    const r = await post(server, '/api/generate', { model: 'stories', prompt: PROMPT, raw: true, stream: false, options: opts, logprobs: true, top_logprobs: 5 });
    expect(r.status).toBe(200);
    const lps = r.json.logprobs as Logprob[];
    expect(r.json.eval_count).toBe(N);
    expect(lps).toHaveLength(N);
    expect(lps.map((e) => e.token).join('')).toBe(r.json.response);
    for (const e of lps) checkEntry(e, 5);

    const bos = model.tokens.shouldPrependBosToken && model.tokens.bos != null ? [model.tokens.bos as number] : [];
    const prompt = [...bos, ...(model.tokenize(PROMPT, true) as number[])];
    const { tokens, rows } = await referenceLogprobs(model, prompt, N);
    const promptLen = prompt.length;
    expect(model.detokenize(tokens.slice(promptLen) as Token[])).toBe(r.json.response);
    for (let i = 0; i < N; i++) {
      const row = rows[i]!;
      const chosen = tokens[promptLen + i]!;
      // the reference: exp sums to 1 over the whole vocabulary, and greedy picked its maximum
      expect([...row.values()].reduce((s, v) => s + Math.exp(v), 0)).toBeCloseTo(1, 6);
      expect(Math.max(...row.values())).toBe(row.get(chosen));
      expect(Math.abs(lps[i]!.logprob - row.get(chosen)!)).toBeLessThan(TOL);
      expect(lps[i]!.token).toBe(model.detokenize([chosen as Token], false, tokens.slice(0, promptLen + i) as Token[]));
      const refTop = [...row.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
      const got = lps[i]!.top_logprobs!;
      for (let k = 0; k < 5; k++) {
        expect(Math.abs(got[k]!.logprob - refTop[k]![1])).toBeLessThan(TOL);
        expect(got[k]!.token).toBe(model.detokenize([refTop[k]![0] as Token], false, tokens.slice(0, promptLen + i) as Token[]));
      }
    }
  });

  it('/api/generate streamed: the chunks carry the same entries, top_logprobs 0 gives none', async () => {
    const whole = await post(server, '/api/generate', { model: 'stories', prompt: PROMPT, raw: true, stream: false, options: opts, logprobs: true });
    const chunks = await ndjson(server, '/api/generate', { model: 'stories', prompt: PROMPT, raw: true, options: opts, logprobs: true });
    const streamed = chunks.flatMap((c) => c.logprobs ?? []);
    expect(streamed).toEqual(whole.json.logprobs);
    expect(streamed).toHaveLength(N);
    for (const e of streamed) checkEntry(e, 0);
    // each chunk's entries spell its text
    for (const c of chunks.filter((x) => !x.done)) expect((c.logprobs ?? []).map((e: Logprob) => e.token).join('')).toBe(c.response);
  });

  it('/api/chat (streamed and not) equals /api/generate on the same rendered prompt', async () => {
    const messages = [{ role: 'user', content: PROMPT }];
    const dbg = await post(server, '/api/chat', { model: 'stories', messages, stream: false, _debug_render_only: true });
    const rendered = dbg.json._debug_info.rendered_template as string;
    const gen = await post(server, '/api/generate', { model: 'stories', prompt: rendered, raw: true, stream: false, options: opts, logprobs: true, top_logprobs: 3 });
    const chat = await post(server, '/api/chat', { model: 'stories', messages, stream: false, options: opts, logprobs: true, top_logprobs: 3 });
    expect(chat.status).toBe(200);
    expect(chat.json.logprobs).toEqual(gen.json.logprobs);
    expect(chat.json.logprobs.map((e: Logprob) => e.token).join('')).toBe(chat.json.message.content);
    for (const e of chat.json.logprobs) checkEntry(e, 3);
    const chunks = await ndjson(server, '/api/chat', { model: 'stories', messages, options: opts, logprobs: true, top_logprobs: 3 });
    expect(chunks.flatMap((c) => c.logprobs ?? [])).toEqual(chat.json.logprobs);
  });

  it('/v1/chat/completions: choices[0].logprobs.content, streamed and not', async () => {
    const messages = [{ role: 'user', content: PROMPT }];
    const native = await post(server, '/api/chat', { model: 'stories', messages, stream: false, options: opts, logprobs: true, top_logprobs: 2 });
    const body = { model: 'stories', messages, temperature: 0, max_tokens: N, logprobs: true, top_logprobs: 2 };
    const r = await post(server, '/v1/chat/completions', body);
    expect(r.status).toBe(200);
    const choice = r.json.choices[0];
    expect(Object.keys(choice)).toEqual(['index', 'message', 'finish_reason', 'logprobs']);
    expect(choice.logprobs).toEqual({ content: native.json.logprobs });
    const chunks = await sse(server, '/v1/chat/completions', { ...body, stream: true });
    const streamed = chunks.flatMap((c) => c.choices[0]?.logprobs?.content ?? []);
    expect(streamed).toEqual(native.json.logprobs);
    // without logprobs: no field at all
    const plain = await post(server, '/v1/chat/completions', { model: 'stories', messages, temperature: 0, max_tokens: 3 });
    expect(plain.json.choices[0]).not.toHaveProperty('logprobs');
  });

  it('/v1/completions: logprobs (an int) asks for that many alternatives', async () => {
    const gen = await post(server, '/api/generate', { model: 'stories', prompt: PROMPT, stream: false, options: { ...opts, temperature: 0 }, logprobs: true, top_logprobs: 4 });
    const r = await post(server, '/v1/completions', { model: 'stories', prompt: PROMPT, temperature: 0, max_tokens: N, logprobs: 4 });
    expect(r.status).toBe(200);
    expect(r.json.choices[0].logprobs).toEqual({ content: gen.json.logprobs });
    for (const e of r.json.choices[0].logprobs.content) checkEntry(e, 4);
    const chunks = await sse(server, '/v1/completions', { model: 'stories', prompt: PROMPT, temperature: 0, max_tokens: N, logprobs: 4, stream: true });
    expect(chunks.flatMap((c) => c.choices[0]?.logprobs?.content ?? [])).toEqual(gen.json.logprobs);
  });

  it('a stop sequence: the token that completes it has no entry, the ones before keep theirs', async () => {
    const full = await post(server, '/api/generate', { model: 'stories', prompt: PROMPT, raw: true, stream: false, options: opts, logprobs: true });
    const tokens = (full.json.logprobs as Logprob[]).map((x) => x.token);
    const k = tokens.findIndex((t, i) => i >= 3 && t.trim().length >= 3);
    expect(k).toBeGreaterThan(0);
    const stop = tokens[k]!.trim();
    for (const stream of [false, true]) {
      const body = { model: 'stories', prompt: PROMPT, raw: true, stream, options: { ...opts, stop: [stop] }, logprobs: true };
      const got = stream
        ? (await ndjson(server, '/api/generate', body)).flatMap((c) => c.logprobs ?? [])
        : (await post(server, '/api/generate', body)).json.logprobs;
      expect(got).toEqual(full.json.logprobs.slice(0, k));
    }
  });

  it('with a grammar (format: "json") too: one entry per token, spelling the response', async () => {
    const r = await post(server, '/api/generate', { model: 'stories', prompt: PROMPT, raw: true, stream: false, format: 'json', options: { temperature: 0, num_predict: 8 }, logprobs: true, top_logprobs: 1 });
    expect(r.status).toBe(200);
    expect(r.json.logprobs).toHaveLength(r.json.eval_count);
    expect(r.json.logprobs.map((e: Logprob) => e.token).join('')).toBe(r.json.response);
    for (const e of r.json.logprobs as Logprob[]) {
      expect(e.top_logprobs).toHaveLength(1);
      // the grammar picks among allowed tokens; the raw distribution's best may be another one
      expect(e.logprob).toBeLessThanOrEqual(e.top_logprobs![0]!.logprob);
    }
  });

  it('nothing is returned unless asked (top_logprobs alone asks for nothing)', async () => {
    const g = await post(server, '/api/generate', { model: 'stories', prompt: PROMPT, raw: true, stream: false, options: opts, top_logprobs: 5 });
    expect(g.json).not.toHaveProperty('logprobs');
    const chunks = await ndjson(server, '/api/chat', { model: 'stories', messages: [{ role: 'user', content: PROMPT }], options: opts });
    for (const c of chunks) expect(c).not.toHaveProperty('logprobs');
  });

  it('top_logprobs out of 0..20 is a 400 with Ollama\'s message on every endpoint', async () => {
    const msg = 'top_logprobs must be between 0 and 20';
    for (const top of [21, -1]) {
      const g = await post(server, '/api/generate', { model: 'stories', prompt: PROMPT, logprobs: true, top_logprobs: top });
      expect([g.status, g.json]).toEqual([400, { error: msg }]);
      const c = await post(server, '/api/chat', { model: 'stories', messages: [{ role: 'user', content: 'x' }], logprobs: true, top_logprobs: top });
      expect([c.status, c.json]).toEqual([400, { error: msg }]);
      const o = await post(server, '/v1/chat/completions', { model: 'stories', messages: [{ role: 'user', content: 'x' }], logprobs: true, top_logprobs: top });
      expect(o.status).toBe(400);
      expect(o.json.error.message).toBe(msg);
    }
    const v = await post(server, '/v1/completions', { model: 'stories', prompt: 'x', logprobs: 21 });
    expect(v.status).toBe(400);
    expect(v.json.error.message).toBe(msg);
    // the server keeps serving
    const ok = await post(server, '/api/generate', { model: 'stories', prompt: PROMPT, raw: true, stream: false, options: { num_predict: 2 }, logprobs: true });
    expect(ok.json.logprobs).toHaveLength(2);
  });
});

describe.skipIf(!haveStories)('logprobs on the prebuilt binary (TOLLAMA_NO_THREADPOOL=1)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { TOLLAMA_NO_THREADPOOL: '1' } });
    await addModel(server.models, 'stories', STORIES);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('a logprobs request fails clearly; plain requests keep working', async () => {
    const bad = await post(server, '/api/generate', { model: 'stories', prompt: PROMPT, stream: false, logprobs: true });
    expect(bad.status).toBe(501);
    expect(bad.json.error).toMatch(/logprobs need Tollama's patched llama\.cpp addon.*npm run build:native/);
    const chat = await post(server, '/v1/chat/completions', { model: 'stories', messages: [{ role: 'user', content: 'x' }], logprobs: true });
    expect(chat.status).toBe(501);
    const ok = await post(server, '/api/generate', { model: 'stories', prompt: PROMPT, stream: false, options: { num_predict: 3 } });
    expect(ok.status).toBe(200);
    expect(ok.json).not.toHaveProperty('logprobs');
    expect(ok.json.eval_count).toBe(3);
  });
});
