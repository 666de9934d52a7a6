import { describe, expect, it } from 'vitest';
import { parserFor, ParserError } from '../../../src/prompt/parsers/index.js';
import { parserName, parserThink, ParserChatOutput } from '../../../src/server/inference/parsed.js';

const HARMONY_TEMPLATE = '<|start|>system<|message|>…<|end|>{{ .Prompt }}';

describe('built-in parser selection', () => {
  it("uses the config's parser, or harmony for a gpt-oss model whose template speaks harmony", () => {
    expect(parserName({ config: { parser: 'qwen3-coder' } as never, template: '' })).toBe('qwen3-coder');
    expect(parserName({ config: { model_family: 'gptoss' } as never, template: HARMONY_TEMPLATE })).toBe('harmony');
    expect(parserName({ config: { model_family: 'gpt-oss' } as never, template: '{{ .Prompt }}' })).toBe('');
    expect(parserName({ config: { model_family: 'llama' } as never, template: HARMONY_TEMPLATE })).toBe('');
  });

  it('harmony sees think "max" as "high"; other parsers see the request value', () => {
    expect(parserThink({ config: { model_family: 'gptoss' } as never, template: HARMONY_TEMPLATE }, 'max')).toBe('high');
    expect(parserThink({ config: { parser: 'qwen3.5' } as never, template: '' }, 'max')).toBe('max');
    expect(parserThink({ config: null, template: '' }, undefined)).toBeUndefined();
  });
});

describe('ParserChatOutput', () => {
  it('holds back nothing-yet pieces, gives tool calls server ids, ends with a final message', () => {
    const p = parserFor('qwen3-coder')!;
    p.init(null, null, undefined);
    let n = 0;
    const out = new ParserChatOutput(p, () => `call_${n++}`);
    expect(out.add('Sure.')).toEqual({ role: 'assistant', content: 'Sure.' });
    expect(out.add('\n<tool_call><function=f>')).toBeNull();
    expect(out.add('<parameter=a>1</parameter></function></tool_call>')).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: [{ id: 'call_0', function: { index: 0, name: 'f', arguments: { a: '1' } } }],
    });
    expect(out.finish()).toEqual({ role: 'assistant', content: '' });
  });

  it('a malformed tool call is a ParserError (the stream ends with its message)', () => {
    const p = parserFor('qwen3')!;
    p.init(null, null, undefined);
    const out = new ParserChatOutput(p);
    expect(() => out.add('<tool_call>{"name": </tool_call>')).toThrow(ParserError);
  });
});
