/**
 * Per-family translations from the GGUF layouts Ollama has published to the layout the bundled
 * llama.cpp loads. The facts (which keys, which tensors, which defaults) are Ollama 0.33's
 * load-time compatibility layer (llama/compat/llama-ollama-compat.cpp); each handler only acts
 * when the file shows one of that family's published-layout markers, so a file already in
 * llama.cpp's layout is left alone.
 */
import { CompatError, type HeaderEdit } from './edit.js';
import { decodeBase64 } from './base64.js';
import { rawStringItems, rawValue } from '../gguf/rawheader.js';
import { GGUFValueType as VT } from '../gguf/types.js';

export interface Family {
  /** Published architecture (`general.architecture` as Ollama writes it). */
  readonly arch: string;
  /** Short name for logs and docs. */
  readonly name: string;
  /** Applies the family's edits when the file is in Ollama's layout; does nothing otherwise. */
  apply(h: HeaderEdit): void;
}

const VISION_PREFIXES = ['v.', 'mm.'] as const;

const GEMMA3_CHAT_TEMPLATE =
  "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}";

function missingOrDefault(h: HeaderEdit, key: string): boolean {
  if (!h.has(key)) return true;
  const v = h.str(key);
  return v === '' || v === 'default';
}

/** gpt-oss as first published: arch `gptoss`, a few tensor names of its own. */
const gptoss: Family = {
  arch: 'gptoss',
  name: 'gpt-oss',
  apply(h) {
    if (h.str('general.architecture') !== 'gptoss') return;
    h.setString('general.architecture', 'gpt-oss', 'gptoss → gpt-oss');
    h.renamePrefix('gptoss.', 'gpt-oss.');
    if (!h.has('gpt-oss.expert_feed_forward_length')) {
      const t = h.tensor('blk.0.ffn_gate_exps.weight');
      if (!t || t.dims.length < 2) throw new CompatError('inconsistent gpt-oss model file: blk.0.ffn_gate_exps.weight is missing, so the expert feed-forward length is unknown');
      h.setU32('gpt-oss.expert_feed_forward_length', t.dims[1]!, `added from blk.0.ffn_gate_exps.weight (${t.dims[1]})`);
    }
    h.setStringIfMissing('gpt-oss.rope.scaling.type', 'yarn');
    if (h.str('tokenizer.ggml.pre') !== 'gpt-4o') h.setString('tokenizer.ggml.pre', 'gpt-4o');
    h.renameTensors(/^(blk\.\d+)\.attn_out\./, '$1.attn_output.', 'attn_out → attn_output');
    h.renameTensors(/^(blk\.\d+)\.attn_sinks$/, '$1.attn_sinks.weight', 'attn_sinks → attn_sinks.weight');
    h.renameTensors(/^(blk\.\d+)\.ffn_norm\./, '$1.post_attention_norm.', 'ffn_norm → post_attention_norm');
  },
};

/** OLMo 3: llama.cpp loads it through its OLMo 2 architecture. */
const olmo3: Family = {
  arch: 'olmo3',
  name: 'olmo3',
  apply(h) {
    if (h.str('general.architecture') !== 'olmo3') return;
    h.setString('general.architecture', 'olmo2', 'olmo3 → olmo2 (llama.cpp loads OLMo 3 as olmo2)');
    h.renamePrefix('olmo3.', 'olmo2.');
  },
};

/** LFM2: the final norm is `token_embd_norm` for llama.cpp. */
const lfm2: Family = {
  arch: 'lfm2',
  name: 'lfm2',
  apply(h) {
    if (h.str('general.architecture') !== 'lfm2') return;
    if (!h.tensor('output_norm.weight') || h.tensor('token_embd_norm.weight')) return;
    h.renameTensors(/^output_norm\.weight$/, 'token_embd_norm.weight', 'output_norm → token_embd_norm');
    if (h.str('tokenizer.ggml.pre') !== 'lfm2') h.setString('tokenizer.ggml.pre', 'lfm2');
    const gate = h.tensor('blk.0.ffn_gate.weight');
    if (gate && gate.dims.length >= 2 && h.uint('lfm2.feed_forward_length') !== gate.dims[1]) {
      h.setU32('lfm2.feed_forward_length', gate.dims[1]!, `set from blk.0.ffn_gate.weight (${gate.dims[1]})`);
    }
  },
};

/** Gemma 3 text: defaults the converter left out, multimodal tokens, embedded vision tower. */
const gemma3: Family = {
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
const embeddinggemma: Family = {
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
const mistral3: Family = {
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

/** Llama 3 files whose tokenizer metadata ends turns at <|end_of_text|> and has no pre-tokenizer. */
const llama3: Family = {
  arch: 'llama',
  name: 'llama 3 tokenizer markers',
  apply(h) {
    if (h.str('general.architecture') !== 'llama') return;
    if (h.tokenAt('tokenizer.ggml.tokens', 128009) !== '<|eot_id|>') return;
    const tmpl = h.str('tokenizer.chat_template') ?? '';
    const markers =
      h.tokenAt('tokenizer.ggml.tokens', 128006) === '<|start_header_id|>' || tmpl.includes('<|start_header_id|>') || tmpl.includes('<|eot_id|>');
    const defaultPre = missingOrDefault(h, 'tokenizer.ggml.pre');
    const eos = h.uint('tokenizer.ggml.eos_token_id');
    if (!markers || !(defaultPre || eos === 128001)) return;
    if (defaultPre) h.setString('tokenizer.ggml.pre', 'llama-bpe');
    if (eos === undefined || eos === 128001) h.setU32('tokenizer.ggml.eos_token_id', 128009, '<|end_of_text|> → <|eot_id|> (128009)');
    const eot = h.uint('tokenizer.ggml.eot_token_id');
    if (eot === undefined || eot === 128001) h.setU32('tokenizer.ggml.eot_token_id', 128009, 'set to <|eot_id|> (128009)');
    h.set('tokenizer.ggml.eos_token_ids', rawValue.i32Array([128009]), 'set to [128009]');
  },
};

/** snowflake-arctic-embed2: the precompiled charsmap published as base64 characters. */
const snowflake: Family = {
  arch: 'bert',
  name: 'snowflake-arctic-embed2',
  apply(h) {
    if (h.str('general.architecture') !== 'bert' || h.str('tokenizer.ggml.model') !== 't5') return;
    const kv = h.kv('tokenizer.ggml.precompiled_charsmap');
    if (!kv) return;
    const info = h.arrayInfo(kv.key);
    if (!info || info.itemType !== VT.STRING) return;
    const items = rawStringItems(kv);
    if (items.some((b) => b.length !== 1)) {
      throw new CompatError('inconsistent model file: tokenizer.ggml.precompiled_charsmap is a string array whose items are not single base64 characters');
    }
    const decoded = decodeBase64(Buffer.concat(items).toString('latin1'));
    if (!decoded || decoded.length === 0) throw new CompatError('inconsistent model file: tokenizer.ggml.precompiled_charsmap is not valid base64');
    h.set(kv.key, rawValue.bytesArray(VT.UINT8, decoded), `base64 characters → ${decoded.length} bytes`);
  },
};

/** Llama 4: the same text layout, with the vision tower embedded. */
const llama4: Family = {
  arch: 'llama4',
  name: 'llama4',
  apply(h) {
    if (h.str('general.architecture') !== 'llama4') return;
    h.hideTensors(VISION_PREFIXES, 'vision/projector');
  },
};

/** Qwen3-Next: per-layer KV-head counts and `ssm_dt` tensors without their `.bias` suffix. */
const qwen3next: Family = {
  arch: 'qwen3next',
  name: 'qwen3-next',
  apply(h) {
    if (h.str('general.architecture') !== 'qwen3next') return;
    if (!h.tensors.some((t) => t.name.endsWith('.ssm_dt'))) return;
    const key = 'qwen3next.attention.head_count_kv';
    const kv = h.kv(key);
    const info = h.arrayInfo(key);
    if (kv && info && (info.itemType === VT.UINT32 || info.itemType === VT.INT32)) {
      let max = 0;
      for (let i = 0; i < info.count; i++) max = Math.max(max, kv.value.readUInt32LE(12 + 4 * i));
      if (max > 0) h.setU32(key, max, `per-layer array → its largest value (${max})`);
    }
    h.renameTensors(/\.ssm_dt$/, '.ssm_dt.bias', 'ssm_dt → ssm_dt.bias');
  },
};

/** Laguna: SWA rope keys nested under `rope.swa.` and the attention gate named `attn_g`. */
const laguna: Family = {
  arch: 'laguna',
  name: 'laguna',
  apply(h) {
    if (h.str('general.architecture') !== 'laguna') return;
    const published = h.has('laguna.rope.swa.dimension_count') || h.has('laguna.rope.swa.freq_base') || !!h.tensor('blk.0.attn_g.weight');
    if (!published) return;
    h.copy('laguna.rope.swa.dimension_count', 'laguna.rope.dimension_count_swa');
    h.copy('laguna.rope.swa.freq_base', 'laguna.rope.freq_base_swa');
    h.renameTensors(/\.attn_g\.weight$/, '.attn_gate.weight', 'attn_g → attn_gate');
  },
};

/** Nemotron-H MoE: latent-FFN tensor names, a missing latent size, multi-token-prediction tensors. */
const nemotronHMoe: Family = {
  arch: 'nemotron_h_moe',
  name: 'nemotron-h MoE',
  apply(h) {
    if (h.str('general.architecture') !== 'nemotron_h_moe') return;
    const latent = h.tensors.filter((t) => /^blk\.\d+\.ffn_latent_in\./.test(t.name));
    if (latent.length === 0 && !h.anyTensorWithPrefix('mtp.')) return;
    if (!h.has('nemotron_h_moe.moe_latent_size')) {
      const first = h.tensors.find((t) => /^blk\.\d+\.ffn_latent_in\.weight$/.test(t.name));
      if (first && first.dims.length >= 2) h.setU32('nemotron_h_moe.moe_latent_size', first.dims[1]!, `from ${first.name} (${first.dims[1]})`);
    }
    h.renameTensors(/^(blk\.\d+)\.ffn_latent_in\./, '$1.ffn_latent_down.', 'ffn_latent_in → ffn_latent_down');
    h.renameTensors(/^(blk\.\d+)\.ffn_latent_out\./, '$1.ffn_latent_up.', 'ffn_latent_out → ffn_latent_up');
    h.hideTensors(['mtp.'], 'multi-token-prediction');
  },
};

/** Qwen2.5-VL: published as `qwen25vl`; llama.cpp reads it as `qwen2vl` with 4 M-RoPE sections. */
const qwen25vl: Family = {
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
const gemma3n: Family = {
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
function qwen3vlFamily(arch: 'qwen3vl' | 'qwen3vlmoe'): Family {
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

/** In the order Ollama's dispatcher runs them. */
export const FAMILIES: readonly Family[] = [embeddinggemma, gemma3, snowflake, gemma3n, qwen3next, laguna, gptoss, lfm2, olmo3, mistral3, qwen25vl, qwen3vlFamily('qwen3vl'), qwen3vlFamily('qwen3vlmoe'), nemotronHMoe, llama3, llama4];

/** Runs the handler of the file's published architecture (at most one applies). */
export function applyFamilies(h: HeaderEdit): Family | null {
  const arch = h.str('general.architecture');
  for (const f of FAMILIES) {
    if (f.arch !== arch) continue;
    f.apply(h);
    if (h.changed) return f;
  }
  return null;
}
