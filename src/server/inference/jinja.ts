/**
 * The GGUF's own Jinja chat template as a model's prompt builder, chosen as Ollama 0.33 chooses
 * it (capabilities.ts templateChoice): no built-in renderer or parser, not harmony, and no Go
 * template — or a Go template that can do less than the GGUF's. The vocabulary's BOS/EOS text
 * and whether the tokenizer adds them come from the GGUF header (read once per blob), so
 * `_debug_render_only` shows the prompt without loading the model. A template that fails
 * answers 500 with its message, as Ollama relays llama-server's template errors.
 */
import { ApiError, BadRequestError } from '../../api/errors.js';
import type { Message, Tool } from '../../api/types.js';
import { chatTemplateHasThinking } from '../../prompt/chat-template-caps.js';
import { JinjaError, outputTags, renderChatTemplate, type ChatTemplateVocab } from '../../prompt/jinja/index.js';
import type { Think } from '../../prompt/renderers/types.js';
import { isGGUFArray, readGGUF, type GGUFInfo } from '../../registry/gguf/index.js';
import { templateChoice } from '../capabilities.js';
import { headerOrNull, ownTemplate, type ResolvedModel } from '../model.js';
import type { ChatRenderer } from './renderer.js';

const vocabCache = new Map<string, Promise<ChatTemplateVocab>>();

function tokenText(h: GGUFInfo, key: string, fallback: number | undefined): string {
  const id = h.metadata.get(key);
  const n = typeof id === 'number' ? id : typeof id === 'bigint' ? Number(id) : fallback;
  const tokens = h.metadata.get('tokenizer.ggml.tokens');
  if (n === undefined || n < 0 || !isGGUFArray(tokens) || !tokens.values) return '';
  const t = tokens.values[n];
  return typeof t === 'string' ? t : '';
}

/** BOS/EOS text and add flags of a GGUF vocabulary (llama.cpp's defaults for SentencePiece). */
export function vocabOf(h: GGUFInfo): ChatTemplateVocab {
  const model = h.metadata.get('tokenizer.ggml.model');
  const spm = model === 'llama';
  const flag = (k: string, d: boolean) => {
    const v = h.metadata.get(k);
    return typeof v === 'boolean' ? v : d;
  };
  return {
    bos: tokenText(h, 'tokenizer.ggml.bos_token_id', spm ? 1 : undefined),
    eos: tokenText(h, 'tokenizer.ggml.eos_token_id', spm ? 2 : undefined),
    addBos: flag('tokenizer.ggml.add_bos_token', spm || model === 'bert'),
    addEos: flag('tokenizer.ggml.add_eos_token', false),
  };
}

function modelVocab(path: string): Promise<ChatTemplateVocab> {
  let p = vocabCache.get(path);
  if (!p) {
    p = readGGUF(path, { keepArrays: ['tokenizer.ggml.tokens'] }).then(vocabOf);
    vocabCache.set(path, p);
    p.catch(() => vocabCache.delete(path));
    if (vocabCache.size > 16) vocabCache.delete(vocabCache.keys().next().value!);
  }
  return p;
}

/** Template failures as Ollama reports them: 500 with the template's message. */
function asApiError(err: unknown): unknown {
  if (err instanceof JinjaError) return new ApiError(500, err.message);
  if (err instanceof RangeError) return new ApiError(500, 'chat template input is nested too deeply');
  return err;
}

/** The model's GGUF chat template as its renderer, or null when something else builds the prompt. */
export async function jinjaRenderer(m: ResolvedModel): Promise<ChatRenderer | null> {
  if (!m.modelPath) return null;
  const gguf = await headerOrNull(m.modelPath);
  const choice = templateChoice({ config: m.config, gguf, template: ownTemplate(m.template) });
  if (!choice.useChatTemplate) return null;
  const vocab = await modelVocab(m.modelPath);
  const template = choice.chatTemplate;
  // llama.cpp (common/chat.cpp:766-776, 1228-1229) renders a request with tools with the GGUF's
  // `tokenizer.chat_template.tool_use` variant when it has one.
  const variant = gguf?.metadata.get('tokenizer.chat_template.tool_use');
  const toolUse = typeof variant === 'string' && variant !== '' ? variant : null;
  return {
    leadingBOS: '',
    output: outputTags(template, chatTemplateHasThinking(template)),
    render(messages: readonly Message[], tools: readonly Tool[] | null | undefined, think: Think): string {
      if (messages.some((x) => x.images && x.images.length > 0)) {
        throw new BadRequestError("images are not supported with the GGUF's own chat template yet");
      }
      try {
        const withTools = toolUse !== null && tools !== null && tools !== undefined && tools.length > 0;
        return renderChatTemplate({ template: withTools ? toolUse : template, messages, tools, think, vocab });
      } catch (err) {
        throw asApiError(err);
      }
    },
  };
}
