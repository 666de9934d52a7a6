/**
 * Tiny Qwen3.5 / Qwen3.5-MoE pairs (see families.ts): a gated-delta-net layer, a gated
 * attention layer and one multi-token-prediction layer. llama.cpp's layout has the MTP layer
 * as block 2 (`nextn.*` tensors, norms stored + 1); the published one has it under `mtp.*`
 * with its norms as is and (MoE) one tensor per expert.
 */
import { GGUFValueType as VT } from '../../../src/registry/gguf/types.js';
import { arr, f32, u32, type TensorSpec } from './writer.js';
import { bpe, common, derive, E, FF, H, HD, KV, norm, pair, tensor, visionTower, type FamilyPair, type Md } from './families.js';
import { withData } from './families-more.js';

const V = 384;
const NE = 4;
const FE = 32;

function plusOne(t: TensorSpec): TensorSpec {
  return { ...t, data: t.data!.map((v) => v + 1) };
}

function qwen35(a: 'qwen35' | 'qwen35moe'): FamilyPair {
  const moe = a === 'qwen35moe';
  const DS = 16;
  const NK = 2;
  const NV = 4;
  const md: Md = [
    ...common(a, 3, [
      [`${a}.attention.key_length`, u32(HD)],
      [`${a}.attention.value_length`, u32(HD)],
      [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-6)],
      [`${a}.rope.dimension_count`, u32(HD)],
      [`${a}.rope.dimension_sections`, arr(VT.INT32, [2, 3, 3, 0])],
      [`${a}.ssm.conv_kernel`, u32(4)],
      [`${a}.ssm.inner_size`, u32(DS * NV)],
      [`${a}.ssm.state_size`, u32(DS)],
      [`${a}.ssm.time_step_rank`, u32(NV)],
      [`${a}.ssm.group_count`, u32(NK)],
      [`${a}.full_attention_interval`, u32(2)],
      [`${a}.nextn_predict_layers`, u32(1)],
      ...(moe
        ? ([
            [`${a}.expert_count`, u32(NE)],
            [`${a}.expert_used_count`, u32(2)],
            [`${a}.expert_feed_forward_length`, u32(FE)],
            [`${a}.expert_shared_feed_forward_length`, u32(FE)],
          ] as Md)
        : []),
    ]),
    ...bpe(V, 'qwen35'),
  ];
  const ffn = (p: string): TensorSpec[] =>
    moe
      ? [
          tensor(`${p}.ffn_gate_inp.weight`, [E, NE], undefined, 0.5),
          tensor(`${p}.ffn_gate_exps.weight`, [E, FE, NE]),
          tensor(`${p}.ffn_up_exps.weight`, [E, FE, NE]),
          tensor(`${p}.ffn_down_exps.weight`, [FE, E, NE]),
          tensor(`${p}.ffn_gate_inp_shexp.weight`, [E], undefined, 0.5),
          tensor(`${p}.ffn_gate_shexp.weight`, [E, FE]),
          tensor(`${p}.ffn_up_shexp.weight`, [E, FE]),
          tensor(`${p}.ffn_down_shexp.weight`, [FE, E]),
        ]
      : [tensor(`${p}.ffn_gate.weight`, [E, FF]), tensor(`${p}.ffn_up.weight`, [E, FF]), tensor(`${p}.ffn_down.weight`, [FF, E])];
  const gatedAttn = (p: string): TensorSpec[] => [
    tensor(`${p}.attn_q.weight`, [E, 2 * H * HD]),
    tensor(`${p}.attn_k.weight`, [E, KV * HD]),
    tensor(`${p}.attn_v.weight`, [E, KV * HD]),
    tensor(`${p}.attn_output.weight`, [H * HD, E]),
    norm(`${p}.attn_q_norm.weight`, HD),
    norm(`${p}.attn_k_norm.weight`, HD),
  ];
  const conv = 2 * DS * NK + DS * NV;
  const text = withData(
    [
      tensor('token_embd.weight', [E, V], undefined, 0.5),
      norm('blk.0.attn_norm.weight'),
      norm('blk.0.post_attention_norm.weight'),
      tensor('blk.0.attn_qkv.weight', [E, conv]),
      tensor('blk.0.attn_gate.weight', [E, DS * NV]),
      tensor('blk.0.ssm_conv1d.weight', [4, conv], undefined, 0.3),
      tensor('blk.0.ssm_dt.bias', [NV], undefined, 0.5),
      tensor('blk.0.ssm_a', [NV], undefined, 0.5),
      tensor('blk.0.ssm_beta.weight', [E, NV]),
      tensor('blk.0.ssm_alpha.weight', [E, NV]),
      norm('blk.0.ssm_norm.weight', DS),
      tensor('blk.0.ssm_out.weight', [DS * NV, E]),
      ...ffn('blk.0'),
      norm('blk.1.attn_norm.weight'),
      norm('blk.1.post_attention_norm.weight'),
      ...gatedAttn('blk.1'),
      ...ffn('blk.1'),
      norm('output_norm.weight'),
      tensor('output.weight', [E, V], undefined, 0.2),
    ],
    71,
  );
  // The MTP layer as published: llama.cpp names under mtp.layers.0, norms unshifted.
  const mtpLayer = withData([norm('attn_norm.weight'), norm('post_attention_norm.weight'), ...gatedAttn('x').map((t) => ({ ...t, name: t.name.slice(2) }))], 72);
  const mtpShared = withData([tensor('mtp.fc.weight', [2 * E, E]), norm('mtp.pre_fc_norm_embedding.weight'), norm('mtp.pre_fc_norm_hidden.weight'), norm('mtp.norm.weight')], 73);
  const mtpFfn = withData(ffn('x').map((t) => ({ ...t, name: t.name.slice(2) })), 74);
  const llamaMtp: TensorSpec[] = [
    ...mtpLayer.map((t) => (t.name.endsWith('_norm.weight') ? plusOne({ ...t, name: `blk.2.${t.name}` }) : { ...t, name: `blk.2.${t.name}` })),
    ...mtpFfn.map((t) => ({ ...t, name: `blk.2.${t.name}` })),
    { ...mtpShared[0]!, name: 'blk.2.nextn.eh_proj.weight' },
    plusOne({ ...mtpShared[1]!, name: 'blk.2.nextn.enorm.weight' }),
    plusOne({ ...mtpShared[2]!, name: 'blk.2.nextn.hnorm.weight' }),
    plusOne({ ...mtpShared[3]!, name: 'blk.2.nextn.shared_head_norm.weight' }),
  ];
  const publishedFfn: TensorSpec[] = [];
  for (const t of mtpFfn) {
    const m = /^ffn_(gate|up|down)_exps\.weight$/.exec(t.name);
    if (!m) {
      publishedFfn.push({ ...t, name: `mtp.layers.0.${t.name}` });
      continue;
    }
    const per = t.dims[0]! * t.dims[1]!;
    for (let e = 0; e < NE; e++) {
      publishedFfn.push({ name: `mtp.layers.0.mlp.experts.${e}.${m[1]}_proj.weight`, dims: [t.dims[0]!, t.dims[1]!], type: 'F32', data: t.data!.slice(e * per, (e + 1) * per) });
    }
  }
  const publishedMtp = [...mtpLayer.map((t) => ({ ...t, name: `mtp.layers.0.${t.name}` })), ...publishedFfn, ...mtpShared];
  const base = { metadata: md, tensors: [...text, ...llamaMtp] };
  const ollama = derive(
    { metadata: md, tensors: [...text, ...publishedMtp] },
    {
      dropKeys: [`${a}.nextn_predict_layers`],
      setKeys: [
        [`${a}.block_count`, u32(2)],
        [`${a}.attention.head_count_kv`, arr(VT.UINT32, [0, KV])],
        [`${a}.rope.dimension_sections`, arr(VT.INT32, [2, 3, 3])],
        [`${a}.vision.block_count`, u32(1)],
      ],
      renameTensor: (n) => (n === 'blk.0.ssm_dt.bias' ? 'blk.0.ssm_dt' : n),
      extraTensors: withData(visionTower(), 75),
    },
  );
  return pair(a, a, V, base, ollama, moe ? 23 : 22);
}

export const qwen35Pair = (): FamilyPair => qwen35('qwen35');
export const qwen35moePair = (): FamilyPair => qwen35('qwen35moe');

export const QWEN35_FAMILY_PAIRS: ReadonlyArray<[string, () => FamilyPair]> = [
  ['qwen3.5', qwen35Pair],
  ['qwen3.5-moe', qwen35moePair],
];
