/**
 * Families published as one text + vision + audio file: their text model in llama.cpp's layout
 * (the towers are left out; the projector path is #15, audio is not served).
 * Facts from Ollama 0.33's llama/compat/llama-ollama-compat.cpp.
 */
import { CompatError, type HeaderEdit } from './edit.js';
import type { Family } from './family.js';
import { nemotronHMoe } from './families-text.js';

const TOWERS = ['a.', 'v.', 'mm.'] as const;

/**
 * Nemotron 3 omni: published as `nemotron_h_omni`; llama.cpp loads its text model as
 * `nemotron_h_moe` (when it has experts) or `nemotron_h`, from the same text keys.
 */
export const nemotronHOmni: Family = {
  arch: 'nemotron_h_omni',
  name: 'nemotron-h omni',
  apply(h) {
    if (h.str('general.architecture') !== 'nemotron_h_omni') return;
    if (!TOWERS.some((p) => h.anyTensorWithPrefix(p))) return;
    const experts = (h.uint('nemotron_h_omni.expert_count') ?? 0) > 0 || (h.uint('nemotron_h_omni.expert_used_count') ?? 0) > 0;
    const a = experts ? 'nemotron_h_moe' : 'nemotron_h';
    h.setString('general.architecture', a, `nemotron_h_omni → ${a}`);
    const from = 'nemotron_h_omni.';
    const keys = h.kvs.map((kv) => kv.key).filter((k) => k.startsWith(from) && !k.startsWith(`${from}vision.`) && !k.startsWith(`${from}audio.`));
    let copied = 0;
    for (const k of keys) {
      const to = `${a}.${k.slice(from.length)}`;
      if (h.has(to)) continue;
      const kv = h.kv(k)!;
      h.kvs.push({ key: to, type: kv.type, value: kv.value });
      copied++;
    }
    if (copied) h.changes.push(`${from}* text keys copied to ${a}.* (${copied} keys)`);
    h.hideTensors(TOWERS, 'audio/vision/projector');
    if (a === 'nemotron_h_moe') nemotronHMoe.apply(h);
  },
};

/**
 * Gemma 4: published with the SentencePiece tokenizer name (`llama`) for its BPE vocabulary,
 * audio and vision towers embedded, and each MoE block's expert gate and up projections as two
 * tensors that llama.cpp reads fused (`ffn_gate_up_exps`: per expert, the gate rows then the up
 * rows). The per-expert scale was once named `ffn_gate_inp.per_expert_scale`.
 */
export const gemma4: Family = {
  arch: 'gemma4',
  name: 'gemma4',
  apply(h) {
    if (h.str('general.architecture') !== 'gemma4') return;
    const towers = ['a.', 'v.', 'mm.', 'model.vision_tower.'];
    if (!towers.some((p) => h.anyTensorWithPrefix(p)) && h.str('tokenizer.ggml.model') !== 'llama') return;
    if (h.str('tokenizer.ggml.model') === 'llama') h.setString('tokenizer.ggml.model', 'gemma4', 'llama → gemma4 (BPE)');
    h.hideTensors(towers, 'audio/vision/projector');
    const blocks = h.uint('gemma4.block_count') ?? 0;
    for (let b = 0; b < blocks; b++) fuseGateUpExperts(h, b);
    h.renameTensors(/^(blk\.\d+)\.ffn_gate_inp\.per_expert_scale$/, '$1.ffn_down_exps.scale', 'ffn_gate_inp.per_expert_scale → ffn_down_exps.scale');
  },
};

function fuseGateUpExperts(h: HeaderEdit, b: number): void {
  const p = `blk.${b}.`;
  const gate = h.tensor(`${p}ffn_gate_exps.weight`);
  const up = h.tensor(`${p}ffn_up_exps.weight`);
  if (!gate || !up || h.tensor(`${p}ffn_gate_up_exps.weight`)) return;
  // Quantization sidecars scale each half on its own: the halves stay split (llama.cpp reads both forms).
  const sidecars = ['ffn_gate_exps.scale', 'ffn_gate_exps.input_scale', 'ffn_up_exps.scale', 'ffn_up_exps.input_scale'];
  if (sidecars.some((s) => h.tensor(p + s))) return;
  if (gate.type !== up.type || gate.dims.length !== 3 || gate.dims.join() !== up.dims.join() || gate.size !== up.size) {
    throw new CompatError(`inconsistent gemma4 model file: ${p}ffn_gate_exps [${gate.dims.join(', ')}] and ffn_up_exps [${up.dims.join(', ')}] differ`);
  }
  const [embd, ff, experts] = gate.dims as [number, number, number];
  const per = gate.size / experts;
  const pieces = [];
  for (let e = 0; e < experts; e++) {
    pieces.push({ offset: gate.sourceOffset + e * per, size: per }, { offset: up.sourceOffset + e * per, size: per });
  }
  h.tensors.splice(h.tensors.indexOf(up), 1);
  gate.name = `${p}ffn_gate_up_exps.weight`;
  h.setPieces(gate.name, pieces, [embd, ff * 2, experts], 'ffn_gate_exps and ffn_up_exps interleaved per expert (gate rows, then up rows)');
}
