/**
 * `GET|HEAD /` (`Ollama is running`), `GET|HEAD /api/version` (reference §3.1) and
 * `GET /api/status`: Ollama's cloud status, `{"cloud":{"disabled","source"}}`. Tollama has no
 * cloud, so `disabled` is always true; `source` says, as Ollama does, whether OLLAMA_NO_CLOUD
 * asked for it too (`env`) or not (`none`).
 */
import { OLLAMA_VERSION } from '../../version.js';
import { sendJSON, sendText, type Router } from '../http.js';

export interface BasicRouteOptions {
  /** OLLAMA_NO_CLOUD is set. */
  noCloud?: boolean;
}

export function registerBasicRoutes(router: Router, version: string = OLLAMA_VERSION, opts: BasicRouteOptions = {}): void {
  router.getHead('/', (ctx) => sendText(ctx.res, 200, 'Ollama is running'));
  router.getHead('/api/version', (ctx) => sendJSON(ctx.res, 200, { version }, 'VersionResponse'));
  router.get('/api/status', (ctx) => sendJSON(ctx.res, 200, { cloud: { disabled: true, source: opts.noCloud ? 'env' : 'none' } }));
}
