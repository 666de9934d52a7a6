/**
 * Qwen3.5 and Qwen3.5-MoE as published: per-layer KV-head counts, 3-entry M-RoPE sections,
 * `ssm_dt` without `.bias`, the multi-token-prediction layer under `mtp.*` (its norms stored
 * unshifted, its experts one tensor each) and the vision tower embedded.
 * Facts from Ollama 0.33's llama/compat/llama-ollama-compat.cpp.
 */
import { CompatError, type EditTensor, type HeaderEdit } from './edit.js';
import { VISION_PREFIXES, type Family } from './family.js';
import { rawValue } from '../gguf/rawheader.js';
import { GGUFValueType as VT } from '../gguf/types.js';

type Arch = 'qwen35' | 'qwen35moe';

function published(h: HeaderEdit, a: Arch): boolean {
  const keys = ['vision.block_count', 'image_token_id', 'ssm.v_head_reordered', 'rope.mrope_interleaved', ...(a === 'qwen35moe' ? ['feed_forward_length'] : [])];
  return keys.some((k) => h.has(`${a}.${k}`)) || h.anyTensorWithPrefix('mtp.') || h.anyTensorWithPrefix('v.');
}

/** A per-layer u32 array → its largest value (`fallback` when all are 0). */
function collapseToMax(h: HeaderEdit, key: string, fallback: number): void {
  const kv = h.kv(key);
  const info = h.arrayInfo(key);
  if (!kv || !info || (info.itemType !== VT.UINT32 && info.itemType !== VT.INT32)) return;
  let max = 0;
  for (let i = 0; i < info.count; i++) max = Math.max(max, kv.value.readUInt32LE(12 + 4 * i));
  if (max === 0) max = fallback;
  if (max > 0) h.setU32(key, max, `per-layer array → its largest value (${max})`);
}

const blockIndex = (name: string): number | undefined => {
  const m = /^blk\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : undefined;
};

/** The norms llama.cpp's converter stores shifted (+1) and Ollama's stored as is, in MTP layers. */
function shifted(to: string): boolean {
  if (to.endsWith('.ssm_norm.weight')) return false;
  return to.endsWith('_norm.weight') || to.endsWith('.nextn.enorm.weight') || to.endsWith('.nextn.hnorm.weight');
}

function renameMtp(h: HeaderEdit, from: string, to: string): void {
  const t = h.tensor(from);
  if (!t || h.tensor(to)) return;
  t.name = to;
  if (shifted(to)) h.addOne(to);
}

/** `mtp.layers.L.mlp.experts.E.<proj>.weight`, E = 0…n-1 → one `[ne0, ne1, n]` tensor. */
function mergeExperts(h: HeaderEdit, layer: number, block: number, proj: string, into: string): boolean {
  const re = new RegExp(`^mtp\\.layers\\.${layer}\\.mlp\\.experts\\.(\\d+)\\.${proj}\\.weight$`);
  const found: Array<[number, EditTensor]> = [];
  for (const t of h.tensors) {
    const m = re.exec(t.name);
    if (m) found.push([Number(m[1]), t]);
  }
  if (!found.length) return false;
  found.sort((x, y) => x[0] - y[0]);
  const what = `qwen3.5-moe model file: MTP layer ${layer} ${proj} experts`;
  if (found.some(([e], i) => e !== i)) throw new CompatError(`inconsistent ${what} are not numbered 0…${found.length - 1}`);
  const first = found[0]![1];
  if (found.some(([, t]) => t.type !== first.type || t.dims.length !== 2 || t.dims.join() !== first.dims.join())) {
    throw new CompatError(`inconsistent ${what} differ in shape or type`);
  }
  h.fuse(
    found.map(([, t]) => t.name),
    `blk.${block}.${into}`,
    [first.dims[0]!, first.dims[1]!, found.length],
    `${found.length} MTP experts (${proj}) stacked`,
  );
  return true;
}

function translateMtp(h: HeaderEdit, a: Arch): void {
  const mtp = h.tensors.filter((t) => t.name.startsWith('mtp.'));
  if (!mtp.length || h.tensors.some((t) => t.name.startsWith('blk.') && t.name.includes('.nextn.'))) return;
  let layers = 0;
  for (const t of mtp) {
    const m = /^mtp\.layers\.(\d+)\.(.+)$/.exec(t.name);
    if (m) layers = Math.max(layers, Number(m[1]) + 1);
  }
  const nextn = layers || 1;
  let base = 0;
  for (const t of h.tensors) {
    const b = blockIndex(t.name);
    if (b !== undefined) base = Math.max(base, b + 1);
  }
  if (!base) base = h.uint(`${a}.block_count`) ?? 0;
  if (!base) throw new CompatError(`inconsistent ${a} model file: MTP tensors but no text blocks`);
  h.setU32(`${a}.nextn_predict_layers`, nextn, `${nextn} (the MTP layers under mtp.*)`);
  h.setU32(`${a}.block_count`, base + nextn, `${base} text blocks + ${nextn} MTP`);
  const moe = a === 'qwen35moe';
  for (let i = 0; moe && i < nextn; i++) {
    const got = [
      mergeExperts(h, i, base + i, 'gate_proj', 'ffn_gate_exps.weight'),
      mergeExperts(h, i, base + i, 'up_proj', 'ffn_up_exps.weight'),
      mergeExperts(h, i, base + i, 'down_proj', 'ffn_down_exps.weight'),
    ];
    if (got.some(Boolean) && !got.every(Boolean)) throw new CompatError(`inconsistent qwen3.5-moe model file: MTP layer ${i} has only some of its expert projections`);
  }
  const renames: Array<[string, string]> = [];
  for (const t of h.tensors) {
    const m = /^mtp\.layers\.(\d+)\.(.+)$/.exec(t.name);
    if (!m || Number(m[1]) >= nextn || (moe && m[2]!.startsWith('mlp.experts.'))) continue;
    renames.push([t.name, `blk.${base + Number(m[1])}.${m[2]}`]);
  }
  for (const [from, to] of renames) renameMtp(h, from, to);
  if (nextn === 1) {
    const b = `blk.${base}.nextn.`;
    renameMtp(h, 'mtp.fc.weight', `${b}eh_proj.weight`);
    renameMtp(h, 'mtp.pre_fc_norm_embedding.weight', `${b}enorm.weight`);
    renameMtp(h, 'mtp.pre_fc_norm_hidden.weight', `${b}hnorm.weight`);
    renameMtp(h, 'mtp.embed_tokens.weight', `${b}embed_tokens.weight`);
    renameMtp(h, 'mtp.shared_head.head.weight', `${b}shared_head_head.weight`);
    renameMtp(h, 'mtp.shared_head.norm.weight', `${b}shared_head_norm.weight`);
    renameMtp(h, 'mtp.norm.weight', `${b}shared_head_norm.weight`);
  }
  h.changes.push(`mtp.* → blk.${base}…${base + nextn - 1} (MTP layers; their norms + 1 as F32)`);
}

function qwen35Family(a: Arch): Family {
  return {
    arch: a,
    name: a === 'qwen35' ? 'qwen3.5' : 'qwen3.5-moe',
    apply(h) {
      if (h.str('general.architecture') !== a || !published(h, a)) return;
      collapseToMax(h, `${a}.attention.head_count_kv`, 2);
      const key = `${a}.rope.dimension_sections`;
      const kv = h.kv(key);
      const info = h.arrayInfo(key);
      if (kv && info && info.count === 3 && (info.itemType === VT.INT32 || info.itemType === VT.UINT32)) {
        const s = [0, 1, 2].map((i) => kv.value.readInt32LE(12 + 4 * i));
        h.set(key, rawValue.i32Array([...s, 0]), `[${s.join(', ')}] + 0`);
      }
      h.renameTensors(/\.ssm_dt$/, '.ssm_dt.bias', 'ssm_dt → ssm_dt.bias');
      translateMtp(h, a);
      h.hideTensors([...VISION_PREFIXES, 'mtp.'], 'vision/projector/untranslated MTP');
    },
  };
}

export const qwen35 = qwen35Family('qwen35');
export const qwen35moe = qwen35Family('qwen35moe');
