/** `GET|HEAD /` (`Ollama is running`) and `GET|HEAD /api/version` (reference §3.1). */
import { OLLAMA_VERSION } from '../../version.js';
import { sendJSON, sendText, type Router } from '../http.js';

export function registerBasicRoutes(router: Router, version: string = OLLAMA_VERSION): void {
  router.getHead('/', (ctx) => sendText(ctx.res, 200, 'Ollama is running'));
  router.getHead('/api/version', (ctx) => sendJSON(ctx.res, 200, { version }, 'VersionResponse'));
}
