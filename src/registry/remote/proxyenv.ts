/**
 * Which proxy, if any, a registry request goes through: HTTPS_PROXY / HTTP_PROXY / NO_PROXY
 * read as Go's `http.ProxyFromEnvironment` reads them (golang.org/x/net/http/httpproxy), which
 * is what Ollama's pull and push obey:
 * - `HTTPS_PROXY` for https URLs, `HTTP_PROXY` for http URLs; each upper-case name wins over its
 *   lower-case twin when both are set and non-empty.
 * - A proxy value without a scheme means `http://`; `https://` proxies are spoken to over TLS.
 * - `localhost` and loopback addresses are never proxied.
 * - `NO_PROXY` is a comma list: `*` (nothing is proxied), an IP, a CIDR, `domain` (itself and
 *   its subdomains), `.domain` or `*.domain` (subdomains only), each optionally `:port`.
 * - With `REQUEST_METHOD` set (a CGI environment) HTTP_PROXY is refused (the "httpoxy" attack).
 * Unlike Go, an unusable proxy value is an error rather than silently no proxy at all.
 */
import { BlockList, isIP } from 'node:net';

export interface ProxyEnv {
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
  cgi: boolean;
}

export function proxyEnv(env: NodeJS.ProcessEnv = process.env): ProxyEnv {
  const any = (...names: string[]) => names.map((n) => env[n]).find((v) => !!v) ?? '';
  return {
    httpProxy: any('HTTP_PROXY', 'http_proxy'),
    httpsProxy: any('HTTPS_PROXY', 'https_proxy'),
    noProxy: any('NO_PROXY', 'no_proxy'),
    cgi: !!env.REQUEST_METHOD,
  };
}

export class ProxyConfigError extends Error {}

/** A proxy value as a URL: `host:port` means `http://host:port`. Only http(s) proxies. */
export function parseProxyValue(name: string, value: string): URL {
  const bad = () => new ProxyConfigError(`invalid proxy address ${JSON.stringify(value)} in ${name}`);
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw bad();
  }
  if (u.protocol === 'socks5:') throw new ProxyConfigError(`${name}: socks5 proxies are not supported (use an http or https proxy)`);
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) throw bad();
  return u;
}

interface Entry {
  /** `.domain` suffix (lower case) or an IP matcher. */
  domain?: string;
  matchSelf?: boolean;
  ip?: BlockList;
  port: string;
}

function stripBrackets(h: string): string {
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

function splitHostPort(p: string): [string, string] | null {
  const m = /^(\[[^\]]*\]|[^:]*):(\d*)$/.exec(p);
  return m ? [stripBrackets(m[1]!), m[2]!] : null;
}

/** Parses NO_PROXY; `null` means `*` (never proxy). Malformed entries are skipped, as Go does. */
export function parseNoProxy(value: string): Entry[] | null {
  const out: Entry[] = [];
  for (const raw of value.split(',')) {
    const p = raw.trim().toLowerCase();
    if (!p) continue;
    if (p === '*') return null;
    const cidr = /^([^/]+)\/(\d{1,3})$/.exec(p);
    if (cidr && isIP(cidr[1]!)) {
      const list = new BlockList();
      const kind = isIP(cidr[1]!) === 6 ? 'ipv6' : 'ipv4';
      const bits = Number(cidr[2]);
      if (bits > (kind === 'ipv6' ? 128 : 32)) continue;
      list.addSubnet(cidr[1]!, bits, kind);
      out.push({ ip: list, port: '' });
      continue;
    }
    const hp = isIP(p) === 6 ? null : splitHostPort(p);
    const host = hp ? hp[0] : stripBrackets(p);
    const port = hp ? hp[1] : '';
    if (!host) continue;
    if (isIP(host)) {
      const list = new BlockList();
      list.addAddress(host, isIP(host) === 6 ? 'ipv6' : 'ipv4');
      out.push({ ip: list, port });
      continue;
    }
    let d = host.startsWith('*.') ? host.slice(1) : host;
    const matchSelf = !d.startsWith('.');
    if (matchSelf) d = '.' + d;
    out.push({ domain: d, matchSelf, port });
  }
  return out;
}

function ipKind(h: string): 'ipv4' | 'ipv6' | null {
  const k = isIP(h);
  return k === 4 ? 'ipv4' : k === 6 ? 'ipv6' : null;
}

function isLoopbackIP(h: string): boolean {
  const kind = ipKind(h);
  if (!kind) return false;
  if (kind === 'ipv4') return h.startsWith('127.');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(h);
  if (mapped) return mapped[1]!.startsWith('127.');
  const l = new BlockList();
  l.addAddress('::1', 'ipv6');
  return l.check(h, 'ipv6');
}

/** Whether a request to `url` goes through a proxy per `noProxy` (loopback never does). */
function useProxy(url: URL, entries: Entry[] | null): boolean {
  const host = stripBrackets(url.hostname.toLowerCase());
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (host === 'localhost' || isLoopbackIP(host)) return false;
  if (entries === null) return false;
  const kind = ipKind(host);
  for (const e of entries) {
    if (e.ip) {
      if (kind && e.ip.check(host, kind) && (!e.port || e.port === port)) return false;
    } else if (!kind && (host.endsWith(e.domain!) || (e.matchSelf && host === e.domain!.slice(1)))) {
      if (!e.port || e.port === port) return false;
    }
  }
  return true;
}

/** The proxy for a request to `url`, or null for a direct connection. Throws ProxyConfigError
 *  for an unusable proxy value. */
export function proxyFor(url: URL, env: ProxyEnv): URL | null {
  let name: string;
  let value: string;
  if (url.protocol === 'https:') [name, value] = ['HTTPS_PROXY', env.httpsProxy];
  else if (url.protocol === 'http:') [name, value] = ['HTTP_PROXY', env.httpProxy];
  else return null;
  if (!value) return null;
  if (name === 'HTTP_PROXY' && env.cgi) {
    throw new ProxyConfigError('refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy');
  }
  if (!useProxy(url, parseNoProxy(env.noProxy))) return null;
  return parseProxyValue(name, value);
}
