/**
 * A tiny LLaVA-style projector GGUF (`clip` architecture, `mlp` projector) whose output feeds
 * stories260K (embedding width 64): 32 px images, 8 px patches (16 image tokens), a 2-block ViT of
 * width 32 and a two-layer MLP projector. Weights are random but seeded; the projector's weights
 * are strong (uniform ±3, standard deviation ≈ 1.7) so that different images give different greedy
 * text — at the writer's default 0.02 every image gives the same continuation.
 * Validated against llama.cpp's own `llama-mtmd-cli` in test/runtime/vision-asset.test.ts.
 */
import { arr, GGUFValueType as VT, writeGGUF, type GGUFSpec, type TensorSpec, type WriteValue } from './writer.js';

export interface ProjectorShape {
  /** The text model's embedding width (the projector's output). */
  outputWidth: number;
  imageSize: number;
  patchSize: number;
  hidden: number;
  ff: number;
  heads: number;
  blocks: number;
  /** Amplitude of the projector (mm.*) weights. */
  strength: number;
  /**
   * Write `clip.projector_type = mlp` (default true). Older LLaVA conversions lack it and Ollama's
   * create adds it; libmtmd refuses a projector without it.
   */
  projectorType: boolean;
  /** Written as `general.type` when set (newer conversions say `mmproj`). */
  generalType?: string;
}

export const tinyLlavaProjector: ProjectorShape = {
  outputWidth: 64,
  imageSize: 32,
  patchSize: 8,
  hidden: 32,
  ff: 64,
  heads: 2,
  blocks: 2,
  strength: 3,
  projectorType: true,
};

/** Image tokens one image becomes: (imageSize / patchSize)². */
export function projectorImageTokens(s: ProjectorShape = tinyLlavaProjector): number {
  return (s.imageSize / s.patchSize) ** 2;
}

export function projectorSpec(shape: Partial<ProjectorShape> = {}, seed = 15): GGUFSpec {
  const s = { ...tinyLlavaProjector, ...shape };
  const metadata: Array<[string, WriteValue]> = [
    ['general.architecture', 'clip'],
    ...(s.generalType ? [['general.type', s.generalType] as [string, WriteValue]] : []),
    ['general.name', 'tiny-llava-projector'],
    ['general.file_type', 0],
    ['clip.has_text_encoder', false],
    ['clip.has_vision_encoder', true],
    ['clip.has_llava_projector', true],
    ...(s.projectorType ? [['clip.projector_type', 'mlp'] as [string, WriteValue]] : []),
    ['clip.use_gelu', true],
    ['clip.vision.image_size', s.imageSize],
    ['clip.vision.patch_size', s.patchSize],
    ['clip.vision.embedding_length', s.hidden],
    ['clip.vision.feed_forward_length', s.ff],
    ['clip.vision.projection_dim', s.outputWidth],
    ['clip.vision.attention.head_count', s.heads],
    ['clip.vision.attention.layer_norm_epsilon', 1e-5],
    ['clip.vision.block_count', s.blocks],
    ['clip.vision.image_mean', arr(VT.FLOAT32, [0.5, 0.5, 0.5])],
    ['clip.vision.image_std', arr(VT.FLOAT32, [0.5, 0.5, 0.5])],
  ];
  const h = s.hidden;
  const nPatches = projectorImageTokens(s);
  const t = (name: string, dims: number[], extra: Partial<TensorSpec> = {}): TensorSpec => ({ name, dims, type: 'F32', scale: 0.5, ...extra });
  const tensors: TensorSpec[] = [
    t('v.patch_embd.weight', [s.patchSize, s.patchSize, 3, h], { type: 'F16' }),
    t('v.patch_embd.bias', [h]),
    t('v.position_embd.weight', [h, nPatches]),
    t('v.pre_ln.weight', [h], { init: 'ones' }),
    t('v.pre_ln.bias', [h], { init: 'zeros' }),
  ];
  for (let i = 0; i < s.blocks; i++) {
    for (const p of ['attn_q', 'attn_k', 'attn_v', 'attn_out']) {
      tensors.push(t(`v.blk.${i}.${p}.weight`, [h, h]), t(`v.blk.${i}.${p}.bias`, [h], { init: 'zeros' }));
    }
    for (const p of ['ln1', 'ln2']) {
      tensors.push(t(`v.blk.${i}.${p}.weight`, [h], { init: 'ones' }), t(`v.blk.${i}.${p}.bias`, [h], { init: 'zeros' }));
    }
    tensors.push(
      t(`v.blk.${i}.ffn_up.weight`, [h, s.ff]), t(`v.blk.${i}.ffn_up.bias`, [s.ff], { init: 'zeros' }),
      t(`v.blk.${i}.ffn_down.weight`, [s.ff, h]), t(`v.blk.${i}.ffn_down.bias`, [h], { init: 'zeros' }),
    );
  }
  tensors.push(
    t('mm.0.weight', [h, s.outputWidth], { scale: s.strength }),
    t('mm.0.bias', [s.outputWidth], { scale: s.strength }),
    t('mm.2.weight', [s.outputWidth, s.outputWidth], { scale: s.strength }),
    t('mm.2.bias', [s.outputWidth], { scale: s.strength }),
  );
  return { metadata, tensors, seed };
}

export function writeProjector(path: string, shape: Partial<ProjectorShape> = {}, seed = 15): Promise<{ size: number; dataOffset: number }> {
  return writeGGUF(path, projectorSpec(shape, seed));
}
