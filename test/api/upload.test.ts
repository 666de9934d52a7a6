/**
 * Client.upload against servers that refuse an upload before reading it: the answer is heard
 * even when the server then resets the connection (fetch loses it to the write error), the
 * upload stops once the refusal is in, and a server that is not there is a ConnectionError.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, ConnectionError, StatusError } from '../../src/api/client.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function listen(handler: http.RequestListener): Promise<string> {
  const s = http.createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

/** 32 MiB in 64 KiB chunks. */
function bigBody(): { body: Readable } {
  let n = 0;
  const chunk = Buffer.alloc(64 << 10);
  const body = new Readable({
    read() {
      if (n >= 512) return void this.push(null);
      n++;
      this.push(chunk);
    },
  });
  return { body };
}

describe('Client.upload', () => {
  it.each([
    ['then resets the connection (closes with unread bytes)', (req: http.IncomingMessage) => req.socket.destroy()],
    ['then reads and discards the rest', (req: http.IncomingMessage) => req.resume()],
  ])('hears a 400 sent before the body is read, when the server %s, and stops sending; 20 times out of 20', async (_, after) => {
    const url = await listen((req, res) => {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end('{"error":"the archive has an entry outside it: ../evil"}');
      res.on('finish', () => after(req));
    });
    const client = new Client({ baseUrl: url });
    for (let i = 0; i < 20; i++) {
      const { body } = bigBody();
      const err = await client.upload('/api/import', body, 'application/x-tar').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StatusError);
      expect((err as StatusError).message).toBe('the archive has an entry outside it: ../evil');
      expect((err as StatusError).status).toBe(400);
      // The rest of the archive is not sent once the refusal is in.
      expect(body.destroyed).toBe(true);
    }
  });

  it('returns the answer of a server that reads everything', async () => {
    const url = await listen((req, res) => {
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => res.end(`{"status":"success","bytes":${n}}\n`));
    });
    const { body } = bigBody();
    expect(await new Client({ baseUrl: url }).upload('/api/import', body, 'application/x-tar')).toBe(`{"status":"success","bytes":${32 << 20}}\n`);
  });

  it('nothing listening is a ConnectionError', async () => {
    const url = await listen(() => undefined);
    await new Promise((r) => servers.pop()!.close(r));
    const { body } = bigBody();
    await expect(new Client({ baseUrl: url }).upload('/api/import', body, 'application/x-tar')).rejects.toBeInstanceOf(ConnectionError);
  });
});
