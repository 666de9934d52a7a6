/** The BOS text a renderer writes is cut when the tokenizer adds BOS itself (Ollama's completionPrompt). */
import { describe, expect, it } from 'vitest';
import { withoutLeadingBOS } from '../../../src/server/inference/renderer.js';

describe('withoutLeadingBOS', () => {
  it('cuts the renderer BOS only when the tokenizer adds one', () => {
    expect(withoutLeadingBOS('<｜begin▁of▁sentence｜><｜User｜>hi', '<｜begin▁of▁sentence｜>', true)).toBe('<｜User｜>hi');
    expect(withoutLeadingBOS('<｜begin▁of▁sentence｜><｜User｜>hi', '<｜begin▁of▁sentence｜>', false)).toBe('<｜begin▁of▁sentence｜><｜User｜>hi');
  });
  it('also cuts a literal <bos>, and nothing else', () => {
    expect(withoutLeadingBOS('<bos><start_of_turn>user', '', true)).toBe('<start_of_turn>user');
    expect(withoutLeadingBOS('<|im_start|>user', '', true)).toBe('<|im_start|>user');
  });
});
