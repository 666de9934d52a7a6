/** qwen3-vl-instruct / qwen3-vl-thinking against Ollama's qwen3vl_*_test.go. */
import { describe, expect, it } from 'vitest';
import { rendererFor } from '../../../src/prompt/renderers/index.js';
import { Qwen3VLRenderer } from '../../../src/prompt/renderers/qwen3vl.js';
import { goTests, type TableCase } from './cases.js';

const instruct = goTests('qwen3vl_nonthinking');
const thinking = goTests('qwen3vl_thinking');

describe('qwen3-vl renderer (Ollama tables)', () => {
  it.each<TableCase>(instruct.TestQwen3VLNonThinkingRenderer!.tests)('instruct: $name', (c) => {
    expect(new Qwen3VLRenderer({ isThinking: false, useImgTags: !!c.useImgTags }).render(c.msgs!, c.tools, null)).toBe(c.expected);
  });

  it.each<TableCase>(thinking.TestQwen3VLThinkingRenderer!.tests)('thinking: $name', (c) => {
    expect(new Qwen3VLRenderer({ isThinking: true }).render(c.msgs!, c.tools, null)).toBe(c.expected);
  });

  it('think overrides the variant', () => {
    const msgs = thinking.TestQwen3VLRendererThinkOverride!.msgs;
    expect(new Qwen3VLRenderer({ isThinking: true }).render(msgs, null, null)).toContain('<|im_start|>assistant\n<think>\n');
    expect(new Qwen3VLRenderer({ isThinking: true }).render(msgs, null, false)).not.toContain('<think>');
    expect(new Qwen3VLRenderer({ isThinking: false }).render(msgs, null, true)).toContain('<|im_start|>assistant\n<think>\n');
    const explicit = new Qwen3VLRenderer({ isThinking: true, emitEmptyThinkOnNoThink: true });
    expect(explicit.render(thinking.TestQwen3VLRendererThinkOverrideWithExplicitNoThinkPrefill!.msgs, null, false)).toContain('<|im_start|>assistant\n<think>\n\n</think>\n\n');
  });

  it('qwen3-vl-thinking keeps the legacy no-think prefill (no empty block)', () => {
    const out = rendererFor('qwen3-vl-thinking').render(thinking.TestQwenRendererNameNoThinkBehaviorSplit!.msgs, null, false);
    expect(out).not.toContain('<|im_start|>assistant\n<think>\n\n</think>\n\n');
  });

  it('the server variants write [img-N] tags', () => {
    const out = rendererFor('qwen3-vl-instruct').render([{ role: 'user', content: 'what is this', images: ['aGk=', 'aGk='] }], null, null);
    expect(out).toBe('<|im_start|>user\n[img-0][img-1] what is this<|im_end|>\n<|im_start|>assistant\n');
  });
});
