/**
 * `ollama serve`: runs the server in the foreground until SIGINT/SIGTERM, then stops gracefully
 * (server/shutdown.ts) and exits 0; a second signal exits at once.
 */
import os from 'node:os';
import { joinHostPort, parseOllamaHost } from '../api/host.js';

/** The text Go's syscall errors print for the listen failures a user meets. */
const BIND_ERRORS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'cannot assign requested address',
};

/** Go's `net.Listen` error text: `listen tcp 127.0.0.1:11434: bind: address already in use`. */
export function listenError(err: NodeJS.ErrnoException, env = process.env): Error {
  const text = err.code ? BIND_ERRORS[err.code] : undefined;
  if (!text) return err;
  const host = parseOllamaHost(env.OLLAMA_HOST);
  return new Error(`listen tcp ${joinHostPort(host.host, host.port)}: bind: ${text}`);
}

export async function run(): Promise<number> {
  const { startServer } = await import('../server/server.js');
  const running = await startServer().catch((err: NodeJS.ErrnoException) => {
    throw listenError(err);
  });
  const log = running.deps.log;
  // One listener stays registered for both signals: a library's exit hook (signal-exit) that
  // finds itself the only listener re-raises the signal and the process dies at once.
  let stopping = false;
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      if (!stopping) {
        stopping = true;
        resolve(sig);
        return;
      }
      // A second signal (Ctrl+C again, `kill` again) does not wait: exit as a signal would.
      log.warn('stopping at once', { signal: sig });
      process.exit(128 + (os.constants.signals[sig] ?? 0));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  const graceMs = running.deps.config.shutdownTimeoutMs;
  log.info('server is shutting down', { signal, grace: `${graceMs / 1000}s` });
  const r = await running.shutdown(graceMs);
  log.info('server stopped', { streams_ended: r.streams, requests_waited: r.waited, requests_cut: r.cut });
  return 0;
}
