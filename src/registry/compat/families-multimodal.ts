/**
 * Families published with vision or audio towers, multimodal tokens or multimodal metadata:
 * their text model in llama.cpp's layout (the towers are left out; the projector path is #15).
 * Facts from Ollama 0.33's llama/compat/llama-ollama-compat.cpp.
 */
import { CompatError } from './edit.js';
import { VISION_PREFIXES, missingOrDefault, type Family } from './family.js';
import { rawStringItems, rawValue } from '../gguf/rawheader.js';
import { GGUFValueType as VT } from '../gguf/types.js';

const GEMMA3_CHAT_TEMPLATE =
  "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}";

/** Gemma 3 text: defaults the converter left out, multimodal tokens, embedded vision tower. */
export const gemma3: Family = {
  arch: 'gemma3',
  name: 'gemma3',
  apply(h) {
    if (h.str('general.architecture') !== 'gemma3') return;
    const published =
      h.has('gemma3.mm.tokens_per_image') ||
      VISION_PREFIXES.some((p) => h.anyTensorWithPrefix(p)) ||
      h.has('gemma3.rope.global.freq_base') ||
      h.has('gemma3.rope.local.freq_base') ||
      h.has('tokenizer.ggml.add_padding_token') ||
      h.has('tokenizer.ggml.add_unknown_token') ||
      !h.has('gemma3.attention.layer_norm_rms_epsilon');
    if (!published) return;
    h.copy('gemma3.rope.global.freq_base', 'gemma3.rope.freq_base');
    h.copy('gemma3.rope.local.freq_base', 'gemma3.rope.freq_base_swa');
    h.setF32IfMissing('gemma3.attention.layer_norm_rms_epsilon', 1e-6);
    h.setF32IfMissing('gemma3.rope.freq_base', 1_000_000);
    h.setF32IfMissing('gemma3.rope.freq_base_swa', 10_000);
    h.setStringIfMissing('tokenizer.chat_template', GEMMA3_CHAT_TEMPLATE, 'added (Gemma 3 template)');
    if ((h.uint('gemma3.context_length') ?? 0) >= 131072) {
      h.setStringIfMissing('gemma3.rope.scaling.type', 'linear');
      h.setF32IfMissing('gemma3.rope.scaling.factor', 8);
    }
    const embd = h.tensor('token_embd.weight');
    if (embd && embd.dims.length >= 2) {
      const rows = embd.dims[1]!;
      h.truncateArray('tokenizer.ggml.tokens', rows);
      h.truncateArray('tokenizer.ggml.scores', rows);
      h.truncateArray('tokenizer.ggml.token_type', rows);
    }
    h.hideTensors(VISION_PREFIXES, 'vision/projector');
  },
};

/** EmbeddingGemma as published: a `gemma3` file with `dense.0` / `dense.1` projection tensors. */
export const embeddinggemma: Family = {
  arch: 'gemma3',
  name: 'embeddinggemma',
  apply(h) {
    if (h.str('general.architecture') !== 'gemma3' || !h.tensor('dense.0.weight')) return;
    const a = 'gemma-embedding';
    h.setString('general.architecture', a, 'gemma3 → gemma-embedding');
    h.renamePrefix('gemma3.', `${a}.`);
    h.remove(`${a}.attention.causal`);
    h.remove(`${a}.attention.sliding_window_pattern`);
    h.setF32IfMissing(`${a}.rope.freq_base_swa`, 10_000);
    const d0 = h.tensor('dense.0.weight');
    const d1 = h.tensor('dense.1.weight');
    if (d0 && d1 && d0.dims.length === 2 && d1.dims.length === 2) {
      h.setU32(`${a}.dense_2_feat_in`, d0.dims[0]!, 'from dense.0.weight');
      h.setU32(`${a}.dense_2_feat_out`, d0.dims[1]!, 'from dense.0.weight');
      h.setU32(`${a}.dense_3_feat_in`, d1.dims[0]!, 'from dense.1.weight');
      h.setU32(`${a}.dense_3_feat_out`, d1.dims[1]!, 'from dense.1.weight');
    }
    h.renameTensors(/^dense\.0\.weight$/, 'dense_2.weight', 'dense.0 → dense_2');
    h.renameTensors(/^dense\.1\.weight$/, 'dense_3.weight', 'dense.1 → dense_3');
    h.renameTensors(/^norm\.weight$/, 'output_norm.weight', 'norm → output_norm');
  },
};

/** Mistral 3: YaRN key names of its own and an embedded vision tower. */
export const mistral3: Family = {
  arch: 'mistral3',
  name: 'mistral3',
  apply(h) {
    if (h.str('general.architecture') !== 'mistral3') return;
    const published =
      VISION_PREFIXES.some((p) => h.anyTensorWithPrefix(p)) ||
      h.has('mistral3.rope.scaling.beta_fast') ||
      h.has('mistral3.rope.scaling.mscale_all_dim') ||
      h.has('mistral3.rope.scaling_beta');
    if (!published) return;
    h.copy('mistral3.rope.scaling.beta_fast', 'mistral3.rope.scaling.yarn_beta_fast');
    h.copy('mistral3.rope.scaling.beta_slow', 'mistral3.rope.scaling.yarn_beta_slow');
    h.copy('mistral3.rope.scaling.mscale_all_dim', 'mistral3.rope.scaling.yarn_log_multiplier');
    h.copy('mistral3.rope.scaling_beta', 'mistral3.attention.temperature_scale');
    if (missingOrDefault(h, 'tokenizer.ggml.pre')) h.setString('tokenizer.ggml.pre', 'tekken');
    h.hideTensors(VISION_PREFIXES, 'vision/projector');
  },
};

/** Llama 4: the same text layout, with the vision tower embedded. */
export const llama4: Family = {
  arch: 'llama4',
  name: 'llama4',
  apply(h) {
    if (h.str('general.architecture') !== 'llama4') return;
    h.hideTensors(VISION_PREFIXES, 'vision/projector');
  },
};

/** Qwen2.5-VL: published as `qwen25vl`; llama.cpp reads it as `qwen2vl` with 4 M-RoPE sections. */
export const qwen25vl: Family = {
  arch: 'qwen25vl',
  name: 'qwen2.5-vl',
  apply(h) {
    if (h.str('general.architecture') !== 'qwen25vl') return;
    h.setString('general.architecture', 'qwen2vl', 'qwen25vl → qwen2vl');
    h.renamePrefix('qwen25vl.', 'qwen2vl.');
    const key = 'qwen2vl.rope.mrope_section';
    const kv = h.kv(key);
    const info = h.arrayInfo(key);
    if (kv && info && info.count >= 3 && (info.itemType === VT.INT32 || info.itemType === VT.UINT32)) {
      const s = [0, 1, 2].map((i) => kv.value.readInt32LE(12 + 4 * i));
      h.set('qwen2vl.rope.dimension_sections', rawValue.i32Array([...s, 0]), `from rope.mrope_section [${s.join(', ')}] + 0`);
    }
    h.hideTensors(VISION_PREFIXES, 'vision/projector');
  },
};

/**
 * Gemma 3n: the multimodal vocabulary in token_embd and the tokenizer, the text one in
 * per_layer_token_embd; llama.cpp wants one size, so the extra (image/audio marker) rows go.
 */
export const gemma3n: Family = {
  arch: 'gemma3n',
  name: 'gemma3n',
  apply(h) {
    if (h.str('general.architecture') !== 'gemma3n') return;
    const te = h.tensor('token_embd.weight');
    const pe = h.tensor('per_layer_token_embd.weight');
    if (!te || !pe || te.dims.length !== 2 || pe.dims.length !== 2 || te.dims[1] === pe.dims[1]) return;
    const vocab = pe.dims[1]!;
    if (vocab > te.dims[1]!) throw new CompatError('inconsistent gemma3n model file: per_layer_token_embd has more rows than token_embd');
    if (h.str('tokenizer.ggml.model') !== 'llama') h.setString('tokenizer.ggml.model', 'llama');
    h.truncateRows('token_embd.weight', vocab);
    h.truncateArray('tokenizer.ggml.tokens', vocab);
    h.truncateArray('tokenizer.ggml.scores', vocab);
    h.truncateArray('tokenizer.ggml.token_type', vocab);
    const tokens = h.kv('tokenizer.ggml.tokens');
    const types = h.kv('tokenizer.ggml.token_type');
    const tinfo = h.arrayInfo('tokenizer.ggml.token_type');
    if (tokens && types && tinfo?.itemType === VT.INT32) {
      const items = rawStringItems(tokens);
      const out: number[] = [];
      let changed = 0;
      for (let i = 0; i < tinfo.count; i++) {
        const old = types.value.readInt32LE(12 + 4 * i);
        const tok = items[i]?.toString('latin1') ?? '';
        const next = /^<0x..>$/.test(tok) ? 6 : tok.startsWith('<unused') ? 1 : old;
        if (next !== old) changed++;
        out.push(next);
      }
      if (changed) h.set('tokenizer.ggml.token_type', rawValue.i32Array(out), `${changed} byte/unused token types fixed`);
    }
    const eos = h.kv('tokenizer.ggml.eos_token_ids');
    const einfo = h.arrayInfo('tokenizer.ggml.eos_token_ids');
    if (eos && einfo && (einfo.itemType === VT.INT32 || einfo.itemType === VT.UINT32)) {
      const ids = Array.from({ length: einfo.count }, (_, i) => eos.value.readInt32LE(12 + 4 * i));
      if (!ids.includes(106)) {
        const v = rawValue.i32Array([...ids, 106]);
        v.value.writeUInt32LE(einfo.itemType, 0);
        h.set('tokenizer.ggml.eos_token_ids', v, 'added <end_of_turn> (106)');
      }
    } else if (!eos) {
      h.set('tokenizer.ggml.eos_token_ids', rawValue.i32Array([1, 106]), 'set to [1, 106]');
    }
  },
};

/** Qwen3-VL (dense and MoE): M-RoPE sections and deepstack count missing, vision tower embedded. */
export function qwen3vlFamily(arch: 'qwen3vl' | 'qwen3vlmoe'): Family {
  return {
    arch,
    name: arch === 'qwen3vl' ? 'qwen3-vl' : 'qwen3-vl-moe',
    apply(h) {
      if (h.str('general.architecture') !== arch || h.has(`${arch}.rope.dimension_sections`)) return;
      h.set(`${arch}.rope.dimension_sections`, rawValue.i32Array([24, 20, 20, 0]), 'added (Qwen3-VL default [24, 20, 20, 0])');
      if (!h.has(`${arch}.n_deepstack_layers`)) {
        const n = h.arrayInfo(`${arch}.vision.deepstack_visual_indexes`)?.count ?? 0;
        h.setU32(`${arch}.n_deepstack_layers`, n, `added (${n}, the length of vision.deepstack_visual_indexes)`);
      }
      h.hideTensors(VISION_PREFIXES, 'vision/projector');
    },
  };
}
