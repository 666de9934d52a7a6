import { Client } from '../api/client.js';

/** `ollama cp SOURCE DESTINATION`. */
export async function run(args: string[]): Promise<void> {
  const [source, destination] = args as [string, string];
  await new Client().request('POST', '/api/copy', { source, destination });
  process.stdout.write(`copied '${source}' to '${destination}'\n`);
}
