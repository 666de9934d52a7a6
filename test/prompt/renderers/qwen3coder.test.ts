/** qwen3-coder against every case of Ollama's qwen3coder_test.go. */
import { describe, expect, it } from 'vitest';
import { rendererFor } from '../../../src/prompt/renderers/index.js';
import { formatToolCallArgument } from '../../../src/prompt/renderers/qwen3coder.js';
import { goTests, type TableCase } from './cases.js';

const go = goTests('qwen3coder');

describe('qwen3-coder renderer (Ollama table)', () => {
  it.each<TableCase>(go.TestQwen3CoderRenderer!.tests)('$name', (c) => {
    expect(rendererFor('qwen3-coder').render(c.msgs!, c.tools, null)).toBe(c.expected);
  });

  it.each<TableCase>(go.TestFormatToolCallArgument!.tests)('argument $name', (c) => {
    expect(formatToolCallArgument(c.arg)).toBe(c.expected);
  });

  it('tool definition types', () => {
    for (const c of go.TestQwen3ToolDefinitionTypes!.tests) {
      const tool = { type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { p: { type: c.propertyType } } } } };
      const out = rendererFor('qwen3-coder').render([{ role: 'user', content: 'x' }], [tool], null);
      if (c.propertyType.length === 0) expect(out).not.toContain('<type>');
      else expect(out).toContain(`<type>${c.expected}</type>`);
    }
  });

  it('a tool response ends right before <|im_end|>', () => {
    const out = rendererFor('qwen3-coder').render(go.TestQwen3CoderRendererToolResponseNoTrailingNewline!.msgs, null, null);
    expect(out).not.toContain('</tool_response>\n<|im_end|>');
    expect(out).toContain('</tool_response><|im_end|>');
  });
});
