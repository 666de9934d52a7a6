/** Ported from Ollama's model/parsers/cohere_test.go; every case also under every split. */
import { describe, expect, it } from 'vitest';
import { parserFor } from '../../../src/prompt/parsers/index.js';
import { checkCase, type ParserCase } from './helpers.js';

function chunks(parts: string[]): ParserCase['steps'] {
  return parts.map((input, i) => ({ input, done: i === parts.length - 1 }));
}

const call = (index: number, name: string, args: Record<string, unknown>, id: string) => ({ id, function: { index, name, arguments: args } });

export const COHERE_CASES: ParserCase[] = [
  { name: 'TestCohereParseThinkingThenText', parser: 'cohere', steps: chunks(['Let me think', ' about this.<|END_THINKING|>', '<|START_TEXT|>Hello', ' world!<|END_TEXT|>']), want: { thinking: 'Let me think about this.', content: 'Hello world!' } },
  { name: 'TestCohereParseSplitTags', parser: 'cohere', steps: chunks(['think<|END_TH', 'INKING|><|STAR', 'T_TEXT|>ans', 'wer<|END_', 'TEXT|>']), want: { thinking: 'think', content: 'answer' } },
  {
    name: 'TestCohereParseToolCall',
    parser: 'cohere',
    steps: chunks(['plan<|END_THINKING|><|START_ACTION|>[\n', '    {"tool_call_id": "0", "tool_name": "get_weather", "parameters": {"city": "Paris"}},', '    {"tool_call_id": "1", "tool_name": "get_time", "parameters": {}}', '\n]<|END_ACTION|>']),
    want: { thinking: 'plan', calls: [call(0, 'get_weather', { city: 'Paris' }, '0'), call(1, 'get_time', {}, '1')] },
  },
  { name: 'TestCohereParseReasoningOff', parser: 'cohere', think: false, steps: chunks(['<|START_TEXT|>direct answer<|END_TEXT|>']), want: { content: 'direct answer' } },
  { name: 'TestCohereParseBareContent', parser: 'cohere', steps: chunks(['thought<|END_THINKING|>', 'Just plain text', ' output']), want: { thinking: 'thought', content: 'Just plain text output' } },
  { name: 'TestCohereParseEndOfTurnWithoutEndText', parser: 'cohere', steps: chunks(['t<|END_THINKING|><|START_TEXT|>answer<|END_OF_TURN_TOKEN|>']), want: { thinking: 't', content: 'answer' } },
  { name: 'TestCohereParsePrefillContinuation', parser: 'cohere', last: { role: 'assistant', content: 'partial' }, steps: chunks([' continued<|END_TEXT|>']), want: { content: ' continued' } },
  {
    name: 'TestCohereParseMalformedActions: a malformed call does not drop its sibling',
    parser: 'cohere',
    steps: chunks(['plan<|END_THINKING|><|START_ACTION|>[\n', '    {"tool_call_id": "0", "tool_name": "set_alarm", "parameters": {"time": 15:30}},', '    {"tool_call_id": "1", "tool_name": "get_weather", "parameters": {"city": "Oslo"}}', '\n]<|END_ACTION|>']),
    want: { thinking: 'plan', calls: [call(0, 'get_weather', { city: 'Oslo' }, '1')] },
  },
  {
    name: 'TestCohereParseMalformedActions: a missing comma drops neither',
    parser: 'cohere',
    steps: chunks(['<|END_THINKING|><|START_ACTION|>[', '{"tool_call_id": "0", "tool_name": "a", "parameters": {}}', '{"tool_call_id": "1", "tool_name": "b", "parameters": {"x": "{not json}"}}', ']<|END_ACTION|>']),
    want: { calls: [call(0, 'a', {}, '0'), call(1, 'b', { x: '{not json}' }, '1')] },
  },
  { name: 'TestCohereParseMalformedActions: garbage gives no calls', parser: 'cohere', steps: chunks(['x<|END_THINKING|><|START_ACTION|>[!!!]<|END_ACTION|>']), want: { thinking: 'x' } },
  { name: 'TestCohereParseLegacyResponseMarkers', parser: 'cohere', steps: chunks(['plan<|END_THINKING|>', '<|START_RESPONSE|>Hello', ' there<|END_RESPONSE|>']), want: { thinking: 'plan', content: 'Hello there' } },
  { name: 'TestCohereParseEndOfTurnBetweenBlocks', parser: 'cohere', steps: chunks(['t<|END_THINKING|><|START_TEXT|>hi<|END_TEXT|><|END_OF_TURN_TOKEN|>']), want: { thinking: 't', content: 'hi' } },
  { name: 'TestCohereParseBareContentBeforeEndOfTurn', parser: 'cohere', steps: chunks(['t<|END_THINKING|>plain answer<|END_OF_TURN_TOKEN|>']), want: { thinking: 't', content: 'plain answer' } },
];

describe('cohere parser (Ollama cohere_test.go)', () => {
  for (const c of COHERE_CASES) it(c.name, () => checkCase(c));

  it('TestCohereParserRegistered', () => {
    const p = parserFor('cohere')!;
    expect(p.hasToolSupport() && p.hasThinkingSupport()).toBe(true);
  });

  describe('TestCohereParseStreamsBeforeDone', () => {
    for (const chunk of ['<|START_RESPONSE|>The answer is 42.', '<|TOOL_PLAN|>I should call the tool.', 'Just plain text.']) {
      it(chunk, () => {
        const p = parserFor('cohere')!;
        p.init(null, null, undefined);
        p.add('x<|END_THINKING|>', false);
        expect(p.add(chunk, false).content).not.toBe('');
      });
    }
  });
});
