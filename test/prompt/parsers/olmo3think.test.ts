import { describe, expect, it } from 'vitest';
import type { Message } from '../../../src/api/types.js';
import { Olmo3ThinkParser } from '../../../src/prompt/parsers/olmo3think.js';
import { checkCase } from './helpers.js';
import * as T from './olmo3think.cases.js';

interface Row {
  name: string;
  input?: string;
  chunks?: string[];
  expectedContent?: string;
  expectedThinking?: string;
  lastMessage?: Message;
}

function run(tt: Row): void {
  const chunks = tt.chunks ?? [tt.input!];
  checkCase({
    name: tt.name,
    parser: 'olmo3-think',
    last: tt.lastMessage ?? null,
    steps: chunks.map((input, i) => ({ input, done: i === chunks.length - 1 })),
    want: { content: tt.expectedContent ?? '', thinking: tt.expectedThinking ?? '' },
  });
}

describe('olmo3-think parser (Ollama olmo3_think_test.go), every case also under every split', () => {
  describe('TestOlmo3ThinkParser', () => {
    for (const tt of T.parse as Row[]) it(tt.name, () => run(tt));
  });
  it('TestOlmo3ThinkParser_Streaming', () =>
    run({ name: 'streaming', chunks: ['I am ', 'thinking about', ' this.</think>Here ', 'is the response.'], expectedContent: 'Here is the response.', expectedThinking: 'I am thinking about this.' }));
  describe('TestOlmo3ThinkParser_StreamingEdgeCases', () => {
    for (const tt of T.streamingEdgeCases as Row[]) it(tt.name, () => run(tt));
  });
  describe('TestOlmo3ThinkParser_ThinkBoundary', () => {
    for (const tt of T.thinkBoundary as Row[]) it(tt.name, () => run(tt));
  });
  it('TestOlmo3ThinkParser_StateTransitions / HasToolSupport / HasThinkingSupport / Init / InitWithoutPrefill', () => {
    const p = new Olmo3ThinkParser();
    p.init(null, null, undefined);
    expect(p.state).toBe('thinking');
    p.add('thinking</think>content', true);
    expect(p.state).toBe('content');
    expect(p.hasToolSupport()).toBe(false);
    expect(p.hasThinkingSupport()).toBe(true);
    const tools = [{ type: 'function', function: { name: 'test_tool', parameters: { type: 'object', properties: {} } } }];
    expect(p.init(tools, { role: 'assistant', content: 'previous' }, undefined)).toHaveLength(1);
    expect(p.state).toBe('content');
  });
});
