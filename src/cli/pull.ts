import { Client } from '../api/client.js';
import type { ProgressResponse } from '../api/types.js';
import { ProgressDisplay } from './progress.js';
import type { CommandFlags } from './spec.js';

/** Streams /api/pull (or /api/push) progress to stderr with Ollama's display. */
export async function streamProgress(client: Client, path: '/api/pull' | '/api/push', model: string, insecure: boolean, signal?: AbortSignal): Promise<void> {
  const display = new ProgressDisplay(process.stderr, path === '/api/push' ? 'push' : 'pull');
  try {
    for await (const p of client.stream<ProgressResponse>(path, { model, insecure, stream: true }, signal)) display.update(p);
  } finally {
    display.stop();
  }
}

/** `ollama pull MODEL [--insecure]`. */
export async function run(args: string[], flags: CommandFlags): Promise<void> {
  await streamProgress(new Client(), '/api/pull', args[0]!, flags.insecure === true);
}
