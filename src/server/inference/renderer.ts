/**
 * The built-in renderer of a stored model (config `renderer`), wrapped so that a name Tollama
 * cannot render — or a renderer that fails — answers 500 with the reason, as Ollama's chat and
 * generate handlers do, never falling back to the template silently.
 */
import { ApiError } from '../../api/errors.js';
import type { Message, Tool } from '../../api/types.js';
import { modelRenderer, type Renderer, type Think } from '../../prompt/renderers/select.js';
import type { ResolvedModel } from '../model.js';

export interface ChatRenderer {
  render(messages: readonly Message[], tools: readonly Tool[] | null | undefined, think: Think): string;
}

function wrap(r: Renderer): ChatRenderer {
  return {
    render(messages, tools, think) {
      try {
        return r.render(messages, tools, think);
      } catch (err) {
        throw new ApiError(500, err instanceof Error ? err.message : String(err));
      }
    },
  };
}

/** The model's renderer, or null when its template renders the prompt. */
export function chatRenderer(m: ResolvedModel): ChatRenderer | null {
  try {
    const r = modelRenderer({ renderer: m.config?.renderer, names: [m.shortName, m.fullName], modelType: m.config?.model_type });
    return r ? wrap(r) : null;
  } catch (err) {
    throw new ApiError(500, err instanceof Error ? err.message : String(err));
  }
}
