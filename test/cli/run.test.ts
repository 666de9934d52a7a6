import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/api/client.js';
import { parseKeepAliveFlag, parseThinkFlag, run } from '../../src/cli/run.js';

interface Req {
  path: string;
  body: any;
}
const requests: Req[] = [];
let models: Record<string, string[]> = {};
let server: http.Server;
let baseUrl = '';

function ndjson(res: http.ServerResponse, lines: unknown[]) {
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
  for (const l of lines) res.write(JSON.stringify(l) + '\n');
  res.end();
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const body = data ? JSON.parse(data) : undefined;
      requests.push({ path: req.url!, body });
      const caps = models[body?.model];
      if (req.url === '/api/show') {
        if (!caps) {
          res.writeHead(404, { 'Content-Type': 'application/json' });
          return res.end(JSON.stringify({ error: `model '${body.model}' not found` }));
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ capabilities: caps }));
      }
      if (req.url === '/api/pull') {
        models[body.model] = ['completion'];
        return ndjson(res, [{ status: 'pulling manifest' }, { status: 'pulling abc', digest: 'sha256:' + 'a'.repeat(64), total: 100, completed: 100 }, { status: 'success' }]);
      }
      if (req.url === '/api/generate' && body.prompt === 'nodone') {
        // A body that ends properly, without the `done` line.
        return ndjson(res, [{ response: 'Hello', done: false }]);
      }
      if (req.url === '/api/generate' && body.prompt === 'cut') {
        // The connection ends before the body does (a killed server).
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
        res.write(JSON.stringify({ response: 'Hello', done: false }) + '\n');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      if (req.url === '/api/generate') {
        const think = caps?.includes('thinking');
        const lines: unknown[] = [];
        if (think) lines.push({ response: '', thinking: 'hmm', done: false });
        lines.push({ response: 'Hello', done: false }, { response: ' world', done: false });
        lines.push({ response: '', done: true, total_duration: 2000000000, eval_count: 10, eval_duration: 1000000000 });
        return ndjson(res, lines);
      }
      if (req.url === '/api/embed') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ model: body.model, embeddings: [[0.1, -0.25, 1e-7]] }));
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function sink(isTTY: boolean) {
  return { data: '', isTTY, columns: 80, write(s: string) { this.data += s; return true; } };
}

async function runWith(args: string[], flags: Record<string, string | boolean>, opts: { stdin?: string | Buffer; tty?: boolean } = {}) {
  requests.length = 0;
  const stdin = Object.assign(Readable.from(opts.stdin !== undefined ? [Buffer.from(opts.stdin)] : []), { isTTY: opts.stdin === undefined });
  const stdout = sink(opts.tty ?? false);
  const stderr = sink(false);
  const code = await run(args, flags, { stdin, stdout, stderr }, new Client({ baseUrl }));
  return { code, stdout: stdout.data, stderr: stderr.data };
}

describe('ollama run (one-shot)', () => {
  beforeAll(() => {
    models = { m: ['completion'], t: ['completion', 'thinking'], e: ['embedding'] };
  });

  it('streams plain text and two newlines when piped', async () => {
    const r = await runWith(['m', 'hi', 'there'], {});
    expect(r).toEqual({ code: 0, stdout: 'Hello world\n\n', stderr: '' });
    expect(requests.at(-1)).toEqual({ path: '/api/generate', body: { model: 'm', prompt: 'hi there', options: {} } });
  });

  it('prepends piped stdin to the prompt', async () => {
    await runWith(['m', 'review this'], {}, { stdin: 'const x = 1;\n' });
    expect(requests.at(-1)!.body.prompt).toBe('const x = 1;\n review this');
  });

  it('same bytes on a TTY (no wrap needed)', async () => {
    const r = await runWith(['m', 'hi'], {}, { tty: true });
    expect(r.stdout).toBe('Hello world\n\n');
  });

  it('--verbose prints the stats block on stderr', async () => {
    const r = await runWith(['m', 'hi'], { verbose: true });
    expect(r.stdout).toBe('Hello world\n\n');
    expect(r.stderr).toBe('total duration:       2s\neval count:           10 token(s)\neval duration:        1s\neval rate:            10.00 tokens/s\n');
  });

  it('sends format, keep_alive and think', async () => {
    await runWith(['t', 'hi'], { format: 'json', keepalive: '10m', think: 'high' });
    expect(requests.at(-1)!.body).toEqual({ model: 't', prompt: 'hi', format: 'json', think: 'high', keep_alive: '10m0s', options: {} });
  });

  it('thinking models: plain thinking block when piped, hidden with --hidethinking', async () => {
    expect((await runWith(['t', 'hi'], {})).stdout).toBe('Thinking...\nhmm\n...done thinking.\n\nHello world\n\n');
    expect(requests.at(-1)!.body.think).toBe(true);
    expect((await runWith(['t', 'hi'], { hidethinking: true })).stdout).toBe('Hello world\n\n');
  });

  it('--think on a model that cannot think', async () => {
    await expect(runWith(['m', 'hi'], { think: 'true' })).rejects.toThrow('"m" does not support thinking');
  });

  it('a stream that ends without its `done` line is an error (exit 1 by the CLI)', async () => {
    await expect(runWith(['m', 'nodone'], {})).rejects.toThrow(/^the server closed the stream before the answer finished$/);
    await expect(runWith(['m', 'cut'], {})).rejects.toThrow(/^unexpected EOF: the server closed the stream before the answer finished$/);
  });

  it('bad flags give Ollama texts', () => {
    expect(() => parseThinkFlag('x')).toThrow('invalid value for --think: "x" (must be true, false, high, medium, low, or max)');
    expect(() => parseKeepAliveFlag('-1')).toThrow('time: missing unit in duration "-1"');
    expect(parseKeepAliveFlag('-1s')).toBe(-1);
  });

  it('embedding models print the vector', async () => {
    const r = await runWith(['e', 'some text'], { dimensions: '3' });
    expect(r.stdout).toBe('[0.1,-0.25,1e-7]\n');
    expect(requests.at(-1)!.body).toEqual({ model: 'e', input: 'some text', dimensions: 3 });
    await expect(runWith(['e'], {}, { stdin: '' })).rejects.toThrow('embedding models require input text. Usage: ollama run e "your text here"');
  });

  it('binary stdin is refused', async () => {
    await expect(runWith(['m', 'x'], {}, { stdin: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1]) })).rejects.toThrow(/binary/);
  });

  it('pulls a missing model first', async () => {
    const r = await runWith(['newone', 'hi'], {});
    expect(requests.map((q) => q.path)).toEqual(['/api/show', '/api/pull', '/api/show', '/api/generate']);
    expect(r.stderr).toBe(`pulling manifest\npulling ${'a'.repeat(12)}: 100% 100 B\nsuccess\n`);
    expect(r.stdout).toBe('Hello world\n\n');
  });
});
