/**
 * Which renderer a model uses, as Ollama resolves it: the config's `renderer` (the Modelfile's
 * `RENDERER`, or implied by the GGUF architecture at create), with the legacy `gemma4` name
 * narrowed to `gemma4-small` / `gemma4-large` by the model's name or parameter count.
 */
import { rendererFor, type Renderer } from './index.js';

export type { Renderer, Think } from './types.js';

export interface RendererModel {
  /** Config field `renderer` ('' or absent: none). */
  renderer?: string | null;
  /** Short and full model names (e.g. `gemma4:31b`). */
  names?: readonly string[];
  /** Config `model_type`, e.g. `31.3B`. */
  modelType?: string | null;
}

const GEMMA4_LARGE_MIN_PARAMS = 12_000_000_000;

function gemma4FromName(name: string): string | null {
  const lower = name.toLowerCase();
  if (lower.includes('e2b') || lower.includes('e4b')) return 'gemma4-small';
  if (lower.includes('12b') || lower.includes('26b') || lower.includes('31b')) return 'gemma4-large';
  return null;
}

/** format.HumanNumber's text back to a count (`31.3B`, `800M`, `7K`); anything else: null. */
export function parseHumanCount(s: string): number | null {
  const mult: Record<string, number> = { K: 1e3, M: 1e6, B: 1e9 };
  const unit = mult[s.slice(-1).toUpperCase()];
  const value = s.slice(0, -1);
  if (unit === undefined || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) return null;
  return Math.floor(Number(value) * unit);
}

/** The renderer name Ollama uses for the model ('' = none, use the template). */
export function resolveRendererName(m: RendererModel): string {
  const name = m.renderer ?? '';
  if (name !== 'gemma4') return name;
  for (const n of m.names ?? []) {
    const r = gemma4FromName(n);
    if (r) return r;
  }
  const count = m.modelType ? parseHumanCount(m.modelType) : null;
  if (count !== null) return count >= GEMMA4_LARGE_MIN_PARAMS ? 'gemma4-large' : 'gemma4-small';
  return 'gemma4-small';
}

/** The model's renderer, or null when it renders through its template. Throws for unknown names. */
export function modelRenderer(m: RendererModel): Renderer | null {
  const name = resolveRendererName(m);
  return name === '' ? null : rendererFor(name);
}
