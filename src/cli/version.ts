import { Client } from '../api/client.js';
import { VERSION } from '../version.js';

/** `ollama -v`: the server's version, with Ollama's warnings when unreachable or different. */
export async function run(): Promise<void> {
  let serverVersion = '';
  try {
    const res = await new Client().request<{ version: string }>('GET', '/api/version', undefined, AbortSignal.timeout(3000));
    serverVersion = res.version ?? '';
  } catch {
    process.stdout.write('Warning: could not connect to a running Ollama instance\n');
  }
  if (serverVersion !== '') process.stdout.write(`ollama version is ${serverVersion}\n`);
  if (serverVersion !== VERSION) process.stdout.write(`Warning: client version is ${VERSION}\n`);
}
