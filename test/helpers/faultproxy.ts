/**
 * A loopback HTTP proxy in front of a registry that injects faults per request: cut the
 * connection after N body bytes, flip a byte, answer a status, stall, redirect, or trickle
 * slowly, or never answer. It counts the response body bytes it forwarded (to measure resumes).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'cut'; after: number }
  | { kind: 'flip'; at: number }
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'stall'; after: number }
  | { kind: 'redirect'; location: string; status?: number }
  | { kind: 'slow'; chunk: number; delayMs: number }
  | { kind: 'hang' };

export interface FaultProxy {
  host: string;
  port: number;
  /** Response body bytes forwarded for blob GETs. */
  blobBytes: number;
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders }[];
  /** Called for each request; return a fault to inject or undefined to pass through. */
  fault: (req: IncomingMessage) => Fault | undefined;
  stop(): Promise<void>;
}

export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  const sockets = new Set<import('node:net').Socket>();
  const state: FaultProxy = {
    host: '',
    port: 0,
    blobBytes: 0,
    requests: [],
    fault: () => undefined,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    state.requests.push({ method: req.method!, url: req.url!, headers: req.headers });
    const f = state.fault(req);
    if (f?.kind === 'hang') return; // never answer (the socket closes when the proxy stops)
    if (f?.kind === 'status') {
      res.writeHead(f.status, { 'content-type': 'application/json', ...(f.headers ?? {}) });
      res.end(f.body ?? '');
      return;
    }
    if (f?.kind === 'redirect') {
      res.writeHead(f.status ?? 307, { location: f.location });
      res.end();
      return;
    }
    const isBlob = req.method === 'GET' && /\/blobs\/sha256:/.test(req.url!);
    const up = http.request(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${targetPort}` } },
      (ur) => {
        res.writeHead(ur.statusCode!, ur.headers);
        let sent = 0;
        let stopped = false;
        const pending: Buffer[] = [];
        let slowTimer: NodeJS.Timeout | undefined;
        const forward = (chunk: Buffer) => {
          if (stopped) return;
          let c = chunk;
          if (f?.kind === 'flip' && sent <= f.at && f.at < sent + c.length) {
            c = Buffer.from(c);
            c[f.at - sent] = c[f.at - sent]! ^ 0xff;
          }
          if ((f?.kind === 'cut' || f?.kind === 'stall') && sent + c.length > f.after) {
            c = c.subarray(0, Math.max(0, f.after - sent));
            stopped = true;
          }
          sent += c.length;
          if (isBlob) state.blobBytes += c.length;
          if (c.length) res.write(c);
          if (stopped) {
            ur.destroy();
            if (f?.kind === 'cut') setTimeout(() => res.socket?.destroy(), 5);
            // stall: keep the client socket open, send nothing more
          }
        };
        if (f?.kind === 'slow') {
          ur.on('data', (c: Buffer) => {
            for (let i = 0; i < c.length; i += f.chunk) pending.push(c.subarray(i, i + f.chunk));
          });
          let ended = false;
          ur.on('end', () => (ended = true));
          const tick = () => {
            const c = pending.shift();
            if (c) forward(c);
            if (!c && ended) return res.end();
            if (!res.destroyed) slowTimer = setTimeout(tick, f.delayMs);
          };
          tick();
          res.on('close', () => clearTimeout(slowTimer));
          return;
        }
        ur.on('data', forward);
        ur.on('end', () => {
          if (!stopped) res.end();
        });
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.port = (server.address() as AddressInfo).port;
  state.host = `127.0.0.1:${state.port}`;
  return state;
}
