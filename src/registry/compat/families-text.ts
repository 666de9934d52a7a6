/**
 * Text-only families: architecture and key renames, tensor renames, tokenizer metadata.
 * Facts from Ollama 0.33's llama/compat/llama-ollama-compat.cpp.
 */
import { CompatError } from './edit.js';
import { decodeBase64 } from './base64.js';
import { missingOrDefault, type Family } from './family.js';
import { rawStringItems, rawValue } from '../gguf/rawheader.js';
import { GGUFValueType as VT } from '../gguf/types.js';

/** gpt-oss as first published: arch `gptoss`, a few tensor names of its own. */
export const gptoss: Family = {
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
export const olmo3: Family = {
  arch: 'olmo3',
  name: 'olmo3',
  apply(h) {
    if (h.str('general.architecture') !== 'olmo3') return;
    h.setString('general.architecture', 'olmo2', 'olmo3 → olmo2 (llama.cpp loads OLMo 3 as olmo2)');
    h.renamePrefix('olmo3.', 'olmo2.');
  },
};

/** LFM2: the final norm is `token_embd_norm` for llama.cpp. */
export const lfm2: Family = {
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

/** Llama 3 files whose tokenizer metadata ends turns at <|end_of_text|> and has no pre-tokenizer. */
export const llama3: Family = {
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
export const snowflake: Family = {
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

/** Qwen3-Next: per-layer KV-head counts and `ssm_dt` tensors without their `.bias` suffix. */
export const qwen3next: Family = {
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
export const laguna: Family = {
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
export const nemotronHMoe: Family = {
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

/** GLM-4.7 Flash: published as `glm4moelite` with per-head MLA dims; llama.cpp's `deepseek2` path. */
export const glm4moelite: Family = {
  arch: 'glm4moelite',
  name: 'glm-4.7-flash',
  apply(h) {
    if (h.str('general.architecture') !== 'glm4moelite') return;
    const a = 'deepseek2';
    const headDim = h.uint('glm4moelite.attention.key_length');
    h.setString('general.architecture', a, 'glm4moelite → deepseek2');
    h.renamePrefix('glm4moelite.', `${a}.`);
    h.setU32(`${a}.attention.head_count_kv`, 1, 'set to 1 (MLA)');
    const lora = h.uint(`${a}.attention.kv_lora_rank`);
    const rope = h.uint(`${a}.rope.dimension_count`);
    if (lora !== undefined && rope !== undefined) {
      h.setU32(`${a}.attention.key_length`, lora + rope, `kv_lora_rank + rope.dimension_count (${lora + rope})`);
      h.setU32(`${a}.attention.value_length`, lora, `kv_lora_rank (${lora})`);
    }
    if (headDim !== undefined) {
      h.setU32(`${a}.attention.key_length_mla`, headDim, `the published per-head key length (${headDim})`);
      h.setU32(`${a}.attention.value_length_mla`, headDim, `the published per-head key length (${headDim})`);
    }
    if (!h.has(`${a}.expert_group_count`)) h.setU32(`${a}.expert_group_count`, 1, 'added (1)');
    if (!h.has(`${a}.expert_group_used_count`)) h.setU32(`${a}.expert_group_used_count`, 1, 'added (1)');
    if (h.str('tokenizer.ggml.pre') !== 'glm4') h.setString('tokenizer.ggml.pre', 'glm4');
    const eos = h.kv('tokenizer.ggml.eos_token_ids');
    const info = h.arrayInfo('tokenizer.ggml.eos_token_ids');
    if (eos && info && (info.itemType === VT.INT32 || info.itemType === VT.UINT32)) {
      const ids: number[] = [];
      for (let i = 0; i < info.count; i++) {
        const v = info.itemType === VT.INT32 ? eos.value.readInt32LE(12 + 4 * i) : eos.value.readUInt32LE(12 + 4 * i);
        if (v >= 0) ids.push(v);
      }
      if (!h.has('tokenizer.ggml.eot_token_id') && ids.length >= 2) h.setU32('tokenizer.ggml.eot_token_id', ids[1]!, 'the second of eos_token_ids');
      if (!h.has('tokenizer.ggml.eom_token_id') && ids.length >= 3) h.setU32('tokenizer.ggml.eom_token_id', ids[2]!, 'the third of eos_token_ids');
    }
  },
};
