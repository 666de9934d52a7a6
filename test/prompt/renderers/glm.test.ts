/** glm-4.7, glm-ocr (and Ollama's unregistered GLM-4.6 form) against glm47/glm46/glmocr_test.go. */
import { describe, expect, it } from 'vitest';
import { GLM46Renderer, GlmOcrRenderer } from '../../../src/prompt/renderers/glm.js';
import { rendererFor } from '../../../src/prompt/renderers/index.js';
import { goTests, type TableCase } from './cases.js';

describe('glm-4.7 renderer (Ollama table)', () => {
  it.each<TableCase>(goTests('glm47').TestGLM47Renderer!.tests)('$name', (c) => {
    expect(rendererFor('glm-4.7').render(c.messages!, c.tools, c.thinkValue)).toBe(c.expected);
  });
});

describe('GLM-4.6 renderer (Ollama table)', () => {
  it.each<TableCase>(goTests('glm46').TestGLM46Renderer!.tests)('$name', (c) => {
    if (c.skip) return; // skipped in Ollama too
    expect(new GLM46Renderer().render(c.messages!, c.tools, c.thinkValue)).toBe(c.expected);
  });
  it('is not a renderer name in Ollama', () => {
    expect(() => rendererFor('glm-4.6')).toThrow('unknown renderer "glm-4.6"');
  });
});

describe('glm-ocr renderer (Ollama table)', () => {
  it.each<TableCase>(goTests('glmocr').TestGlmOcrRenderer_Images!.tests)('$name', (c) => {
    expect(new GlmOcrRenderer(!!c.renderer.useImgTags).render(c.messages!, null, null)).toBe(c.expected);
  });
});
