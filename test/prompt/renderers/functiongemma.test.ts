/** functiongemma against every case of Ollama's functiongemma_test.go. */
import { describe, expect, it } from 'vitest';
import { rendererFor } from '../../../src/prompt/renderers/index.js';
import { goTests, type TableCase } from './cases.js';

describe('functiongemma renderer (Ollama table)', () => {
  it.each<TableCase>(goTests('functiongemma').TestFunctionGemmaRenderer!.tests)('$name', (c) => {
    expect(rendererFor('functiongemma').render(c.messages!, c.tools, null)).toBe(c.expected);
  });
});
