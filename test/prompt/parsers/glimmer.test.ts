import { describe, expect, it } from 'vitest';
import type { Tool, ToolCall } from '../../../src/api/types.js';
import { resolveGlimmerTool } from '../../../src/prompt/parsers/glimmercalls.js';
import { parserFor, type ThinkValue } from '../../../src/prompt/parsers/index.js';
import { checkCase, newParser, runChunks, tool, type Step } from './helpers.js';
import { cases, resolution } from './glimmer.cases.js';

interface Row {
  name: string;
  tools?: Tool[] | null;
  think?: ThinkValue;
  input?: string;
  chunks?: string[];
  steps?: Step[];
  want?: { content?: string; thinking?: string; calls?: ToolCall[] };
  error?: string;
  fuzz?: boolean;
}

function run(tt: Row): void {
  const steps = tt.steps ?? (tt.chunks ?? [tt.input!]).map((input, i, all) => ({ input, done: i === all.length - 1 }));
  const c = { name: tt.name, parser: 'glimmer', tools: tt.tools ?? null, think: tt.think, steps, want: tt.want, error: tt.error };
  if (tt.fuzz) {
    // Ollama's fuzz target: no error, or calls only to the declared tool with rising indices; here also one answer for every split
    let whole;
    try {
      whole = runChunks(newParser(c), [tt.input!], true);
    } catch (err) {
      return checkCase({ ...c, error: (err as Error).message });
    }
    whole.calls.forEach((call, i) => expect([call.function.name, call.function.index]).toEqual(['echo', i]));
    return checkCase({ ...c, want: whole });
  }
  checkCase(c);
}

describe('glimmer parser (Ollama glimmer_test.go), every case also under every split', () => {
  for (const tt of cases as Row[]) it(tt.name, () => run(tt));

  it('TestGlimmerParserNamespaceResolutionStaysStrict', () => {
    const tools = new Map([
      ['read', tool('read', {})],
      ['repo.read', tool('repo.read', {})],
    ]);
    for (const r of resolution) expect(resolveGlimmerTool(tools, r.name), r.name).toBe(r.want);
  });

  it('advertises tools and thinking', () => {
    const p = parserFor('glimmer')!;
    expect([p.hasToolSupport(), p.hasThinkingSupport()]).toEqual([true, true]);
  });
});
