/**
 * Runs the real nginx (Debian `nginx-light` or `nginx`) in the foreground with a generated
 * configuration: deploy/nginx/tollama.conf as written, with the replicas' ports and a free
 * listen port put in. Stopped by its pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './models.js';

export const NGINX_CONF = path.join(repoRoot, 'deploy', 'nginx', 'tollama.conf');

/** The nginx binary, or null when it is not installed. */
export function nginxBinary(): string | null {
  for (const p of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) if (fs.existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

export const NGINX_SKIP = 'nginx is not installed (apt-get install -y nginx-light): the load-balancer test is skipped';

/** A port that was free a moment ago (the kernel's choice). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** deploy/nginx/tollama.conf with `servers` as the upstream and `listen` as the port. */
export function tollamaConf(servers: string[], listen: number, conf = NGINX_CONF): string {
  const text = fs.readFileSync(conf, 'utf8');
  const lines = text.split('\n');
  const first = lines.findIndex((l) => /^\s+server 127\.0\.0\.1:\d+ /.test(l));
  if (first < 0) throw new Error('no upstream server lines in ' + NGINX_CONF);
  const proto = lines[first]!;
  const kept = lines.filter((l) => !/^\s+server 127\.0\.0\.1:\d+ /.test(l));
  kept.splice(first, 0, ...servers.map((s) => proto.replace(/127\.0\.0\.1:\d+/, s)));
  const out = kept.join('\n').replace(/^(\s+)listen 11434;$/m, `$1listen 127.0.0.1:${listen};`);
  if (out === kept.join('\n')) throw new Error('no `listen 11434;` line in ' + NGINX_CONF);
  return out;
}

export interface RunningNginx {
  url: string;
  port: number;
  proc: ChildProcess;
  dir: string;
  errorLog(): string;
  /** Lines `METHOD URI model=<X-Ollama-Model> upstream=<addr[, addr]> status=<n>`. */
  accessLog(): string[];
  stop(): Promise<void>;
}

/** `conf`: the configuration to run (default deploy/nginx/tollama.conf of this checkout). */
export async function startNginx(servers: string[], conf = NGINX_CONF): Promise<RunningNginx> {
  const bin = nginxBinary();
  if (!bin) throw new Error(NGINX_SKIP);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-nginx-'));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'tollama.conf'), tollamaConf(servers, port, conf));
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `    ${t}_temp_path ${path.join(dir, t)};`).join('\n');
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    `${process.getuid?.() === 0 ? 'user root;\n' : ''}daemon off;
master_process on;
worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} info;
events { worker_connections 1024; }
http {
    log_format tollama '$request_method $uri model=$http_x_ollama_model upstream=$upstream_addr status=$status';
    access_log ${path.join(dir, 'access.log')} tollama;
${temp}
    include ${path.join(dir, 'tollama.conf')};
}
`,
  );
  const proc = spawn(bin, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const errorLog = () => out + (fs.existsSync(path.join(dir, 'error.log')) ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8') : '');
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`nginx exited with ${proc.exitCode}:\n${errorLog()}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port}:\n${errorLog()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    proc,
    dir,
    errorLog,
    accessLog: () => {
      const f = path.join(dir, 'access.log');
      return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean) : [];
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
