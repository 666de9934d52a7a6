/**
 * A streamed answer whose connection ends before the body does (a server, or a replica behind a
 * load balancer, killed mid-stream) is `unexpected EOF`, as Ollama's Go client reports it; the
 * lines that did arrive are yielded first.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/api/client.js';

describe('Client.stream', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"response":"Once","done":false}\n');
      if (req.url === '/cut') setTimeout(() => res.socket?.destroy(), 50);
      else res.end('{"response":"","done":true}\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('yields every line of a complete stream', async () => {
    const got: unknown[] = [];
    for await (const o of new Client({ baseUrl: base }).stream('/ok', {})) got.push(o);
    expect(got).toEqual([{ response: 'Once', done: false }, { response: '', done: true }]);
  });

  it('a stream cut before its end: the lines so far, then `unexpected EOF`', async () => {
    const got: unknown[] = [];
    const err = await (async () => {
      for await (const o of new Client({ baseUrl: base }).stream('/cut', {})) got.push(o);
    })().then(
      () => null,
      (e: unknown) => e,
    );
    expect(got).toEqual([{ response: 'Once', done: false }]);
    expect((err as Error).message).toBe('unexpected EOF');
  });
});
