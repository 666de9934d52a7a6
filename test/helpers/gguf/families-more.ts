/**
 * More tiny random family pairs (see families.ts): the families whose translation rebuilds
 * tensor data (fused or interleaved tensors, shifted norms). Their tensors carry explicit
 * data, so the two layouts share bytes whatever the order or grouping of their tensors.
 */
import { GGUFValueType as VT } from '../../../src/registry/gguf/types.js';
import { arr, f32, prng, u32, type TensorSpec } from './writer.js';
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

export const MORE_FAMILY_PAIRS: ReadonlyArray<[string, () => FamilyPair]> = [
  ['glm-ocr', glmocrPair],
  ['deepseek-ocr', deepseekocrPair],
];
