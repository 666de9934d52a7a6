/**
 * Registry URLs for a model name (reference §7.1) and the host classification used to stop
 * SSRF: a registry that is not itself local may not send us to loopback or link-local hosts.
 */
import { isIP } from 'node:net';
import { assertDigest } from '../digest.js';
import { parseModelName, type ModelName } from '../name.js';
import { RegistryError } from './errors.js';

/** Where a model lives: `base` = `scheme://host`, `repo` = `namespace/model`. */
export interface RemoteRef {
  name: ModelName;
  base: string;
  host: string;
  repo: string;
  tag: string;
  insecure: boolean;
}

/**
 * Resolves a name (string or parsed) to its registry location. `https` unless `insecure`;
 * an explicit `http://` without `insecure` is refused with Ollama's message.
 */
export function remoteRef(input: string | ModelName, insecure = false): RemoteRef {
  const explicitScheme = typeof input === 'string' && /^[a-z]+:\/\//i.test(input);
  const name = typeof input === 'string' ? parseModelName(input) : input;
  let scheme = name.scheme || 'https';
  if (scheme === 'http' && explicitScheme && !insecure) {
    throw new RegistryError('insecure protocol http', 400, 'INSECURE');
  }
  if (insecure) scheme = 'http';
  if (scheme !== 'http' && scheme !== 'https') {
    throw new RegistryError(`unsupported protocol ${scheme}`, 400, 'INSECURE');
  }
  return {
    name,
    base: `${scheme}://${name.host}`,
    host: name.host,
    repo: `${name.namespace}/${name.model}`,
    tag: name.tag,
    insecure,
  };
}

export function manifestURL(ref: RemoteRef, reference = ref.tag): string {
  return `${ref.base}/v2/${ref.repo}/manifests/${encodeURIComponent(reference).replace(/%3A/gi, ':')}`;
}

/** The blob URL; the digest is validated before it becomes part of a URL. */
export function blobURL(ref: RemoteRef, digest: string): string {
  return `${ref.base}/v2/${ref.repo}/blobs/${assertDigest(digest)}`;
}

export function uploadStartURL(ref: RemoteRef, mount?: { digest: string; from: string }): string {
  const u = `${ref.base}/v2/${ref.repo}/blobs/uploads/`;
  if (!mount) return u;
  return `${u}?mount=${assertDigest(mount.digest)}&from=${encodeURIComponent(mount.from).replace(/%2F/gi, '/')}`;
}

/** `host[:port]` of a URL, lower-cased, with default ports dropped (as URL.host does). */
export function hostOf(url: string): string {
  return new URL(url).host.toLowerCase();
}

/** True for names and literal addresses that reach this machine or its link: loopback,
 *  link-local (incl. cloud metadata 169.254.169.254), unspecified. Hostnames other than
 *  `localhost` are checked after DNS resolution by the HTTP layer. */
export function isLocalHostname(hostname: string): boolean {
  let h = hostname.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  return isLocalAddress(h);
}

export function isLocalAddress(addr: string): boolean {
  let a = addr.toLowerCase();
  const kind = isIP(a);
  if (kind === 4) {
    const [p0, p1] = a.split('.').map(Number) as [number, number];
    return p0 === 127 || p0 === 0 || (p0 === 169 && p1 === 254);
  }
  if (kind === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
    if (mapped) return isLocalAddress(mapped[1]!);
    a = a.replace(/^0+:/, '');
    if (a === '::1' || a === '::') return true;
    return /^fe[89ab][0-9a-f]?:/.test(a);
  }
  return false;
}

/** Host part of `host[:port]` (handles `[v6]:port`). */
export function hostnameOf(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(1, hostPort.indexOf(']'));
  const i = hostPort.lastIndexOf(':');
  return i > 0 && hostPort.indexOf(':') === i ? hostPort.slice(0, i) : hostPort;
}

/** ollama.com / registry.ollama.ai and their subdomains (signed token requests, sign-in hint). */
export function isOllamaHost(host: string): boolean {
  const h = hostnameOf(host).toLowerCase();
  return /(^|\.)ollama\.(com|ai)$/.test(h);
}
