/**
 * `OLLAMA_HOST` parsing, exactly as Ollama's envconfig.Host() (reference §3.12): used by `serve`
 * for the listen address and by the client for its base URL.
 */
import { isIP } from 'node:net';

export interface OllamaHost {
  /** `http`, `https`, or whatever scheme was written (`unix` for sockets). */
  scheme: string;
  /** Host without brackets (`""` means all interfaces for `serve`, loopback for clients). */
  host: string;
  /** Port number (0 for unix sockets). */
  port: number;
  /** Base path, `""` or starting with `/` (`https://example.com/ollama` → `/ollama`). */
  path: string;
  /** Ollama's canonical string form, e.g. `http://127.0.0.1:11434`, `http://:1234`. */
  url: string;
  /**
   * A URL a client can actually connect to: empty host and `0.0.0.0` become `127.0.0.1`, `::`
   * becomes `::1` (Go's dialer does this implicitly; Node's fetch does not). No trailing slash.
   */
  connectUrl: string;
}

export const DEFAULT_PORT = 11434;

/** Trims spaces, then one layer of surrounding `"`/`'` characters, as envconfig.Var does. */
export function trimEnvValue(value: string): string {
  return value.trim().replace(/^["']+|["']+$/g, '');
}

/** Go's net.SplitHostPort, returning null where Go returns an error. */
export function splitHostPort(hostport: string): { host: string; port: string } | null {
  const i = hostport.lastIndexOf(':');
  if (i < 0) return null;
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0) return null;
    if (end + 1 === hostport.length) return null; // missing port
    if (end + 1 !== i) return null; // either "[a]b:c" or too many colons
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) return null; // too many colons
  }
  if (hostport.indexOf('[', j) >= 0 || hostport.indexOf(']', k) >= 0) return null;
  return { host, port: hostport.slice(i + 1) };
}

/** Go's net.JoinHostPort. */
export function joinHostPort(host: string, port: string | number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Canonical text of an IP address (Go's net.IP.String), or null when `s` is not an IP. */
function canonicalIP(s: string): string | null {
  const v = isIP(s);
  if (v === 4) return s.split('.').map((p) => String(Number(p))).join('.');
  if (v === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
    if (mapped) return mapped[1]!;
    return new URL(`http://[${s}]/`).hostname.slice(1, -1);
  }
  return null;
}

/** Go's strconv.ParseInt(port, 10, 32) accepting only 0..65535. */
function parsePort(port: string): number | null {
  if (!/^[+-]?\d+$/.test(port)) return null;
  const n = Number(port);
  if (!Number.isFinite(n) || n < 0 || n > 65535) return null;
  return n;
}

/** Go's url.PathEscape for the unix-socket form (`/` → `%2F`). */
function pathEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * Parses an `OLLAMA_HOST` value (default: the environment's). Never throws: bad ports fall back
 * to the scheme's default port and an unparseable host is used as written, as Ollama does.
 */
export function parseOllamaHost(value: string | undefined = process.env.OLLAMA_HOST): OllamaHost {
  const s = trimEnvValue(value ?? '').trim();
  let defaultPort = String(DEFAULT_PORT);
  let scheme: string;
  let hostport: string;
  const sep = s.indexOf('://');
  if (sep < 0) {
    scheme = 'http';
    hostport = s;
    if (s === 'ollama.com') {
      scheme = 'https';
      hostport = 'ollama.com:443';
    }
  } else {
    scheme = s.slice(0, sep);
    hostport = s.slice(sep + 3);
    if (scheme === 'http') defaultPort = '80';
    else if (scheme === 'https') defaultPort = '443';
    else if (scheme === 'unix') {
      return { scheme, host: '', port: 0, path: hostport, url: `unix://${pathEscape(hostport)}`, connectUrl: `unix://${pathEscape(hostport)}` };
    }
  }

  const slash = hostport.indexOf('/');
  let path = '';
  if (slash >= 0) {
    const rawPath = hostport.slice(slash + 1);
    if (rawPath !== '') path = rawPath.startsWith('/') ? rawPath : '/' + rawPath;
    hostport = hostport.slice(0, slash);
  }

  let host: string;
  let port: string;
  const split = splitHostPort(hostport);
  if (split) {
    host = canonicalIP(split.host) ?? split.host;
    port = split.port;
  } else {
    host = '127.0.0.1';
    port = defaultPort;
    const ip = canonicalIP(hostport.replace(/^\[+|\]+$/g, ''));
    if (ip !== null) host = ip;
    else if (hostport !== '') host = hostport;
  }

  let portNum = parsePort(port);
  if (portNum === null) portNum = Number(defaultPort);

  const hp = joinHostPort(host, portNum);
  const connectHost = host === '' || host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const connectPath = path.replace(/\/+$/, '');
  return {
    scheme,
    host,
    port: portNum,
    path,
    url: `${scheme}://${hp}${path}`,
    connectUrl: `${scheme}://${joinHostPort(connectHost, portNum)}${connectPath}`,
  };
}

/** True when `host` is a loopback address or name (`127.0.0.0/8`, `::1`, `localhost`). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}
