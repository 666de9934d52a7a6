/** laguna and poolside-v1 against Ollama's laguna_test.go reference flows. */
import { describe, expect, it } from 'vitest';
import { rendererFor } from '../../../src/prompt/renderers/index.js';
import { goTests, type TableCase } from './cases.js';

const go = goTests('laguna');

describe('laguna renderer (Ollama table)', () => {
  it.each<TableCase>(go.TestLagunaRendererReferenceFlowCoverage!.tests)('$name', (c) => {
    expect(rendererFor('laguna').render(c.messages ?? [], c.tools, c.think)).toBe(c.want);
  });
  it('assistant prefill', () => {
    const [msgs, tools, think] = go.TestLagunaRendererAssistantPrefill!._render[0];
    expect(rendererFor('laguna').render(msgs, tools, think)).toBe(go.TestLagunaRendererAssistantPrefill!.want);
  });
});

describe('poolside-v1 renderer (Ollama table)', () => {
  it.each<TableCase>(go.TestLagunaV8RendererReferenceFlowCoverage!.tests)('$name', (c) => {
    expect(rendererFor('poolside-v1').render(c.messages ?? [], c.tools, c.think)).toBe(c.want);
  });
});
