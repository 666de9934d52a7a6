/**
 * Tiny vision towers in two layouts per family, from the same weights: embedded in a published
 * model as Ollama's converter writes it (`<arch>.vision.*` keys, Ollama's tensor names and
 * types, text tensors first), and as the separate `clip` projector file llama.cpp's
 * convert_hf_to_gguf.py writes (`clip.*` keys, clip tensor names, its types and value
 * transforms, written here independently of src/). The text half is the family's tiny text model
 * (families.ts), so the published file's text translation loads as the matching text model.
 */
import { GGUFValueType as VT } from '../../../src/registry/gguf/types.js';
import { halfToFloat } from '../../../src/registry/compat/towers/floats.js';
import { gemma3Pair, mistral3Pair } from './families.js';
import { bpeVocab } from './models.js';
import { arr, f32, prng, toHalf, u32, type GGUFSpec, type TensorSpec, type WeightType, type WriteValue } from './writer.js';

type Md = Array<[string, WriteValue]>;

export interface TowerPair {
  label: string;
  publishedArch: string;
  /** The published file: text model + embedded tower. */
  published: GGUFSpec;
  /** llama.cpp's mmproj for the same tower. */
  mmproj: GGUFSpec;
  /** llama-mtmd-cli's --chat-template when the text model has none. */
  chatTemplate?: string;
  /**
   * A llama.cpp-layout text model of the projector's output width to load with it, when the
   * family's own tiny text model is not built here (libmtmd only needs the widths to match).
   */
  standInText?: GGUFSpec;
}

interface Weight {
  /** Ollama's name, or null when only llama.cpp's file has it. */
  published: string | null;
  /** llama.cpp's name, or null when its file has the values elsewhere (joined into another tensor). */
  llama: string | null;
  dims: number[];
  /** llama.cpp's shape, when its converter reshapes. */
  llamaDims?: number[];
  pubType: WeightType;
  llamaType: WeightType;
  values: Float32Array;
  /** llama.cpp's values when its converter transforms them (permutations). */
  llamaValues?: Float32Array;
}

/** Seeded values exactly representable in F16 (so F16 and F32 files hold the same numbers). */
function values(rand: () => number, n: number, scale: number, init?: 'ones' | 'zeros'): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = init === 'ones' ? 1 : init === 'zeros' ? 0 : ((rand() / 4294967296) * 2 - 1) * scale;
    out[i] = halfToFloat(toHalf(x));
  }
  return out;
}

function weights(seed: number) {
  const rand = prng(seed);
  const list: Weight[] = [];
  const add = (published: string | null, llama: string | null, dims: number[], opts: { type?: WeightType; llamaType?: WeightType; scale?: number; init?: 'ones' | 'zeros' } = {}): Weight => {
    const type = opts.type ?? (dims.length > 1 ? 'F16' : 'F32');
    const w: Weight = { published, llama, dims, pubType: type, llamaType: opts.llamaType ?? type, values: values(rand, dims.reduce((a, b) => a * b, 1), opts.scale ?? 0.5, opts.init) };
    list.push(w);
    return w;
  };
  return { list, add };
}

function specs(
  text: { metadata: Md; tensors: TensorSpec[] },
  seed: number,
  pubKeys: Md,
  mmKeys: Md,
  list: Weight[],
  scales: Array<[RegExp, number]>,
): { published: GGUFSpec; mmproj: GGUFSpec } {
  const md = text.metadata.filter(([k]) => !/^[a-z0-9_]+\.(vision|mm)\./.test(k));
  // The family models' attention weights (±0.02) leave each position's output to its own token;
  // stronger ones (same random stream, so the same text model otherwise) let the image steer it.
  const textTensors = text.tensors
    .filter((t) => !t.name.startsWith('v.') && !t.name.startsWith('mm.'))
    .map((t) => ({ ...t, scale: scales.find(([re]) => re.test(t.name))?.[1] ?? t.scale }));
  const pubTensors: TensorSpec[] = list.filter((w) => w.published).map((w) => ({ name: w.published!, dims: w.dims, type: w.pubType, data: w.values }));
  const mmTensors: TensorSpec[] = list.filter((w) => w.llama).map((w) => ({ name: w.llama!, dims: w.llamaDims ?? w.dims, type: w.llamaType, data: w.llamaValues ?? w.values }));
  return {
    published: { metadata: [...md, ...pubKeys], tensors: [...textTensors, ...pubTensors], seed },
    mmproj: { metadata: mmKeys, tensors: mmTensors, seed },
  };
}

const mmprojHeader = (projector: string): Md => [
  ['general.architecture', 'clip'],
  ['general.type', 'mmproj'],
  ['clip.has_vision_encoder', true],
  ['clip.projector_type', projector],
];

const TEXT_E = 64;

/** Gemma 3: SigLIP (32 px images, 4 px patches, width 32, 2 blocks) + Gemma 3's projector. */
export function gemma3TowerPair(): TowerPair {
  const pair = gemma3Pair();
  // The family's tiny text model attends over 4 tokens only; here it must see the image.
  const text = pair.ollama as { metadata: Md; tensors: TensorSpec[] };
  text.metadata[text.metadata.findIndex(([k]) => k === 'gemma3.attention.sliding_window')] = ['gemma3.attention.sliding_window', u32(512)];
  const H = 32, FF = 64, P = 4, IMG = 32, BLOCKS = 2, HEADS = 2;
  const { list, add } = weights(31);
  add('v.patch_embedding.weight', 'v.patch_embd.weight', [P, P, 3, H], { llamaType: 'F32' });
  add('v.patch_embedding.bias', 'v.patch_embd.bias', [H]);
  add('v.position_embedding.weight', 'v.position_embd.weight', [H, (IMG / P) ** 2], { llamaType: 'F32' });
  for (let i = 0; i < BLOCKS; i++) {
    const p = `v.blk.${i}`;
    add(`${p}.layer_norm1.weight`, `${p}.ln1.weight`, [H], { init: 'ones' });
    add(`${p}.layer_norm1.bias`, `${p}.ln1.bias`, [H], { scale: 0.1 });
    for (const [o, l] of [['attn_q', 'attn_q'], ['attn_k', 'attn_k'], ['attn_v', 'attn_v'], ['attn_output', 'attn_out']]) {
      add(`${p}.${o}.weight`, `${p}.${l}.weight`, [H, H]);
      add(`${p}.${o}.bias`, `${p}.${l}.bias`, [H], { scale: 0.1 });
    }
    add(`${p}.layer_norm2.weight`, `${p}.ln2.weight`, [H], { init: 'ones' });
    add(`${p}.layer_norm2.bias`, `${p}.ln2.bias`, [H], { scale: 0.1 });
    add(`${p}.mlp.fc1.weight`, `${p}.ffn_up.weight`, [H, FF]);
    add(`${p}.mlp.fc1.bias`, `${p}.ffn_up.bias`, [FF], { scale: 0.1 });
    add(`${p}.mlp.fc2.weight`, `${p}.ffn_down.weight`, [FF, H]);
    add(`${p}.mlp.fc2.bias`, `${p}.ffn_down.bias`, [H], { scale: 0.1 });
  }
  add('v.post_layernorm.weight', 'v.post_ln.weight', [H], { init: 'ones' });
  add('v.post_layernorm.bias', 'v.post_ln.bias', [H], { scale: 0.1 });
  add('mm.mm_input_projection.weight', 'mm.input_projection.weight', [TEXT_E, H], { scale: 3 });
  add('mm.mm_soft_emb_norm.weight', 'mm.soft_emb_norm.weight', [H], { scale: 1 });
  const a = 'gemma3';
  const pubKeys: Md = [
    [`${a}.vision.block_count`, u32(BLOCKS)],
    [`${a}.vision.embedding_length`, u32(H)],
    [`${a}.vision.feed_forward_length`, u32(FF)],
    [`${a}.vision.image_size`, u32(IMG)],
    [`${a}.vision.patch_size`, u32(P)],
    [`${a}.vision.num_channels`, u32(3)],
    [`${a}.vision.attention.head_count`, u32(HEADS)],
    [`${a}.vision.attention.layer_norm_epsilon`, f32(1e-6)],
    [`${a}.mm.tokens_per_image`, u32(4)],
  ];
  const mmKeys: Md = [
    ...mmprojHeader('gemma3'),
    ['clip.vision.projection_dim', u32(TEXT_E)],
    ['clip.vision.image_size', u32(IMG)],
    ['clip.vision.patch_size', u32(P)],
    ['clip.vision.embedding_length', u32(H)],
    ['clip.vision.feed_forward_length', u32(FF)],
    ['clip.vision.block_count', u32(BLOCKS)],
    ['clip.vision.attention.head_count', u32(HEADS)],
    ['clip.vision.image_mean', arr(VT.FLOAT32, [0.5, 0.5, 0.5])],
    ['clip.vision.image_std', arr(VT.FLOAT32, [0.5, 0.5, 0.5])],
    ['clip.vision.attention.layer_norm_epsilon', f32(1e-6)],
    ['clip.use_gelu', true],
  ];
  return { label: 'gemma3', publishedArch: a, ...specs(text, 14, pubKeys, mmKeys, list, [[/attn_(v|output)\.weight$/, 0.8], [/post_attention_norm/, 8]]) };
}

/** LLaMA's rotary permutation as llama.cpp's converter applies it (LlamaModel.permute). */
function permuteRows(v: Float32Array, rows: number, cols: number, heads: number): Float32Array {
  const out = new Float32Array(v.length);
  const d = rows / heads;
  // reshape(heads, 2, d/2, cols).swapaxes(1, 2): new (h, i, j) ← old (h, j, i)
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < d / 2; i++)
      for (let j = 0; j < 2; j++) {
        const to = h * d + i * 2 + j;
        const from = h * d + j * (d / 2) + i;
        out.set(v.subarray(from * cols, (from + 1) * cols), to * cols);
      }
  return out;
}

/** Mistral 3: Pixtral (32 px images, 4 px patches, width 32, 2 blocks, 2×2 patch merger). */
export function mistral3TowerPair(): TowerPair {
  const pair = mistral3Pair();
  const H = 32, FF = 64, P = 4, IMG = 32, BLOCKS = 2, HEADS = 2, MERGE = 2;
  const { list, add } = weights(32);
  add('v.patch_conv.weight', 'v.patch_embd.weight', [P, P, 3, H], { llamaType: 'F32' });
  add('v.encoder_norm.weight', 'v.pre_ln.weight', [H], { init: 'ones' });
  for (let i = 0; i < BLOCKS; i++) {
    const p = `v.blk.${i}`;
    add(`${p}.attn_norm.weight`, `${p}.ln1.weight`, [H], { init: 'ones' });
    for (const o of ['attn_q', 'attn_k', 'attn_v', 'attn_output']) {
      const w = add(`${p}.${o}.weight`, `${p}.${o === 'attn_output' ? 'attn_out' : o}.weight`, [H, H]);
      if (o === 'attn_q' || o === 'attn_k') w.llamaValues = permuteRows(w.values, H, H, HEADS);
    }
    add(`${p}.ffn_norm.weight`, `${p}.ln2.weight`, [H], { init: 'ones' });
    add(`${p}.ffn_gate.weight`, `${p}.ffn_gate.weight`, [H, FF]);
    add(`${p}.ffn_up.weight`, `${p}.ffn_up.weight`, [H, FF]);
    add(`${p}.ffn_down.weight`, `${p}.ffn_down.weight`, [FF, H]);
  }
  add('mm.norm.weight', 'mm.input_norm.weight', [H], { init: 'ones' });
  add('mm.patch_merger.merging_layer.weight', 'mm.patch_merger.weight', [H * MERGE * MERGE, H]);
  add('mm.linear_1.weight', 'mm.1.weight', [H, TEXT_E], { scale: 2 });
  add('mm.linear_1.bias', 'mm.1.bias', [TEXT_E], { scale: 0.5 });
  add('mm.linear_2.weight', 'mm.2.weight', [TEXT_E, TEXT_E], { scale: 2 });
  add('mm.linear_2.bias', 'mm.2.bias', [TEXT_E], { scale: 0.5 });
  // No [IMG_BREAK] token in the tiny vocabulary: llama.cpp's file gets zeros, as the translation.
  add(null, 'v.token_embd.img_break', [TEXT_E], { type: 'F32', init: 'zeros' });
  const a = 'mistral3';
  const pubKeys: Md = [
    [`${a}.vision.block_count`, u32(BLOCKS)],
    [`${a}.vision.embedding_length`, u32(H)],
    [`${a}.vision.feed_forward_length`, u32(FF)],
    [`${a}.vision.attention.head_count`, u32(HEADS)],
    [`${a}.vision.attention.key_length`, u32(H / HEADS)],
    [`${a}.vision.image_size`, u32(IMG)],
    [`${a}.vision.patch_size`, u32(P)],
    [`${a}.vision.num_channels`, u32(3)],
    [`${a}.vision.rope.freq_base`, f32(10000)],
    [`${a}.image_token_index`, u32(10)],
    [`${a}.spatial_merge_size`, u32(MERGE)],
    [`${a}.mm.projector_bias`, true],
  ];
  const mmKeys: Md = [
    ...mmprojHeader('pixtral'),
    ['clip.vision.projection_dim', u32(TEXT_E)],
    ['clip.vision.image_size', u32(IMG)],
    ['clip.vision.patch_size', u32(P)],
    ['clip.vision.embedding_length', u32(H)],
    ['clip.vision.feed_forward_length', u32(FF)],
    ['clip.vision.block_count', u32(BLOCKS)],
    ['clip.vision.attention.head_count', u32(HEADS)],
    ['clip.vision.image_mean', arr(VT.FLOAT32, [0.48145466, 0.4578275, 0.40821073])],
    ['clip.vision.image_std', arr(VT.FLOAT32, [0.26862954, 0.26130258, 0.27577711])],
    ['clip.vision.attention.layer_norm_epsilon', f32(1e-5)],
    ['clip.use_silu', true],
    ['clip.vision.spatial_merge_size', u32(MERGE)],
  ];
  return { label: 'mistral3', publishedArch: a, ...specs(pair.ollama as { metadata: Md; tensors: TensorSpec[] }, 15, pubKeys, mmKeys, list, [[/attn_(q|k|v|output)\.weight$/, 0.8]]), chatTemplate: 'mistral-v7' };
}

/** Qwen2.5-VL's text model as Ollama publishes it (`qwen25vl`, three M-RoPE sections). */
function qwen25vlText(): { metadata: Md; tensors: TensorSpec[] } {
  const V = 384, E = TEXT_E, H = 4, KV = 2, HD = E / H, FF = 128;
  const a = 'qwen25vl';
  const metadata: Md = [
    ['general.architecture', a],
    ['general.name', 'qwen25vl-tiny-random'],
    ['general.file_type', u32(0)],
    [`${a}.context_length`, u32(512)],
    [`${a}.embedding_length`, u32(E)],
    [`${a}.block_count`, u32(2)],
    [`${a}.feed_forward_length`, u32(FF)],
    [`${a}.attention.head_count`, u32(H)],
    [`${a}.attention.head_count_kv`, u32(KV)],
    [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-6)],
    [`${a}.rope.freq_base`, f32(10000)],
    [`${a}.rope.mrope_section`, arr(VT.INT32, [2, 3, 3])],
    ...Object.entries({ ...bpeVocab(V, ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<|vision_start|>', '<|vision_end|>']), 'tokenizer.ggml.pre': 'qwen2' }),
  ];
  const t = (name: string, dims: number[], scale?: number): TensorSpec => ({ name, dims, type: 'F32', ...(scale ? { scale } : {}) });
  const tensors: TensorSpec[] = [t('token_embd.weight', [E, V], 0.5)];
  for (let i = 0; i < 2; i++) {
    const p = `blk.${i}`;
    tensors.push(t(`${p}.attn_norm.weight`, [E], 0.5));
    tensors.push(t(`${p}.attn_q.weight`, [E, H * HD]), t(`${p}.attn_q.bias`, [H * HD]));
    tensors.push(t(`${p}.attn_k.weight`, [E, KV * HD]), t(`${p}.attn_k.bias`, [KV * HD]));
    tensors.push(t(`${p}.attn_v.weight`, [E, KV * HD]), t(`${p}.attn_v.bias`, [KV * HD]));
    tensors.push(t(`${p}.attn_output.weight`, [H * HD, E]), t(`${p}.ffn_norm.weight`, [E], 0.5));
    tensors.push(t(`${p}.ffn_gate.weight`, [E, FF]), t(`${p}.ffn_up.weight`, [E, FF]), t(`${p}.ffn_down.weight`, [FF, E]));
  }
  tensors.push(t('output_norm.weight', [E], 0.5), t('output.weight', [E, V], 0.2));
  return { metadata, tensors };
}

/** Qwen2.5-VL: ViT (32 px images, 4 px patches, width 32, 2 blocks, window attention) + merger. */
export function qwen25vlTowerPair(): TowerPair {
  const H = 32, FF = 48, P = 4, BLOCKS = 2, HEADS = 2, MERGED = H * 4;
  const { list, add } = weights(33);
  add('v.patch_embd_0.weight', 'v.patch_embd.weight', [P, P, 3, H], { llamaType: 'F32' });
  add('v.patch_embd_1.weight', 'v.patch_embd.weight.1', [P, P, 3, H], { llamaType: 'F32' });
  for (let i = 0; i < BLOCKS; i++) {
    const p = `v.blk.${i}`;
    add(`${p}.ln1.weight`, `${p}.ln1.weight`, [H], { init: 'ones' });
    for (const o of ['attn_q', 'attn_k', 'attn_v', 'attn_out']) {
      add(`${p}.${o}.weight`, `${p}.${o}.weight`, [H, H]);
      add(`${p}.${o}.bias`, `${p}.${o}.bias`, [H], { scale: 0.1 });
    }
    add(`${p}.ln2.weight`, `${p}.ln2.weight`, [H], { init: 'ones' });
    add(`${p}.ffn_gate.weight`, `${p}.ffn_gate.weight`, [H, FF]);
    add(`${p}.ffn_gate.bias`, `${p}.ffn_gate.bias`, [FF], { scale: 0.1 });
    add(`${p}.ffn_up.weight`, `${p}.ffn_up.weight`, [H, FF]);
    add(`${p}.ffn_up.bias`, `${p}.ffn_up.bias`, [FF], { scale: 0.1 });
    add(`${p}.ffn_down.weight`, `${p}.ffn_down.weight`, [FF, H]);
    add(`${p}.ffn_down.bias`, `${p}.ffn_down.bias`, [H], { scale: 0.1 });
  }
  add('v.merger.ln_q.weight', 'v.post_ln.weight', [H], { init: 'ones' });
  add('v.merger.mlp.0.weight', 'mm.0.weight', [MERGED, MERGED]);
  add('v.merger.mlp.0.bias', 'mm.0.bias', [MERGED], { scale: 0.1 });
  add('v.merger.mlp.2.weight', 'mm.2.weight', [MERGED, TEXT_E], { scale: 2 });
  add('v.merger.mlp.2.bias', 'mm.2.bias', [TEXT_E], { scale: 0.5 });
  const a = 'qwen25vl';
  const pubKeys: Md = [
    [`${a}.vision.block_count`, u32(BLOCKS)],
    [`${a}.vision.embedding_length`, u32(H)],
    [`${a}.vision.attention.head_count`, u32(HEADS)],
    [`${a}.vision.num_channels`, u32(3)],
    [`${a}.vision.patch_size`, u32(P)],
    [`${a}.vision.spatial_merge_size`, u32(2)],
    [`${a}.vision.spatial_patch_size`, u32(P)],
    [`${a}.vision.window_size`, u32(112)],
    [`${a}.vision.attention.layer_norm_epsilon`, f32(1e-6)],
    [`${a}.vision.rope.freq_base`, f32(10000)],
    [`${a}.vision.fullatt_block_indexes`, arr(VT.INT32, [1])],
    [`${a}.vision.temporal_patch_size`, u32(2)],
  ];
  const mmKeys: Md = [
    ...mmprojHeader('qwen2.5vl_merger'),
    ['clip.vision.projection_dim', u32(TEXT_E)],
    ['clip.vision.image_size', u32(560)],
    ['clip.vision.patch_size', u32(P)],
    ['clip.vision.embedding_length', u32(H)],
    ['clip.vision.feed_forward_length', u32(FF)],
    ['clip.vision.block_count', u32(BLOCKS)],
    ['clip.vision.attention.head_count', u32(HEADS)],
    ['clip.vision.image_mean', arr(VT.FLOAT32, [0.48145466, 0.4578275, 0.40821073])],
    ['clip.vision.image_std', arr(VT.FLOAT32, [0.26862954, 0.26130258, 0.27577711])],
    ['clip.use_silu', true],
    ['clip.vision.n_wa_pattern', u32(2)],
    ['clip.vision.attention.layer_norm_epsilon', f32(1e-6)],
  ];
  return { label: 'qwen2.5-vl', publishedArch: a, ...specs(qwen25vlText(), 16, pubKeys, mmKeys, list, [[/attn_(q|k|v|output)\.weight$/, 0.8]]), chatTemplate: 'chatml' };
}

/**
 * Llama 4: ViT with a class token (32 px images, 4 px patches, width 32, 2 blocks), pixel
 * shuffle ×2, adapter MLP and projector. Its MoE text model is not built here: the published
 * file's text half is the Mistral 3 tiny model under llama4 keys (never loaded), and libmtmd
 * runs the projector with the Mistral 3 model (same width) as a stand-in.
 */
export function llama4TowerPair(): TowerPair {
  const m = mistral3Pair();
  const text = m.llamacpp as { metadata: Md; tensors: TensorSpec[] };
  const metadata: Md = text.metadata.map(([k, v]) => [k === 'general.architecture' ? k : k.replace(/^mistral3\./, 'llama4.'), k === 'general.architecture' ? 'llama4' : v]);
  const H = 32, FF = 64, P = 4, IMG = 32, BLOCKS = 2, HEADS = 2, SHUFFLED = H * 4, ADAPTER = 64;
  const { list, add } = weights(34);
  add('v.patch_embedding.weight', 'v.patch_embd.weight', [P * P * 3, H]);
  add('v.class_embedding', 'v.class_embd', [H]);
  add('v.positional_embedding_vlm', 'v.position_embd.weight', [H, (IMG / P) ** 2 + 1], { llamaType: 'F32' });
  add('v.layernorm_pre.weight', 'v.pre_ln.weight', [H], { init: 'ones' });
  add('v.layernorm_pre.bias', 'v.pre_ln.bias', [H], { scale: 0.1 });
  for (let i = 0; i < BLOCKS; i++) {
    const p = `v.blk.${i}`;
    add(`${p}.attn_norm.weight`, `${p}.ln1.weight`, [H], { init: 'ones' });
    add(`${p}.attn_norm.bias`, `${p}.ln1.bias`, [H], { scale: 0.1 });
    for (const [o, l] of [['attn_q', 'attn_q'], ['attn_k', 'attn_k'], ['attn_v', 'attn_v'], ['attn_output', 'attn_out']]) {
      add(`${p}.${o}.weight`, `${p}.${l}.weight`, [H, H]);
      add(`${p}.${o}.bias`, `${p}.${l}.bias`, [H], { scale: 0.1 });
    }
    add(`${p}.ffn_norm.weight`, `${p}.ln2.weight`, [H], { init: 'ones' });
    add(`${p}.ffn_norm.bias`, `${p}.ln2.bias`, [H], { scale: 0.1 });
    add(`${p}.mlp.fc1.weight`, `${p}.ffn_up.weight`, [H, FF]);
    add(`${p}.mlp.fc1.bias`, `${p}.ffn_up.bias`, [FF], { scale: 0.1 });
    add(`${p}.mlp.fc2.weight`, `${p}.ffn_down.weight`, [FF, H]);
    add(`${p}.mlp.fc2.bias`, `${p}.ffn_down.bias`, [H], { scale: 0.1 });
  }
  add('v.layernorm_post.weight', 'v.post_ln.weight', [H], { init: 'ones' });
  add('v.layernorm_post.bias', 'v.post_ln.bias', [H], { scale: 0.1 });
  add('v.vision_adapter.mlp.fc1.weight', 'mm.model.mlp.1.weight', [SHUFFLED, ADAPTER], { scale: 1 });
  add('v.vision_adapter.mlp.fc2.weight', 'mm.model.mlp.2.weight', [ADAPTER, ADAPTER], { scale: 1 });
  add('mm.linear_1.weight', 'mm.model.fc.weight', [ADAPTER, TEXT_E], { scale: 4 });
  const a = 'llama4';
  const pubKeys: Md = [
    [`${a}.vision.block_count`, u32(BLOCKS)],
    [`${a}.vision.embedding_length`, u32(H)],
    [`${a}.vision.feed_forward_length`, u32(FF)],
    [`${a}.vision.attention.head_count`, u32(HEADS)],
    [`${a}.vision.image_size`, u32(IMG)],
    [`${a}.vision.patch_size`, u32(P)],
    [`${a}.vision.rope.freq_base`, f32(10000)],
    [`${a}.vision.layer_norm_epsilon`, f32(1e-5)],
    [`${a}.vision.pixel_shuffle_ratio`, f32(0.5)],
  ];
  const mmKeys: Md = [
    ...mmprojHeader('llama4'),
    ['clip.vision.projection_dim', u32(TEXT_E)],
    ['clip.vision.image_size', u32(IMG)],
    ['clip.vision.patch_size', u32(P)],
    ['clip.vision.embedding_length', u32(H)],
    ['clip.vision.feed_forward_length', u32(FF)],
    ['clip.vision.block_count', u32(BLOCKS)],
    ['clip.vision.attention.head_count', u32(HEADS)],
    ['clip.vision.image_mean', arr(VT.FLOAT32, [0.5, 0.5, 0.5])],
    ['clip.vision.image_std', arr(VT.FLOAT32, [0.5, 0.5, 0.5])],
    ['clip.vision.attention.layer_norm_epsilon', f32(1e-5)],
    ['clip.vision.projector.scale_factor', u32(2)],
    ['clip.use_gelu', true],
  ];
  const standIn = { ...text, tensors: text.tensors.map((t) => (/\.attn_(q|k|v|output)\.weight$/.test(t.name) ? { ...t, scale: 0.8 } : t)), seed: 15 };
  return { label: 'llama4', publishedArch: a, ...specs({ metadata, tensors: text.tensors }, 15, pubKeys, mmKeys, list, []), chatTemplate: 'mistral-v7', standInText: standIn };
}

/** Qwen3-VL's text model as Ollama published it: no M-RoPE sections (the translation adds 24/20/20/0, so heads are 128 wide). */
function qwen3vlText(): { metadata: Md; tensors: TensorSpec[] } {
  const V = 384, E = TEXT_E, H = 2, KV = 1, HD = 128, FF = 128;
  const a = 'qwen3vl';
  const metadata: Md = [
    ['general.architecture', a],
    ['general.name', 'qwen3vl-tiny-random'],
    ['general.file_type', u32(0)],
    [`${a}.context_length`, u32(512)],
    [`${a}.embedding_length`, u32(E)],
    [`${a}.block_count`, u32(2)],
    [`${a}.feed_forward_length`, u32(FF)],
    [`${a}.attention.head_count`, u32(H)],
    [`${a}.attention.head_count_kv`, u32(KV)],
    [`${a}.attention.key_length`, u32(HD)],
    [`${a}.attention.value_length`, u32(HD)],
    [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-6)],
    [`${a}.rope.freq_base`, f32(10000)],
    ...Object.entries({ ...bpeVocab(V, ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<|vision_start|>', '<|vision_end|>']), 'tokenizer.ggml.pre': 'qwen2' }),
  ];
  const t = (name: string, dims: number[], scale?: number): TensorSpec => ({ name, dims, type: 'F32', ...(scale ? { scale } : {}) });
  const tensors: TensorSpec[] = [t('token_embd.weight', [E, V], 0.5)];
  for (let i = 0; i < 2; i++) {
    const p = `blk.${i}`;
    tensors.push(t(`${p}.attn_norm.weight`, [E], 0.5));
    tensors.push(t(`${p}.attn_q.weight`, [E, H * HD]), t(`${p}.attn_k.weight`, [E, KV * HD]), t(`${p}.attn_v.weight`, [E, KV * HD]));
    tensors.push(t(`${p}.attn_q_norm.weight`, [HD], 0.5), t(`${p}.attn_k_norm.weight`, [HD], 0.5));
    tensors.push(t(`${p}.attn_output.weight`, [H * HD, E]), t(`${p}.ffn_norm.weight`, [E], 0.5));
    tensors.push(t(`${p}.ffn_gate.weight`, [E, FF]), t(`${p}.ffn_up.weight`, [E, FF]), t(`${p}.ffn_down.weight`, [FF, E]));
  }
  tensors.push(t('output_norm.weight', [E], 0.5), t('output.weight', [E, V], 0.2));
  return { metadata, tensors };
}

/**
 * Qwen3-VL: ViT (32 px images, 4 px patches, width 32, 2 blocks) with a Conv3D patch embedding,
 * a deepstack adapter after block 0 and the merger, as Ollama's first converter published it
 * (Q/K/V split, patch embedding packed as [P, P, 2, OUT·IN]).
 */
export function qwen3vlTowerPair(): TowerPair {
  const H = 32, FF = 48, P = 4, IMG = 32, BLOCKS = 2, HEADS = 2, IN = 3, MERGED = H * 4;
  const { list, add } = weights(35);
  // The packed Conv3D kernel; llama.cpp's converter writes one Conv2D kernel per frame.
  const packed = add('v.patch_embed.weight', 'v.patch_embd.weight', [P, P, 2, H * IN], { llamaType: 'F32' });
  const slice = (t: number): Float32Array => {
    const out = new Float32Array(P * P * IN * H);
    for (let o = 0; o < H; o++)
      for (let i = 0; i < IN; i++)
        for (let k = 0; k < P * P; k++) out[k + P * P * (i + IN * o)] = packed.values[k + P * P * (t + 2 * (o * IN + i))]!;
    return out;
  };
  packed.llamaDims = [P, P, IN, H];
  packed.llamaValues = slice(0);
  const frame1: Weight = { published: null, llama: 'v.patch_embd.weight.1', dims: [P, P, IN, H], pubType: 'F32', llamaType: 'F32', values: slice(1) };
  list.push(frame1);
  add('v.patch_embed.bias', 'v.patch_embd.bias', [H], { scale: 0.1 });
  add('v.pos_embed.weight', 'v.position_embd.weight', [H, (IMG / P) ** 2], { llamaType: 'F32' });
  for (let i = 0; i < BLOCKS; i++) {
    const p = `v.blk.${i}`;
    add(`${p}.norm1.weight`, `${p}.ln1.weight`, [H], { init: 'ones' });
    add(`${p}.norm1.bias`, `${p}.ln1.bias`, [H], { scale: 0.1 });
    const q = add(`${p}.attn_q.weight`, `${p}.attn_qkv.weight`, [H, H]);
    const k = add(`${p}.attn_k.weight`, '', [H, H]);
    const v = add(`${p}.attn_v.weight`, '', [H, H]);
    const qb = add(`${p}.attn_q.bias`, `${p}.attn_qkv.bias`, [H], { scale: 0.1 });
    const kb = add(`${p}.attn_k.bias`, '', [H], { scale: 0.1 });
    const vb = add(`${p}.attn_v.bias`, '', [H], { scale: 0.1 });
    // llama.cpp keeps Hugging Face's fused qkv: q, k, v rows one after the other.
    q.llamaDims = [H, 3 * H];
    q.llamaValues = Float32Array.from([...q.values, ...k.values, ...v.values]);
    qb.llamaDims = [3 * H];
    qb.llamaValues = Float32Array.from([...qb.values, ...kb.values, ...vb.values]);
    for (const w of [k, v, kb, vb]) w.llama = null;
    add(`${p}.attn_out.weight`, `${p}.attn_out.weight`, [H, H]);
    add(`${p}.attn_out.bias`, `${p}.attn_out.bias`, [H], { scale: 0.1 });
    add(`${p}.norm2.weight`, `${p}.ln2.weight`, [H], { init: 'ones' });
    add(`${p}.norm2.bias`, `${p}.ln2.bias`, [H], { scale: 0.1 });
    add(`${p}.mlp.linear_fc1.weight`, `${p}.ffn_up.weight`, [H, FF]);
    add(`${p}.mlp.linear_fc1.bias`, `${p}.ffn_up.bias`, [FF], { scale: 0.1 });
    add(`${p}.mlp.linear_fc2.weight`, `${p}.ffn_down.weight`, [FF, H]);
    add(`${p}.mlp.linear_fc2.bias`, `${p}.ffn_down.bias`, [H], { scale: 0.1 });
  }
  add('v.merger.norm.weight', 'v.post_ln.weight', [H], { init: 'ones' });
  add('v.merger.norm.bias', 'v.post_ln.bias', [H], { scale: 0.1 });
  add('v.merger.linear_fc1.weight', 'mm.0.weight', [MERGED, MERGED]);
  add('v.merger.linear_fc1.bias', 'mm.0.bias', [MERGED], { scale: 0.1 });
  add('v.merger.linear_fc2.weight', 'mm.2.weight', [MERGED, TEXT_E], { scale: 2 });
  add('v.merger.linear_fc2.bias', 'mm.2.bias', [TEXT_E], { scale: 0.5 });
  add('v.deepstack_merger.0.norm.weight', 'v.deepstack.0.norm.weight', [MERGED], { init: 'ones' });
  add('v.deepstack_merger.0.norm.bias', 'v.deepstack.0.norm.bias', [MERGED], { scale: 0.1 });
  add('v.deepstack_merger.0.linear_fc1.weight', 'v.deepstack.0.fc1.weight', [MERGED, MERGED]);
  add('v.deepstack_merger.0.linear_fc1.bias', 'v.deepstack.0.fc1.bias', [MERGED], { scale: 0.1 });
  add('v.deepstack_merger.0.linear_fc2.weight', 'v.deepstack.0.fc2.weight', [MERGED, TEXT_E], { scale: 2 });
  add('v.deepstack_merger.0.linear_fc2.bias', 'v.deepstack.0.fc2.bias', [TEXT_E], { scale: 0.5 });
  const a = 'qwen3vl';
  const pubKeys: Md = [
    [`${a}.vision.block_count`, u32(BLOCKS)],
    [`${a}.vision.embedding_length`, u32(H)],
    [`${a}.vision.attention.head_count`, u32(HEADS)],
    [`${a}.vision.num_channels`, u32(IN)],
    [`${a}.vision.patch_size`, u32(P)],
    [`${a}.vision.spatial_merge_size`, u32(2)],
    [`${a}.vision.attention.layer_norm_epsilon`, f32(1e-6)],
    [`${a}.vision.rope.freq_base`, f32(10000)],
    [`${a}.vision.temporal_patch_size`, u32(2)],
    [`${a}.vision.deepstack_visual_indexes`, arr(VT.INT32, [0])],
    [`${a}.vision.image_mean`, arr(VT.FLOAT32, [0.5, 0.5, 0.5])],
    [`${a}.vision.image_std`, arr(VT.FLOAT32, [0.5, 0.5, 0.5])],
  ];
  const mmKeys: Md = [
    ...mmprojHeader('qwen3vl_merger'),
    ['clip.vision.projection_dim', u32(TEXT_E)],
    ['clip.vision.image_size', u32(IMG)],
    ['clip.vision.patch_size', u32(P)],
    ['clip.vision.embedding_length', u32(H)],
    ['clip.vision.feed_forward_length', u32(FF)],
    ['clip.vision.block_count', u32(BLOCKS)],
    ['clip.vision.attention.head_count', u32(HEADS)],
    ['clip.vision.image_mean', arr(VT.FLOAT32, [0.5, 0.5, 0.5])],
    ['clip.vision.image_std', arr(VT.FLOAT32, [0.5, 0.5, 0.5])],
    ['clip.use_gelu', true],
    ['clip.vision.spatial_merge_size', u32(2)],
    ['clip.vision.attention.layer_norm_epsilon', f32(1e-6)],
    ['clip.vision.is_deepstack_layers', arr(VT.BOOL, [true, false])],
  ];
  return { label: 'qwen3-vl', publishedArch: a, ...specs(qwen3vlText(), 17, pubKeys, mmKeys, list, [[/attn_(q|k|v|output)\.weight$/, 0.8]]), chatTemplate: 'chatml' };
}

/**
 * Gemma 4: SigLIP-like ViT with 2-D position tables, per-head Q/K norms, post norms, clamp
 * scalars packed into `v.clamp_data` as Ollama publishes them (llama.cpp: one scalar tensor per
 * value), and the gemma4v projector. Gemma 4's text model is not built here: the published
 * file's text half is the Mistral 3 tiny model under gemma4 keys (never loaded), and libmtmd
 * runs the projector with the Mistral 3 model (same width) as a stand-in.
 */
export function gemma4TowerPair(): TowerPair {
  const m = mistral3Pair();
  const text = m.llamacpp as { metadata: Md; tensors: TensorSpec[] };
  const metadata: Md = text.metadata.map(([k, v]) => [k === 'general.architecture' ? k : k.replace(/^mistral3\./, 'gemma4.'), k === 'general.architecture' ? 'gemma4' : v]);
  const H = 32, FF = 64, P = 4, BLOCKS = 2, HEADS = 2, HD = H / HEADS, POS = 64, MERGE = 3;
  const { list, add } = weights(36);
  add('v.patch_embd.weight', 'v.patch_embd.weight', [P, P, 3, H], { llamaType: 'F32' });
  add('v.position_embd.weight', 'v.position_embd.weight', [H, POS, 2], { llamaType: 'F32', scale: 0.2 });
  const linears = ['attn_q', 'attn_k', 'attn_v', 'attn_out', 'ffn_gate', 'ffn_up', 'ffn_down'];
  const rand = prng(37);
  const clamp: number[] = [];
  const clampNames: string[] = [];
  const bound = () => halfToFloat(toHalf(2 + (rand() / 4294967296) * 6));
  const addClamp = (prefix: string) => {
    const a = bound(), b = bound();
    for (const [suffix, v] of [['input_min', -a], ['input_max', a], ['output_min', -b], ['output_max', b]] as const) {
      clamp.push(v);
      clampNames.push(`${prefix}.${suffix}`);
    }
  };
  for (let i = 0; i < BLOCKS; i++) {
    const p = `v.blk.${i}`;
    add(`${p}.ln1.weight`, `${p}.ln1.weight`, [H], { init: 'ones' });
    for (const o of ['attn_q', 'attn_k', 'attn_v', 'attn_out']) add(`${p}.${o}.weight`, `${p}.${o}.weight`, [H, H]);
    add(`${p}.attn_q_norm.weight`, `${p}.attn_q_norm.weight`, [HD], { init: 'ones' });
    add(`${p}.attn_k_norm.weight`, `${p}.attn_k_norm.weight`, [HD], { init: 'ones' });
    add(`${p}.attn_post_norm.weight`, `${p}.attn_post_norm.weight`, [H], { init: 'ones' });
    add(`${p}.ln2.weight`, `${p}.ln2.weight`, [H], { init: 'ones' });
    add(`${p}.ffn_gate.weight`, `${p}.ffn_gate.weight`, [H, FF]);
    add(`${p}.ffn_up.weight`, `${p}.ffn_up.weight`, [H, FF]);
    add(`${p}.ffn_down.weight`, `${p}.ffn_down.weight`, [FF, H]);
    add(`${p}.ffn_post_norm.weight`, `${p}.ffn_post_norm.weight`, [H], { init: 'ones' });
    for (const l of linears) addClamp(`${p}.${l}`);
  }
  add('v.std_bias', 'v.std_bias', [H], { scale: 0.1 });
  add('v.std_scale', 'v.std_scale', [H], { scale: 1 });
  add('mm.input_projection.weight', 'mm.input_projection.weight', [H, TEXT_E], { scale: 2 });
  addClamp('mm.input_projection');
  const table = Float32Array.from(clamp);
  list.push({ published: 'v.clamp_data', llama: null, dims: [table.length], pubType: 'F32', llamaType: 'F32', values: table });
  clampNames.forEach((name, i) => list.push({ published: null, llama: name, dims: [1], pubType: 'F32', llamaType: 'F32', values: Float32Array.of(clamp[i]!) }));
  const a = 'gemma4';
  const pubKeys: Md = [
    [`${a}.vision.block_count`, u32(BLOCKS)],
    [`${a}.vision.embedding_length`, u32(H)],
    [`${a}.vision.attention.head_count`, u32(HEADS)],
    [`${a}.vision.feed_forward_length`, u32(FF)],
    [`${a}.vision.patch_size`, u32(P)],
    [`${a}.vision.num_channels`, u32(3)],
    [`${a}.vision.projector.scale_factor`, u32(MERGE)],
    [`${a}.vision.attention.layer_norm_epsilon`, f32(1e-6)],
  ];
  const mmKeys: Md = [
    ['general.architecture', 'clip'],
    ['general.type', 'mmproj'],
    ['clip.has_vision_encoder', true],
    ['clip.vision.projector_type', 'gemma4v'],
    ['clip.vision.projection_dim', u32(TEXT_E)],
    ['clip.vision.image_size', u32(224)],
    ['clip.vision.patch_size', u32(P)],
    ['clip.vision.embedding_length', u32(H)],
    ['clip.vision.feed_forward_length', u32(FF)],
    ['clip.vision.block_count', u32(BLOCKS)],
    ['clip.vision.attention.head_count', u32(HEADS)],
    ['clip.vision.image_mean', arr(VT.FLOAT32, [0, 0, 0])],
    ['clip.vision.image_std', arr(VT.FLOAT32, [1, 1, 1])],
    ['clip.vision.attention.layer_norm_epsilon', f32(1e-6)],
  ];
  const standIn = { ...text, tensors: text.tensors.map((t) => (/\.attn_(q|k|v|output)\.weight$/.test(t.name) ? { ...t, scale: 0.8 } : t)), seed: 15 };
  return { label: 'gemma4', publishedArch: a, ...specs({ metadata, tensors: text.tensors }, 15, pubKeys, mmKeys, list, []), chatTemplate: 'mistral-v7', standInText: standIn };
}

export const TOWER_PAIRS: ReadonlyArray<[string, () => TowerPair]> = [
  ['gemma3', gemma3TowerPair],
  ['mistral3', mistral3TowerPair],
  ['qwen2.5-vl', qwen25vlTowerPair],
  ['llama4', llama4TowerPair],
  ['qwen3-vl', qwen3vlTowerPair],
  ['gemma4', gemma4TowerPair],
];
