/**
 * Registry credentials (HTTP Basic user/password), looked up per registry host from:
 *  1. `OLLAMA_REGISTRY_AUTH` — `host[:port]=user:password` entries separated by commas or
 *     newlines (the password may contain ':'; it may not contain ',' — use the Docker config
 *     for such passwords), e.g. `OLLAMA_REGISTRY_AUTH=registry.example.com=alice:s3cret`;
 *  2. `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`, `auths.<host>.auth`
 *     (base64 `user:password`) or `auths.<host>.username`/`password`.
 * Credentials are only ever sent to the registry host they were found for.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Credentials {
  username: string;
  password: string;
}

export interface CredentialEnv {
  env?: NodeJS.ProcessEnv;
  /** Home directory (injectable for tests); defaults to `os.homedir()`. */
  home?: string;
}

export const AUTH_ENV = 'OLLAMA_REGISTRY_AUTH';

/** Parses `OLLAMA_REGISTRY_AUTH`. Malformed entries are reported, never silently half-used. */
export function parseAuthEnv(value: string): Map<string, Credentials> {
  const out = new Map<string, Credentials>();
  for (const raw of value.split(/[,\n]/)) {
    const entry = raw.trim();
    if (!entry) continue;
    const eq = entry.indexOf('=');
    const colon = eq < 0 ? -1 : entry.indexOf(':', eq + 1);
    if (eq <= 0 || colon < 0 || colon === eq + 1) {
      throw new Error(`${AUTH_ENV}: entry "${entry.split('=')[0]}" must look like host=user:password`);
    }
    const host = normalizeHostKey(entry.slice(0, eq));
    out.set(host, { username: entry.slice(eq + 1, colon), password: entry.slice(colon + 1) });
  }
  return out;
}

/** `https://Host:5000/v1/` → `host:5000`. Docker config keys come in all these shapes. */
export function normalizeHostKey(key: string): string {
  let k = key.trim().toLowerCase();
  k = k.replace(/^[a-z]+:\/\//, '');
  const slash = k.indexOf('/');
  if (slash >= 0) k = k.slice(0, slash);
  return k;
}

interface DockerAuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
}

function decodeDockerEntry(e: DockerAuthEntry): Credentials | null {
  if (typeof e.auth === 'string' && e.auth) {
    const dec = Buffer.from(e.auth, 'base64').toString('utf8');
    const i = dec.indexOf(':');
    if (i > 0) return { username: dec.slice(0, i), password: dec.slice(i + 1) };
  }
  if (typeof e.username === 'string' && typeof e.password === 'string' && e.username) {
    return { username: e.username, password: e.password };
  }
  return null;
}

const MAX_CONFIG_BYTES = 1 << 20;

/** Reads docker's config.json `auths`; a missing or unreadable file means no credentials. */
export async function readDockerAuths(opts: CredentialEnv = {}): Promise<Map<string, Credentials>> {
  const env = opts.env ?? process.env;
  const dir = env.DOCKER_CONFIG || join(opts.home ?? env.HOME ?? homedir(), '.docker');
  const out = new Map<string, Credentials>();
  let text: string;
  try {
    const buf = await readFile(join(dir, 'config.json'));
    if (buf.length > MAX_CONFIG_BYTES) return out;
    text = buf.toString('utf8');
  } catch {
    return out;
  }
  let parsed: { auths?: Record<string, DockerAuthEntry> };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    return out;
  }
  if (!parsed || typeof parsed.auths !== 'object' || parsed.auths === null) return out;
  for (const [key, entry] of Object.entries(parsed.auths)) {
    if (!entry || typeof entry !== 'object') continue;
    const c = decodeDockerEntry(entry);
    if (c) out.set(normalizeHostKey(key), c);
  }
  return out;
}

/** Credentials for `host` (`host[:port]`), env first, then docker config; null if none. */
export async function findCredentials(host: string, opts: CredentialEnv = {}): Promise<Credentials | null> {
  const env = opts.env ?? process.env;
  const key = normalizeHostKey(host);
  const fromEnv = env[AUTH_ENV] ? parseAuthEnv(env[AUTH_ENV]!) : new Map<string, Credentials>();
  const hit = fromEnv.get(key);
  if (hit) return hit;
  const docker = await readDockerAuths(opts);
  return docker.get(key) ?? null;
}

export function basicHeader(c: Credentials): string {
  return 'Basic ' + Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64');
}
