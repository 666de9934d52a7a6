/**
 * Tiny pairs (see families.ts) for MoE families first checked at byte level only: qwen3-next
 * (a gated-delta-net layer and a gated attention layer, MoE FFNs) and laguna (a dense layer and
 * a MoE layer with gated attention).
 */
import { GGUFValueType as VT } from '../../../src/registry/gguf/types.js';
import { arr, f32, u32, type TensorSpec } from './writer.js';
import { attn, bpe, common, derive, E, FF, H, HD, KV, mlp, norm, pair, tensor, type FamilyPair, type Md } from './families.js';

const V = 384;
const NE = 4;
const FE = 32;

function moeFfn(p: string, shared: boolean): TensorSpec[] {
  return [
    tensor(`${p}.ffn_gate_inp.weight`, [E, NE], undefined, 0.5),
    tensor(`${p}.ffn_gate_exps.weight`, [E, FE, NE]),
    tensor(`${p}.ffn_up_exps.weight`, [E, FE, NE]),
    tensor(`${p}.ffn_down_exps.weight`, [FE, E, NE]),
    ...(shared ? [tensor(`${p}.ffn_gate_inp_shexp.weight`, [E], undefined, 0.5)] : []),
    tensor(`${p}.ffn_gate_shexp.weight`, [E, FE]),
    tensor(`${p}.ffn_up_shexp.weight`, [E, FE]),
    tensor(`${p}.ffn_down_shexp.weight`, [FE, E]),
  ];
}

/** Qwen3-Next: published with a per-layer KV-head array and `ssm_dt` without `.bias`. */
export function qwen3nextPair(): FamilyPair {
  const a = 'qwen3next';
  const DS = 16;
  const NK = 2;
  const NV = 4;
  const md: Md = [
    ...common(a, 2, [
      [`${a}.attention.key_length`, u32(HD)],
      [`${a}.attention.value_length`, u32(HD)],
      [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-6)],
      [`${a}.rope.dimension_count`, u32(HD)],
      [`${a}.ssm.conv_kernel`, u32(4)],
      [`${a}.ssm.inner_size`, u32(DS * NV)],
      [`${a}.ssm.state_size`, u32(DS)],
      [`${a}.ssm.time_step_rank`, u32(NV)],
      [`${a}.ssm.group_count`, u32(NK)],
      [`${a}.full_attention_interval`, u32(2)],
      [`${a}.expert_count`, u32(NE)],
      [`${a}.expert_used_count`, u32(2)],
      [`${a}.expert_feed_forward_length`, u32(FE)],
      [`${a}.expert_shared_feed_forward_length`, u32(FE)],
    ]),
    ...bpe(V, 'qwen2'),
  ];
  const conv = 2 * DS * NK + DS * NV;
  const t: TensorSpec[] = [tensor('token_embd.weight', [E, V], undefined, 0.5)];
  t.push(norm('blk.0.attn_norm.weight'), norm('blk.0.post_attention_norm.weight'));
  t.push(tensor('blk.0.ssm_in.weight', [E, 2 * DS * NK + 2 * DS * NV]), tensor('blk.0.ssm_conv1d.weight', [4, conv], undefined, 0.3));
  t.push(tensor('blk.0.ssm_dt.bias', [NV], undefined, 0.5), tensor('blk.0.ssm_a', [NV], undefined, 0.5), tensor('blk.0.ssm_ba.weight', [E, 2 * NV]));
  t.push(norm('blk.0.ssm_norm.weight', DS), tensor('blk.0.ssm_out.weight', [DS * NV, E]), ...moeFfn('blk.0', true));
  t.push(norm('blk.1.attn_norm.weight'), norm('blk.1.post_attention_norm.weight'));
  t.push(tensor('blk.1.attn_q.weight', [E, 2 * H * HD]), tensor('blk.1.attn_k.weight', [E, KV * HD]), tensor('blk.1.attn_v.weight', [E, KV * HD]), tensor('blk.1.attn_output.weight', [H * HD, E]));
  t.push(norm('blk.1.attn_q_norm.weight', HD), norm('blk.1.attn_k_norm.weight', HD), ...moeFfn('blk.1', true));
  t.push(norm('output_norm.weight'), tensor('output.weight', [E, V], undefined, 0.2));
  const base = { metadata: md, tensors: t };
  const ollama = derive(base, {
    setKeys: [[`${a}.attention.head_count_kv`, arr(VT.UINT32, [0, KV])]],
    renameTensor: (n) => n.replace(/\.ssm_dt\.bias$/, '.ssm_dt'),
  });
  return pair(a, a, V, base, ollama, 28);
}

/** Laguna: published with nested `rope.swa.*` keys and the attention gate named `attn_g`. */
export function lagunaPair(): FamilyPair {
  const a = 'laguna';
  const md: Md = [
    ...common(a, 2, [
      [`${a}.attention.key_length`, u32(HD)],
      [`${a}.attention.value_length`, u32(HD)],
      [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-6)],
      [`${a}.rope.dimension_count`, u32(HD)],
      [`${a}.leading_dense_block_count`, u32(1)],
      [`${a}.expert_count`, u32(NE)],
      [`${a}.expert_used_count`, u32(2)],
      [`${a}.expert_feed_forward_length`, u32(FE)],
      [`${a}.rope.dimension_count_swa`, u32(HD)],
      [`${a}.rope.freq_base_swa`, f32(10000)],
    ]),
    ...bpe(V, 'qwen2'),
  ];
  const t: TensorSpec[] = [tensor('token_embd.weight', [E, V], undefined, 0.5)];
  for (let i = 0; i < 2; i++) {
    const p = `blk.${i}`;
    t.push(norm(`${p}.attn_norm.weight`), ...attn(p), norm(`${p}.attn_q_norm.weight`, HD), norm(`${p}.attn_k_norm.weight`, HD), tensor(`${p}.attn_gate.weight`, [E, H]));
    t.push(norm(`${p}.ffn_norm.weight`));
    if (i === 0) t.push(...mlp(p));
    else t.push(...moeFfn(p, false).slice(0, 1), tensor(`${p}.exp_probs_b.bias`, [NE]), ...moeFfn(p, false).slice(1));
  }
  t.push(norm('output_norm.weight'), tensor('output.weight', [E, V], undefined, 0.2));
  const base = { metadata: md, tensors: t };
  const ollama = derive(base, {
    dropKeys: [`${a}.rope.dimension_count_swa`, `${a}.rope.freq_base_swa`],
    setKeys: [
      [`${a}.rope.swa.dimension_count`, u32(HD)],
      [`${a}.rope.swa.freq_base`, f32(10000)],
    ],
    renameTensor: (n) => n.replace(/\.attn_gate\.weight$/, '.attn_g.weight'),
  });
  return pair(a, a, V, base, ollama, 29);
}

/**
 * GLM-4.7 Flash: published as `glm4moelite` with per-head MLA lengths and KV heads; llama.cpp's
 * `deepseek2` reads the absorbed-MLA view (one KV head, lengths over the latent).
 */
export function glm4moelitePair(): FamilyPair {
  const a = 'deepseek2';
  const NOPE = 8;
  const ROPE = 8;
  const LORA_KV = 32;
  const LORA_Q = 32;
  const K = NOPE + ROPE;
  const md: Md = [
    ...common(a, 2, [
      [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-5)],
      [`${a}.attention.q_lora_rank`, u32(LORA_Q)],
      [`${a}.attention.kv_lora_rank`, u32(LORA_KV)],
      [`${a}.rope.dimension_count`, u32(ROPE)],
      [`${a}.leading_dense_block_count`, u32(1)],
      [`${a}.expert_count`, u32(NE)],
      [`${a}.expert_used_count`, u32(2)],
      [`${a}.expert_feed_forward_length`, u32(FE)],
      [`${a}.expert_shared_count`, u32(1)],
      [`${a}.expert_gating_func`, u32(2)],
      [`${a}.attention.key_length`, u32(LORA_KV + ROPE)],
      [`${a}.attention.value_length`, u32(LORA_KV)],
      [`${a}.attention.key_length_mla`, u32(K)],
      [`${a}.attention.value_length_mla`, u32(K)],
      [`${a}.expert_group_count`, u32(1)],
      [`${a}.expert_group_used_count`, u32(1)],
    ]),
    ...bpe(V, 'glm4'),
    ['tokenizer.ggml.eos_token_ids', arr(VT.INT32, [0, 1, 2])],
    ['tokenizer.ggml.eot_token_id', u32(1)],
    ['tokenizer.ggml.eom_token_id', u32(2)],
  ];
  md[md.findIndex(([k]) => k === `${a}.attention.head_count_kv`)] = [`${a}.attention.head_count_kv`, u32(1)];
  const t: TensorSpec[] = [tensor('token_embd.weight', [E, V], undefined, 0.5)];
  for (let i = 0; i < 2; i++) {
    const p = `blk.${i}`;
    t.push(norm(`${p}.attn_norm.weight`), tensor(`${p}.attn_q_a.weight`, [E, LORA_Q]), norm(`${p}.attn_q_a_norm.weight`, LORA_Q), tensor(`${p}.attn_q_b.weight`, [LORA_Q, H * K]));
    t.push(tensor(`${p}.attn_kv_a_mqa.weight`, [E, LORA_KV + ROPE]), norm(`${p}.attn_kv_a_norm.weight`, LORA_KV));
    t.push(tensor(`${p}.attn_k_b.weight`, [NOPE, LORA_KV, H]), tensor(`${p}.attn_v_b.weight`, [LORA_KV, K, H]), tensor(`${p}.attn_output.weight`, [H * K, E]));
    t.push(norm(`${p}.ffn_norm.weight`));
    if (i === 0) t.push(...mlp(p));
    else t.push(...moeFfn(p, false).slice(0, 1), tensor(`${p}.exp_probs_b.bias`, [NE]), ...moeFfn(p, false).slice(1));
  }
  t.push(norm('output_norm.weight'), tensor('output.weight', [E, V], undefined, 0.2));
  const base = { metadata: md, tensors: t };
  const ollama = derive(base, {
    dropKeys: [
      `${a}.attention.key_length_mla`,
      `${a}.attention.value_length_mla`,
      `${a}.expert_group_count`,
      `${a}.expert_group_used_count`,
      'tokenizer.ggml.eot_token_id',
      'tokenizer.ggml.eom_token_id',
    ],
    setKeys: [
      ['glm4moelite.attention.head_count_kv', u32(H)],
      ['glm4moelite.attention.key_length', u32(K)],
      ['glm4moelite.attention.value_length', u32(K)],
      ['tokenizer.ggml.pre', 'default'],
    ],
    renameKey: (k) => (k.startsWith(`${a}.`) ? 'glm4moelite.' + k.slice(a.length + 1) : k),
  });
  ollama.metadata[0] = ['general.architecture', 'glm4moelite'];
  return pair(a, 'glm4moelite', V, base, ollama, 30);
}

export const MOE_FAMILY_PAIRS: ReadonlyArray<[string, () => FamilyPair]> = [
  ['qwen3-next', qwen3nextPair],
  ['laguna', lagunaPair],
  ['glm-4.7-flash', glm4moelitePair],
];
