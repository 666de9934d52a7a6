/** gemma4 (small, large) against every case of Ollama's gemma4_reference_test.go. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Gemma4Renderer } from '../../../src/prompt/renderers/gemma4.js';
import { rendererFor } from '../../../src/prompt/renderers/index.js';
import { goTests, type TableCase } from './cases.js';

const T = goTests('gemma4_reference');
const small = () => new Gemma4Renderer({ useImgTags: true });

describe('gemma4 renderer (Ollama tables)', () => {
  it.each<TableCase>(T.TestGemma4RendererMatchesReference!.tests)('$name', (c) => {
    expect(small().render(c.messages!, c.tools, c.think)).toBe(c.expected);
    expect(rendererFor('gemma4-small').render(c.messages!, c.tools, c.think)).toBe(c.expected);
  });

  it.each<TableCase>(T.TestGemma4RendererVariantsMatchExpectedGenerationPrompt!.tests)('variant $name', (c) => {
    const msgs = T.TestGemma4RendererVariantsMatchExpectedGenerationPrompt!.messages;
    expect(rendererFor(c.rendererName).render(msgs, null, null)).toBe(c.expected);
  });

  it('large omits the empty thought block when thinking', () => {
    const got = rendererFor('gemma4-large').render([{ role: 'user', content: 'Hello' }], null, true);
    expect(got).toBe('<bos><|turn>system\n<|think|>\n<turn|>\n<|turn>user\nHello<turn|>\n<|turn>model\n');
  });

  it.each<TableCase>(T.TestGemma4RendererCanonicalToolContinuations!.tests)('canonical tool continuations: $name', (c) => {
    const v = T.TestGemma4RendererCanonicalToolContinuations!;
    const r = new Gemma4Renderer({ useImgTags: false, emptyBlockOnNothink: !!c.renderer.emptyBlockOnNothink });
    const got = r.render(v.messages, v._render[0][1], null);
    expect(got).toBe(c.want);
    expect(got).not.toContain('First.<turn|>\n<|tool_call>');
    expect(got).not.toContain('Checking.<turn|>\nDone.');
  });

  // The known differences from the Jinja template: Ollama's side of each (its *RenderFrag).
  it.each<TableCase>(T.TestGemma4RendererKnownJinja2Differences!.tests)('differs from Jinja as Ollama does: $name', (c) => {
    expect(small().render(c.messages!, c.tools, null)).toContain(c.wantRenderFrag);
  });

  it('anyOf of bare types becomes a typed union; a tool result without name or id is "unknown"', () => {
    const [anyOf] = T.TestGemma4RendererNormalizesSimpleAnyOfToTypedUnion!._render;
    expect(small().render(anyOf[0], anyOf[1], null)).toContain(`value:{description:<|"|>Value<|"|>,type:<|"|>['STRING', 'NUMBER']<|"|>}`);
    const [unknown] = T.TestGemma4RendererToolResponseWithoutNameOrIDUsesUnknown!._render;
    const got = small().render(unknown[0], unknown[1], null);
    expect(got).toContain(`response:unknown{value:<|"|>payload<|"|>}`);
    expect(got).not.toContain(`response:read{value:<|"|>payload<|"|>}`);
  });
});

describe('gemma4 renderer against the upstream Jinja templates', () => {
  // TestGemma4RendererMatchesJinja2ExpandedParity: Ollama compares these with Python's jinja2
  // (VERIFY_JINJA2=1); the outputs are committed in testdata/gemma4_jinja.json.
  const jinja = JSON.parse(readFileSync(new URL('./testdata/gemma4_jinja.json', import.meta.url), 'utf8')) as Record<'small' | 'large' | 'reference_large', Record<string, string>>;
  const cases = T.TestGemma4RendererMatchesJinja2ExpandedParity!.tests as TableCase[];
  it.each(cases.flatMap((c) => (['small', 'large'] as const).map((v) => [v, c.name, c] as const)))('%s: %s', (variant, name, c) => {
    const r = rendererFor(variant === 'small' ? 'gemma4-small' : 'gemma4-large');
    expect(r.render(c.messages!, c.tools, c.think ?? null)).toBe(jinja[variant][name]);
  });

  // The reference table's inputs through gemma4-large, against the 31b template.
  const ref = (T.TestGemma4RendererMatchesReference!.tests as TableCase[]).filter((c) => c.name in jinja.reference_large);
  it('the 31b template covers the reference inputs', () => expect(ref.length).toBe(64));
  it.each(ref)('large: $name', (c) => {
    expect(rendererFor('gemma4-large').render(c.messages!, c.tools, c.think ?? null)).toBe(jinja.reference_large[c.name]);
  });
});
