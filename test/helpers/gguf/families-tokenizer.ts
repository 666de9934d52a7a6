/**
 * Tiny pairs (see families.ts) for the metadata-only families: Llama 3 tokenizer markers (a
 * tiny llama with Llama 3's 128256-token vocabulary and its markers at their real ids).
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

export const TOKENIZER_FAMILY_PAIRS: ReadonlyArray<[string, () => FamilyPair]> = [['llama 3 tokenizer markers', llama3Pair]];
