/**
 * Per-family translations of a vision tower embedded in a published model into llama.cpp's
 * `clip` projector layout. Key and tensor maps are the facts of Ollama 0.33's clip-side
 * compatibility layer (llama/compat/llama-ollama-compat.cpp) and of llama.cpp's own mmproj
 * writers (convert_hf_to_gguf.py), so the result reads like a file llama.cpp converted itself.
 */
import { CompatError } from '../edit.js';
import { canDequantize } from './floats.js';
import { TowerBuilder, renameBySubstring, type TowerPlan } from './tower.js';
import type { RawHeader } from '../../gguf/rawheader.js';
import { qwen3vlTower } from './families-qwen3vl.js';
import { gemma4Tower } from './families-gemma4.js';

export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];
const HALF = [0.5, 0.5, 0.5];

export interface TowerFamily {
  /** Published architecture. */
  readonly arch: string;
  readonly name: string;
  /** Null when the file has no tower this handler knows. */
  plan(b: TowerBuilder): TowerPlan | null;
}

/** The keys every clip vision file has, from the published `<arch>.vision.*` keys. */
export function commonVisionKeys(b: TowerBuilder, arch: string, projector: string): void {
  b.setString('general.architecture', 'clip');
  b.setString('general.type', 'mmproj');
  const name = b.str('general.name');
  if (name !== undefined) b.setString('general.name', name);
  b.setBool('clip.has_vision_encoder', true);
  b.setString('clip.projector_type', projector);
  const v = `${arch}.vision.`;
  b.u32From(`${v}image_size`, 'clip.vision.image_size');
  b.u32From(`${v}patch_size`, 'clip.vision.patch_size');
  b.u32From(`${v}embedding_length`, 'clip.vision.embedding_length');
  b.u32From(`${v}feed_forward_length`, 'clip.vision.feed_forward_length');
  b.u32From(`${v}block_count`, 'clip.vision.block_count');
  b.u32From(`${v}attention.head_count`, 'clip.vision.attention.head_count');
  b.u32From(`${arch}.embedding_length`, 'clip.vision.projection_dim');
}

/** Every `v.*` / `mm.*` tensor, renamed; the text model's tensors are left out. */
function takeTower(b: TowerBuilder, rules: ReadonlyArray<readonly [string, string]>, f32: readonly string[] = []): void {
  for (const t of b.sourceTensors(['v.', 'mm.'])) {
    const name = renameBySubstring(t.name, rules);
    if (f32.includes(name)) b.copyAsF32(t, name);
    else b.copy(t, name);
  }
}

function requireVision(b: TowerBuilder, extra: string[] = []): void {
  b.require(
    'clip.vision.image_size', 'clip.vision.patch_size', 'clip.vision.embedding_length', 'clip.vision.feed_forward_length',
    'clip.vision.block_count', 'clip.vision.attention.head_count', 'clip.vision.projection_dim', ...extra,
  );
}

// ---- gemma3: SigLIP + Gemma 3's projector (soft embedding norm, input projection) ----

const GEMMA3_RENAMES = [
  ['v.patch_embedding', 'v.patch_embd'],
  ['v.position_embedding', 'v.position_embd'],
  ['v.post_layernorm', 'v.post_ln'],
  ['.layer_norm1', '.ln1'],
  ['.layer_norm2', '.ln2'],
  ['.attn_output', '.attn_out'],
  // llama.cpp names SigLIP's fc1 ffn_up and fc2 ffn_down (Ollama's layer names them the other
  // way round and relies on libmtmd swapping them back).
  ['.mlp.fc1', '.ffn_up'],
  ['.mlp.fc2', '.ffn_down'],
  ['mm.mm_input_projection', 'mm.input_projection'],
  ['mm.mm_soft_emb_norm', 'mm.soft_emb_norm'],
] as const;

export const gemma3Tower: TowerFamily = {
  arch: 'gemma3',
  name: 'gemma3',
  plan(b) {
    if (b.str('general.architecture') !== 'gemma3' || b.tensor('dense.0.weight') || !b.sourceTensors(['v.']).length) return null;
    commonVisionKeys(b, 'gemma3', 'gemma3');
    b.f32From('gemma3.vision.attention.layer_norm_epsilon', 'clip.vision.attention.layer_norm_epsilon', 1e-6);
    b.setBool('clip.use_gelu', true);
    b.setF32Array('clip.vision.image_mean', HALF);
    b.setF32Array('clip.vision.image_std', HALF);
    // llama.cpp's converter writes the pooling factor only when it is not Gemma 3's 4.
    const image = b.int('gemma3.vision.image_size');
    const patch = b.int('gemma3.vision.patch_size');
    const tokens = b.int('gemma3.mm.tokens_per_image');
    if (image && patch && tokens) {
      const factor = Math.floor(image / patch / Math.floor(Math.sqrt(tokens)));
      if (factor > 0 && factor !== 4) b.setU32('clip.vision.projector.scale_factor', factor);
    }
    requireVision(b);
    takeTower(b, GEMMA3_RENAMES, ['v.patch_embd.weight', 'v.position_embd.weight']);
    b.changes.push('gemma3 vision tower → clip (gemma3 projector); patch and position embeddings F16 → F32');
    return b.plan('gemma3', 'gemma3');
  },
};

// ---- mistral3: Pixtral ----

const MISTRAL3_RENAMES = [
  ['v.patch_conv', 'v.patch_embd'],
  ['v.encoder_norm', 'v.pre_ln'],
  ['.attn_output', '.attn_out'],
  ['.attn_norm', '.ln1'],
  ['.ffn_norm', '.ln2'],
  ['mm.linear_1', 'mm.1'],
  ['mm.linear_2', 'mm.2'],
  ['mm.patch_merger.merging_layer', 'mm.patch_merger'],
  ['mm.norm', 'mm.input_norm'],
] as const;

/** LLaMA's rotary permutation of the output rows: row h·d + 2i + j takes row h·d + j·d/2 + i. */
export function ropePermutation(rows: number, heads: number): number[] {
  const d = rows / heads;
  const perm: number[] = [];
  for (let r = 0; r < rows; r++) {
    const h = Math.floor(r / d);
    const i = Math.floor((r % d) / 2);
    const j = r % 2;
    perm.push(h * d + j * (d / 2) + i);
  }
  return perm;
}

export const mistral3Tower: TowerFamily = {
  arch: 'mistral3',
  name: 'mistral3',
  plan(b) {
    if (b.str('general.architecture') !== 'mistral3' || !b.sourceTensors(['v.']).length) return null;
    commonVisionKeys(b, 'mistral3', 'pixtral');
    b.u32From('mistral3.vision.num_channels', 'clip.vision.num_channels');
    b.u32From('mistral3.spatial_merge_size', 'clip.vision.spatial_merge_size');
    b.f32From('mistral3.vision.attention.layer_norm_epsilon', 'clip.vision.attention.layer_norm_epsilon', 1e-5);
    b.setBool('clip.use_silu', true);
    b.setF32Array('clip.vision.image_mean', CLIP_MEAN);
    b.setF32Array('clip.vision.image_std', CLIP_STD);
    requireVision(b);
    const heads = b.int('mistral3.vision.attention.head_count')!;
    // Ollama's converter left the vision Q/K rows in Hugging Face's order; llama.cpp's applies
    // LLaMA's rotary permutation (libmtmd's Pixtral graph rotates interleaved pairs).
    let permuted = 0;
    for (const t of b.sourceTensors(['v.', 'mm.'])) {
      const name = renameBySubstring(t.name, MISTRAL3_RENAMES);
      if (/^v\.blk\.\d+\.attn_[qk]\.(weight|bias)$/.test(name)) {
        const rows = t.dims.length === 1 ? t.dims[0]! : t.dims[1]!;
        if (rows % heads || (rows / heads) % 2) throw new CompatError(`inconsistent model file: ${t.name} has ${rows} rows for ${heads} heads`);
        b.permuteRows(t, name, ropePermutation(rows, heads)); // a 1-D bias: one element per row
        permuted++;
      } else if (name === 'v.patch_embd.weight') b.copyAsF32(t, name);
      else b.copy(t, name);
    }
    // [IMG_BREAK]'s embedding: the text model's row for that token (llama.cpp's converter does
    // the same); zeros when the token or a readable embedding row is missing (Ollama's layer
    // always uses zeros).
    const embd = b.tensor('token_embd.weight');
    const tokens = b.stringArray('tokenizer.ggml.tokens');
    const id = tokens?.indexOf('[IMG_BREAK]') ?? -1;
    const width = b.int('mistral3.embedding_length') ?? embd?.dims[0];
    if (embd && id >= 0 && id < (embd.dims[1] ?? 0) && canDequantize(embd.type)) {
      b.row(embd, id, 'v.token_embd.img_break');
      b.changes.push(`v.token_embd.img_break: row ${id} of token_embd.weight`);
    } else if (width) {
      b.zeros('v.token_embd.img_break', [width]);
      b.changes.push('v.token_embd.img_break: zeros (no readable [IMG_BREAK] row)');
    } else throw new CompatError('inconsistent model file: cannot size v.token_embd.img_break');
    b.changes.push(`mistral3 vision tower → clip (pixtral projector); ${permuted} Q/K tensors permuted for rotary`);
    return b.plan('mistral3', 'pixtral');
  },
};

// ---- qwen25vl: Qwen2.5-VL vision tower + merger ----

export const qwen25vlTower: TowerFamily = {
  arch: 'qwen25vl',
  name: 'qwen2.5-vl',
  plan(b) {
    if (b.str('general.architecture') !== 'qwen25vl' || !b.sourceTensors(['v.']).length) return null;
    commonVisionKeys(b, 'qwen25vl', 'qwen2.5vl_merger');
    const up = b.tensor('v.blk.0.ffn_up.weight');
    if (!b.hasOut('clip.vision.feed_forward_length') && up?.dims[1]) b.setU32('clip.vision.feed_forward_length', up.dims[1]);
    if (!b.hasOut('clip.vision.image_size')) b.setU32('clip.vision.image_size', 560);
    b.u32From('qwen25vl.vision.num_channels', 'clip.vision.num_channels');
    b.u32From('qwen25vl.vision.spatial_merge_size', 'clip.vision.spatial_merge_size');
    b.u32From('qwen25vl.vision.window_size', 'clip.vision.window_size');
    b.f32From('qwen25vl.vision.attention.layer_norm_epsilon', 'clip.vision.attention.layer_norm_epsilon', 1e-6);
    const full = b.ints('qwen25vl.vision.fullatt_block_indexes');
    b.setU32('clip.vision.n_wa_pattern', full?.length ? full[0]! + 1 : 8);
    b.setBool('clip.use_silu', true);
    b.setF32Array('clip.vision.image_mean', CLIP_MEAN);
    b.setF32Array('clip.vision.image_std', CLIP_STD);
    requireVision(b);
    const exact: Record<string, string> = {
      'v.merger.ln_q.weight': 'v.post_ln.weight',
      'v.merger.ln_q.bias': 'v.post_ln.bias',
      'v.merger.mlp.0.weight': 'mm.0.weight',
      'v.merger.mlp.0.bias': 'mm.0.bias',
      'v.merger.mlp.2.weight': 'mm.2.weight',
      'v.merger.mlp.2.bias': 'mm.2.bias',
      'v.patch_embd_0.weight': 'v.patch_embd.weight',
      'v.patch_embd_1.weight': 'v.patch_embd.weight.1',
    };
    for (const t of b.sourceTensors(['v.', 'mm.'])) {
      const name = exact[t.name] ?? t.name;
      if (name.startsWith('v.patch_embd.weight')) b.copyAsF32(t, name);
      else b.copy(t, name);
    }
    b.changes.push('qwen25vl vision tower → clip (qwen2.5vl_merger projector); patch embeddings F16 → F32');
    return b.plan('qwen25vl', 'qwen2.5vl_merger');
  },
};

// ---- llama4: Llama 4's ViT + pixel-shuffle adapter + projector ----

const LLAMA4_RENAMES = [
  // The adapter MLP first, so the generic .mlp.fc1/2 rule below does not take it.
  ['v.vision_adapter.mlp.fc1', 'mm.model.mlp.1'],
  ['v.vision_adapter.mlp.fc2', 'mm.model.mlp.2'],
  ['mm.linear_1', 'mm.model.fc'],
  ['v.class_embedding', 'v.class_embd'],
  ['v.layernorm_post', 'v.post_ln'],
  ['v.layernorm_pre', 'v.pre_ln'],
  ['v.patch_embedding', 'v.patch_embd'],
  ['.attn_output', '.attn_out'],
  ['.attn_norm', '.ln1'],
  ['.ffn_norm', '.ln2'],
  ['.mlp.fc1', '.ffn_up'],
  ['.mlp.fc2', '.ffn_down'],
] as const;

export const llama4Tower: TowerFamily = {
  arch: 'llama4',
  name: 'llama4',
  plan(b) {
    if (b.str('general.architecture') !== 'llama4' || !b.sourceTensors(['v.']).length) return null;
    commonVisionKeys(b, 'llama4', 'llama4');
    b.f32From('llama4.vision.layer_norm_epsilon', 'clip.vision.attention.layer_norm_epsilon');
    const ratio = b.num('llama4.vision.pixel_shuffle_ratio');
    b.setU32('clip.vision.projector.scale_factor', ratio && ratio > 0 ? Math.max(1, Math.round(1 / ratio)) : 2);
    b.setBool('clip.use_gelu', true);
    b.setF32Array('clip.vision.image_mean', HALF);
    b.setF32Array('clip.vision.image_std', HALF);
    requireVision(b, ['clip.vision.attention.layer_norm_epsilon']);
    for (const t of b.sourceTensors(['v.', 'mm.'])) {
      // The position embedding is published without the `.weight` suffix.
      const name = t.name === 'v.positional_embedding_vlm' ? 'v.position_embd.weight' : renameBySubstring(t.name, LLAMA4_RENAMES);
      // libmtmd adds the position embedding to F32 activations: the CPU backend needs it in F32
      // (llama.cpp's converter always writes it so).
      if (name === 'v.position_embd.weight' || name === 'v.class_embd') b.copyAsF32(t, name);
      else b.copy(t, name);
    }
    b.changes.push('llama4 vision tower → clip (llama4 projector); position embedding F16 → F32');
    return b.plan('llama4', 'llama4');
  },
};

export const TOWER_FAMILIES: readonly TowerFamily[] = [gemma3Tower, mistral3Tower, qwen25vlTower, llama4Tower, qwen3vlTower('qwen3vl'), qwen3vlTower('qwen3vlmoe'), gemma4Tower];

/** The projector file's plan for a published file with an embedded tower, or null. */
export function planTower(raw: RawHeader): TowerPlan | null {
  for (const f of TOWER_FAMILIES) {
    const b = new TowerBuilder(raw);
    if (b.str('general.architecture') !== f.arch) continue;
    const p = f.plan(b);
    if (p) return p;
  }
  return null;
}
