/**
 * The pre-check every command but `serve` runs (reference §1.2), plus what Ollama lacks on
 * Linux: when nothing answers on a loopback address, start `ollama serve` in the background
 * (log in ~/.ollama/logs/server.log) and wait for it. OLLAMA_NOAUTOSTART=1 restores Ollama's
 * message instead.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, ConnectionError } from '../api/client.js';
import { parseOllamaHost } from '../api/host.js';

export const NOT_RUNNING = "could not connect to ollama server, run 'ollama serve' to start it";

function truthy(v: string | undefined): boolean {
  return v !== undefined && ['1', 't', 'true', 'TRUE', 'True', 'T'].includes(v);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.startsWith('127.') || host === '::1' || host === '[::1]';
}

/** How long the pre-check waits for a server that accepted the connection to answer. */
const HEARTBEAT_MS = 5000;

/** A listener that accepts but never answers (a hung server, another program on the port). */
export function noAnswer(client: Client): Error {
  return new Error(`could not connect to ollama server at ${client.baseUrl.replace(/^https?:\/\//, '')}: it did not answer within ${HEARTBEAT_MS / 1000}s`);
}

export async function ensureServer(client = new Client(), env = process.env): Promise<void> {
  const signal = AbortSignal.timeout(HEARTBEAT_MS);
  try {
    await client.heartbeat(signal);
    return;
  } catch (err) {
    // Something holds the port: starting a server there would only fail to bind.
    if (signal.aborted) throw noAnswer(client);
    if (!(err instanceof ConnectionError)) throw err;
  }
  const host = parseOllamaHost(env.OLLAMA_HOST);
  if (truthy(env.OLLAMA_NOAUTOSTART) || !isLoopback(host.host)) throw new Error(NOT_RUNNING);
  const logFile = startBackgroundServer(env);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      await client.heartbeat(AbortSignal.timeout(1000));
      return;
    } catch {
      /* not yet */
    }
  }
  throw new Error(`timed out waiting for server to start (see ${logFile})`);
}

function startBackgroundServer(env: NodeJS.ProcessEnv): string {
  const dir = path.join(os.homedir(), '.ollama', 'logs');
  fs.mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, 'server.log');
  const fd = fs.openSync(logFile, 'a');
  const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/ollama');
  const child = spawn(process.execPath, [bin, 'serve'], { detached: true, stdio: ['ignore', fd, fd], env });
  child.unref();
  fs.closeSync(fd);
  return logFile;
}
