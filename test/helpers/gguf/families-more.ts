/**
 * More tiny random family pairs (see families.ts): the families whose translation rebuilds
 * tensor data (fused or interleaved tensors, shifted norms). Their tensors carry explicit
 * data, so the two layouts share bytes whatever the order or grouping of their tensors.
 */
import { GGUFValueType as VT } from '../../../src/registry/gguf/types.js';
import { arr, f32, prng, u32, type TensorSpec } from './writer.js';
import { spmVocab } from './models.js';
import { attn, bpe, common, derive, E, FF, H, HD, mlp, norm, pair, tensor, visionTower, type FamilyPair, type Md } from './families.js';

/** Gives every F32 tensor explicit seeded data (uniform in ±scale, or ones/zeros). */
export function withData(ts: TensorSpec[], seed: number): TensorSpec[] {
  const r = prng(seed);
  return ts.map((t) => {
    if (t.data || t.type !== 'F32') return t;
    const n = t.dims.reduce((a, b) => a * b, 1);
    const d = new Float32Array(n);
    const s = t.scale ?? 0.02;
    if (t.init === 'ones') d.fill(1);
    else if (t.init !== 'zeros') for (let i = 0; i < n; i++) d[i] = ((r() / 2 ** 32) * 2 - 1) * s;
    return { ...t, data: d };
  });
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** GLM-OCR: `glmocr`, separate ffn_gate / ffn_up, other norm names; llama.cpp's `glm4` fuses the FFN. */
export function glmocrPair(): FamilyPair {
  const V = 384;
  const a = 'glm4';
  const N = 2;
  const md: Md = [
    ...common(a, N, [
      [`${a}.attention.key_length`, u32(HD)],
      [`${a}.attention.value_length`, u32(HD)],
      [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-5)],
      [`${a}.rope.dimension_count`, u32(HD)],
      [`${a}.rope.dimension_sections`, arr(VT.INT32, [2, 3, 3, 0])],
    ]),
    ...bpe(V, 'chatglm-bpe'),
  ];
  const published: TensorSpec[] = withData([tensor('token_embd.weight', [E, V], undefined, 0.5)], 31);
  const base: TensorSpec[] = [...published];
  for (let i = 0; i < N; i++) {
    const p = `blk.${i}`;
    const shared = withData([norm(`${p}.attn_norm.weight`), ...attn(p), norm(`${p}.post_attention_norm.weight`), norm(`${p}.ffn_norm.weight`), tensor(`${p}.ffn_down.weight`, [FF, E]), norm(`${p}.post_ffw_norm.weight`)], 40 + i);
    const [gate, up] = withData([tensor(`${p}.ffn_gate.weight`, [E, FF]), tensor(`${p}.ffn_up.weight`, [E, FF])], 50 + i);
    base.push(...shared, { name: `${p}.ffn_up.weight`, dims: [E, 2 * FF], type: 'F32', data: concat(gate!.data!, up!.data!) });
    published.push(...shared, gate!, up!);
  }
  const tail = withData([norm('output_norm.weight'), tensor('output.weight', [E, V], undefined, 0.2)], 32);
  base.push(...tail);
  published.push(...tail);
  const rename: Record<string, string> = { attn_output: 'attn_out', post_attention_norm: 'post_attn_norm', post_ffw_norm: 'post_ffn_norm' };
  const ollama = derive(
    { metadata: md, tensors: published },
    {
      dropKeys: [`${a}.rope.dimension_count`, `${a}.rope.dimension_sections`],
      setKeys: [
        ['glmocr.rope.mrope_section', arr(VT.INT32, [2, 3, 3])],
        ['glmocr.rope.partial_rotary_factor', f32(1)],
        ['glmocr.vision.block_count', u32(1)],
        ['tokenizer.ggml.pre', 'llama-bpe'],
      ],
      renameKey: (k) => (k.startsWith(`${a}.`) ? 'glmocr.' + k.slice(a.length + 1) : k),
      renameTensor: (n) => n.replace(/\.(attn_output|post_attention_norm|post_ffw_norm)\./, (_, x: string) => `.${rename[x]}.`),
      extraTensors: visionTower(),
    },
  );
  ollama.metadata[0] = ['general.architecture', 'glmocr'];
  return pair(a, 'glmocr', V, { metadata: md, tensors: base }, ollama, 17);
}

/** DeepSeek-OCR: `deepseekocr` without the MoE lengths and rms epsilon, SAM + vision encoders embedded. */
export function deepseekocrPair(): FamilyPair {
  const V = 384;
  const a = 'deepseek2-ocr';
  const NE = 4;
  const FE = 32;
  const md: Md = [
    ...common(a, 2, [
      [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-6)],
      [`${a}.expert_count`, u32(NE)],
      [`${a}.expert_used_count`, u32(2)],
      [`${a}.leading_dense_block_count`, u32(1)],
      [`${a}.expert_feed_forward_length`, u32(FE)],
      [`${a}.expert_shared_count`, u32(2)],
    ]),
    ...bpe(V, 'deepseek-v3'),
  ];
  md[md.findIndex(([k]) => k === `${a}.attention.head_count_kv`)] = [`${a}.attention.head_count_kv`, u32(H)];
  const t: TensorSpec[] = [tensor('token_embd.weight', [E, V], undefined, 0.5)];
  for (let i = 0; i < 2; i++) {
    const p = `blk.${i}`;
    t.push(norm(`${p}.attn_norm.weight`), tensor(`${p}.attn_q.weight`, [E, E]), tensor(`${p}.attn_k.weight`, [E, E]), tensor(`${p}.attn_v.weight`, [E, E]), tensor(`${p}.attn_output.weight`, [E, E]));
    t.push(norm(`${p}.ffn_norm.weight`));
    if (i === 0) t.push(...mlp(p));
    else {
      t.push(tensor(`${p}.ffn_gate_inp.weight`, [E, NE], undefined, 0.5));
      t.push(tensor(`${p}.ffn_gate_exps.weight`, [E, FE, NE]), tensor(`${p}.ffn_up_exps.weight`, [E, FE, NE]), tensor(`${p}.ffn_down_exps.weight`, [FE, E, NE]));
      t.push(tensor(`${p}.ffn_gate_shexp.weight`, [E, 2 * FE]), tensor(`${p}.ffn_up_shexp.weight`, [E, 2 * FE]), tensor(`${p}.ffn_down_shexp.weight`, [2 * FE, E]));
    }
  }
  t.push(norm('output_norm.weight'), tensor('output.weight', [E, V], undefined, 0.2));
  const base = { metadata: md, tensors: t };
  const ollama = derive(base, {
    dropKeys: [`${a}.attention.layer_norm_rms_epsilon`, `${a}.expert_feed_forward_length`, `${a}.expert_shared_count`],
    setKeys: [[`${a}.sam.block_count`, u32(1)]],
    renameKey: (k) => (k.startsWith(`${a}.`) ? 'deepseekocr.' + k.slice(a.length + 1) : k),
    extraTensors: [tensor('s.blk.0.attn.qkv.weight', [E, 3 * E]), ...visionTower()],
  });
  ollama.metadata[0] = ['general.architecture', 'deepseekocr'];
  return pair(a, 'deepseekocr', V, base, ollama, 18);
}

/**
 * A tiny Nemotron-H text model: a Mamba-2 layer, an attention layer, then an MLP layer (or a
 * MoE layer, optionally through a latent projection) — llama.cpp's `nemotron_h(_moe)` layout.
 */
function nemotronH(a: 'nemotron_h' | 'nemotron_h_moe', latent: boolean): { metadata: Md; tensors: TensorSpec[] } {
  const V = 384;
  const DI = 2 * E;
  const DS = 16;
  const NH = 8;
  const G = 2;
  const NE = 4;
  const FE = 32;
  const L = 32;
  const moe = a === 'nemotron_h_moe';
  const md: Md = [
    ...common(a, 3, [
      [`${a}.attention.key_length`, u32(HD)],
      [`${a}.attention.value_length`, u32(HD)],
      [`${a}.attention.layer_norm_epsilon`, f32(1e-5)],
      [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-5)],
      [`${a}.ssm.conv_kernel`, u32(4)],
      [`${a}.ssm.inner_size`, u32(DI)],
      [`${a}.ssm.state_size`, u32(DS)],
      [`${a}.ssm.time_step_rank`, u32(NH)],
      [`${a}.ssm.group_count`, u32(G)],
      ...(moe
        ? ([
            [`${a}.expert_count`, u32(NE)],
            [`${a}.expert_used_count`, u32(2)],
            [`${a}.expert_feed_forward_length`, u32(FE)],
            [`${a}.expert_shared_feed_forward_length`, u32(FE)],
            ...(latent ? [[`${a}.moe_latent_size`, u32(L)]] : []),
          ] as Md)
        : []),
    ]),
    ...bpe(V, 'default'),
  ];
  md[md.findIndex(([k]) => k === `${a}.attention.head_count_kv`)] = [`${a}.attention.head_count_kv`, arr(VT.UINT32, [0, 2, 0])];
  md[md.findIndex(([k]) => k === `${a}.feed_forward_length`)] = [`${a}.feed_forward_length`, arr(VT.UINT32, [0, 0, moe ? FE * 2 : FF])];
  const M = latent ? L : E;
  const t: TensorSpec[] = [tensor('token_embd.weight', [E, V], undefined, 0.5)];
  t.push(norm('blk.0.attn_norm.weight'), tensor('blk.0.ssm_in.weight', [E, 2 * DI + 2 * G * DS + NH]));
  t.push(tensor('blk.0.ssm_conv1d.weight', [4, DI + 2 * G * DS], undefined, 0.3), tensor('blk.0.ssm_conv1d.bias', [DI + 2 * G * DS]));
  t.push(tensor('blk.0.ssm_dt.bias', [NH], undefined, 0.5), tensor('blk.0.ssm_a', [1, NH], undefined, 0.5), tensor('blk.0.ssm_d', [1, NH], undefined, 0.5));
  t.push({ ...norm('blk.0.ssm_norm.weight'), dims: [DI / G, G] }, tensor('blk.0.ssm_out.weight', [DI, E]));
  t.push(norm('blk.1.attn_norm.weight'), ...attn('blk.1'));
  t.push(norm('blk.2.attn_norm.weight'));
  if (!moe) t.push(tensor('blk.2.ffn_up.weight', [E, FF]), tensor('blk.2.ffn_down.weight', [FF, E]));
  else {
    t.push(tensor('blk.2.ffn_gate_inp.weight', [E, NE], undefined, 0.5), tensor('blk.2.exp_probs_b.bias', [NE]));
    if (latent) t.push(tensor('blk.2.ffn_latent_down.weight', [E, L]), tensor('blk.2.ffn_latent_up.weight', [L, E]));
    t.push(tensor('blk.2.ffn_down_exps.weight', [FE, M, NE]), tensor('blk.2.ffn_up_exps.weight', [M, FE, NE]));
    t.push(tensor('blk.2.ffn_down_shexp.weight', [FE, E]), tensor('blk.2.ffn_up_shexp.weight', [E, FE]));
  }
  t.push(norm('output_norm.weight'), tensor('output.weight', [E, V], undefined, 0.2));
  return { metadata: md, tensors: t };
}

/** Nemotron 3 omni: `nemotron_h_omni` with vision and audio towers; llama.cpp loads its text model. */
export function nemotronHOmniPair(): FamilyPair {
  const a = 'nemotron_h';
  const base = nemotronH(a, false);
  const ollama = derive(base, {
    setKeys: [
      ['nemotron_h_omni.vision.block_count', u32(1)],
      ['nemotron_h_omni.audio.block_count', u32(1)],
    ],
    renameKey: (k) => (k.startsWith(`${a}.`) ? 'nemotron_h_omni.' + k.slice(a.length + 1) : k),
    extraTensors: [...visionTower(), tensor('a.blk.0.attn_q.weight', [E, E])],
  });
  ollama.metadata[0] = ['general.architecture', 'nemotron_h_omni'];
  return pair(a, 'nemotron_h_omni', 384, base, ollama, 19);
}

/** Nemotron-H MoE with a latent FFN: `ffn_latent_in/out`, no `moe_latent_size`, MTP tensors. */
export function nemotronHMoePair(): FamilyPair {
  const a = 'nemotron_h_moe';
  const base = nemotronH(a, true);
  const ollama = derive(base, {
    dropKeys: [`${a}.moe_latent_size`],
    renameTensor: (n) => n.replace('.ffn_latent_down.', '.ffn_latent_in.').replace('.ffn_latent_up.', '.ffn_latent_out.'),
    extraTensors: [tensor('mtp.layers.0.mixer.experts.0.up_proj.weight', [E, 32])],
  });
  return pair(a, a, 384, base, ollama, 20);
}

/**
 * Gemma 4: a sliding-window layer and a full-attention layer with a MoE beside its dense FFN.
 * Published: tokenizer model `llama`, split expert gate/up, the old per-expert scale name, towers.
 */
export function gemma4Pair(): FamilyPair {
  const V = 384;
  const a = 'gemma4';
  const NE = 4;
  const FE = 32;
  const md: Md = [
    ...common(a, 2, [
      [`${a}.attention.key_length`, u32(HD)],
      [`${a}.attention.value_length`, u32(HD)],
      [`${a}.attention.key_length_swa`, u32(HD)],
      [`${a}.attention.value_length_swa`, u32(HD)],
      [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-6)],
      [`${a}.attention.sliding_window`, u32(4)],
      [`${a}.attention.sliding_window_pattern`, arr(VT.BOOL, [true, false])],
      [`${a}.rope.freq_base_swa`, f32(10000)],
      [`${a}.embedding_length_per_layer_input`, u32(0)],
      [`${a}.expert_count`, u32(NE)],
      [`${a}.expert_used_count`, u32(2)],
      [`${a}.expert_feed_forward_length`, u32(FE)],
      [`${a}.final_logit_softcapping`, f32(30)],
    ]),
    ...bpe(V, 'gemma4'),
  ];
  md[md.findIndex(([k]) => k === 'tokenizer.ggml.model')] = ['tokenizer.ggml.model', 'gemma4'];
  const layer = (i: number): TensorSpec[] => {
    const p = `blk.${i}`;
    return [
      norm(`${p}.attn_norm.weight`),
      ...attn(p),
      norm(`${p}.attn_q_norm.weight`, HD),
      norm(`${p}.attn_k_norm.weight`, HD),
      norm(`${p}.post_attention_norm.weight`),
      norm(`${p}.ffn_norm.weight`),
      tensor(`${p}.ffn_gate.weight`, [E, FF]),
      tensor(`${p}.ffn_up.weight`, [E, FF]),
      tensor(`${p}.ffn_down.weight`, [FF, E]),
      norm(`${p}.post_ffw_norm.weight`),
    ];
  };
  const head = withData([tensor('token_embd.weight', [E, V], undefined, 0.5), { ...tensor('rope_freqs.weight', [HD / 2], 'ones') }, ...layer(0), ...layer(1)], 61);
  const moe = withData(
    [
      tensor('blk.1.ffn_gate_inp.weight', [E, NE], undefined, 0.5),
      { ...norm('blk.1.ffn_gate_inp.scale'), scale: 0.5 },
      norm('blk.1.pre_ffw_norm_2.weight'),
      norm('blk.1.post_ffw_norm_1.weight'),
      norm('blk.1.post_ffw_norm_2.weight'),
      tensor('blk.1.ffn_down_exps.weight', [FE, E, NE]),
      { ...norm('blk.1.ffn_down_exps.scale', NE), scale: 1 },
    ],
    62,
  );
  const [gate, up] = withData([tensor('blk.1.ffn_gate_exps.weight', [E, FE, NE]), tensor('blk.1.ffn_up_exps.weight', [E, FE, NE])], 63);
  const per = E * FE;
  const fused = new Float32Array(2 * per * NE);
  for (let e = 0; e < NE; e++) {
    fused.set(gate!.data!.subarray(e * per, (e + 1) * per), 2 * e * per);
    fused.set(up!.data!.subarray(e * per, (e + 1) * per), (2 * e + 1) * per);
  }
  const tail = withData([norm('output_norm.weight')], 64);
  const base = { metadata: md, tensors: [...head, ...moe, { name: 'blk.1.ffn_gate_up_exps.weight', dims: [E, 2 * FE, NE], type: 'F32' as const, data: fused }, ...tail] };
  const ollama = derive(
    { metadata: md, tensors: [...head, ...moe, gate!, up!, ...tail] },
    {
      setKeys: [
        ['tokenizer.ggml.model', 'llama'],
        [`${a}.vision.block_count`, u32(1)],
        [`${a}.audio.block_count`, u32(1)],
      ],
      renameTensor: (n) => (n === 'blk.1.ffn_down_exps.scale' ? 'blk.1.ffn_gate_inp.per_expert_scale' : n),
      extraTensors: withData([...visionTower(), tensor('a.blk.0.attn_q.weight', [E, E])], 65),
    },
  );
  return pair(a, a, V, base, ollama, 21);
}

/**
 * Gemma 3n: published with the multimodal vocabulary (16 more rows) in token_embd and the
 * tokenizer, the text vocabulary in per_layer_token_embd, and no `eos_token_ids`.
 */
export function gemma3nPair(): FamilyPair {
  const V = 320;
  const X = 16;
  const a = 'gemma3n';
  const ALT = 4;
  const RANK = 64;
  const PL = 256;
  const md: Md = [
    ...common(a, 2, [
      [`${a}.attention.key_length`, u32(HD)],
      [`${a}.attention.value_length`, u32(HD)],
      [`${a}.attention.sliding_window`, u32(4)],
      [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-6)],
      [`${a}.rope.freq_base_swa`, f32(10000)],
    ]),
    ...Object.entries(spmVocab(V)),
    ['tokenizer.ggml.eos_token_ids', arr(VT.INT32, [1, 106])],
  ];
  const layer = (i: number): TensorSpec[] => {
    const p = `blk.${i}`;
    return [
      norm(`${p}.attn_norm.weight`),
      ...attn(p),
      norm(`${p}.attn_q_norm.weight`, HD),
      norm(`${p}.attn_k_norm.weight`, HD),
      norm(`${p}.post_attention_norm.weight`),
      norm(`${p}.ffn_norm.weight`),
      tensor(`${p}.ffn_gate.weight`, [E, FF]),
      tensor(`${p}.ffn_up.weight`, [E, FF]),
      tensor(`${p}.ffn_down.weight`, [FF, E]),
      norm(`${p}.post_ffw_norm.weight`),
      tensor(`${p}.inp_gate.weight`, [E, PL]),
      tensor(`${p}.proj.weight`, [PL, E]),
      norm(`${p}.post_norm.weight`),
      tensor(`${p}.altup_correct_coef.weight`, [ALT, ALT], undefined, 0.1),
      norm(`${p}.altup_correct_scale.weight`),
      tensor(`${p}.altup_predict_coef.weight`, [ALT, ALT * ALT], undefined, 0.1),
      tensor(`${p}.altup_router.weight`, [E, ALT]),
      norm(`${p}.altup_router_norm.weight`),
      tensor(`${p}.laurel_l.weight`, [E, RANK]),
      tensor(`${p}.laurel_r.weight`, [RANK, E]),
      norm(`${p}.laurel_post_norm.weight`),
    ];
  };
  const [embd] = withData([tensor('token_embd.weight', [E, V + X], undefined, 0.5)], 81);
  const rest = withData(
    [
      tensor('altup_proj.weight', [E, E, ALT - 1]),
      tensor('altup_unembd_proj.weight', [E, E, ALT - 1]),
      tensor('per_layer_token_embd.weight', [PL * 2, V], undefined, 0.1),
      tensor('per_layer_model_proj.weight', [E, PL * 2]),
      norm('per_layer_proj_norm.weight', PL),
      norm('output_norm.weight'),
      ...layer(0),
      ...layer(1),
    ],
    82,
  );
  const base = { metadata: md, tensors: [{ ...embd!, dims: [E, V], data: embd!.data!.slice(0, E * V) }, ...rest] };
  const big = spmVocab(V + X);
  const ollama = derive(
    { metadata: md, tensors: [embd!, ...rest] },
    {
      dropKeys: ['tokenizer.ggml.eos_token_ids'],
      setKeys: [
        ['tokenizer.ggml.tokens', big['tokenizer.ggml.tokens']!],
        ['tokenizer.ggml.scores', big['tokenizer.ggml.scores']!],
        ['tokenizer.ggml.token_type', big['tokenizer.ggml.token_type']!],
      ],
    },
  );
  return pair(a, a, V, base, ollama, 33);
}

export const MORE_FAMILY_PAIRS: ReadonlyArray<[string, () => FamilyPair]> = [
  ['glm-ocr', glmocrPair],
  ['deepseek-ocr', deepseekocrPair],
  ['nemotron-h omni', nemotronHOmniPair],
  ['nemotron-h MoE', nemotronHMoePair],
  ['gemma4', gemma4Pair],
  ['gemma3n', gemma3nPair],
];
