/**
 * One extra line the CLI prints under an `Error:` it can say more about. The error itself stays
 * Ollama's (the server's API answers carry only that); the hint is ours, for a person at a
 * terminal.
 */
import { DEMO_MODEL } from '../registry/demo.js';

/** Under a pull that failed because the registry could not be reached (no DNS, no network). */
export const OFFLINE_HINT =
  `Offline? 'ollama run ${DEMO_MODEL}' runs the built-in demo model; or create a model from a GGUF file (a Modelfile with 'FROM ./model.gguf', then 'ollama create NAME'), or import one saved by 'ollama export' ('ollama import FILE').`;

/** Under a request that spoke https to a plain-http registry. */
export const INSECURE_HINT = 'The registry speaks plain HTTP: add --insecure to use it.';

const OFFLINE = /: (no such host|temporary failure in name resolution|connect: network is unreachable)$/;

/** The hint for `command`'s error `message`, or null. */
export function hintFor(command: string, message: string): string | null {
  if (/http: server gave HTTP response to HTTPS client/.test(message) && ['pull', 'run', 'push'].includes(command)) return INSECURE_HINT;
  if ((command === 'pull' || command === 'run') && message.startsWith('pull model manifest: ') && OFFLINE.test(message)) return OFFLINE_HINT;
  return null;
}
