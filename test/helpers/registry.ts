/**
 * Test harness: the real CNCF distribution registry (Debian `docker-registry`) on
 * 127.0.0.1:<kernel-chosen port> with a temp storage dir; stopped by its pid.
 * See ../shared/reference/registry-lab.md.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function hasRegistry(): boolean {
  return spawnSync('sh', ['-c', 'command -v docker-registry'], { stdio: 'ignore' }).status === 0;
}

export function hasHtpasswd(): boolean {
  return spawnSync('sh', ['-c', 'command -v htpasswd'], { stdio: 'ignore' }).status === 0;
}

export const SKIP_MESSAGE = 'docker-registry is not installed (apt-get install -y docker-registry apache2-utils): registry tests skipped';

export interface RegistryOptions {
  /** htpasswd users (bcrypt entries are generated with `htpasswd -B`). */
  users?: Record<string, string>;
  /** Docker token auth: realm URL, service, issuer and the PEM certificate bundle path. */
  token?: { realm: string; service: string; issuer: string; certPath: string };
  /** Loopback IPv4 address to listen on (default 127.0.0.1). */
  addr?: string;
}

export interface RunningRegistry {
  port: number;
  host: string; // 127.0.0.1:PORT (or the `addr` asked for)
  base: string; // http://127.0.0.1:PORT
  dir: string;
  pid: number;
  log(): string;
  stop(): Promise<void>;
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<RunningRegistry> {
  const addr = opts.addr ?? '127.0.0.1';
  if (!/^127\.\d+\.\d+\.\d+$/.test(addr)) throw new Error(`the test registry listens on loopback only, not ${addr}`);
  const dir = mkdtempSync(join(tmpdir(), 'tollama-reg-'));
  let auth = '';
  if (opts.users) {
    const file = join(dir, 'htpasswd');
    writeFileSync(file, '');
    for (const [u, p] of Object.entries(opts.users)) execFileSync('htpasswd', ['-Bb', '-C', '4', file, u, p], { stdio: 'ignore' });
    auth = `auth:\n  htpasswd:\n    realm: test-realm\n    path: ${file}\n`;
  } else if (opts.token) {
    const t = opts.token;
    auth = `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${t.certPath}\n`;
  }
  const cfg = join(dir, 'config.yml');
  writeFileSync(
    cfg,
    `version: 0.1
log: {level: info, accesslog: {disabled: true}}
storage:
  filesystem: {rootdirectory: ${dir}/data}
  delete: {enabled: true}
  maintenance: {uploadpurging: {enabled: false}}
http: {addr: "${addr}:0", secret: test-only-secret}
${auth}`,
  );
  const child = spawn('docker-registry', ['serve', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('registry start timeout\n' + log)), 10_000);
    const onData = (d: Buffer) => {
      log += d.toString();
      const m = new RegExp(`listening on ${addr.replace(/\./g, '\\.')}:(\\d+)`).exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (c) => {
      clearTimeout(timer);
      reject(new Error(`registry exited ${c}\n${log}`));
    });
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    port,
    host: `${addr}:${port}`,
    base: `http://${addr}:${port}`,
    dir,
    pid: child.pid!,
    log: () => log,
    async stop() {
      try {
        process.kill(child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Local model fixtures: a temp store holding a model made of random blobs.


export function sha256(b: Buffer): string {
  return 'sha256:' + createHash('sha256').update(b).digest('hex');
}

export interface FakeModel {
  manifest: Buffer;
  blobs: Map<string, Buffer>;
  digests: string[];
}

/** Builds a manifest + blobs (not written). `modelSize` bytes of random "weights". */
export function fakeModel(opts: { modelSize?: number; oci?: boolean; from?: string; seed?: string } = {}): FakeModel {
  const weights = randomBytes(opts.modelSize ?? 300_000);
  const template = Buffer.from(`{{ .Prompt }} ${opts.seed ?? randomBytes(4).toString('hex')}`);
  const params = Buffer.from('{"stop":["USER:"]}\n');
  const config = Buffer.from(
    `{"model_format":"gguf","model_family":"test","model_families":["test"],"model_type":"0","file_type":"unknown","architecture":"amd64","os":"linux"}\n`,
  );
  const blobs = new Map<string, Buffer>();
  const layer = (mediaType: string, b: Buffer, from?: string) => {
    blobs.set(sha256(b), b);
    return { mediaType, digest: sha256(b), size: b.length, ...(from ? { from } : {}) };
  };
  const layers = [
    layer('application/vnd.ollama.image.model', weights, opts.from),
    layer('application/vnd.ollama.image.template', template),
    layer('application/vnd.ollama.image.params', params),
  ];
  const cfg = layer(opts.oci ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json', config);
  const m = {
    schemaVersion: 2,
    mediaType: opts.oci ? 'application/vnd.oci.image.manifest.v1+json' : 'application/vnd.docker.distribution.manifest.v2+json',
    config: cfg,
    layers,
  };
  return { manifest: Buffer.from(JSON.stringify(m) + '\n'), blobs, digests: [...blobs.keys()] };
}

export function manifestPath(root: string, name: string): string {
  // name given as host/ns/model:tag
  const [path, tag] = [name.slice(0, name.lastIndexOf(':')), name.slice(name.lastIndexOf(':') + 1)];
  return join(root, 'manifests', ...path.split('/'), tag);
}

/** Writes a model into a store root. */
export function writeModel(root: string, name: string, m: FakeModel): void {
  mkdirSync(join(root, 'blobs'), { recursive: true });
  for (const [d, b] of m.blobs) writeFileSync(join(root, 'blobs', d.replace(':', '-')), b);
  const p = manifestPath(root, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, m.manifest);
}

export function tempStore(): string {
  return mkdtempSync(join(tmpdir(), 'tollama-store-'));
}

/** Every file under the store, relative (for "nothing else written" checks). */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), rel + e.name + '/');
      else out.push(rel + e.name);
    }
  };
  walk(root, '');
  return out.sort();
}

/** Re-hashes every blob file and returns the names that do not match. */
export function corruptBlobs(root: string): string[] {
  const bad: string[] = [];
  const dir = join(root, 'blobs');
  if (!existsSync(dir)) return bad;
  for (const f of readdirSync(dir)) {
    if (!/^sha256-[0-9a-f]{64}$/.test(f)) continue;
    if (sha256(readFileSync(join(dir, f))) !== f.replace('-', ':')) bad.push(f);
  }
  return bad;
}

/** Every progress event of a pull or push, in order (the iterable run to its end). */
export async function collectProgress<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of it) out.push(p);
  return out;
}
