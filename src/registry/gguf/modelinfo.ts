/**
 * The `model_info` and `tensors` fields of Ollama's /api/show, built from a GGUFInfo.
 */
import { isGGUFArray, type GGUFInfo, type GGUFScalar } from './types.js';

export type ModelInfoValue = number | boolean | string | Array<number | boolean | string> | null;

export interface ModelInfoOptions {
  /** `show --verbose`: arrays in full (the file must have been read with `verbose: true`). */
  verbose?: boolean;
  /**
   * How a non-verbose response elides long arrays. `'empty'` (default) follows the reference
   * (§3.9) and Ollama's docs/api.md: arrays longer than 5 become `[]`, shorter ones are kept.
   * `'null'` mimics what current Ollama builds actually emit: every non-empty array is `null`.
   */
  elide?: 'empty' | 'null';
}

function jsonScalar(v: GGUFScalar): number | boolean | string {
  // Values beyond 2^53 only occur in hostile files; JSON has no bigint.
  return typeof v === 'bigint' ? Number(v) : v;
}

/**
 * GGUF key/values minus `general.name` and `tokenizer.chat_template`, with
 * `general.parameter_count` set to the tensor element sum (Ollama patches it in), keys sorted
 * (Go's encoding/json sorts map keys). Always an object, never null.
 */
export function modelInfo(info: GGUFInfo, opts: ModelInfoOptions = {}): Record<string, ModelInfoValue> {
  const elide = opts.elide ?? 'empty';
  const all = new Map<string, ModelInfoValue>();
  for (const [k, v] of info.metadata) {
    if (k === 'general.name' || k === 'tokenizer.chat_template') continue;
    if (!isGGUFArray(v)) {
      all.set(k, jsonScalar(v));
      continue;
    }
    if (opts.verbose) {
      all.set(k, v.values ? v.values.map(jsonScalar) : null);
    } else if (elide === 'null') {
      all.set(k, v.count === 0 ? [] : null);
    } else {
      all.set(k, v.count > 5 || !v.values ? [] : v.values.map(jsonScalar));
    }
  }
  all.set('general.parameter_count', info.parameterCount);
  const out: Record<string, ModelInfoValue> = Object.create(null) as Record<string, ModelInfoValue>;
  for (const k of [...all.keys()].sort(goStringLess)) out[k] = all.get(k)!;
  return out;
}

/** Go sorts strings by bytes; JS by UTF-16 units. They differ only beyond the BMP. */
function goStringLess(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export interface ShowTensor {
  name: string;
  type: string;
  shape: number[];
}

/** The `tensors` list of /api/show: `{name, type, shape}` in file order. */
export function tensorList(info: GGUFInfo): ShowTensor[] {
  return info.tensors.map((t) => ({ name: t.name, type: t.typeName, shape: [...t.dims] }));
}
