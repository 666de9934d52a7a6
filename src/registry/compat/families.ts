/**
 * Per-family translations from the GGUF layouts Ollama has published to the layout the bundled
 * llama.cpp loads. The facts (which keys, which tensors, which defaults) are Ollama 0.33's
 * load-time compatibility layer (llama/compat/llama-ollama-compat.cpp); each handler only acts
 * when the file shows one of that family's published-layout markers, so a file already in
 * llama.cpp's layout is left alone.
 */
import type { HeaderEdit } from './edit.js';
import type { Family } from './family.js';
import { embeddinggemma, gemma3, gemma3n, llama4, mistral3, qwen25vl, qwen3vlFamily } from './families-multimodal.js';
import { deepseekocr, glmocr } from './families-ocr.js';
import { gemma4, nemotronHOmni } from './families-omni.js';
import { qwen35, qwen35moe } from './families-qwen35.js';
import { glm4moelite, gptoss, laguna, lfm2, llama3, nemotronHMoe, olmo3, qwen3next, snowflake } from './families-text.js';

export type { Family } from './family.js';

/** In the order Ollama's dispatcher runs them. */
export const FAMILIES: readonly Family[] = [embeddinggemma, gemma3, snowflake, gemma3n, gemma4, qwen35moe, qwen35, qwen3next, laguna, gptoss, lfm2, olmo3, mistral3, qwen25vl, qwen3vlFamily('qwen3vl'), qwen3vlFamily('qwen3vlmoe'), glm4moelite, deepseekocr, nemotronHOmni, nemotronHMoe, llama3, llama4, glmocr];

/** Runs the handler of the file's published architecture (at most one applies). */
export function applyFamilies(h: HeaderEdit): Family | null {
  const arch = h.str('general.architecture');
  for (const f of FAMILIES) {
    if (f.arch !== arch) continue;
    f.apply(h);
    if (h.changed) return f;
  }
  return null;
}
