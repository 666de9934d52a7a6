/**
 * Tiny pairs (see families.ts) for the metadata-only families: Llama 3 tokenizer markers (a
 * tiny llama with Llama 3's 128256-token vocabulary and its markers at their real ids) and
 * snowflake-arctic-embed2 (a tiny BERT encoder with a T5 / Unigram tokenizer).
 */
import { GGUFValueType as VT } from '../../../src/registry/gguf/types.js';
import { arr, f32, u32, type TensorSpec } from './writer.js';
import { bpeVocab } from './models.js';
import { attn, common, derive, E, mlp, norm, pair, tensor, type FamilyPair, type Md } from './families.js';

/** Llama 3: the published file ends turns at <|end_of_text|> and has no pre-tokenizer. */
export function llama3Pair(): FamilyPair & { eos: number } {
  const V = 128256;
  const specials = Array.from({ length: 256 }, (_, i) => `<|reserved_special_token_${i}|>`);
  specials[0] = '<|begin_of_text|>';
  specials[1] = '<|end_of_text|>';
  specials[6] = '<|start_header_id|>';
  specials[7] = '<|end_header_id|>';
  specials[9] = '<|eot_id|>';
  const vocab = bpeVocab(V, specials);
  const a = 'llama';
  const md: Md = [
    ...common(a, 2, [
      [`${a}.attention.layer_norm_rms_epsilon`, f32(1e-5)],
      [`${a}.rope.dimension_count`, u32(16)],
    ]),
    ['tokenizer.ggml.model', 'gpt2'],
    ['tokenizer.ggml.pre', 'llama-bpe'],
    ['tokenizer.ggml.tokens', vocab['tokenizer.ggml.tokens']!],
    ['tokenizer.ggml.token_type', vocab['tokenizer.ggml.token_type']!],
    ['tokenizer.ggml.merges', vocab['tokenizer.ggml.merges']!],
    ['tokenizer.ggml.bos_token_id', u32(128000)],
    ['tokenizer.ggml.eos_token_id', u32(128009)],
    ['tokenizer.ggml.eot_token_id', u32(128009)],
    ['tokenizer.ggml.eos_token_ids', arr(VT.INT32, [128009])],
    ['tokenizer.chat_template', "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>' + message['content'] + '<|eot_id|>' }}"],
  ];
  const t: TensorSpec[] = [{ ...tensor('token_embd.weight', [E, V], undefined, 0.5), type: 'F16' }];
  for (let i = 0; i < 2; i++) {
    const p = `blk.${i}`;
    t.push(norm(`${p}.attn_norm.weight`), ...attn(p), norm(`${p}.ffn_norm.weight`), ...mlp(p));
  }
  t.push(norm('output_norm.weight'));
  const base = { metadata: md, tensors: t };
  const ollama = derive(base, {
    dropKeys: ['tokenizer.ggml.eot_token_id', 'tokenizer.ggml.eos_token_ids'],
    setKeys: [
      ['tokenizer.ggml.pre', 'default'],
      ['tokenizer.ggml.eos_token_id', u32(128001)],
    ],
  });
  return { ...pair(a, a, V, base, ollama, 31), eos: 128009 };
}

/**
 * A minimal precompiled charsmap: a normalisation trie of 256 empty units (every byte looks up
 * in bounds and matches nothing) and one empty replacement string.
 */
const CHARSMAP = Buffer.concat([Buffer.from([0, 4, 0, 0]), Buffer.alloc(1024), Buffer.from([0])]);

/** snowflake-arctic-embed2: published with the charsmap as an array of base64 characters. */
export function snowflakePair(): FamilyPair {
  const V = 320;
  const a = 'bert';
  const tokens = ['<s>', '<pad>', '</s>', '<unk>', ...Array.from({ length: V - 4 }, (_, i) => `▁t${i}`)];
  const md: Md = [
    ['general.architecture', a],
    ['general.name', 'bert-tiny-random'],
    ['general.file_type', u32(0)],
    [`${a}.context_length`, u32(128)],
    [`${a}.embedding_length`, u32(E)],
    [`${a}.block_count`, u32(2)],
    [`${a}.feed_forward_length`, u32(128)],
    [`${a}.attention.head_count`, u32(4)],
    [`${a}.attention.layer_norm_epsilon`, f32(1e-5)],
    [`${a}.attention.causal`, false],
    [`${a}.pooling_type`, u32(2)],
    ['tokenizer.ggml.model', 't5'],
    ['tokenizer.ggml.token_type_count', u32(1)],
    ['tokenizer.ggml.pre', 'default'],
    ['tokenizer.ggml.tokens', tokens],
    ['tokenizer.ggml.scores', arr(VT.FLOAT32, tokens.map((_, i) => -i))],
    ['tokenizer.ggml.token_type', arr(VT.INT32, tokens.map((_, i) => (i < 3 ? 3 : i === 3 ? 2 : 1)))],
    ['tokenizer.ggml.bos_token_id', u32(0)],
    ['tokenizer.ggml.padding_token_id', u32(1)],
    ['tokenizer.ggml.eos_token_id', u32(2)],
    ['tokenizer.ggml.unknown_token_id', u32(3)],
    ['tokenizer.ggml.add_bos_token', true],
    ['tokenizer.ggml.add_eos_token', true],
    ['tokenizer.ggml.precompiled_charsmap', arr(VT.UINT8, [...CHARSMAP])],
  ];
  const t: TensorSpec[] = [
    tensor('token_embd.weight', [E, V], undefined, 0.5),
    tensor('token_types.weight', [E, 1], undefined, 0.1),
    tensor('position_embd.weight', [E, 128], undefined, 0.1),
    norm('token_embd_norm.weight'),
    tensor('token_embd_norm.bias', [E]),
  ];
  for (let i = 0; i < 2; i++) {
    const p = `blk.${i}`;
    t.push(...attn(p).map((x) => (x.name.includes('attn_k') || x.name.includes('attn_v') ? { ...x, dims: [E, E] } : x)));
    for (const b of ['attn_q', 'attn_k', 'attn_v', 'attn_output']) t.push(tensor(`${p}.${b}.bias`, [E]));
    t.push(norm(`${p}.attn_output_norm.weight`), tensor(`${p}.attn_output_norm.bias`, [E]));
    t.push(tensor(`${p}.ffn_up.weight`, [E, 128]), tensor(`${p}.ffn_up.bias`, [128]), tensor(`${p}.ffn_down.weight`, [128, E]), tensor(`${p}.ffn_down.bias`, [E]));
    t.push(norm(`${p}.layer_output_norm.weight`), tensor(`${p}.layer_output_norm.bias`, [E]));
  }
  const base = { metadata: md, tensors: t };
  const chars = [...CHARSMAP.toString('base64')];
  const ollama = derive(base, { setKeys: [['tokenizer.ggml.precompiled_charsmap', chars]] });
  return { ...pair(a, a, V, base, ollama, 32), embedding: true };
}

export const TOKENIZER_FAMILY_PAIRS: ReadonlyArray<[string, () => FamilyPair]> = [
  ['llama 3 tokenizer markers', llama3Pair],
  ['snowflake-arctic-embed2', snowflakePair],
];
