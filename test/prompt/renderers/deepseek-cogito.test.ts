/** deepseek3.1 and cogito against every case of Ollama's deepseek3_test.go and cogito_test.go. */
import { describe, expect, it } from 'vitest';
import { rendererFor } from '../../../src/prompt/renderers/index.js';
import { goTests, type TableCase } from './cases.js';

describe('deepseek3.1 renderer (Ollama table)', () => {
  it.each<TableCase>(goTests('deepseek3').TestDeepSeekRenderer!.tests)('$name', (c) => {
    expect(rendererFor('deepseek3.1').render(c.messages!, c.tools, c.thinkValue)).toBe(c.expected);
  });
  it('writes its own BOS', () => expect(rendererFor('deepseek3.1').leadingBOS).toBe('<｜begin▁of▁sentence｜>'));
});

describe('cogito renderer (Ollama table)', () => {
  it.each<TableCase>(goTests('cogito').TestCogitoRenderer!.tests)('$name', (c) => {
    expect(rendererFor('cogito').render(c.messages!, c.tools, c.thinkValue)).toBe(c.expected);
  });
});
