/** cohere against Ollama's cohere_test.go (each test's Render arguments and expectations). */
import { describe, expect, it } from 'vitest';
import { rendererFor } from '../../../src/prompt/renderers/index.js';
import { goTests } from './cases.js';

const go = goTests('cohere');
const render = (test: string) => {
  const [msgs, tools, think] = go[test]!._render[0];
  return rendererFor('cohere').render(msgs, tools, think);
};

describe('cohere renderer (Ollama tests)', () => {
  it('user only', () => expect(render('TestCohereRenderUserOnly')).toBe(go.TestCohereRenderUserOnly!.want));
  it('system, history and thinking', () => expect(render('TestCohereRenderSystemHistoryAndThinking')).toBe(go.TestCohereRenderSystemHistoryAndThinking!.want));
  it('reasoning off', () => expect(render('TestCohereRenderReasoningOff').endsWith(go.TestCohereRenderReasoningOff!.wantSuffix)).toBe(true));
  it('tool flow', () => {
    const v = go.TestCohereRenderToolFlow!;
    const got = render('TestCohereRenderToolFlow');
    expect(got).toContain(v.wantTools);
    expect(got).toContain(v.wantAction);
    expect(got).toContain(v.wantResult);
  });
  it('several tool calls and merged results', () => {
    const v = go.TestCohereRenderMultiToolCallsAndResults!;
    const got = render('TestCohereRenderMultiToolCallsAndResults');
    expect(got).toContain(v.wantAction);
    expect(got).toContain(v.wantResults);
  });
  it('assistant prefill leaves the text open', () => expect(render('TestCohereRenderAssistantPrefill').endsWith(go.TestCohereRenderAssistantPrefill!.wantSuffix)).toBe(true));
  it('is registered with its BOS', () => expect(rendererFor('cohere').leadingBOS).toBe('<BOS_TOKEN>'));
});
