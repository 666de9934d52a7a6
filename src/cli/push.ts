import { Client } from '../api/client.js';
import { streamProgress } from './pull.js';
import type { CommandFlags } from './spec.js';

const OLLAMA_HOSTS = /(^|\.)ollama\.(ai|com)$/;

/** The destination line Ollama prints after a push (reference §1.8). */
export function pushDestination(model: string): string {
  const slash = model.split('/');
  const host = slash.length >= 3 ? slash[0]! : 'registry.ollama.ai';
  if (OLLAMA_HOSTS.test(host.split(':')[0]!)) {
    const short = (slash.length >= 3 ? slash.slice(1).join('/') : model).replace(/:latest$/, '');
    return `https://ollama.com/${short}`;
  }
  return model;
}

/** `ollama push MODEL [--insecure]`. */
export async function run(args: string[], flags: CommandFlags): Promise<void> {
  const model = args[0]!;
  try {
    await streamProgress(new Client(), '/api/push', model, flags.insecure === true);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (/access denied|unauthorized/i.test(msg)) {
      throw new Error('you are not authorized to push to this namespace, create the model under a namespace you own');
    }
    throw err;
  }
  process.stdout.write(`\nYou can find your model at:\n\n\t${pushDestination(model)}\n`);
}
