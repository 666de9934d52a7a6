/**
 * The pre-check every command but `serve` runs (reference §1.2), plus what Ollama lacks on
 * Linux: when nothing answers on a loopback address, start `ollama serve` in the background and
 * wait for it. Each OLLAMA_HOST logs to its own file (~/.ollama/logs/server.log for the default
 * 127.0.0.1:11434, server-<host>-<port>.log for others); the start is announced once on stderr
 * with the log file and the pid to stop it by. OLLAMA_NOAUTOSTART=1 restores Ollama's message.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, ConnectionError } from '../api/client.js';
import { DEFAULT_PORT, isLoopbackHost, joinHostPort, parseOllamaHost, type OllamaHost } from '../api/host.js';

export const NOT_RUNNING = "could not connect to ollama server, run 'ollama serve' to start it";

/** How long the pre-check waits for a server that accepted the connection to answer. */
const HEARTBEAT_MS = 5000;
/** How long a background server gets to answer after it was started. */
const START_MS = 20_000;

function truthy(v: string | undefined): boolean {
  return v !== undefined && ['1', 't', 'true', 'TRUE', 'True', 'T'].includes(v);
}

/** A listener that accepts but never answers (a hung server, another program on the port). */
export function noAnswer(client: Client): Error {
  return new Error(`could not connect to ollama server at ${client.baseUrl.replace(/^https?:\/\//, '')}: it did not answer within ${HEARTBEAT_MS / 1000}s`);
}

/**
 * The log file of the background server for `host`: `server.log` for the default address (as
 * Ollama's app uses), `server-<host>-<port>.log` for any other, so two servers never share one.
 */
export function serverLogFile(host: OllamaHost, home = os.homedir()): string {
  const dir = path.join(home, '.ollama', 'logs');
  const name = host.host;
  if (host.port === DEFAULT_PORT && (name === '127.0.0.1' || name.toLowerCase() === 'localhost')) return path.join(dir, 'server.log');
  return path.join(dir, `server-${name.replace(/[^A-Za-z0-9._-]/g, '_')}-${host.port}.log`);
}

/** The one notice a started server gets on stderr: where, its log, how to stop it. */
export function startedNotice(host: OllamaHost, pid: number, logFile: string): string {
  return (
    `Started an ollama server in the background on ${joinHostPort(host.host, host.port)} (pid ${pid}).\n` +
    `Its log is ${logFile}; stop it with: kill ${pid}\n`
  );
}

export async function ensureServer(client = new Client(), env = process.env, stderr: { write(s: string): unknown } = process.stderr): Promise<void> {
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
  // Only a loopback address: an empty host or 0.0.0.0 would make `serve` listen on every interface.
  if (truthy(env.OLLAMA_NOAUTOSTART) || !isLoopbackHost(host.host)) throw new Error(NOT_RUNNING);
  const logFile = serverLogFile(host);
  const child = startBackgroundServer(env, logFile);
  const deadline = Date.now() + START_MS;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      await client.heartbeat(AbortSignal.timeout(1000));
    } catch {
      continue; // not yet
    }
    // Announce only a server this command started: if ours exited (another command's server
    // won the port), the one answering is not ours to describe.
    if (child.exitCode === null && child.signalCode === null) stderr.write(startedNotice(host, child.pid!, logFile));
    return;
  }
  throw new Error(`timed out waiting for server to start (see ${logFile})`);
}

function startBackgroundServer(env: NodeJS.ProcessEnv, logFile: string) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = fs.openSync(logFile, 'a');
  const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/ollama');
  try {
    const child = spawn(process.execPath, [bin, 'serve'], { detached: true, stdio: ['ignore', fd, fd], env });
    child.unref();
    child.once('error', () => undefined); // a failed spawn shows as the start timing out, naming the log
    if (child.pid !== undefined) fs.writeSync(fd, `--- started in the background by \`ollama ${process.argv.slice(2).join(' ')}\`, pid ${child.pid}, ${new Date().toISOString()}\n`);
    return child;
  } finally {
    fs.closeSync(fd);
  }
}
