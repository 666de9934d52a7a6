/**
 * Gemma 4's vision tower as Ollama publishes it: tensor names already those of libmtmd's
 * `gemma4v` projector, but the Gemma4ClippableLinear clamp scalars packed into one
 * `v.clamp_data` table, which llama.cpp reads as one scalar tensor per value
 * (`<linear>.input_min` …). The audio tower (`a.*`, `mm.a.*`) is left out: Tollama takes no
 * audio input. Facts from Ollama 0.33's handle_gemma4_clip and convert_gemma4.go, and
 * llama.cpp's Gemma4VisionAudioModel.
 */
import type { TowerBuilder, TowerPlan } from './tower.js';
import { commonVisionKeys, type TowerFamily } from './families.js';
import { CompatError } from '../edit.js';

/** Per layer, the order of the linears in `v.clamp_data`; then the projector. */
const CLAMP_LINEARS = ['attn_q', 'attn_k', 'attn_v', 'attn_out', 'ffn_gate', 'ffn_up', 'ffn_down'];
const CLAMP_VALUES = ['input_min', 'input_max', 'output_min', 'output_max'];

function plan(b: TowerBuilder): TowerPlan | null {
  if (b.str('general.architecture') !== 'gemma4' || !b.sourceTensors(['v.']).length) return null;
  commonVisionKeys(b, 'gemma4', 'gemma4v');
  // A file with vision and audio names each modality's projector (as llama.cpp's converter does).
  b.removeOut('clip.projector_type');
  b.setString('clip.vision.projector_type', 'gemma4v');
  if (!b.hasOut('clip.vision.image_size')) b.setU32('clip.vision.image_size', 224);
  b.f32From('gemma4.vision.attention.layer_norm_epsilon', 'clip.vision.attention.layer_norm_epsilon', 1e-6);
  b.u32From('gemma4.vision.projector.scale_factor', 'clip.vision.projector.scale_factor');
  // Gemma 4 normalises images itself (v.std_bias / v.std_scale).
  b.setF32Array('clip.vision.image_mean', [0, 0, 0]);
  b.setF32Array('clip.vision.image_std', [1, 1, 1]);
  b.require(
    'clip.vision.patch_size', 'clip.vision.embedding_length', 'clip.vision.feed_forward_length',
    'clip.vision.block_count', 'clip.vision.attention.head_count', 'clip.vision.projection_dim',
  );
  const clamp = b.tensor('v.clamp_data');
  const blocks = b.int('gemma4.vision.block_count')!;
  for (const t of b.sourceTensors(['v.', 'mm.'])) {
    if (t === clamp || t.name.startsWith('mm.a.')) continue;
    if (t.name === 'v.patch_embd.weight' || t.name === 'v.position_embd.weight') b.copyAsF32(t, t.name);
    else b.copy(t, t.name);
  }
  if (clamp) {
    const want = (blocks * CLAMP_LINEARS.length + 1) * CLAMP_VALUES.length;
    if (clamp.dims.length !== 1 || clamp.dims[0] !== want) throw new CompatError(`inconsistent model file: v.clamp_data has ${clamp.dims.join('×')} values, expected ${want}`);
    let i = 0;
    for (let l = 0; l < blocks; l++) for (const lin of CLAMP_LINEARS) for (const v of CLAMP_VALUES) b.f32At(clamp, i++, `v.blk.${l}.${lin}.${v}`);
    for (const v of CLAMP_VALUES) b.f32At(clamp, i++, `mm.input_projection.${v}`);
    b.changes.push(`v.clamp_data unpacked into ${want} clamp scalars`);
  }
  const audio = b.sourceTensors(['a.', 'mm.a.']).length;
  b.changes.push(`gemma4 vision tower → clip (gemma4v projector); patch and position embeddings F16 → F32${audio ? `; ${audio} audio tensors left out` : ''}`);
  return b.plan('gemma4', 'gemma4v');
}

export const gemma4Tower: TowerFamily = { arch: 'gemma4', name: 'gemma4', plan };
