import { Client, StatusError } from '../api/client.js';

/** Unloads a model: `POST /api/generate` with keep_alive 0 (Ollama's stopModel). */
export async function unloadModel(client: Client, model: string): Promise<void> {
  await client.request('POST', '/api/generate', { model, keep_alive: 0, stream: false });
}

/** `ollama stop MODEL`. */
export async function run(args: string[]): Promise<void> {
  const model = args[0]!;
  const client = new Client();
  try {
    await client.request('POST', '/api/show', { model });
    await unloadModel(client, model);
  } catch (err) {
    if (err instanceof Error && err.message.includes('not found')) throw new Error(`couldn't find model "${model}" to stop`);
    throw err;
  }
}

export function isNotFound(err: unknown): boolean {
  return (err instanceof StatusError && err.status === 404) || (err instanceof Error && err.message.includes('not found'));
}
