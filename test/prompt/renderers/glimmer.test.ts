/** glimmer against Ollama's glimmer_test.go and glimmer_reference_test.go (the frozen Jinja2 expectations). */
import { describe, expect, it } from 'vitest';
import { GlimmerRenderer } from '../../../src/prompt/renderers/glimmer.js';
import { rendererFor } from '../../../src/prompt/renderers/index.js';
import { goTests, type TableCase } from './cases.js';

const go = goTests('glimmer');
const ref = goTests('glimmer_reference');
const DATE = '2026-07-29'; // glimmerRefCurrentDate
const dated = () => new GlimmerRenderer({ useImgTags: false, currentDate: DATE });

describe('glimmer renderer (Ollama tests)', () => {
  it.each<TableCase>(ref.TestGlimmerRendererMatchesJinja2Reference!.tests)('reference: $name', (c) => {
    expect(dated().render(c.messages!, c.tools, c.think)).toBe(c.expected);
  });

  it('a final thinking-only assistant message continues the self segment', () => {
    const v = ref.TestGlimmerRendererKnownJinja2DifferenceThinkingContinuation!;
    expect(dated().render(v.messages, null, null)).toBe(v.expected);
  });

  it.each<TableCase>(go.TestGlimmerRenderImages!.tests)('images: $name', (c) => {
    expect(new GlimmerRenderer({ useImgTags: !!c.renderTags }).render(c.messages!, null, null)).toContain(c.wantContent);
  });

  it('ATEM argument values', () => {
    const [msgs, tools, think] = go.TestGlimmerRenderATEMValues!._render[0];
    expect(new GlimmerRenderer({ useImgTags: false }).render(msgs, tools, think)).toContain(go.TestGlimmerRenderATEMValues!.want);
  });

  it.each<TableCase>(go.TestGlimmerRenderReasoningStrength!.tests)('reasoning strength: $name', (c) => {
    expect(new GlimmerRenderer({ useImgTags: false }).render([{ role: 'user', content: 'Hello' }], null, c.think)).toContain(c.want);
  });

  it('tool result names come from the call id', () => {
    const [msgs, tools, think] = go.TestGlimmerRenderToolResultName!._render[0];
    const got = new GlimmerRenderer({ useImgTags: false }).render(msgs, tools, think);
    expect(got).toContain('<|start|>tool get_weather<|message|><tool_output name="get_weather">\n{"temp":65}\n</tool_output><|eot|>');
    expect(got).toContain('<|start|>tool missing<|message|><tool_output name="missing">\nnot found\n</tool_output><|eot|>');
  });

  it('is registered with its BOS', () => expect(rendererFor('glimmer').leadingBOS).toBe('<|begin_of_text|>'));
});
