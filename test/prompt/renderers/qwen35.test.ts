/** qwen3.5, qwen3.8 and ornith against Ollama's qwen35_test.go, qwen38_test.go and ornith_test.go. */
import { describe, expect, it } from 'vitest';
import { rendererFor } from '../../../src/prompt/renderers/index.js';
import { qwen38Options, Qwen35Renderer } from '../../../src/prompt/renderers/qwen35.js';
import { goTests, type TableCase } from './cases.js';

const q35 = goTests('qwen35');
const q38 = goTests('qwen38');
const ornith = goTests('ornith');
const thinking = () => new Qwen35Renderer({ isThinking: true });

describe('qwen3.5 renderer (Ollama tests)', () => {
  it('uses the XML tool-calling format', () => {
    const v = q35.TestQwen35RendererUsesXMLToolCallingFormat!;
    const got = thinking().render(v.msgs, v.tools, null);
    expect(got).toContain('<tools>');
    expect(got).toContain('<function=example_function_name>');
    expect(got).toContain(v.wantToolCall);
  });

  it('think:false prefills an empty think block', () => {
    const r = new Qwen35Renderer({ isThinking: true, emitEmptyThinkOnNoThink: true });
    expect(r.render(q35.TestQwen35RendererNoThinkPrefill!.msgs, null, false).endsWith('<|im_start|>assistant\n<think>\n\n</think>\n\n')).toBe(true);
  });

  it('back-to-back tool calls and responses', () => {
    const v = q35.TestQwen35RendererBackToBackToolCallsAndResponses!;
    const got = thinking().render(v.msgs, q35._funcs!.qwen35MathTools, null);
    expect(got).not.toContain('Need to call add and multiply.');
    expect(got).toContain(v.wantToolCalls);
    expect(got).toContain(v.wantToolResponses);
  });

  it('interleaved thinking and tools', () => {
    const v = q35.TestQwen35RendererInterleavedThinkingAndTools!;
    const got = thinking().render(v.msgs, q35._funcs!.qwen35WeatherUVTools, null);
    expect(got).toContain(v.wantFirstTurn);
    expect(got).toContain(v.wantSecondTurn);
    expect(got.endsWith('<|im_start|>assistant\n<think>\n')).toBe(true);
  });

  it('assistant prefill with thinking', () => {
    const v = q35.TestQwen35RendererAssistantPrefillWithThinking!;
    expect(thinking().render(v.msgs, null, null)).toBe(v.want);
  });

  it('qwen3.5 by name emits the explicit no-think prefill', () => {
    expect(rendererFor('qwen3.5').render([{ role: 'user', content: 'Hello' }], null, false)).toContain('<|im_start|>assistant\n<think>\n\n</think>\n\n');
  });
});

describe('qwen3.8 renderer (Ollama tests)', () => {
  // Ollama's package tests run without the server's [img-N] tags.
  it.each<TableCase>(q38.TestQwen38RendererMatchesReferenceFlows!.tests)('$name', (c) => {
    expect(new Qwen35Renderer(qwen38Options(false)).render(c.messages!, c.tools, c.think)).toBe(c.want);
  });

  it.each<TableCase>(q38.TestQwen38RendererReasoningEffortMapping!.tests)('reasoning effort $name', (c) => {
    const got = rendererFor('qwen3.8').render([{ role: 'user', content: 'Hi' }], null, c.think);
    if (c.want === '') expect(got.startsWith('<|im_start|>user')).toBe(true);
    else expect(got.startsWith(`<|im_start|>system\n${c.want}<|im_end|>\n`)).toBe(true);
  });

  it.each<TableCase>(q38.TestQwen38RendererRejectsInvalidTranscripts!.tests)('rejects: $name', (c) => {
    expect(() => rendererFor('qwen3.8').render(c.messages ?? [], null, null)).toThrow(new Error(c.wantErr));
  });

  it('assistant prefill (a known difference from the Jinja template)', () => {
    const v = q38.TestQwen38RendererAssistantPrefillKnownJinjaDifference!;
    expect(rendererFor('qwen3.8').render(v.messages, null, null)).toBe(v.want);
  });
});

describe('ornith renderer (Ollama tests)', () => {
  it('renders think blocks for assistant history', () => {
    const v = ornith.TestOrnithRendererMatchesAssistantHistoryThinkBlocks!;
    expect(rendererFor('ornith').render(v.msgs, null, null)).toBe(v.want);
  });
  it('keeps assistant think blocks with thinking disabled', () => {
    const v = ornith.TestOrnithRendererKeepsAssistantThinkBlocksWhenThinkingDisabled!;
    expect(rendererFor('ornith').render(v.msgs, null, false)).toBe(v.want);
  });
});
