/**
 * LoRA adapter GGUFs for a base model, as llama.cpp's llama-adapter.cpp reads them:
 * general.type=adapter, general.architecture = the base's, adapter.type=lora,
 * adapter.lora.alpha, and for each chosen base matrix W (ne = [n_in, n_out]) the pair
 * `<W>.lora_a` (ne [n_in, r]) and `<W>.lora_b` (ne [r, n_out]), F32, seeded random; for
 * token_embd.weight (ne [n_embd, n_vocab]) A is [r, n_vocab] and B is [r, n_embd].
 */
import { readGGUF } from '../../../src/registry/gguf/index.js';
import { f32, writeGGUF, type TensorSpec } from './writer.js';

export interface LoraSpec {
  /** Base tensor names to adapt (default: every attn_q / attn_v / ffn_up weight). */
  match?: RegExp;
  rank?: number;
  alpha?: number;
  seed?: number;
  /** Amplitude of the random A and B values (default 0.5: a visible change on a tiny model). */
  scale?: number;
  /** B all zeros: the adapter changes nothing (W + BA = W). */
  zeroB?: boolean;
  /** Overrides, to make broken adapters. */
  architecture?: string;
  generalType?: string;
  /** Changes the shapes: lora_b gets this many extra output rows. */
  badShape?: boolean;
  /** An extra pair for a tensor the base lacks. */
  extraTensor?: string;
}

export async function writeLora(path: string, basePath: string, spec: LoraSpec = {}): Promise<{ tensors: string[] }> {
  const base = await readGGUF(basePath);
  const match = spec.match ?? /^blk\.\d+\.(attn_q|attn_v|ffn_up)\.weight$/;
  const r = spec.rank ?? 4;
  const scale = spec.scale ?? 0.5;
  const tensors: TensorSpec[] = [];
  const names: string[] = [];
  const pair = (name: string, nIn: number, nOut: number): void => {
    names.push(name);
    const bad = spec.badShape ? 1 : 0;
    const zero = spec.zeroB ? { init: 'zeros' as const } : {};
    // token_embd is looked up, not multiplied: A holds a row per token ([r, n_vocab]), B is [r, n_embd]
    const embd = name.endsWith('token_embd.weight');
    tensors.push({ name: `${name}.lora_a`, dims: embd ? [r, nOut] : [nIn, r], type: 'F32', scale });
    tensors.push({ name: `${name}.lora_b`, dims: embd ? [r, nIn + bad] : [r, nOut + bad], type: 'F32', scale, ...zero });
  };
  for (const t of base.tensors) if (match.test(t.name) && t.dims.length === 2) pair(t.name, t.dims[0]!, t.dims[1]!);
  if (spec.extraTensor) pair(spec.extraTensor, 8, 8);
  await writeGGUF(path, {
    seed: spec.seed ?? 7,
    metadata: {
      'general.architecture': spec.architecture ?? base.architecture,
      'general.type': spec.generalType ?? 'adapter',
      'adapter.type': 'lora',
      'adapter.lora.alpha': f32(spec.alpha ?? r),
    },
    tensors,
  });
  return { tensors: names };
}
