/**
 * Tiny pairs (see families.ts) for families first checked at byte level only: the vision-text
 * models (qwen2.5-vl, qwen3-vl, qwen3-vl-moe, llama4), whose text model is llama.cpp's with a few
 * keys renamed or missing and the vision tower embedded.
 */
import { GGUFValueType as VT } from '../../../src/registry/gguf/types.js';
import { arr, f32, u32, type TensorSpec } from './writer.js';
import { attn, bpe, common, derive, E, HD, KV, mlp, norm, pair, tensor, visionTower, type FamilyPair, type Md } from './families.js';

const V = 384;
const NE = 4;
const FE = 32;

function experts(p: string): TensorSpec[] {
  return [
    tensor(`${p}.ffn_gate_inp.weight`, [E, NE], undefined, 0.5),
    tensor(`${p}.ffn_gate_exps.weight`, [E, FE, NE]),
    tensor(`${p}.ffn_up_exps.weight`, [E, FE, NE]),
    tensor(`${p}.ffn_down_exps.weight`, [FE, E, NE]),
  ];
}

/** Qwen2.5-VL: published as `qwen25vl` with a 3-entry `rope.mrope_section`; llama.cpp's `qwen2vl`. */
export function qwen25vlPair(): FamilyPair {
  const a = 'qwen2vl';
  const md: Md = [
    ...common(a, 2, [
      [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-6)],
      [`${a}.rope.dimension_sections`, arr(VT.INT32, [2, 3, 3, 0])],
    ]),
    ...bpe(V, 'qwen2'),
  ];
  const t: TensorSpec[] = [tensor('token_embd.weight', [E, V], undefined, 0.5)];
  for (let i = 0; i < 2; i++) {
    const p = `blk.${i}`;
    t.push(norm(`${p}.attn_norm.weight`), ...attn(p), tensor(`${p}.attn_q.bias`, [E]), tensor(`${p}.attn_k.bias`, [KV * HD]), tensor(`${p}.attn_v.bias`, [KV * HD]));
    t.push(norm(`${p}.ffn_norm.weight`), ...mlp(p));
  }
  t.push(norm('output_norm.weight'), tensor('output.weight', [E, V], undefined, 0.2));
  const base = { metadata: md, tensors: t };
  const ollama = derive(base, {
    dropKeys: [`${a}.rope.dimension_sections`],
    setKeys: [
      [`${a}.rope.mrope_section`, arr(VT.INT32, [2, 3, 3])],
      [`${a}.vision.block_count`, u32(1)],
    ],
    renameKey: (k) => (k.startsWith(`${a}.`) ? 'qwen25vl.' + k.slice(a.length + 1) : k),
    extraTensors: visionTower(),
  });
  ollama.metadata[0] = ['general.architecture', 'qwen25vl'];
  return pair(a, 'qwen25vl', V, base, ollama, 24);
}

/** Qwen3-VL (dense or MoE): published without `rope.dimension_sections` and `n_deepstack_layers`. */
function qwen3vl(a: 'qwen3vl' | 'qwen3vlmoe'): FamilyPair {
  const moe = a === 'qwen3vlmoe';
  // One 64-wide head: the default M-RoPE sections [24, 20, 20] cover 64 rotary dimensions.
  const D = 64;
  const md: Md = [
    ...common(a, 2, [
      [`${a}.attention.key_length`, u32(D)],
      [`${a}.attention.value_length`, u32(D)],
      [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-6)],
      [`${a}.rope.dimension_count`, u32(D)],
      // Fewer deepstack layers than blocks: llama.cpp adds them before the last layer's row pick.
      [`${a}.vision.deepstack_visual_indexes`, arr(VT.UINT32, [0])],
      ...(moe
        ? ([
            [`${a}.expert_count`, u32(NE)],
            [`${a}.expert_used_count`, u32(2)],
            [`${a}.expert_feed_forward_length`, u32(FE)],
          ] as Md)
        : []),
      [`${a}.rope.dimension_sections`, arr(VT.INT32, [24, 20, 20, 0])],
      [`${a}.n_deepstack_layers`, u32(1)],
    ]),
    ...bpe(V, 'qwen2'),
  ];
  const t: TensorSpec[] = [tensor('token_embd.weight', [E, V], undefined, 0.5)];
  for (let i = 0; i < 2; i++) {
    const p = `blk.${i}`;
    t.push(norm(`${p}.attn_norm.weight`), ...['q', 'k', 'v'].map((x) => tensor(`${p}.attn_${x}.weight`, [E, D])), tensor(`${p}.attn_output.weight`, [D, E]));
    t.push(norm(`${p}.attn_k_norm.weight`, D), norm(`${p}.attn_q_norm.weight`, D));
    t.push(norm(`${p}.ffn_norm.weight`), ...(moe ? experts(p) : mlp(p)));
  }
  t.push(norm('output_norm.weight'), tensor('output.weight', [E, V], undefined, 0.2));
  for (const k of ['attention.head_count', 'attention.head_count_kv']) md[md.findIndex(([x]) => x === `${a}.${k}`)] = [`${a}.${k}`, u32(1)];
  const base = { metadata: md, tensors: t };
  const ollama = derive(base, { dropKeys: [`${a}.rope.dimension_sections`, `${a}.n_deepstack_layers`], extraTensors: visionTower() });
  return pair(a, a, V, base, ollama, moe ? 26 : 25);
}
export const qwen3vlPair = (): FamilyPair => qwen3vl('qwen3vl');
export const qwen3vlmoePair = (): FamilyPair => qwen3vl('qwen3vlmoe');

/**
 * Llama 4: the same text layout with the vision tower embedded. Four MoE layers (three chunked,
 * one full attention). A two-layer variant with a dense FFN layer (interleave step 2) aborted in
 * the bundled llama.cpp on its first evaluation (`tensor buffer not set`), for the
 * llama.cpp-layout file too; this shape runs.
 */
export function llama4Pair(): FamilyPair {
  const a = 'llama4';
  const md: Md = [
    ...common(a, 4, [
      [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-5)],
      [`${a}.expert_count`, u32(NE)],
      [`${a}.expert_used_count`, u32(1)],
      [`${a}.expert_feed_forward_length`, u32(FE)],
      [`${a}.interleave_moe_layer_step`, u32(1)],
    ]),
    ...bpe(V, 'llama4'),
  ];
  const t: TensorSpec[] = [tensor('token_embd.weight', [E, V], undefined, 0.5)];
  for (let i = 0; i < 4; i++) {
    const p = `blk.${i}`;
    t.push(norm(`${p}.attn_norm.weight`), ...attn(p), norm(`${p}.ffn_norm.weight`), ...experts(p));
    t.push(tensor(`${p}.ffn_gate_shexp.weight`, [E, FE]), tensor(`${p}.ffn_down_shexp.weight`, [FE, E]), tensor(`${p}.ffn_up_shexp.weight`, [E, FE]));
  }
  t.push(norm('output_norm.weight'), tensor('output.weight', [E, V], undefined, 0.2));
  const base = { metadata: md, tensors: t };
  const ollama = derive(base, { setKeys: [[`${a}.vision.block_count`, u32(1)]], extraTensors: visionTower() });
  return pair(a, a, V, base, ollama, 27);
}

export const VL_FAMILY_PAIRS: ReadonlyArray<[string, () => FamilyPair]> = [
  ['qwen2.5-vl', qwen25vlPair],
  ['qwen3-vl', qwen3vlPair],
  ['qwen3-vl-moe', qwen3vlmoePair],
  ['llama4', llama4Pair],
];
