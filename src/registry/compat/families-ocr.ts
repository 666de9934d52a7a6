/**
 * OCR models published with their vision (and SAM) encoders embedded: their text model in
 * llama.cpp's layout (the encoders are left out; the projector path is #15).
 * Facts from Ollama 0.33's llama/compat/llama-ollama-compat.cpp.
 */
import { CompatError, type HeaderEdit } from './edit.js';
import { VISION_PREFIXES, type Family } from './family.js';
import { rawValue } from '../gguf/rawheader.js';
import { GGUFValueType as VT } from '../gguf/types.js';

/** A 3-entry M-RoPE section array as llama.cpp's 4-entry `rope.dimension_sections` (a trailing 0). */
export function padSections(h: HeaderEdit, from: string, to: string): void {
  const kv = h.kv(from);
  const info = h.arrayInfo(from);
  if (!kv || !info || info.count !== 3 || (info.itemType !== VT.INT32 && info.itemType !== VT.UINT32)) return;
  const s = [0, 1, 2].map((i) => kv.value.readInt32LE(12 + 4 * i));
  h.set(to, rawValue.i32Array([...s, 0]), `from ${from.slice(from.indexOf('.') + 1)} [${s.join(', ')}] + 0`);
}

/**
 * GLM-OCR: published as `glmocr` with the FFN gate and up halves as two tensors; llama.cpp's
 * `glm4` wants them fused in `ffn_up` (gate rows first, then up: a concatenation of the data).
 */
export const glmocr: Family = {
  arch: 'glmocr',
  name: 'glm-ocr',
  apply(h) {
    if (h.str('general.architecture') !== 'glmocr') return;
    const a = 'glm4';
    h.setString('general.architecture', a, 'glmocr → glm4');
    h.renamePrefix('glmocr.', `${a}.`);
    padSections(h, `${a}.rope.mrope_section`, `${a}.rope.dimension_sections`);
    if (!h.has(`${a}.rope.dimension_count`)) {
      const k = h.uint(`${a}.attention.key_length`);
      if (k !== undefined) h.setU32(`${a}.rope.dimension_count`, k, `from attention.key_length (${k})`);
    }
    const pre = h.str('tokenizer.ggml.pre');
    if (pre !== undefined && pre !== 'chatglm-bpe') h.setString('tokenizer.ggml.pre', 'chatglm-bpe');
    h.renameTensors(/\.attn_out\./, '.attn_output.', 'attn_out → attn_output');
    h.renameTensors(/\.post_attn_norm\./, '.post_attention_norm.', 'post_attn_norm → post_attention_norm');
    h.renameTensors(/\.post_ffn_norm\./, '.post_ffw_norm.', 'post_ffn_norm → post_ffw_norm');
    const blocks = h.uint(`${a}.block_count`) ?? 16;
    for (let b = 0; b < blocks; b++) {
      const gate = h.tensor(`blk.${b}.ffn_gate.weight`);
      const up = h.tensor(`blk.${b}.ffn_up.weight`);
      if (!gate && !up) continue;
      if (!gate || !up) throw new CompatError(`inconsistent glm-ocr model file: blk.${b} has only one of ffn_gate and ffn_up`);
      if (gate.dims.length !== 2 || gate.dims.join() !== up.dims.join()) {
        throw new CompatError(`inconsistent glm-ocr model file: blk.${b}.ffn_gate [${gate.dims.join(', ')}] and ffn_up [${up.dims.join(', ')}] differ`);
      }
      h.fuse([gate.name, up.name], up.name, [gate.dims[0]!, gate.dims[1]! * 2], 'ffn_gate and ffn_up fused (gate first)');
    }
    h.hideTensors(VISION_PREFIXES, 'vision/projector');
  },
};
/**
 * DeepSeek-OCR: published as `deepseekocr`; llama.cpp's `deepseek2-ocr` wants the expert FFN
 * length and shared-expert count the converter left out (both from blk.1, the first MoE block).
 */
export const deepseekocr: Family = {
  arch: 'deepseekocr',
  name: 'deepseek-ocr',
  apply(h) {
    if (h.str('general.architecture') !== 'deepseekocr') return;
    const a = 'deepseek2-ocr';
    h.setString('general.architecture', a, 'deepseekocr → deepseek2-ocr');
    h.renamePrefix('deepseekocr.', `${a}.`);
    h.setF32IfMissing(`${a}.attention.layer_norm_rms_epsilon`, 1e-6);
    if (!h.has(`${a}.expert_feed_forward_length`)) {
      const t = h.tensor('blk.1.ffn_down_exps.weight');
      if (t) h.setU32(`${a}.expert_feed_forward_length`, t.dims[0]!, `from blk.1.ffn_down_exps.weight (${t.dims[0]})`);
    }
    if (!h.has(`${a}.expert_shared_count`)) {
      const t = h.tensor('blk.1.ffn_down_shexp.weight');
      const ff = h.uint(`${a}.expert_feed_forward_length`);
      if (t && ff) {
        const n = Math.floor(t.dims[0]! / ff);
        h.setU32(`${a}.expert_shared_count`, n, `from blk.1.ffn_down_shexp.weight (${t.dims[0]} / ${ff})`);
      }
    }
    h.hideTensors(['s.', ...VISION_PREFIXES], 'SAM/vision/projector');
  },
};
