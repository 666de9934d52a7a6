/**
 * Routes whose modules are written alongside the core (export/import, OpenAI compatibility). Each is registered when its module is present, so the server starts
 * whatever subset is built.
 */
import type { Router } from '../http.js';
import type { ServerDeps } from '../inference/common.js';

type Registrar = (router: Router, deps: ServerDeps) => void | Promise<void>;

const MODULES: Array<[string, string]> = [
  ['./transfer.js', 'registerTransferRoutes'],
  ['./openai.js', 'registerOpenAIRoutes'],
];

export async function registerOptionalRoutes(router: Router, deps: ServerDeps): Promise<void> {
  for (const [file, fn] of MODULES) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(file)) as Record<string, unknown>;
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(file.slice(2))) continue;
      throw err;
    }
    const register = mod[fn] as Registrar | undefined;
    if (typeof register === 'function') await register(router, deps);
  }
}
