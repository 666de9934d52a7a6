/**
 * A loadable llama GGUF that says the same thing whatever the prompt: its vocabulary holds each
 * piece of a script as one token, and its weights make it a bigram model whose greedy (and, with
 * logits this far apart, any) sampling emits the pieces in order, then end-of-sequence.
 *
 * How: every token that is not a script piece embeds as the one-hot e0, piece k as e(k+1); the
 * block's attention and feed-forward outputs are zero, so the last hidden state is the last
 * token's embedding; `output.weight` maps e0 → piece 0, e(k+1) → piece k+1, and the last piece's
 * vector → `</s>`. Used to get real tool calls and thinking out of a real server process.
 */
import { GGUFValueType as VT } from '../../../src/registry/gguf/types.js';
import { arr, f32, u32, writeGGUF, type TensorSpec, type WriteValue } from './writer.js';

const EMBD = 64;
const FF = 128;
const LOGIT_SCALE = 10;

function vocab(pieces: string[]): { md: Record<string, WriteValue>; ids: number[] } {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [2, 3, 3]; // unknown, control, control
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6); // byte
  }
  for (const c of ['▁', ...'etaoinshrdlucmfwypvbgkqjxz']) {
    tokens.push(c);
    types.push(1);
  }
  const ids = pieces.map((p) => {
    const text = p.replace(/ /g, '▁');
    if (tokens.includes(text)) throw new Error(`script piece ${JSON.stringify(p)} is not unique`);
    tokens.push(text);
    types.push(1); // normal
    return tokens.length - 1;
  });
  const md: Record<string, WriteValue> = {
    'tokenizer.ggml.model': 'llama',
    'tokenizer.ggml.tokens': tokens,
    'tokenizer.ggml.scores': arr(VT.FLOAT32, tokens.map((_, i) => (types[i] === 1 ? -i : 0))),
    'tokenizer.ggml.token_type': arr(VT.INT32, types),
    'tokenizer.ggml.bos_token_id': u32(1),
    'tokenizer.ggml.eos_token_id': u32(2),
    'tokenizer.ggml.unknown_token_id': u32(0),
    'tokenizer.ggml.add_bos_token': true,
    'tokenizer.ggml.add_eos_token': false,
  };
  return { md, ids };
}

/**
 * Writes a model that answers every prompt with `pieces` joined (spaces allowed), then stops.
 * `extra` adds metadata (e.g. `tokenizer.chat_template`).
 */
export async function writeScriptedModel(path: string, pieces: string[], extra: Record<string, WriteValue> = {}): Promise<void> {
  if (pieces.length === 0 || pieces.length >= EMBD) throw new Error(`a script has 1..${EMBD - 1} pieces`);
  const { md, ids } = vocab(pieces);
  const n = (md['tokenizer.ggml.tokens'] as string[]).length;
  const classOf = new Map(ids.map((id, k) => [id, k + 1]));
  const embd = new Float32Array(EMBD * n);
  for (let t = 0; t < n; t++) embd[t * EMBD + (classOf.get(t) ?? 0)] = 1;
  const out = new Float32Array(EMBD * n);
  ids.forEach((id, k) => (out[id * EMBD + k] = LOGIT_SCALE)); // class k → piece k
  out[2 * EMBD + pieces.length] = LOGIT_SCALE; // the last piece → </s>
  const p = 'blk.0.';
  const tensors: TensorSpec[] = [
    { name: 'token_embd.weight', dims: [EMBD, n], type: 'F32', data: embd },
    { name: p + 'attn_norm.weight', dims: [EMBD], type: 'F32', init: 'ones' },
    { name: p + 'attn_q.weight', dims: [EMBD, EMBD], type: 'F32', init: 'zeros' },
    { name: p + 'attn_k.weight', dims: [EMBD, EMBD], type: 'F32', init: 'zeros' },
    { name: p + 'attn_v.weight', dims: [EMBD, EMBD], type: 'F32', init: 'zeros' },
    { name: p + 'attn_output.weight', dims: [EMBD, EMBD], type: 'F32', init: 'zeros' },
    { name: p + 'ffn_norm.weight', dims: [EMBD], type: 'F32', init: 'ones' },
    { name: p + 'ffn_gate.weight', dims: [EMBD, FF], type: 'F32', init: 'zeros' },
    { name: p + 'ffn_up.weight', dims: [EMBD, FF], type: 'F32', init: 'zeros' },
    { name: p + 'ffn_down.weight', dims: [FF, EMBD], type: 'F32', init: 'zeros' },
    { name: 'output_norm.weight', dims: [EMBD], type: 'F32', init: 'ones' },
    { name: 'output.weight', dims: [EMBD, n], type: 'F32', data: out },
  ];
  await writeGGUF(path, {
    metadata: {
      'general.architecture': 'llama',
      'general.name': 'scripted',
      'general.file_type': u32(0),
      'llama.context_length': u32(2048),
      'llama.embedding_length': u32(EMBD),
      'llama.block_count': u32(1),
      'llama.feed_forward_length': u32(FF),
      'llama.attention.head_count': u32(4),
      'llama.attention.head_count_kv': u32(4),
      'llama.attention.layer_norm_rms_epsilon': f32(1e-6),
      'llama.rope.freq_base': f32(10_000),
      'llama.rope.dimension_count': u32(EMBD / 4),
      ...md,
      ...extra,
    },
    tensors,
  });
}
