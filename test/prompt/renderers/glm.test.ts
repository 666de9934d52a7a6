/** glm-4.7 (and Ollama's unregistered GLM-4.6 form) against glm47_test.go and glm46_test.go. */
import { describe, expect, it } from 'vitest';
import { GLM46Renderer } from '../../../src/prompt/renderers/glm.js';
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
