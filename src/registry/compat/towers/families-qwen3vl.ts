/**
 * Qwen3-VL (dense and MoE) towers as Ollama published them: Q/K/V split, a packed Conv3D patch
 * embedding, `norm1/2` and `mlp.linear_fc1/2` leaves, the merger under `v.merger.*` and the
 * deepstack adapters numbered 0, 1, 2 … — into llama.cpp's `qwen3vl_merger` projector layout
 * (fused `attn_qkv`, two Conv2D patch kernels, deepstack adapters named by the ViT layer they
 * follow). Facts from Ollama 0.33's handle_qwen3vl_clip and llama.cpp's Qwen3VLVisionModel.
 */
import { CompatError } from '../edit.js';
import { TowerBuilder, renameBySubstring, type TowerPlan } from './tower.js';
import { commonVisionKeys, type TowerFamily } from './families.js';

const BLOCK_RENAMES = [
  ['.norm1', '.ln1'],
  ['.norm2', '.ln2'],
  ['.mlp.linear_fc1', '.ffn_up'],
  ['.mlp.linear_fc2', '.ffn_down'],
] as const;

const EXACT: Record<string, string> = {
  'v.merger.norm.weight': 'v.post_ln.weight',
  'v.merger.norm.bias': 'v.post_ln.bias',
  'v.merger.linear_fc1.weight': 'mm.0.weight',
  'v.merger.linear_fc1.bias': 'mm.0.bias',
  'v.merger.linear_fc2.weight': 'mm.2.weight',
  'v.merger.linear_fc2.bias': 'mm.2.bias',
  'v.patch_embed.bias': 'v.patch_embd.bias',
};

function plan(b: TowerBuilder, arch: string): TowerPlan | null {
  if (b.str('general.architecture') !== arch || !b.sourceTensors(['v.']).length) return null;
  const v = `${arch}.vision.`;
  commonVisionKeys(b, arch, 'qwen3vl_merger');
  const fc1 = b.tensor('v.blk.0.mlp.linear_fc1.weight') ?? b.tensor('v.blk.0.ffn_up.weight');
  if (!b.hasOut('clip.vision.feed_forward_length') && fc1?.dims[1]) b.setU32('clip.vision.feed_forward_length', fc1.dims[1]);
  const pos = b.tensor('v.pos_embed.weight') ?? b.tensor('v.position_embd.weight');
  const patch = b.int(`${v}patch_size`);
  if (!b.hasOut('clip.vision.image_size') && pos?.dims[1] && patch) b.setU32('clip.vision.image_size', Math.floor(Math.sqrt(pos.dims[1])) * patch);
  b.u32From(`${v}spatial_merge_size`, 'clip.vision.spatial_merge_size');
  b.f32From(`${v}attention.layer_norm_epsilon`, 'clip.vision.attention.layer_norm_epsilon', 1e-6);
  const mean = b.floats(`${v}image_mean`);
  const std = b.floats(`${v}image_std`);
  b.setF32Array('clip.vision.image_mean', mean?.length === 3 ? mean : [0.5, 0.5, 0.5]);
  b.setF32Array('clip.vision.image_std', std?.length === 3 ? std : [0.5, 0.5, 0.5]);
  b.setBool('clip.use_gelu', true);
  const blocks = b.int(`${v}block_count`) ?? 0;
  const deepstack = b.ints(`${v}deepstack_visual_indexes`) ?? [];
  if (deepstack.length) b.setBoolArray('clip.vision.is_deepstack_layers', Array.from({ length: blocks }, (_, i) => deepstack.includes(i)));
  b.require(
    'clip.vision.image_size', 'clip.vision.patch_size', 'clip.vision.embedding_length', 'clip.vision.feed_forward_length',
    'clip.vision.block_count', 'clip.vision.attention.head_count', 'clip.vision.projection_dim',
  );
  const channels = b.int(`${v}num_channels`) || 3;
  let merged = 0;
  for (const t of b.sourceTensors(['v.', 'mm.'])) {
    const qkv = /^v\.blk\.(\d+)\.attn_([qkv])\.(weight|bias)$/.exec(t.name);
    if (qkv) {
      if (qkv[2] !== 'q') continue; // joined with q
      const parts = ['q', 'k', 'v'].map((x) => b.tensor(`v.blk.${qkv[1]}.attn_${x}.${qkv[3]}`));
      if (parts.some((p) => !p)) throw new CompatError(`inconsistent model file: v.blk.${qkv[1]} lacks one of attn_q/k/v.${qkv[3]}`);
      b.concat(parts as NonNullable<(typeof parts)[number]>[], `v.blk.${qkv[1]}.attn_qkv.${qkv[3]}`);
      merged++;
      continue;
    }
    if (t.name === 'v.patch_embed.weight') {
      b.patchSlice(t, 0, channels, 'v.patch_embd.weight');
      b.patchSlice(t, 1, channels, 'v.patch_embd.weight.1');
      continue;
    }
    if (t.name === 'v.pos_embed.weight') {
      b.copyAsF32(t, 'v.position_embd.weight');
      continue;
    }
    const ds = /^v\.deepstack_merger\.(\d+)\.(norm|linear_fc1|linear_fc2)\.(weight|bias)$/.exec(t.name);
    if (ds) {
      const layer = deepstack[Number(ds[1])];
      if (layer === undefined) throw new CompatError(`inconsistent model file: ${t.name} has no entry in ${v}deepstack_visual_indexes`);
      b.copy(t, `v.deepstack.${layer}.${ds[2]!.replace('linear_', '')}.${ds[3]}`);
      continue;
    }
    b.copy(t, EXACT[t.name] ?? renameBySubstring(t.name, BLOCK_RENAMES));
  }
  b.changes.push(`${arch} vision tower → clip (qwen3vl_merger projector); ${merged} Q/K/V groups joined, patch embedding split into two F32 kernels`);
  return b.plan(arch, 'qwen3vl_merger');
}

export function qwen3vlTower(arch: 'qwen3vl' | 'qwen3vlmoe'): TowerFamily {
  return { arch, name: arch === 'qwen3vl' ? 'qwen3-vl' : 'qwen3-vl-moe', plan: (b) => plan(b, arch) };
}
