/**
 * Registry URLs for a model name (reference §7.1) and the address classification used to stop
 * SSRF: where a registry may send us depends on where it sits itself (`refusal`).
 */
import { BlockList, isIP } from 'node:net';
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

/**
 * Where an address sits, for the SSRF rules (docs/registry.md, "Redirects and local addresses"):
 * - `never`: link-local (169.254/16, fe80::/10: cloud metadata lives at 169.254.169.254), the
 *   other metadata addresses (AWS fd00:ec2::254, Alibaba 100.100.100.200), unspecified (0/8, ::),
 *   multicast and broadcast. A registry may never send us there.
 * - `loopback`: 127/8, ::1, `localhost` and `*.localhost`.
 * - `private`: 10/8, 172.16/12, 192.168/16, 100.64/10 (carrier-grade NAT), fc00::/7, fec0::/10.
 * - `public`: everything else.
 */
export type AddressClass = 'public' | 'private' | 'loopback' | 'never';

const V6_LOOPBACK = new BlockList();
V6_LOOPBACK.addAddress('::1', 'ipv6');
const V6_NEVER = new BlockList();
V6_NEVER.addAddress('::', 'ipv6');
V6_NEVER.addSubnet('fe80::', 10, 'ipv6');
V6_NEVER.addSubnet('ff00::', 8, 'ipv6');
V6_NEVER.addAddress('fd00:ec2::254', 'ipv6');
const V6_PRIVATE = new BlockList();
V6_PRIVATE.addSubnet('fc00::', 7, 'ipv6');
V6_PRIVATE.addSubnet('fec0::', 10, 'ipv6');

function v4Class(a: string): AddressClass {
  const [p0, p1] = a.split('.').map(Number) as [number, number];
  if (a === '100.100.100.200') return 'never';
  if (p0 === 127) return 'loopback';
  if (p0 === 0 || (p0 === 169 && p1 === 254) || p0 >= 224) return 'never';
  if (p0 === 10 || (p0 === 172 && p1 >= 16 && p1 <= 31) || (p0 === 192 && p1 === 168) || (p0 === 100 && p1 >= 64 && p1 <= 127)) return 'private';
  return 'public';
}

/** The class of a literal IP address (anything else is `public`: check names with `hostClass`). */
export function addressClass(addr: string): AddressClass {
  let a = addr.toLowerCase();
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  const kind = isIP(a);
  if (kind === 4) return v4Class(a);
  if (kind !== 6) return 'public';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return v4Class(mapped[1]!);
  if (V6_LOOPBACK.check(a, 'ipv6')) return 'loopback';
  if (V6_NEVER.check(a, 'ipv6')) return 'never';
  return V6_PRIVATE.check(a, 'ipv6') ? 'private' : 'public';
}

/** The class of a URL hostname when it can be told without DNS (IP literal or `localhost`),
 *  else null. */
export function hostClass(hostname: string): AddressClass | null {
  let h = hostname.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h === 'localhost' || h.endsWith('.localhost')) return 'loopback';
  return isIP(h) ? addressClass(h) : null;
}

/**
 * Why a registry of class `registry` may not send us to an address of class `target`, or null
 * when it may: never to `never` addresses; to loopback only from a registry on loopback; to
 * private addresses only from a registry on a private network or on this machine.
 */
export function refusal(registry: AddressClass, target: AddressClass): string | null {
  if (target === 'never') return 'link-local, cloud-metadata and unspecified addresses are never followed';
  if (target === 'loopback' && registry !== 'loopback') return 'it is a loopback address and the registry is not on this machine';
  if (target === 'private' && registry !== 'private' && registry !== 'loopback') {
    return 'it is a private-network address and the registry is not on a private network';
  }
  return null;
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
