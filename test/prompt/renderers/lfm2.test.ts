/** lfm2 / lfm2-thinking against Ollama's lfm2_test.go. */
import { describe, expect, it } from 'vitest';
import { toolJSON } from '../../../src/prompt/renderers/gojson.js';
import { lfm2JSON, LFM2Renderer } from '../../../src/prompt/renderers/lfm2.js';
import { goTests, type TableCase } from './cases.js';

const go = goTests('lfm2');
/** The Go test's `&LFM2Renderer{IsThinking: …, useImgTags: …}`. */
const make = (r: { is_thinking?: boolean; useImgTags?: boolean }) => new LFM2Renderer({ isThinking: !!r.is_thinking, useImgTags: !!r.useImgTags });

describe('lfm2 renderer (Ollama tables)', () => {
  it.each<TableCase>(go.TestLFM2Renderer_ChatTemplateParity!.tests)('$name', (c) => {
    expect(make(c.renderer).render(c.messages ?? [], c.tools, c.thinkValue)).toBe(c.expected);
  });

  it.each<TableCase>(go.TestLFM2Renderer_Images!.tests)('images: $name', (c) => {
    expect(make(c.renderer).render([c.message], null, null)).toBe(c.expected);
  });

  it('JSON formatting (HF tojson spacing, no HTML escaping)', () => {
    const v = go.TestLFM2Renderer_JSONFormatting!;
    expect(lfm2JSON(toolJSON(v.tool))).toBe(v.want);
  });
});
