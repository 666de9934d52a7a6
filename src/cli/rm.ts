import { Client } from '../api/client.js';
import { isNotFound, unloadModel } from './stop.js';

/** `ollama rm MODEL...`: unload (best effort), delete, `deleted 'M'`; the first error stops. */
export async function run(args: string[]): Promise<void> {
  const client = new Client();
  for (const model of args) {
    try {
      await unloadModel(client, model);
    } catch (err) {
      if (!isNotFound(err)) process.stderr.write(`Warning: unable to stop model '${model}'\n`);
    }
    await client.request('DELETE', '/api/delete', { model });
    process.stdout.write(`deleted '${model}'\n`);
  }
}
