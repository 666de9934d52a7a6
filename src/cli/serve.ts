/** `ollama serve`: runs the server in the foreground until SIGINT/SIGTERM. */
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
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running.close();
  return 0;
}
