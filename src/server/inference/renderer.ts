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
  /** The BOS text the renderer writes itself ('' if none). */
  readonly leadingBOS: string;
  /**
   * How the output is split when no built-in parser does it (the GGUF chat template's tags);
   * absent: the Go template's tags.
   */
  readonly output?: { thinking: { open: string; close: string }; toolPrefix: string };
}

/**
 * Ollama's completionPrompt: when the tokenizer adds a BOS token itself, the BOS text a renderer
 * wrote (or a literal `<bos>`) is cut from the front so the model does not see two.
 */
export function withoutLeadingBOS(prompt: string, leadingBOS: string, tokenizerAddsBos: boolean): string {
  if (!tokenizerAddsBos) return prompt;
  if (leadingBOS !== '' && prompt.startsWith(leadingBOS)) return prompt.slice(leadingBOS.length);
  if (prompt.startsWith('<bos>')) return prompt.slice('<bos>'.length);
  return prompt;
}

function wrap(r: Renderer): ChatRenderer {
  return {
    leadingBOS: r.leadingBOS,
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
