import { describe, expect, it } from 'vitest';
import { parseQuantizeType, QuantizeTypeError } from '../../src/registry/gguf/filetypes.js';
import { llamaQuantizeArgs, runLlamaQuantize, QuantizeUnavailableError } from '../../src/runtime/quantize.js';

const base = (t: string) => ['--allow-requantize', 'in.gguf', 'out.gguf', t];
const withRules = (t: string, ...rules: string[]) => ['--allow-requantize', ...rules.flatMap((r) => ['--tensor-type', r]), 'in.gguf', 'out.gguf', t];

describe('llamaQuantizeArgs (the cases of Ollama\'s TestLlamaQuantizeArgs)', () => {
  it.each<[string, string, string, string[]]>([
    ['default', 'llama', 'Q4_K_M', base('Q4_K_M')],
    ['qwen35moe k quant keeps mtp projection q8', 'qwen35moe', 'Q4_K_M', withRules('Q4_K_M', String.raw`^blk\.[0-9]+\.nextn\.eh_proj\.weight$=q8_0`)],
    ['qwen35 k quant keeps mtp projection q8', 'qwen35', 'Q4_K_S', withRules('Q4_K_S', String.raw`^blk\.[0-9]+\.nextn\.eh_proj\.weight$=q8_0`)],
    ['qwen35moe f16 keeps mtp projection unquantized', 'qwen35moe', 'F16', base('F16')],
    ['qwen35moe bf16 keeps mtp projection unquantized', 'qwen35moe', 'BF16', base('BF16')],
    ['qwen35moe q8 already satisfies mtp projection floor', 'qwen35moe', 'Q8_0', base('Q8_0')],
    ['gemma3n k quant keeps per layer token embedding f16', 'gemma3n', 'Q4_K_M', withRules('Q4_K_M', String.raw`^per_layer_token_embd\.weight$=f16`)],
    ['deepseek2 k quant keeps mla tensors q8', 'deepseek2', 'Q4_K_M', withRules('Q4_K_M',
      String.raw`attn_k_b\.weight$=q8_0`, String.raw`attn_q_a\.weight$=q8_0`, String.raw`attn_q_b\.weight$=q8_0`,
      String.raw`attn_v_b\.weight$=q8_0`, String.raw`attn_kv_a_mqa\.weight$=q8_0`)],
    ['gemma3n q8 does not add k quant override', 'gemma3n', 'Q8_0', base('Q8_0')],
    ['glmocr k quant keeps input and output embeddings f16', 'glmocr', 'Q4_K_M', withRules('Q4_K_M', String.raw`^token_embd\.weight$=f16`, String.raw`^output\.weight$=f16`)],
    ['glm4 k quant keeps glm-ocr split text embeddings f16', 'glm4', 'Q4_K_M', withRules('Q4_K_M', String.raw`^token_embd\.weight$=f16`, String.raw`^output\.weight$=f16`)],
    ['copy does not add quantization overrides', 'gemma3n', 'COPY', base('COPY')],
    ['qwen35moe copy does not add mtp projection override', 'qwen35moe', 'COPY', base('COPY')],
  ])('%s', (_name, arch, type, want) => {
    expect(llamaQuantizeArgs(arch, type, 'in.gguf', 'out.gguf')).toEqual(want);
  });
});

describe('parseQuantizeType (Ollama\'s ParseFileType after upper-casing)', () => {
  it.each([
    ['f32', 'F32'], ['F16', 'F16'], ['bf16', 'BF16'], ['q8_0', 'Q8_0'], ['Q4_K_S', 'Q4_K_S'],
    ['q4_K_M', 'Q4_K_M'], ['q4_k', 'Q4_K_M'], ['Q4_K', 'Q4_K_M'],
  ])('%s → %s', (input, want) => expect(parseQuantizeType(input)).toBe(want));

  it.each(['', 'q4_0', 'Q5_K_M', 'q4_k_m ', 'int8', 'Q8', 'mxfp4'])('%j is refused with Ollama\'s message', (input) => {
    expect(() => parseQuantizeType(input)).toThrow(QuantizeTypeError);
    expect(() => parseQuantizeType(input)).toThrow(
      `unsupported quantization type ${input.toUpperCase()} - supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0`,
    );
  });
});

describe('runLlamaQuantize', () => {
  it('says how to get the binary when it is missing', async () => {
    await expect(runLlamaQuantize({ input: 'a', output: 'b', arch: 'llama', type: 'Q8_0', binary: '/nonexistent/llama-quantize' }))
      .rejects.toThrow(QuantizeUnavailableError);
    await expect(runLlamaQuantize({ input: 'a', output: 'b', arch: 'llama', type: 'Q8_0', binary: '/nonexistent/llama-quantize' }))
      .rejects.toThrow(/npm run build:native/);
  });
});
