import { Client } from '../api/client.js';
import { OLLAMA_VERSION, TOLLAMA_VERSION } from '../version.js';

/**
 * `ollama -v`: the server's version with Ollama's warnings when it is unreachable or differs
 * from the client's, then the Tollama package version on a line of its own.
 */
export async function run(): Promise<void> {
  let serverVersion = '';
  try {
    const res = await new Client().request<{ version: string }>('GET', '/api/version', undefined, AbortSignal.timeout(3000));
    serverVersion = res.version ?? '';
  } catch {
    process.stdout.write('Warning: could not connect to a running Ollama instance\n');
  }
  if (serverVersion !== '') process.stdout.write(`ollama version is ${serverVersion}\n`);
  if (serverVersion !== OLLAMA_VERSION) process.stdout.write(`Warning: client version is ${OLLAMA_VERSION}\n`);
  process.stdout.write(`tollama version is ${TOLLAMA_VERSION}\n`);
}
