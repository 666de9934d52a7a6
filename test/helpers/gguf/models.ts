/**
 * Model-shaped GGUF specs that node-llama-cpp (llama.cpp) can load and run: llama and qwen2
 * tensor layouts, a SentencePiece-style `llama` vocabulary or a byte-level `gpt2` BPE one.
 * The weights are random, so the text is nonsense, but every token id it produces is valid.
 */
import { GGUFValueType as VT } from '../../../src/registry/gguf/types.js';
import {
  arr,
  f32,
  ggufLayout,
  u32,
  writeGGUF,
  type GGUFSpec,
  type TensorSpec,
  type WeightType,
  type WriteValue,
} from './writer.js';

export interface ModelShape {
  arch: 'llama' | 'qwen2';
  blocks: number;
  embd: number;
  ff: number;
  heads: number;
  kvHeads: number;
  vocab: number;
  contextLength: number;
  /** Type of the 2-D weights; norms and biases are always F32. */
  weightType: WeightType;
  tokenizer: 'llama' | 'gpt2';
  name?: string;
  chatTemplate?: string;
  /** `general.type` (e.g. `adapter`, `projector`). */
  generalType?: string;
  /** Adds `<arch>.pooling_type` (1 = mean): Ollama then treats the model as embedding-only. */
  poolingType?: number;
  /** Omit output.weight (tied embeddings). */
  tiedOutput?: boolean;
  /** `general.file_type`; default from weightType (F32 → 0, F16 → 1, Q8_0 → 7); null omits it. */
  fileType?: number | null;
  extraMetadata?: Record<string, WriteValue>;
  seed?: number;
}

/** A few hundred KB: llama arch, 2 blocks, SentencePiece vocab of 320 (bos 1, eos 2). */
export const tinyLlama: ModelShape = {
  arch: 'llama',
  blocks: 2,
  embd: 64,
  ff: 128,
  heads: 4,
  kvHeads: 2,
  vocab: 320,
  contextLength: 512,
  weightType: 'F32',
  tokenizer: 'llama',
  name: 'tiny-llama',
};

const CHATML =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** Qwen2-0.5B's shape in Q8_0 (~500 MB), with a 151936-entry byte-level BPE vocabulary. */
export const qwen2_05b: ModelShape = {
  arch: 'qwen2',
  blocks: 24,
  embd: 896,
  ff: 4864,
  heads: 14,
  kvHeads: 2,
  vocab: 151936,
  contextLength: 32768,
  weightType: 'Q8_0',
  tokenizer: 'gpt2',
  name: 'qwen2-0.5b-random',
  chatTemplate: CHATML,
  tiedOutput: true,
};

// ---- tokenizers ----------------------------------------------------------------------------

const TOKEN_NORMAL = 1;
const TOKEN_UNKNOWN = 2;
const TOKEN_CONTROL = 3;
const TOKEN_USER_DEFINED = 4;
const TOKEN_BYTE = 6;

export function spmVocab(size: number): Record<string, WriteValue> {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [TOKEN_UNKNOWN, TOKEN_CONTROL, TOKEN_CONTROL];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(TOKEN_BYTE);
  }
  const letters = 'etaoinshrdlucmfwypvbgkqjxzETAOINSHRDLUCMFWYPVBGKQJXZ.,!?\'"0123456789';
  const pieces = ['▁', ...letters];
  for (const a of letters) pieces.push('▁' + a);
  for (const a of letters) for (const b of letters) pieces.push(a + b);
  const seen = new Set(tokens);
  for (const p of pieces) {
    if (tokens.length >= size) break;
    if (seen.has(p)) continue;
    seen.add(p);
    tokens.push(p);
    types.push(TOKEN_NORMAL);
  }
  if (tokens.length < size) throw new Error(`llama vocab supports at most ${tokens.length} tokens`);
  const scores = tokens.map((_, i) => (types[i] === TOKEN_NORMAL ? -i : 0));
  return {
    'tokenizer.ggml.model': 'llama',
    'tokenizer.ggml.tokens': tokens,
    'tokenizer.ggml.scores': arr(VT.FLOAT32, scores),
    'tokenizer.ggml.token_type': arr(VT.INT32, types),
    'tokenizer.ggml.bos_token_id': u32(1),
    'tokenizer.ggml.eos_token_id': u32(2),
    'tokenizer.ggml.unknown_token_id': u32(0),
    'tokenizer.ggml.add_bos_token': true,
    'tokenizer.ggml.add_eos_token': false,
  };
}

/** GPT-2's byte → printable character table (bytes_to_unicode), in token-id order. */
function byteChars(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const out = printable.map((b) => String.fromCodePoint(b));
  let n = 0;
  for (let b = 0; b < 256; b++) if (!printable.includes(b)) out.push(String.fromCodePoint(256 + n++));
  return out;
}

export function bpeVocab(size: number, specials: string[]): Record<string, WriteValue> {
  const chars = byteChars();
  const normal = size - specials.length;
  if (normal < 256) throw new Error('gpt2 vocab needs at least 256 + specials tokens');
  const tokens = [...chars];
  const merges: string[] = [];
  const pairTok = (p: number): string => chars[p >> 8]! + chars[p & 255]!;
  for (let k = 0; tokens.length < normal; k++) {
    if (k < 65536) {
      tokens.push(pairTok(k));
      merges.push(`${chars[k >> 8]} ${chars[k & 255]}`);
    } else {
      const q = k - 65536;
      const p = q % 65536;
      const c = chars[Math.floor(q / 65536)]!;
      tokens.push(pairTok(p) + c);
      merges.push(`${pairTok(p)} ${c}`);
    }
  }
  const types: number[] = tokens.map(() => TOKEN_NORMAL);
  for (const s of specials) {
    tokens.push(s);
    types.push(s.startsWith('[PAD') ? TOKEN_USER_DEFINED : TOKEN_CONTROL);
  }
  const eos = normal; // the first special: <|endoftext|>
  return {
    'tokenizer.ggml.model': 'gpt2',
    'tokenizer.ggml.pre': 'qwen2',
    'tokenizer.ggml.tokens': tokens,
    'tokenizer.ggml.token_type': arr(VT.INT32, types),
    'tokenizer.ggml.merges': merges,
    'tokenizer.ggml.bos_token_id': u32(eos),
    'tokenizer.ggml.eos_token_id': u32(specials.length > 2 ? eos + 2 : eos),
    'tokenizer.ggml.padding_token_id': u32(eos),
    'tokenizer.ggml.add_bos_token': false,
  };
}

function qwenSpecials(vocab: number): string[] {
  const base = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];
  // Qwen2 puts its specials at 151643 and pads the embedding rows up to 151936.
  const padCount = vocab === 151936 ? 151936 - 151646 : 0;
  const pads = Array.from({ length: padCount }, (_, i) => `[PAD${151646 + i}]`);
  return [...base, ...pads];
}

// ---- tensors ---------------------------------------------------------------------------------

function modelTensors(s: ModelShape): TensorSpec[] {
  const headDim = s.embd / s.heads;
  const kvDim = headDim * s.kvHeads;
  const w = s.weightType;
  const scale = 1 / Math.sqrt(s.embd);
  const t: TensorSpec[] = [{ name: 'token_embd.weight', dims: [s.embd, s.vocab], type: w, scale: 0.5 }];
  for (let i = 0; i < s.blocks; i++) {
    const p = `blk.${i}.`;
    t.push({ name: p + 'attn_norm.weight', dims: [s.embd], type: 'F32', init: 'ones' });
    t.push({ name: p + 'attn_q.weight', dims: [s.embd, s.embd], type: w, scale });
    t.push({ name: p + 'attn_k.weight', dims: [s.embd, kvDim], type: w, scale });
    t.push({ name: p + 'attn_v.weight', dims: [s.embd, kvDim], type: w, scale });
    if (s.arch === 'qwen2') {
      t.push({ name: p + 'attn_q.bias', dims: [s.embd], type: 'F32', init: 'zeros' });
      t.push({ name: p + 'attn_k.bias', dims: [kvDim], type: 'F32', init: 'zeros' });
      t.push({ name: p + 'attn_v.bias', dims: [kvDim], type: 'F32', init: 'zeros' });
    }
    t.push({ name: p + 'attn_output.weight', dims: [s.embd, s.embd], type: w, scale });
    t.push({ name: p + 'ffn_norm.weight', dims: [s.embd], type: 'F32', init: 'ones' });
    t.push({ name: p + 'ffn_gate.weight', dims: [s.embd, s.ff], type: w, scale });
    t.push({ name: p + 'ffn_up.weight', dims: [s.embd, s.ff], type: w, scale });
    t.push({ name: p + 'ffn_down.weight', dims: [s.ff, s.embd], type: w, scale: 1 / Math.sqrt(s.ff) });
  }
  t.push({ name: 'output_norm.weight', dims: [s.embd], type: 'F32', init: 'ones' });
  if (!s.tiedOutput) t.push({ name: 'output.weight', dims: [s.embd, s.vocab], type: w, scale });
  return t;
}

const FILE_TYPE_OF: Record<WeightType, number> = { F32: 0, F16: 1, Q8_0: 7 };

/** A complete GGUF spec (metadata + tensors) for a model shape. */
export function modelSpec(s: ModelShape): GGUFSpec {
  const a = s.arch;
  const md: Record<string, WriteValue> = {
    'general.architecture': a,
    'general.name': s.name ?? `${a}-random`,
  };
  if (s.generalType) md['general.type'] = s.generalType;
  const ft = s.fileType === undefined ? FILE_TYPE_OF[s.weightType] : s.fileType;
  if (ft !== null) md['general.file_type'] = u32(ft);
  if (s.weightType === 'Q8_0') md['general.quantization_version'] = u32(2);
  Object.assign(md, {
    [`${a}.context_length`]: u32(s.contextLength),
    [`${a}.embedding_length`]: u32(s.embd),
    [`${a}.block_count`]: u32(s.blocks),
    [`${a}.feed_forward_length`]: u32(s.ff),
    [`${a}.attention.head_count`]: u32(s.heads),
    [`${a}.attention.head_count_kv`]: u32(s.kvHeads),
    [`${a}.attention.layer_norm_rms_epsilon`]: f32(1e-6),
    [`${a}.rope.freq_base`]: f32(a === 'qwen2' ? 1_000_000 : 10_000),
    [`${a}.rope.dimension_count`]: u32(s.embd / s.heads),
  });
  if (s.poolingType !== undefined) md[`${a}.pooling_type`] = u32(s.poolingType);
  Object.assign(md, s.tokenizer === 'llama' ? spmVocab(s.vocab) : bpeVocab(s.vocab, qwenSpecials(s.vocab)));
  if (s.chatTemplate !== undefined) md['tokenizer.chat_template'] = s.chatTemplate;
  Object.assign(md, s.extraMetadata ?? {});
  return { metadata: md, tensors: modelTensors(s), seed: s.seed ?? 1 };
}

/** Writes a model; `shape` fields override the tinyLlama preset. */
export async function writeModel(
  path: string,
  shape: Partial<ModelShape> = {},
): Promise<{ size: number; dataOffset: number }> {
  return writeGGUF(path, modelSpec({ ...tinyLlama, ...shape }));
}

/**
 * A llama-shaped shape (embd 1024, Q8_0 by default) whose file is `targetBytes` long to within
 * the 32-byte alignment: blocks are added up to the target and the rest is made up with a
 * `general.description` string. Readable by the GGUF reader; meant for create/pull/push speed.
 */
export function sizedModelShape(targetBytes: number, base: Partial<ModelShape> = {}): ModelShape {
  const s: ModelShape = { ...tinyLlama, embd: 1024, ff: 2816, heads: 8, kvHeads: 8, weightType: 'Q8_0', name: 'sized', ...base, blocks: 1 };
  const size = (sh: ModelShape): number => ggufLayout(modelSpec(sh)).totalSize;
  const one = size(s);
  const perBlock = size({ ...s, blocks: 2 }) - one;
  s.blocks = Math.max(1, 1 + Math.floor((targetBytes - one) / perBlock));
  let padLen = 0;
  for (let i = 0; i < 4; i++) {
    const cur = size({ ...s, extraMetadata: { ...s.extraMetadata, 'general.description': 'x'.repeat(padLen) } });
    const diff = targetBytes - cur;
    if (diff >= 0 && diff < 32) break;
    padLen = Math.max(0, padLen + diff);
  }
  return { ...s, extraMetadata: { ...s.extraMetadata, 'general.description': 'x'.repeat(padLen) } };
}
