/**
 * A token stream reaches the client as it is produced, through the production streaming path
 * (routes/inference.ts `respond` → NdjsonWriter → WriteCoalescer) on a real loopback socket.
 *
 * The generator is deliberately slow in the way that defeats a write deferred to a later turn of
 * the event loop: between tokens it blocks the server's main thread (Atomics.wait, as a model
 * computing on that thread would). The client runs in a worker thread, so it keeps reading while
 * the server is blocked, and reports each line it has received through shared memory. The
 * generator waits for that report (up to a generous limit) before producing its last token:
 * the test checks the order of events, never how long anything took.
 */
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerateResponse } from '../../src/api/types.js';
import { TOKEN_STREAM_COALESCE_MS } from '../../src/server/coalesce.js';
import { createHttpServer, Router } from '../../src/server/http.js';
import { respond } from '../../src/server/routes/inference.js';

/** How long the generator waits for the client before giving up (only reached on failure). */
const PATIENCE_MS = 5000;

// The client: one request, then every read appended to `reads`; shared[0] = NDJSON lines seen.
const CLIENT = `
const { workerData, parentPort } = require('node:worker_threads');
const net = require('node:net');
const shared = new Int32Array(workerData.sab);
const reads = [];
let all = '';
const s = net.connect(workerData.port, '127.0.0.1');
s.on('data', (d) => {
  reads.push(String(d));
  all += d;
  Atomics.store(shared, 0, all.split('}\\n').length - 1);
  Atomics.notify(shared, 0);
});
s.on('end', () => parentPort.postMessage(reads));
s.write('POST /stream HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n');
`;

describe('a token stream is written as it is produced, even while the main thread is busy', () => {
  const router = new Router();
  const server = createHttpServer(router);
  let port = 0;
  let source: () => AsyncGenerator<GenerateResponse>;
  router.post('/stream', (ctx) => respond(ctx, true, source(), async () => ({}) as GenerateResponse, 'GenerateResponse'));

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  const line = (response: string, done = false): GenerateResponse => ({ model: 'm', created_at: '2026-01-01T00:00:00Z', response, done });

  /** Runs the client against `gen(linesSeen)`; returns its reads once the response has ended. */
  async function stream(gen: (waitLines: (n: number) => number, sleep: (ms: number) => void) => AsyncGenerator<GenerateResponse>): Promise<string[]> {
    const sab = new SharedArrayBuffer(8);
    const shared = new Int32Array(sab);
    // blocks the main thread until the client has seen n lines (or PATIENCE_MS); returns the count
    const waitLines = (n: number): number => {
      const end = Date.now() + PATIENCE_MS;
      for (let seen = Atomics.load(shared, 0); seen < n && Date.now() < end; seen = Atomics.load(shared, 0)) {
        Atomics.wait(shared, 0, seen, end - Date.now());
      }
      return Atomics.load(shared, 0);
    };
    // blocks the main thread (shared[1] never changes)
    const sleep = (ms: number): void => void Atomics.wait(shared, 1, 0, ms);
    source = () => gen(waitLines, sleep);
    const worker = new Worker(CLIENT, { eval: true, workerData: { port, sab } });
    try {
      return await new Promise<string[]>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    } finally {
      await worker.terminate();
    }
  }

  it('the first line, with the status line, reaches the client before the last token is produced', async () => {
    let seenBeforeLast = -1;
    const reads = await stream(async function* (waitLines) {
      yield line('Once');
      seenBeforeLast = waitLines(1); // the model computes the next token on this thread
      yield line(' upon');
      yield line('', true);
    });
    expect(seenBeforeLast).toBe(1);
    expect(reads[0]).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(reads[0]).toContain('"response":"Once"');
    expect(reads.join('')).toContain('"done":true');
  });

  it('a line held by the coalescing window is not held until the end', async () => {
    let seenBeforeLast = -1;
    await stream(async function* (waitLines, sleep) {
      yield line('a'); // written at once
      yield line('b'); // inside the window: held
      sleep(3 * TOKEN_STREAM_COALESCE_MS); // a slow token, the event loop blocked all along
      yield line('c');
      seenBeforeLast = waitLines(2);
      yield line('', true);
    });
    expect(seenBeforeLast).toBeGreaterThanOrEqual(2);
  });

  it('a fast stream on a free event loop still shares chunks (the window is kept)', async () => {
    const reads = await stream(async function* () {
      for (let i = 0; i < 200; i++) yield line(String(i));
      yield line('', true);
    });
    expect(reads.join('').split('}\n').length - 1).toBe(201);
    expect(reads.length).toBeLessThan(201);
  });
});
