/**
 * Starts a real `ollama serve` process (bin/ollama, the compiled CLI) on a free loopback port
 * with its own temporary OLLAMA_MODELS, and stops it by pid. Tests talk to it over HTTP as
 * every client does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './models.js';

export interface TestServer {
  url: string;
  host: string;
  port: number;
  models: string;
  proc: ChildProcess;
  /** Everything the server wrote to stderr/stdout so far. */
  log(): string;
  /** Environment for running `bin/ollama` against this server. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startServer(opts: { env?: Record<string, string>; models?: string } = {}): Promise<TestServer> {
  const models = opts.models ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-models-'));
  const ownModels = !opts.models;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-home-'));
  const proc = spawn(process.execPath, [path.join(repoRoot, 'bin', 'ollama'), 'serve'], {
    env: { ...process.env, HOME: home, OLLAMA_HOST: '127.0.0.1:0', OLLAMA_MODELS: models, OLLAMA_NOAUTOSTART: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (d) => (output += d));
  proc.stderr!.on('data', (d) => (output += d));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const check = () => {
      const m = /Listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    proc.stderr!.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  const host = `127.0.0.1:${port}`;
  return {
    url: `http://${host}`,
    host,
    port,
    models,
    proc,
    log: () => output,
    env: (extra = {}) => ({ ...process.env, HOME: home, OLLAMA_HOST: host, OLLAMA_NOAUTOSTART: '1', ...extra }),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      fs.rmSync(home, { recursive: true, force: true });
      if (ownModels) fs.rmSync(models, { recursive: true, force: true });
    },
  };
}

/** `sha256:<hex>` of a file, as the store names its blob. */
export function fileDigest(file: string): string {
  return `sha256:${createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;
}

/** POSTs a JSON body; the status and the raw answer. */
export async function postJson(server: TestServer, route: string, body: unknown): Promise<{ status: number; text: string }> {
  const r = await fetch(server.url + route, { method: 'POST', body: JSON.stringify(body) });
  return { status: r.status, text: await r.text() };
}

/** Uploads a file as a blob (POST /api/blobs/<digest>): its digest and the answer's status. */
export async function uploadBlob(server: TestServer, file: string): Promise<{ digest: string; status: number }> {
  const digest = fileDigest(file);
  const r = await fetch(`${server.url}/api/blobs/${digest}`, { method: 'POST', body: fs.readFileSync(file) });
  await r.arrayBuffer();
  return { digest, status: r.status };
}
