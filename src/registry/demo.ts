/**
 * The built-in demo model's name. Its host is an RFC 2606 `.invalid` name, which no registry
 * can ever have, so the demo never shadows a registry model and `ollama list` shows plainly
 * that it did not come from ollama.com. Pulls of this host are served from the package's own
 * file (src/server/demo-model.ts), never from the network.
 */
import { namesEqual, parseModelName, type ModelName } from './name.js';

export const DEMO_HOST = 'tollama.invalid';
/** What users type: `ollama run tollama.invalid/demo/stories260k`. */
export const DEMO_MODEL = `${DEMO_HOST}/demo/stories260k`;

export function isDemoHost(n: ModelName): boolean {
  return n.host.toLowerCase() === DEMO_HOST;
}

export function isDemoModel(n: ModelName): boolean {
  return namesEqual(n, parseModelName(DEMO_MODEL));
}
