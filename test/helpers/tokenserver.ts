/**
 * A Docker token server for tests (registry-lab.md §6b): issues ES256 JWTs the real
 * distribution registry accepts, and also forwards every non-/token request to the registry,
 * so realm and registry share one host:port (our client refuses realms on other hosts).
 * Start it first, start the registry with `tokenAuth()`, then `setUpstream(registry.port)`.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TokenServer {
  port: number;
  host: string;
  realm: string;
  service: string;
  issuer: string;
  certPath: string;
  /** Token requests seen: query scopes and whether Basic credentials came along. */
  tokenRequests: { scopes: string[]; user: string | null; authorization?: string }[];
  /** Registry requests forwarded (method, path, authorization scheme). */
  forwarded: { method: string; url: string; auth: string | null }[];
  setUpstream(port: number): void;
  stop(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export async function startTokenServer(opts: { users?: Record<string, string>; anonymousPull?: boolean } = {}): Promise<TokenServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tollama-tok-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=test-token-issuer'], { stdio: 'ignore' });
  const key = createPrivateKey(readFileSync(keyPath));
  const certDer = readFileSync(certPath, 'utf8').replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const service = 'test-registry';
  const issuer = 'test-issuer';
  let upstream = 0;
  const sockets = new Set<Socket>();

  const state: TokenServer = {
    port: 0,
    host: '',
    realm: '',
    service,
    issuer,
    certPath,
    tokenRequests: [],
    forwarded: [],
    setUpstream: (p) => (upstream = p),
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };

  function issue(user: string | null, scopes: string[]): string {
    const access = scopes.flatMap((s) => {
      const [type, ...rest] = s.split(':');
      const actions = rest.pop()!.split(',');
      const name = rest.join(':');
      const allowed = user ? actions : opts.anonymousPull ? actions.filter((a) => a === 'pull') : [];
      return allowed.length ? [{ type, name, actions: allowed }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', x5c: [certDer] }));
    const claims = b64url(JSON.stringify({ iss: issuer, sub: user ?? '', aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access }));
    const sig = sign('sha256', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' });
    return `${header}.${claims}.${b64url(sig)}`;
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/token') {
      const auth = req.headers.authorization;
      let user: string | null = null;
      if (auth?.startsWith('Basic ')) {
        const [u, ...p] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
        if (opts.users?.[u!] !== p.join(':')) {
          res.writeHead(401, { 'content-type': 'application/json' });
          return res.end('{"details":"bad credentials"}');
        }
        user = u!;
      }
      const scopes = url.searchParams.getAll('scope');
      state.tokenRequests.push({ scopes, user, authorization: auth });
      const token = issue(user, scopes);
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
    }
    state.forwarded.push({ method: req.method!, url: req.url!, auth: req.headers.authorization?.split(' ')[0] ?? null });
    const up = http.request({ host: '127.0.0.1', port: upstream, method: req.method, path: req.url, headers: { ...req.headers, host: state.host } }, (ur) => {
      res.writeHead(ur.statusCode!, ur.headers);
      ur.pipe(res);
    });
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
  state.realm = `http://${state.host}/token`;
  return state;
}
