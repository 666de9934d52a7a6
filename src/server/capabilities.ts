/**
 * A model's capabilities (`completion`, `embedding`, `vision`, `audio`, `tools`, `insert`,
 * `thinking`), computed as Ollama 0.33 computes them: `modelCapabilities` is its
 * Model.Capabilities() (`/api/show`, and what chat/generate require), `listCapabilities` the
 * slightly different summary its `/api/tags` lists (server/model_list_cache.go). Both are pure:
 * the caller reads the GGUF headers and the template.
 */
import type { Capability } from '../api/types.js';
import { chatTemplateCapabilities, preferChatTemplate } from '../prompt/chat-template-caps.js';
import { isGemma4Renderer, parserSupport } from '../prompt/capabilities.js';
import type { GGUFInfo } from '../registry/gguf/index.js';
import type { ConfigV2 } from '../registry/store/index.js';
import { DEFAULT_TEMPLATE, inferThinkingTags, parseOllamaTemplate, type OllamaTemplate } from '../template/index.js';

/**
 * Whether Tollama renders a GGUF's own Jinja chat template (src/prompt/jinja). Ollama 0.33 does,
 * and counts what that template can do (tools, thinking) among the model's capabilities.
 */
export const GGUF_CHAT_TEMPLATES = true;

export interface CapabilityInput {
  config: ConfigV2 | null;
  /** Header of the weights (null: no weights layer, or unreadable). */
  gguf: GGUFInfo | null;
  /** Headers of the projector layers that could be read. */
  projectors: readonly GGUFInfo[];
  /** Number of projector layers (readable or not). */
  projectorCount: number;
  /** The template layer, parsed; null when the model has none (or it does not parse). */
  template: OllamaTemplate | null;
  /** Count the GGUF's Jinja chat template (Ollama's behaviour); default GGUF_CHAT_TEMPLATES. */
  jinja?: boolean;
}

let defaultTemplate: OllamaTemplate | undefined;
const fallback = () => (defaultTemplate ??= parseOllamaTemplate(DEFAULT_TEMPLATE));

function add(caps: Capability[], c: Capability): void {
  if (!caps.includes(c)) caps.push(c);
}

const isGptOss = (cfg: ConfigV2 | null) => cfg?.model_family === 'gptoss' || cfg?.model_family === 'gpt-oss';

/** Ollama's goTemplateCapabilities: `.Tools` → tools, `.Suffix` → insert, think tags → thinking. */
export function goTemplateCapabilities(t: OllamaTemplate): Capability[] {
  const caps: Capability[] = [];
  if (t.vars.includes('tools')) caps.push('tools');
  if (t.vars.includes('suffix')) caps.push('insert');
  const tags = inferThinkingTags(t.parsed.root);
  if (tags.open !== '' && tags.close !== '') caps.push('thinking');
  return caps;
}

/** Ollama's shouldUseHarmony: a gpt-oss family model whose template has harmony's tags. */
export function usesHarmony(cfg: ConfigV2 | null, t: OllamaTemplate | null): boolean {
  const raw = (t ?? fallback()).raw;
  return isGptOss(cfg) && raw.includes('<|start|>') && raw.includes('<|end|>');
}

function hasAudioEncoder(p: GGUFInfo): boolean {
  for (const [k, v] of p.metadata) if ((k === 'has_audio_encoder' || k.endsWith('.has_audio_encoder')) && v === true) return true;
  return false;
}

function isSafetensors(cfg: ConfigV2 | null): boolean {
  return cfg?.model_format === 'safetensors';
}

function nemotronSafetensors(cfg: ConfigV2 | null): boolean {
  if (!cfg || !isSafetensors(cfg)) return false;
  return cfg.parser === 'nemotron-3-nano' || cfg.renderer === 'nemotron-3-nano' || cfg.model_family === 'nemotron_h_omni' || (cfg.model_families ?? []).includes('nemotron_h_omni');
}

/** How a model's chat prompt is built, as Ollama 0.33 chooses (server/routes.go chatModeForModel). */
export interface TemplateChoice {
  /** The Go template renders (the model has one and the GGUF's template is not preferred). */
  useGo: boolean;
  /** The GGUF's own Jinja chat template renders: no renderer/parser/harmony/Go template applies. */
  useChatTemplate: boolean;
  /** The GGUF's chat template ('' when it has none, or Jinja rendering is off). */
  chatTemplate: string;
  harmony: boolean;
  rendererOrParser: boolean;
}

let goTemplateEnv: boolean | undefined;

/**
 * OLLAMA_GO_TEMPLATE as the server read it: undefined when unset (the choice below decides),
 * else whether a model's Go template is used (false: the GGUF's own template wherever it has one).
 */
export function setGoTemplateEnv(value: boolean | undefined): void {
  goTemplateEnv = value;
}

export function templateChoice(input: Pick<CapabilityInput, 'config' | 'gguf' | 'template' | 'jinja'>): TemplateChoice {
  const { config: cfg, gguf } = input;
  const jinja = input.jinja ?? GGUF_CHAT_TEMPLATES;
  const hasGo = input.template !== null;
  const goTemplate = input.template ?? fallback();
  const harmony = usesHarmony(cfg, input.template);
  const isGGUF = !cfg?.model_format || cfg.model_format === 'gguf';
  const chatTemplate = jinja && isGGUF ? (gguf?.chatTemplate ?? '') : '';
  const rendererOrParser = Boolean(cfg?.renderer || cfg?.parser);
  const preferChat =
    goTemplateEnv === undefined &&
    hasGo &&
    chatTemplate !== '' &&
    !rendererOrParser &&
    !harmony &&
    preferChatTemplate(chatTemplate, chatTemplateCapabilities(chatTemplate), goTemplate, goTemplateCapabilities(goTemplate));
  const useGo = hasGo && (goTemplateEnv ?? !preferChat);
  return { useGo, useChatTemplate: chatTemplate !== '' && !rendererOrParser && !harmony && !useGo, chatTemplate, harmony, rendererOrParser };
}

/** Ollama's Model.Capabilities(). */
export function modelCapabilities(input: CapabilityInput): Capability[] {
  const { config: cfg, gguf } = input;
  const caps: Capability[] = [];
  for (const c of cfg?.capabilities ?? []) add(caps, c);

  const hasGo = input.template !== null;
  const goTemplate = input.template ?? fallback();
  const { useGo, chatTemplate, harmony, rendererOrParser } = templateChoice(input);

  const isGGUF = !cfg?.model_format || cfg.model_format === 'gguf';
  if (gguf && isGGUF) {
    if (!(rendererOrParser || harmony || useGo)) for (const c of chatTemplateCapabilities(chatTemplate)) add(caps, c);
    add(caps, gguf.hasPoolingType ? 'embedding' : 'completion');
    if (gguf.metadata.has(`${gguf.architecture}.vision.block_count`)) add(caps, 'vision');
    if (gguf.metadata.has(`${gguf.architecture}.audio.block_count`)) add(caps, 'audio');
  }

  if (input.projectorCount > 0) {
    add(caps, 'vision');
    for (const p of input.projectors) if (hasAudioEncoder(p) && p.metadata.get(`${p.architecture}.vision.projector_type`) !== 'gemma3nv') add(caps, 'audio');
  }

  if (!hasGo || useGo) for (const c of goTemplateCapabilities(goTemplate)) add(caps, c);

  const parser = parserSupport(cfg?.parser);
  if (parser?.tools) add(caps, 'tools');
  if (parser?.thinking) add(caps, 'thinking');
  if (isGptOss(cfg)) add(caps, 'thinking');

  const arch = gguf?.architecture ?? '';
  const dropAudio =
    (isSafetensors(cfg) && (isGemma4Renderer(cfg?.renderer) || cfg?.renderer === 'glimmer')) ||
    nemotronSafetensors(cfg) ||
    arch === 'nemotron_h_omni' ||
    cfg?.model_family === 'nemotron_h_omni' ||
    (cfg?.model_families ?? []).includes('nemotron_h_omni');
  const dropVision = (isSafetensors(cfg) && isGemma4Renderer(cfg?.renderer)) || nemotronSafetensors(cfg);
  return caps.filter((c) => !(dropAudio && c === 'audio') && !(dropVision && c === 'vision'));
}

/**
 * Ollama's capabilities of a `/api/tags` entry: the weights' header scanned up to the tokenizer
 * keys (vision/audio in key order, then embedding or completion), the config's list, the
 * template (or the parser) for tools/insert/thinking, a projector for vision.
 */
export function listCapabilities(input: Omit<CapabilityInput, 'projectors' | 'jinja'>): Capability[] {
  const { config: cfg, gguf } = input;
  const caps: Capability[] = [];
  if (gguf && !cfg?.remote_host && !cfg?.remote_model) {
    let arch = '';
    let pooling = false;
    for (const key of gguf.metadata.keys()) {
      if (key === 'general.architecture') {
        arch = String(gguf.metadata.get(key));
        continue;
      }
      if (arch !== '' && key.startsWith('tokenizer.')) break;
      if (arch === '' || !key.startsWith(`${arch}.`)) continue;
      const rest = key.slice(arch.length + 1);
      if (rest === 'pooling_type') pooling = true;
      else if (rest === 'vision.block_count') add(caps, 'vision');
      else if (rest === 'audio.block_count') add(caps, 'audio');
    }
    add(caps, pooling ? 'embedding' : 'completion');
  }
  for (const c of cfg?.capabilities ?? []) add(caps, c);

  const parser = parserSupport(cfg?.parser);
  const t = input.template ?? fallback();
  if (t.vars.includes('tools') || parser?.tools) add(caps, 'tools');
  if (t.vars.includes('suffix')) add(caps, 'insert');
  const tags = inferThinkingTags(t.parsed.root);
  if ((tags.open !== '' && tags.close !== '') || isGptOss(cfg) || parser?.thinking) add(caps, 'thinking');
  if (input.projectorCount > 0) add(caps, 'vision');

  if (isSafetensors(cfg) && (isGemma4Renderer(cfg?.renderer) || nemotronSafetensors(cfg))) return caps.filter((c) => c !== 'vision' && c !== 'audio');
  if (isSafetensors(cfg) && cfg?.renderer === 'glimmer') return caps.filter((c) => c !== 'audio');
  return caps;
}
