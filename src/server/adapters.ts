/**
 * LoRA adapters (a Modelfile's ADAPTER, the model's adapter layers) checked against the base model
 * before loading, with llama.cpp's own reasons (llama-adapter.cpp, llama_adapter_lora_init_impl).
 * llama.cpp logs them and node-llama-cpp only reports that the adapter failed to load, so the
 * same checks run here on the GGUF headers, and a mismatch is a clear 500 at load time, as Ollama
 * reports llama-server's failure to start with `--lora`. `create` stores any adapter, as Ollama does.
 */
import type { GGUFInfo } from '../registry/gguf/index.js';

function str(info: GGUFInfo, key: string): string {
  const v = info.metadata.get(key);
  return typeof v === 'string' ? v : '';
}

/** Why llama.cpp would refuse `adapter` on `base`, in its words; null when it fits. */
export function loraMismatch(base: GGUFInfo, adapter: GGUFInfo): string | null {
  const type = str(adapter, 'general.type');
  if (type !== 'adapter') return `expect general.type to be 'adapter', but got: ${type}`;
  if (str(adapter, 'general.architecture') !== base.architecture) return 'model arch and LoRA arch mismatch';
  const kind = str(adapter, 'adapter.type');
  if (kind !== 'lora') return `expect adapter.type to be 'lora', but got: ${kind}`;

  const pairs = new Map<string, { a?: readonly number[]; b?: readonly number[] }>();
  for (const t of adapter.tensors) {
    const m = /^(.*)\.lora_([ab])$/.exec(t.name);
    if (!m) {
      if (t.name.endsWith('_norm.weight')) continue; // llama.cpp skips these
      return `LoRA tensor '${t.name}' has unexpected suffix`;
    }
    const p = pairs.get(m[1]!) ?? {};
    p[m[2] as 'a' | 'b'] = t.dims;
    pairs.set(m[1]!, p);
  }
  const baseTensors = new Map(base.tensors.map((t) => [t.name, t.dims]));
  for (const [name, { a, b }] of [...pairs].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    if (!a || !b) return `LoRA tensor pair for '${name}' is missing one component`;
    const w = baseTensors.get(name);
    if (!w) return `LoRA tensor '${name}' does not exist in base model (hint: maybe wrong base model?)`;
    const ne = (d: readonly number[], i: number): number => d[i] ?? 1;
    if (name.endsWith('token_embd.weight')) {
      if (ne(w, 0) !== ne(b, 1) || ne(w, 1) !== ne(a, 1)) return `tensor '${name}' has incorrect shape (hint: maybe wrong base model?)`;
    } else {
      if (ne(w, 0) !== ne(a, 0) || ne(w, 1) !== ne(b, 1)) return `tensor '${name}' has incorrect shape (hint: maybe wrong base model?)`;
      if (ne(a, 1) !== ne(b, 0)) return 'lora_a tensor is not transposed (hint: adapter from "finetune" example is no longer supported)';
    }
  }
  return null;
}
