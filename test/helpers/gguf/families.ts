/**
 * Tiny random models in two layouts per family: llama.cpp's (what the bundled llama.cpp's
 * llama-arch.cpp / convert_hf_to_gguf.py expect) and Ollama's published one (what its
 * converters wrote). Both specs of a family list the same tensors in the same order with the
 * same seed, so every shared tensor has identical bytes; tensors only the published file has
 * (embedded vision towers) come last.
 */
import { GGUFValueType as VT } from '../../../src/registry/gguf/types.js';
import { bpeVocab, spmVocab } from './models.js';
import { arr, f32, u32, type GGUFSpec, type TensorSpec, type WriteValue } from './writer.js';

export interface FamilyPair {
  /** llama.cpp's architecture name. */
  arch: string;
  /** The published architecture name. */
  publishedArch: string;
  llamacpp: GGUFSpec;
  ollama: GGUFSpec;
  vocab: number;
  /** An embedding model: compare embeddings, not generation. */
  embedding?: boolean;
  /** The end-of-generation token the translation must give (metadata-only families). */
  eos?: number;
}

export const E = 64;
export const H = 4;
export const KV = 2;
export const HD = E / H;
export const FF = 128;
const BPE_SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];

export type Md = Array<[string, WriteValue]>;

export function tensor(name: string, dims: number[], init?: 'ones' | 'zeros', scale?: number): TensorSpec {
  return { name, dims, type: 'F32', ...(init ? { init } : {}), ...(scale ? { scale } : {}) };
}
export const norm = (name: string, n = E): TensorSpec => ({ name, dims: [n], type: 'F32', scale: 0.5 });

/** Renames metadata keys and tensors of a spec (the inverse of a translation), keeping order. */
export function derive(
  base: { metadata: Md; tensors: TensorSpec[] },
  edit: { dropKeys?: string[]; setKeys?: Md; renameKey?: (k: string) => string; renameTensor?: (n: string) => string; extraTensors?: TensorSpec[] },
): { metadata: Md; tensors: TensorSpec[] } {
  const drop = new Set(edit.dropKeys ?? []);
  const md: Md = [];
  for (const [k, v] of base.metadata) if (!drop.has(k)) md.push([edit.renameKey ? edit.renameKey(k) : k, v]);
  for (const [k, v] of edit.setKeys ?? []) {
    const i = md.findIndex(([x]) => x === k);
    if (i >= 0) md[i] = [k, v];
    else md.push([k, v]);
  }
  const tensors = base.tensors.map((t) => ({ ...t, name: edit.renameTensor ? edit.renameTensor(t.name) : t.name }));
  return { metadata: md, tensors: [...tensors, ...(edit.extraTensors ?? [])] };
}

export const bpe = (vocab: number, pre: string): Md => Object.entries({ ...bpeVocab(vocab, BPE_SPECIALS), 'tokenizer.ggml.pre': pre });

export function common(arch: string, blocks: number, extra: Md = []): Md {
  return [
    ['general.architecture', arch],
    ['general.name', `${arch}-tiny-random`],
    ['general.file_type', u32(0)],
    [`${arch}.context_length`, u32(512)],
    [`${arch}.embedding_length`, u32(E)],
    [`${arch}.block_count`, u32(blocks)],
    [`${arch}.feed_forward_length`, u32(FF)],
    [`${arch}.attention.head_count`, u32(H)],
    [`${arch}.attention.head_count_kv`, u32(KV)],
    [`${arch}.rope.freq_base`, f32(10000)],
    ...extra,
  ];
}

export function attn(p: string, outName = 'attn_output'): TensorSpec[] {
  return [
    tensor(`${p}.attn_q.weight`, [E, H * HD]),
    tensor(`${p}.attn_k.weight`, [E, KV * HD]),
    tensor(`${p}.attn_v.weight`, [E, KV * HD]),
    tensor(`${p}.${outName}.weight`, [H * HD, E]),
  ];
}
export function mlp(p: string): TensorSpec[] {
  return [tensor(`${p}.ffn_gate.weight`, [E, FF]), tensor(`${p}.ffn_up.weight`, [E, FF]), tensor(`${p}.ffn_down.weight`, [FF, E])];
}
export const visionTower = (): TensorSpec[] => [tensor('v.blk.0.attn_q.weight', [E, E]), tensor('v.post_layernorm.weight', [E]), tensor('mm.mm_input_projection.weight', [E, E])];

export function pair(arch: string, publishedArch: string, vocab: number, base: { metadata: Md; tensors: TensorSpec[] }, ollama: { metadata: Md; tensors: TensorSpec[] }, seed: number): FamilyPair {
  return { arch, publishedArch, vocab, llamacpp: { ...base, seed }, ollama: { ...ollama, seed } };
}

/** gpt-oss: Ollama's first converter wrote `gptoss`, attn_out, attn_sinks, ffn_norm. */
export function gptossPair(): FamilyPair {
  const V = 384;
  const NE = 4;
  const FE = 32;
  const a = 'gpt-oss';
  const md: Md = [
    ...common(a, 2, [
      [`${a}.expert_feed_forward_length`, u32(FE)],
      [`${a}.expert_count`, u32(NE)],
      [`${a}.expert_used_count`, u32(2)],
      [`${a}.attention.key_length`, u32(HD)],
      [`${a}.attention.value_length`, u32(HD)],
      [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-5)],
      [`${a}.attention.sliding_window`, u32(8)],
      [`${a}.rope.scaling.type`, 'yarn'],
      [`${a}.rope.scaling.factor`, f32(4)],
      [`${a}.rope.scaling.original_context_length`, u32(128)],
    ]),
    ...bpe(V, 'gpt-4o'),
  ];
  const t: TensorSpec[] = [tensor('token_embd.weight', [E, V], undefined, 0.5)];
  for (let i = 0; i < 2; i++) {
    const p = `blk.${i}`;
    t.push(norm(`${p}.attn_norm.weight`));
    t.push(...attn(p));
    t.push(tensor(`${p}.attn_q.bias`, [H * HD]), tensor(`${p}.attn_k.bias`, [KV * HD]), tensor(`${p}.attn_v.bias`, [KV * HD]));
    t.push(tensor(`${p}.attn_output.bias`, [E]));
    t.push(tensor(`${p}.attn_sinks.weight`, [H], undefined, 0.5));
    t.push(norm(`${p}.post_attention_norm.weight`));
    t.push(tensor(`${p}.ffn_gate_inp.weight`, [E, NE], undefined, 0.5), tensor(`${p}.ffn_gate_inp.bias`, [NE]));
    t.push(tensor(`${p}.ffn_gate_exps.weight`, [E, FE, NE]), tensor(`${p}.ffn_gate_exps.bias`, [FE, NE]));
    t.push(tensor(`${p}.ffn_up_exps.weight`, [E, FE, NE]), tensor(`${p}.ffn_up_exps.bias`, [FE, NE]));
    t.push(tensor(`${p}.ffn_down_exps.weight`, [FE, E, NE]), tensor(`${p}.ffn_down_exps.bias`, [E, NE]));
  }
  t.push(norm('output_norm.weight'), tensor('output.weight', [E, V], undefined, 0.2));
  const base = { metadata: md, tensors: t };
  const ollama = derive(base, {
    dropKeys: [`${a}.expert_feed_forward_length`, `${a}.rope.scaling.type`],
    setKeys: [['tokenizer.ggml.pre', 'default']],
    renameKey: (k) => (k.startsWith('gpt-oss.') ? 'gptoss.' + k.slice(8) : k === 'general.architecture' ? k : k),
    renameTensor: (n) =>
      n
        .replace(/\.attn_output\./, '.attn_out.')
        .replace(/\.attn_sinks\.weight$/, '.attn_sinks')
        .replace(/\.post_attention_norm\./, '.ffn_norm.'),
  });
  ollama.metadata[0] = ['general.architecture', 'gptoss'];
  return pair(a, 'gptoss', V, base, ollama, 11);
}

/** OLMo 3: Ollama writes `olmo3`; llama.cpp loads the same tensors as `olmo2`. */
export function olmo3Pair(): FamilyPair {
  const V = 384;
  const a = 'olmo2';
  const md: Md = [
    ...common(a, 4, [
      [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-6)],
      [`${a}.attention.sliding_window`, u32(4)],
    ]),
    ...bpe(V, 'qwen2'),
  ];
  const t: TensorSpec[] = [tensor('token_embd.weight', [E, V], undefined, 0.5)];
  for (let i = 0; i < 4; i++) {
    const p = `blk.${i}`;
    t.push(...attn(p));
    t.push(norm(`${p}.attn_q_norm.weight`, E), norm(`${p}.attn_k_norm.weight`, KV * HD), norm(`${p}.post_attention_norm.weight`));
    t.push(...mlp(p), norm(`${p}.post_ffw_norm.weight`));
  }
  t.push(norm('output_norm.weight'), tensor('output.weight', [E, V], undefined, 0.2));
  const base = { metadata: md, tensors: t };
  const ollama = derive(base, { renameKey: (k) => (k.startsWith('olmo2.') ? 'olmo3.' + k.slice(6) : k) });
  ollama.metadata[0] = ['general.architecture', 'olmo3'];
  return pair(a, 'olmo3', V, base, ollama, 12);
}

/** LFM2: Ollama names the final norm `output_norm` (and once wrote a wrong feed_forward_length). */
export function lfm2Pair(): FamilyPair {
  const V = 384;
  const a = 'lfm2';
  const kvHeads = [0, KV, 0];
  const md: Md = [
    ...common(a, 3, [
      [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-5)],
      [`${a}.shortconv.l_cache`, u32(3)],
    ]),
    ...bpe(V, 'lfm2'),
  ];
  md[md.findIndex(([k]) => k === `${a}.attention.head_count_kv`)] = [`${a}.attention.head_count_kv`, arr(VT.UINT32, kvHeads)];
  const t: TensorSpec[] = [tensor('token_embd.weight', [E, V], undefined, 0.5)];
  for (let i = 0; i < 3; i++) {
    const p = `blk.${i}`;
    t.push(norm(`${p}.ffn_norm.weight`), ...mlp(p), norm(`${p}.attn_norm.weight`));
    if (kvHeads[i]) t.push(norm(`${p}.attn_q_norm.weight`, HD), norm(`${p}.attn_k_norm.weight`, HD), ...attn(p));
    else t.push(tensor(`${p}.shortconv.conv.weight`, [3, E], undefined, 0.3), tensor(`${p}.shortconv.in_proj.weight`, [E, 3 * E]), tensor(`${p}.shortconv.out_proj.weight`, [E, E]));
  }
  t.push(norm('token_embd_norm.weight'));
  const base = { metadata: md, tensors: t };
  const ollama = derive(base, {
    setKeys: [[`${a}.feed_forward_length`, u32(12288)], ['tokenizer.ggml.pre', 'default']],
    renameTensor: (n) => (n === 'token_embd_norm.weight' ? 'output_norm.weight' : n),
  });
  return pair(a, 'lfm2', V, base, ollama, 13);
}

/** Gemma 3: no rms epsilon, nested rope keys, multimodal tokens, embedded vision tower. */
export function gemma3Pair(): FamilyPair {
  const V = 320;
  const a = 'gemma3';
  const md: Md = [
    ...common(a, 2, [
      [`${a}.attention.key_length`, u32(HD)],
      [`${a}.attention.value_length`, u32(HD)],
      [`${a}.attention.sliding_window`, u32(4)],
      [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-6)],
      [`${a}.rope.freq_base_swa`, f32(10000)],
    ]),
    ...Object.entries(spmVocab(V)),
  ];
  md[md.findIndex(([k]) => k === `${a}.rope.freq_base`)] = [`${a}.rope.freq_base`, f32(1_000_000)];
  const t: TensorSpec[] = [tensor('token_embd.weight', [E, V], undefined, 0.5)];
  for (let i = 0; i < 2; i++) {
    const p = `blk.${i}`;
    t.push(norm(`${p}.attn_norm.weight`), ...attn(p), norm(`${p}.post_attention_norm.weight`));
    t.push(norm(`${p}.attn_k_norm.weight`, HD), norm(`${p}.attn_q_norm.weight`, HD));
    t.push(norm(`${p}.ffn_norm.weight`), ...mlp(p), norm(`${p}.post_ffw_norm.weight`));
  }
  t.push(norm('output_norm.weight'));
  const base = { metadata: md, tensors: t };
  const bigVocab = spmVocab(V + 16);
  const ollama = derive(base, {
    dropKeys: [`${a}.attention.layer_norm_rms_epsilon`, `${a}.rope.freq_base`, `${a}.rope.freq_base_swa`],
    setKeys: [
      [`${a}.rope.global.freq_base`, f32(1_000_000)],
      [`${a}.rope.local.freq_base`, f32(10000)],
      [`${a}.mm.tokens_per_image`, u32(256)],
      [`${a}.vision.block_count`, u32(1)],
      ['tokenizer.ggml.tokens', bigVocab['tokenizer.ggml.tokens']!],
      ['tokenizer.ggml.scores', bigVocab['tokenizer.ggml.scores']!],
      ['tokenizer.ggml.token_type', bigVocab['tokenizer.ggml.token_type']!],
    ],
    extraTensors: visionTower(),
  });
  return pair(a, 'gemma3', V, base, ollama, 14);
}

/**
 * EmbeddingGemma: published as `gemma3` with `dense.0/1` and `norm`; llama.cpp's `gemma-embedding`.
 * Six layers, so that Gemma's pattern (five sliding-window, one full attention) has a full layer:
 * with only sliding-window layers the first evaluation aborts in llama.cpp (GGML_ASSERT(buffer)).
 */
export function embeddinggemmaPair(): FamilyPair {
  const V = 320;
  const D = 96;
  const a = 'gemma-embedding';
  const md: Md = [
    ...common(a, 6, [
      [`${a}.attention.key_length`, u32(HD)],
      [`${a}.attention.value_length`, u32(HD)],
      [`${a}.attention.sliding_window`, u32(4)],
      [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-6)],
      [`${a}.pooling_type`, u32(1)],
    ]),
    ...Object.entries(spmVocab(V)),
  ];
  const t: TensorSpec[] = [tensor('token_embd.weight', [E, V], undefined, 0.5)];
  for (let i = 0; i < 6; i++) {
    const p = `blk.${i}`;
    t.push(norm(`${p}.attn_norm.weight`), ...attn(p), norm(`${p}.post_attention_norm.weight`));
    t.push(norm(`${p}.attn_k_norm.weight`, HD), norm(`${p}.attn_q_norm.weight`, HD));
    t.push(norm(`${p}.ffn_norm.weight`), ...mlp(p), norm(`${p}.post_ffw_norm.weight`));
  }
  t.push(norm('output_norm.weight'), tensor('dense_2.weight', [E, D]), tensor('dense_3.weight', [D, E]));
  const withFeat: Md = [
    ...md,
    [`${a}.rope.freq_base_swa`, f32(10000)],
    [`${a}.dense_2_feat_in`, u32(E)],
    [`${a}.dense_2_feat_out`, u32(D)],
    [`${a}.dense_3_feat_in`, u32(D)],
    [`${a}.dense_3_feat_out`, u32(E)],
  ];
  const base = { metadata: withFeat, tensors: t };
  const ollama = derive(
    { metadata: md, tensors: t },
    {
      renameKey: (k) => (k.startsWith(`${a}.`) ? 'gemma3.' + k.slice(a.length + 1) : k),
      setKeys: [['gemma3.attention.causal', false]],
      renameTensor: (n) => ({ 'output_norm.weight': 'norm.weight', 'dense_2.weight': 'dense.0.weight', 'dense_3.weight': 'dense.1.weight' })[n] ?? n,
    },
  );
  ollama.metadata[0] = ['general.architecture', 'gemma3'];
  return {
    ...pair(a, 'gemma3', V, base, ollama, 16),
    embedding: true,
  };
}

/** Mistral 3: YaRN keys of its own, tekken pre-tokenizer missing, embedded vision tower. */
export function mistral3Pair(): FamilyPair {
  const V = 384;
  const a = 'mistral3';
  const md: Md = [
    ...common(a, 2, [
      [`${a}.attention.key_length`, u32(HD)],
      [`${a}.attention.value_length`, u32(HD)],
      [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-5)],
      [`${a}.rope.dimension_count`, u32(HD)],
      [`${a}.rope.scaling.type`, 'yarn'],
      [`${a}.rope.scaling.factor`, f32(4)],
      [`${a}.rope.scaling.original_context_length`, u32(128)],
      [`${a}.rope.scaling.yarn_beta_fast`, f32(16)],
      [`${a}.rope.scaling.yarn_beta_slow`, f32(2)],
      [`${a}.rope.scaling.yarn_log_multiplier`, f32(0.5)],
      [`${a}.attention.temperature_scale`, f32(0.2)],
    ]),
    ...bpe(V, 'tekken'),
  ];
  const t: TensorSpec[] = [tensor('token_embd.weight', [E, V], undefined, 0.5)];
  for (let i = 0; i < 2; i++) {
    const p = `blk.${i}`;
    t.push(norm(`${p}.attn_norm.weight`), ...attn(p), norm(`${p}.ffn_norm.weight`), ...mlp(p));
  }
  t.push(norm('output_norm.weight'), tensor('output.weight', [E, V], undefined, 0.2));
  const base = { metadata: md, tensors: t };
  const rename: Record<string, string> = {
    [`${a}.rope.scaling.yarn_beta_fast`]: `${a}.rope.scaling.beta_fast`,
    [`${a}.rope.scaling.yarn_beta_slow`]: `${a}.rope.scaling.beta_slow`,
    [`${a}.rope.scaling.yarn_log_multiplier`]: `${a}.rope.scaling.mscale_all_dim`,
    [`${a}.attention.temperature_scale`]: `${a}.rope.scaling_beta`,
  };
  const ollama = derive(base, { dropKeys: ['tokenizer.ggml.pre'], renameKey: (k) => rename[k] ?? k, extraTensors: visionTower() });
  return pair(a, 'mistral3', V, base, ollama, 15);
}

export const FAMILY_PAIRS: ReadonlyArray<[string, () => FamilyPair]> = [
  ['gpt-oss', gptossPair],
  ['olmo3', olmo3Pair],
  ['lfm2', lfm2Pair],
  ['gemma3', gemma3Pair],
  ['embeddinggemma', embeddinggemmaPair],
  ['mistral3', mistral3Pair],
];
