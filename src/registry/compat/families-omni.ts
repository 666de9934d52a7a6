/**
 * Families published as one text + vision + audio file: their text model in llama.cpp's layout
 * (the towers are left out; the projector path is #15, audio is not served).
 * Facts from Ollama 0.33's llama/compat/llama-ollama-compat.cpp.
 */
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
