/**
 * Ollama's built-in renderers by name (the Modelfile's `RENDERER`, config field `renderer`).
 * A model with a renderer gets its chat prompt from it instead of its Go template.
 */
import { CogitoRenderer } from './cogito.js';
import { CohereRenderer } from './cohere.js';
import { DeepSeek3Renderer } from './deepseek3.js';
import { FunctionGemmaRenderer } from './functiongemma.js';
import { Gemma4Renderer } from './gemma4.js';
import { GlimmerRenderer } from './glimmer.js';
import { GLM47Renderer, GlmOcrRenderer } from './glm.js';
import { LagunaRenderer, LagunaV8Renderer } from './laguna.js';
import { LFM2Renderer } from './lfm2.js';
import { Nemotron3NanoRenderer } from './nemotron.js';
import { Olmo3Renderer, Olmo3ThinkRenderer } from './olmo3.js';
import { Qwen3CoderRenderer } from './qwen3coder.js';
import { qwen38Options, Qwen35Renderer } from './qwen35.js';
import { Qwen3VLRenderer } from './qwen3vl.js';
import type { Renderer } from './types.js';

export type { Renderer, Think } from './types.js';

/** As in Ollama's server, images become `[img-N]` tags (the runner puts the embeddings there). */
const IMG_TAGS = true;

const RENDERERS: Record<string, () => Renderer> = {
  'qwen3-coder': () => new Qwen3CoderRenderer(),
  'qwen3-vl-instruct': () => new Qwen3VLRenderer({ isThinking: false, useImgTags: IMG_TAGS }),
  'qwen3-vl-thinking': () => new Qwen3VLRenderer({ isThinking: true, useImgTags: IMG_TAGS }),
  'qwen3.5': () => new Qwen35Renderer({ isThinking: true, emitEmptyThinkOnNoThink: true, useImgTags: IMG_TAGS }),
  'qwen3.8': () => new Qwen35Renderer(qwen38Options(IMG_TAGS)),
  'deepseek3.1': () => new DeepSeek3Renderer(true),
  cogito: () => new CogitoRenderer(true),
  olmo3: () => new Olmo3Renderer(false),
  'olmo3.1': () => new Olmo3Renderer(true),
  'olmo3-think': () => new Olmo3ThinkRenderer('olmo3-think'),
  'olmo3-32b-think': () => new Olmo3ThinkRenderer('olmo3-32b-think'),
  lfm2: () => new LFM2Renderer({ isThinking: false, useImgTags: IMG_TAGS }),
  'lfm2-thinking': () => new LFM2Renderer({ isThinking: true, useImgTags: IMG_TAGS }),
  'glm-4.7': () => new GLM47Renderer(),
  'glm-ocr': () => new GlmOcrRenderer(IMG_TAGS),
  cohere: () => new CohereRenderer(),
  gemma4: () => new Gemma4Renderer({ useImgTags: IMG_TAGS }),
  'gemma4-small': () => new Gemma4Renderer({ useImgTags: IMG_TAGS }),
  'gemma4-large': () => new Gemma4Renderer({ useImgTags: IMG_TAGS, emptyBlockOnNothink: true }),
  functiongemma: () => new FunctionGemmaRenderer(),
  laguna: () => new LagunaRenderer(),
  'poolside-v1': () => new LagunaV8Renderer(),
  'nemotron-3-nano': () => new Nemotron3NanoRenderer(false),
  'nemotron-3.5-nano': () => new Nemotron3NanoRenderer(true),
  glimmer: () => new GlimmerRenderer({ useImgTags: IMG_TAGS }),
  ornith: () => new Qwen35Renderer({ isThinking: true, alwaysRenderAssistantThinkBlock: true, emitEmptyThinkOnNoThink: true, useImgTags: IMG_TAGS }),
};

/** Every renderer name Ollama 0.33 knows (model/renderers/renderer.go). */
export const OLLAMA_RENDERER_NAMES: readonly string[] = [
  'qwen3-coder', 'qwen3-vl-instruct', 'qwen3-vl-thinking', 'qwen3.5', 'qwen3.8', 'ornith', 'cogito',
  'deepseek3.1', 'olmo3', 'olmo3.1', 'olmo3-think', 'olmo3-32b-think', 'nemotron-3-nano',
  'nemotron-3.5-nano', 'gemma4', 'gemma4-small', 'gemma4-large', 'functiongemma', 'glm-4.7', 'glm-ocr',
  'lfm2', 'lfm2-thinking', 'laguna', 'poolside-v1', 'cohere', 'glimmer',
];

/** The names Tollama can render today. */
export const rendererNames = (): string[] => Object.keys(RENDERERS);

export class RendererError extends Error {}

/** The renderer called `name`; an unknown name is Ollama's `unknown renderer "x"` error. */
export function rendererFor(name: string): Renderer {
  const make = RENDERERS[name];
  if (make) return make();
  if (OLLAMA_RENDERER_NAMES.includes(name)) throw new RendererError(`renderer "${name}" is not implemented by Tollama yet`);
  throw new RendererError(`unknown renderer ${JSON.stringify(name)}`);
}

/** The BOS text the named renderer writes ('' for names without a renderer, as Ollama). */
export function leadingBOSFor(name: string): string {
  const make = RENDERERS[name];
  return make ? make().leadingBOS : '';
}
