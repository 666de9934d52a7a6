/**
 * deploy/nginx/tollama.conf for real (#19): nginx in front of two `ollama serve` replicas on
 * loopback ports sharing one store read-only. Model affinity by X-Ollama-Model (the CLI sends
 * it), a client disconnect stops the generation on its replica, and 50 concurrent mixed requests
 * with one replica stopped mid-run: every non-streamed request is answered; a stream on a replica
 * stopped with SIGTERM ends with its `{"error":"server is shutting down"}` line, one on a replica
 * killed with SIGKILL without its `done` line and with a transport error; the store is untouched.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addModel, haveStories, repoRoot, STORIES } from '../helpers/models.js';
import { nginxBinary, NGINX_SKIP, startNginx, type RunningNginx } from '../helpers/nginx.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { snapshot } from '../helpers/snapshot.js';

const execFileP = promisify(execFile);
const haveNginx = nginxBinary() !== null;
if (!haveNginx) console.warn(NGINX_SKIP);
if (!haveStories) console.warn(`skipping the nginx test: ${STORIES} is absent`);

interface Outcome {
  i: number;
  stream: boolean;
  status: number;
  upstream: string;
  lines: Array<Record<string, unknown>>;
  /** The transport error the client saw, if the body did not end cleanly. */
  error?: string;
}

function generate(base: string, model: string, opts: { header: boolean; stream: boolean; numPredict: number; signal?: AbortSignal }) {
  return fetch(`${base}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(opts.header ? { 'X-Ollama-Model': model } : {}) },
    body: JSON.stringify({ model, prompt: 'Once upon a time', stream: opts.stream, options: { num_predict: opts.numPredict, seed: 7 } }),
    signal: opts.signal,
  });
}

async function collect(i: number, stream: boolean, res: Promise<Response>, onChunk?: (o: Outcome, text: string) => void): Promise<Outcome> {
  const r = await res;
  const out: Outcome = { i, stream, status: r.status, upstream: r.headers.get('x-tollama-upstream') ?? '', lines: [] };
  let text = '';
  try {
    const reader = r.body!.getReader();
    const dec = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += dec.decode(value, { stream: true });
      onChunk?.(out, text);
    }
  } catch (e) {
    out.error = `${(e as Error).name}: ${(e as Error).message}${(e as { cause?: Error }).cause ? ` (${(e as { cause: Error }).cause.message})` : ''}`;
  }
  for (const l of text.split('\n')) {
    if (!l.trim()) continue;
    try {
      out.lines.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      out.lines.push({ unparsable: l });
    }
  }
  return out;
}

async function metric(server: TestServer, series: string): Promise<number> {
  const text = await fetch(`${server.url}/metrics`).then((r) => r.text());
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return Number(line?.slice(series.length + 1) ?? NaN);
}

/** Polls a replica until only the polling request is in flight; returns the last figure. */
async function settle(replica: TestServer): Promise<number> {
  let inFlight = await metric(replica, 'tollama_requests_in_flight');
  for (let t = 0; t < 200 && inFlight !== 1; t++) {
    await new Promise((r) => setTimeout(r, 100));
    inFlight = await metric(replica, 'tollama_requests_in_flight');
  }
  return inFlight;
}

describe.skipIf(!haveNginx || !haveStories)('nginx in front of two read-only replicas on one store', () => {
  let store: string;
  let before: string[];
  const replicas: TestServer[] = [];
  let nginx: RunningNginx;
  const byAddr = (addr: string) => replicas.find((r) => addr.trim().endsWith(r.host))!;
  /** The replica each model is routed to (learnt by the first test). */
  const home = new Map<string, string>();

  beforeAll(async () => {
    store = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-shared-'));
    await addModel(store, 'stories', STORIES);
    await addModel(store, 'stories2', STORIES);
    before = snapshot(store);
    for (let i = 0; i < 2; i++) {
      replicas.push(await startServer({ models: store, env: { OLLAMA_READONLY: '1', OLLAMA_METRICS: '1', OLLAMA_NUM_PARALLEL: '1' } }));
    }
    nginx = await startNginx(replicas.map((r) => r.host));
  }, 120_000);
  afterAll(async () => {
    await nginx?.stop();
    for (const r of replicas) await r.stop();
    if (store) fs.rmSync(store, { recursive: true, force: true });
  });

  it('sends one model to one replica; the CLI sets X-Ollama-Model; Host is rewritten to loopback', async () => {
    for (const model of ['stories', 'stories2']) {
      const seen = new Set<string>();
      for (let k = 0; k < 3; k++) {
        const o = await collect(k, false, generate(nginx.url, model, { header: true, stream: false, numPredict: 4 }));
        expect(o.status, JSON.stringify(o.lines)).toBe(200);
        seen.add(o.upstream);
      }
      expect(seen.size, `${model}: ${[...seen].join(' | ')}`).toBe(1);
      expect(replicas.map((r) => r.host)).toContain([...seen][0]);
      home.set(model, [...seen][0]!);
    }
    // The CLI through nginx (any Host the client used is replaced by `localhost`).
    const r = await execFileP(process.execPath, [path.join(repoRoot, 'bin', 'ollama'), 'show', 'stories2'], {
      env: { ...process.env, OLLAMA_HOST: `127.0.0.1:${nginx.port}`, OLLAMA_NOAUTOSTART: '1' },
    });
    expect(r.stdout).toContain('Model');
    await new Promise((res) => setTimeout(res, 200)); // the access log line is written after the answer
    expect(nginx.accessLog().some((l) => l.startsWith('POST /api/show model=stories2 upstream=127.0.0.1:') && l.endsWith('status=200'))).toBe(true);
  });

  it('SSE (OpenAI streaming) passes through event by event', async () => {
    const res = await fetch(`${nginx.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Ollama-Model': 'stories' },
      body: JSON.stringify({ model: 'stories', stream: true, max_tokens: 1_000_000, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let got = '';
    // Three events of an endless answer arrive while it is being generated: nothing is buffered.
    while ((got.match(/^data: \{/gm) ?? []).length < 3) got += new TextDecoder().decode((await reader.read()).value);
    expect(got).not.toContain('[DONE]');
    await reader.cancel();
    expect(await settle(byAddr(res.headers.get('x-tollama-upstream')!))).toBe(1); // and it stopped there
  });

  it('a client that goes away stops the generation on its replica', async () => {
    const ac = new AbortController();
    const res = await generate(nginx.url, 'stories', { header: true, stream: true, numPredict: 1_000_000, signal: ac.signal });
    expect(res.status).toBe(200);
    const replica = byAddr(res.headers.get('x-tollama-upstream')!);
    const reader = res.body!.getReader();
    let got = '';
    while (got.split('\n').length < 4) got += new TextDecoder().decode((await reader.read()).value);
    expect(JSON.parse(got.split('\n')[0]!).done).toBe(false); // lines arrive while it generates: not buffered
    expect(await metric(replica, 'tollama_requests_in_flight')).toBe(2); // the stream and this request
    ac.abort();
    expect(await settle(replica)).toBe(1);
    // OLLAMA_NUM_PARALLEL=1: had the endless generation gone on, this would wait behind it forever.
    const o = await collect(0, false, generate(nginx.url, 'stories', { header: true, stream: false, numPredict: 4 }));
    expect(o.status).toBe(200);
    expect(o.lines[0]!.done).toBe(true);
  }, 60_000);
});

/**
 * 50 concurrent mixed requests (half streamed) through nginx to two fresh read-only replicas on
 * one store; the replica that serves `stories` is stopped with `signal` while it streams an
 * answer, with requests still running and queued on it.
 */
async function killMidRun(signal: 'SIGTERM' | 'SIGKILL') {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-shared-'));
  const replicas: TestServer[] = [];
  let nginx: RunningNginx | undefined;
  try {
    await addModel(store, 'stories', STORIES);
    await addModel(store, 'stories2', STORIES);
    const before = snapshot(store);
    for (let i = 0; i < 2; i++) replicas.push(await startServer({ models: store, env: { OLLAMA_READONLY: '1', OLLAMA_NUM_PARALLEL: '1' } }));
    nginx = await startNginx(replicas.map((r) => r.host));
    // The victim is the replica `stories` lives on: a third of the requests go there by affinity.
    const first = await collect(0, false, generate(nginx.url, 'stories', { header: true, stream: false, numPredict: 1 }));
    const victim = replicas.find((r) => first.upstream.trim().endsWith(r.host))!;
    const outcomes: Array<Promise<Outcome>> = [];
    let finished = 0;
    let servedByVictim = 0;
    let killedAt = -1;
    const exited = new Promise<number | null>((r) => victim.proc.once('exit', (code) => r(code)));
    // Request 0 (`stories` with the header: the victim's) streams a long answer; the victim is
    // stopped while it does, once other requests have finished, with more running and queued.
    const watch = (o: Outcome, text: string) => {
      if (o.i !== 0 || o.upstream !== victim.host || killedAt >= 0) return;
      const lines = text.split('\n').length;
      if (lines > 3 && (finished >= 3 || lines > 500)) {
        killedAt = finished;
        victim.proc.kill(signal);
      }
    };
    for (let i = 0; i < 50; i++) {
      const model = i % 3 === 1 ? 'stories2' : 'stories';
      const stream = i % 2 === 0;
      const numPredict = i === 0 ? 2000 : stream ? 48 : 16;
      const p = collect(i, stream, generate(nginx.url, model, { header: i % 3 !== 2, stream, numPredict }), watch);
      outcomes.push(
        p.then((o) => {
          finished++;
          if (o.upstream === victim.host) servedByVictim++;
          return o;
        }),
      );
    }
    const all = await Promise.all(outcomes);
    expect(killedAt, 'the victim streamed no answer').toBeGreaterThanOrEqual(0);

    const nonStreamed = all.filter((o) => !o.stream);
    for (const o of nonStreamed) {
      expect(o.status, `#${o.i} ${o.upstream} ${JSON.stringify(o.lines)}`).toBe(200);
      expect(o.error, `#${o.i}`).toBeUndefined();
      expect(o.lines.at(-1)!.done, `#${o.i}`).toBe(true);
    }
    const streams = all.filter((o) => o.stream);
    const complete = streams.filter((o) => o.lines.at(-1)?.done === true && !o.error);
    const cut = streams.filter((o) => !(o.lines.at(-1)?.done === true && !o.error));
    console.log(
      `nginx test (${signal}): stopped while streaming after ${killedAt} of 50 finished; ` +
        `the victim answered ${servedByVictim} in full; ` +
        `${nonStreamed.length} non-streamed all answered (${nonStreamed.filter((o) => o.upstream.includes(',')).length} retried on the other replica); ` +
        `${complete.length} streams complete (${streams.filter((o) => o.upstream.includes(',')).length} retried), ${cut.length} cut` +
        (cut.length ? ` (client saw: ${cut[0]!.lines.length} lines, the last ${JSON.stringify(cut[0]!.lines.at(-1))}, then ${cut[0]!.error ?? 'a proper end'})` : ''),
    );
    for (const o of streams) expect(o.status, `#${o.i}`).toBe(200);
    // A stream that did not complete was being answered by the stopped replica, and has no `done` line.
    for (const o of cut) {
      expect(o.upstream.split(',').at(-1)!.trim(), `#${o.i}`).toBe(victim.host);
      expect(o.lines.some((l) => l.done === true)).toBe(false);
      if (signal === 'SIGTERM') {
        // It ends with the replica's error line, and the chunked body ends properly.
        expect(o.lines.at(-1), `#${o.i}`).toEqual({ error: 'server is shutting down' });
        expect(o.error, `#${o.i}`).toBeUndefined();
      } else {
        // The replica that could have written an error line is gone: nginx closes the client
        // connection without the last chunk, and the client's read fails.
        expect(o.error).toMatch(/terminated|other side closed|socket/i);
      }
    }
    expect(cut.map((o) => o.i)).toContain(0); // it was stopped while streaming request 0
    if (signal === 'SIGTERM') expect(await exited).toBe(0);
    expect(complete.length + cut.length).toBe(25);
    // Nothing was written to the shared store by either replica.
    expect(snapshot(store)).toEqual(before);
  } finally {
    await nginx?.stop();
    for (const r of replicas) await r.stop();
    fs.rmSync(store, { recursive: true, force: true });
  }
}

describe.skipIf(!haveNginx || !haveStories)('nginx, 50 concurrent mixed requests, one replica stopped mid-run', () => {
  it('SIGTERM (kill, systemd, docker stop): every non-streamed request answered, its streams end with an error line', () => killMidRun('SIGTERM'), 240_000);
  it('SIGKILL: every non-streamed request answered (retried), its streams cut', () => killMidRun('SIGKILL'), 240_000);
});
