/** olmo3 and the olmo3 think variants against Ollama's olmo3_test.go and olmo3_think_test.go. */
import { describe, expect, it } from 'vitest';
import { rendererFor } from '../../../src/prompt/renderers/index.js';
import { goTests, type TableCase } from './cases.js';

describe('olmo3 renderer (Ollama table)', () => {
  it.each<TableCase>(goTests('olmo3').TestOlmo3Renderer!.tests)('$name', (c) => {
    expect(rendererFor('olmo3').render(c.msgs!, c.tools, null)).toBe(c.expected);
  });
  it('olmo3.1 uses the extended default system message', () => {
    expect(rendererFor('olmo3.1').render([{ role: 'user', content: 'Hi' }], null, null)).toBe(
      '<|im_start|>system\nYou are Olmo, a helpful AI assistant built by Ai2. Your date cutoff is December 2024, and your model weights are available at https://huggingface.co/allenai. You do not currently have access to any functions. <functions></functions><|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n',
    );
  });
});

describe('olmo3 think renderers (Ollama table)', () => {
  // `variant` is the renderer name Ollama registers the Go variant under.
  it.each<TableCase>(goTests('olmo3_think').TestOlmo3ThinkRenderer!.tests)('$name', (c) => {
    expect(rendererFor(c.variant).render(c.msgs!, c.tools, null)).toBe(c.expected);
  });
});
