import { describe, expect, it } from 'vitest';
import { PARSER_NAMES, parserSupport } from '../../../src/prompt/capabilities.js';
import { builtinParserNames, missingParserReason, parserFor } from '../../../src/prompt/parsers/index.js';

describe('parser registry (Ollama parsers_test.go)', () => {
  it('lfm2, lfm2-thinking, laguna, poolside-v1 and glimmer are built in', () => {
    for (const name of ['lfm2', 'lfm2-thinking', 'laguna', 'poolside-v1', 'glimmer']) expect(parserFor(name), name).not.toBeNull();
  });

  it('TestBuiltInParsersStillWork: every name Ollama tests exists', () => {
    for (const name of ['passthrough', 'qwen3', 'qwen3-thinking', 'qwen3-coder', 'qwen3.5', 'ornith', 'harmony', 'nemotron-3-nano', 'nemotron-3.5-nano']) expect(parserFor(name), name).not.toBeNull();
  });

  it('TestParserPreservedTokensCoverKnownLlamaServerRegressions', () => {
    const harmony = parserFor('harmony')!.preservedTokens();
    for (const t of ['<|start|>', '<|message|>', '<|channel|>', '<|constrain|>']) expect(harmony).toContain(t);
    expect(harmony).not.toContain('<|call|>');
    expect(parserFor('qwen3-coder')!.preservedTokens()).toEqual(expect.arrayContaining(['<tool_call>', '</tool_call>']));
  });

  it('passthrough gives the text back as content', () => {
    const p = parserFor('passthrough')!;
    p.init(null, null, undefined);
    expect(p.add('<think>x</think>', false)).toEqual({ content: '<think>x</think>', thinking: '', calls: [] });
  });

  it('every parser gets a fresh instance', () => {
    expect(parserFor('qwen3')).not.toBe(parserFor('qwen3'));
    expect(parserFor('nope')).toBeNull();
    // every built-in name is one Ollama knows (docs/status.md counts them)
    expect(PARSER_NAMES).toEqual(expect.arrayContaining(builtinParserNames()));
  });

  it("each ported parser reads what the capabilities table (src/prompt/capabilities.ts) says it does", () => {
    for (const name of builtinParserNames()) {
      const p = parserFor(name)!;
      expect(parserSupport(name), name).toEqual({ tools: p.hasToolSupport(), thinking: p.hasThinkingSupport() });
    }
  });

  it('a missing parser says whether Ollama has it', () => {
    for (const name of PARSER_NAMES.filter((n) => parserFor(n) === null)) expect(missingParserReason(name)).toBe(`parser "${name}" is not implemented yet`);
    expect(missingParserReason('no-such')).toBe('unknown parser "no-such"');
  });
});
