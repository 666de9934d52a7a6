/**
 * The streaming-safety harness shared by every ported parser table: a case is run as its steps
 * say (checking each step's output when the table gives it), then its whole raw text is re-split
 * at every position, one character at a time and at seeded random places; every split must give
 * the same content, thinking and tool calls.
 */
import { expect } from 'vitest';
import type { Message, Tool, ToolCall } from '../../../src/api/types.js';
import { parserFor, type Parser, type ThinkValue } from '../../../src/prompt/parsers/index.js';

/** Go test helpers under the same names, so the ported tables read like the originals. */
export function testArgs(m: Record<string, unknown>): Record<string, unknown> {
  return m;
}
export function args(json: string): Record<string, unknown> {
  return JSON.parse(json) as Record<string, unknown>;
}
export function tool(name: string, props: Record<string, unknown>): Tool {
  return { type: 'function', function: { name, parameters: { type: 'object', properties: props as Tool['function']['parameters']['properties'] } } };
}
/** Go's testPropsMap: tool properties by name. */
export function testPropsMap(m: Record<string, unknown>): Record<string, unknown> {
  return m;
}
/** api.NewToolCallFunctionArguments(): empty arguments. */
export function NewToolCallFunctionArguments(): Record<string, unknown> {
  return {};
}
/** Go's len(s): UTF-8 bytes. */
export function len(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

export interface Step {
  input: string;
  done?: boolean;
  content?: string;
  thinking?: string;
  calls?: ToolCall[];
}

export interface ParserCase {
  name: string;
  /** A registry name, or a constructor for variants the registry has no name for. */
  parser: string | (() => Parser);
  tools?: Tool[] | null;
  last?: Message | null;
  think?: ThinkValue;
  steps: Step[];
  /** Totals over all steps when the steps carry no per-step expectations. */
  want?: { content?: string; thinking?: string; calls?: ToolCall[] };
  /** The parser throws (message contains this). */
  error?: string;
}

export interface Totals {
  content: string;
  thinking: string;
  calls: ToolCall[];
}

export function newParser(c: Pick<ParserCase, 'parser' | 'tools' | 'last' | 'think'>): Parser {
  const p = typeof c.parser === 'string' ? parserFor(c.parser) : c.parser();
  if (!p) throw new Error(`no parser ${String(c.parser)}`);
  p.init(c.tools ?? null, c.last ?? null, c.think);
  return p;
}

/** Runs chunks (done on the last when `done`), summing outputs. */
export function runChunks(p: Parser, chunks: string[], done: boolean): Totals {
  const t: Totals = { content: '', thinking: '', calls: [] };
  chunks.forEach((chunk, i) => {
    const r = p.add(chunk, done && i === chunks.length - 1);
    t.content += r.content;
    t.thinking += r.thinking;
    t.calls.push(...r.calls);
  });
  return t;
}

/** Splits of s at code-point boundaries: whole, every two-way split, per character, seeded random. */
export function splits(s: string, seed = 1): string[][] {
  const cps = [...s];
  const out: string[][] = [[s], cps.length ? cps : ['']];
  for (let i = 1; i < cps.length; i++) out.push([cps.slice(0, i).join(''), cps.slice(i).join('')]);
  let x = seed;
  for (let k = 0; k < 20 && cps.length > 2; k++) {
    const parts: string[] = [];
    let cur = '';
    for (const ch of cps) {
      cur += ch;
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      if (x % 4 === 0) {
        parts.push(cur);
        cur = '';
      }
    }
    parts.push(cur);
    out.push(parts);
  }
  return out;
}

function totalsOf(c: ParserCase): Totals {
  if (c.want) return { content: c.want.content ?? '', thinking: c.want.thinking ?? '', calls: c.want.calls ?? [] };
  return {
    content: c.steps.map((s) => s.content ?? '').join(''),
    thinking: c.steps.map((s) => s.thinking ?? '').join(''),
    calls: c.steps.flatMap((s) => s.calls ?? []),
  };
}

/** Normalises calls for comparison (index and name and arguments, as Ollama's toolCallEqual). */
function norm(t: Totals): Totals {
  return { ...t, calls: t.calls.map((c) => ({ ...(c.id ? { id: c.id } : {}), function: { index: c.function.index ?? 0, name: c.function.name, arguments: c.function.arguments ?? {} } })) };
}

/** Checks one case as written, then under every split of its raw text. */
export function checkCase(c: ParserCase): void {
  const done = c.steps.at(-1)?.done ?? false;
  if (c.error !== undefined) {
    const p = newParser(c);
    expect(() => runChunks(p, c.steps.map((s) => s.input), done)).toThrow(c.error);
    for (const chunks of splits(c.steps.map((s) => s.input).join(''))) {
      expect(() => runChunks(newParser(c), chunks, done), JSON.stringify(chunks)).toThrow(c.error);
    }
    return;
  }
  const p = newParser(c);
  const got: Totals = { content: '', thinking: '', calls: [] };
  c.steps.forEach((s, i) => {
    const r = p.add(s.input, s.done ?? false);
    if (!c.want) {
      expect(norm({ content: r.content, thinking: r.thinking, calls: r.calls }), `step ${i} ${JSON.stringify(s.input)}`).toEqual(
        norm({ content: s.content ?? '', thinking: s.thinking ?? '', calls: s.calls ?? [] }),
      );
    }
    got.content += r.content;
    got.thinking += r.thinking;
    got.calls.push(...r.calls);
  });
  const want = norm(totalsOf(c));
  expect(norm(got)).toEqual(want);
  for (const chunks of splits(c.steps.map((s) => s.input).join(''))) {
    expect(norm(runChunks(newParser(c), chunks, done)), JSON.stringify(chunks)).toEqual(want);
  }
}

/** A row of the usual Ollama parser table: one input or chunks, and the expected totals. */
export interface GoRow {
  name: string;
  input?: string;
  chunks?: string[];
  expectedContent?: string;
  expectedThinking?: string;
  expectedCalls?: ToolCall[] | null;
  expectedToolCalls?: ToolCall[] | null;
}

/** Checks a GoRow (done on its last chunk) with the parser set-up given. */
export function checkGoRow(row: GoRow, setup: Pick<ParserCase, 'parser' | 'tools' | 'last' | 'think'>): void {
  const chunks = row.chunks ?? [row.input!];
  checkCase({
    ...setup,
    name: row.name,
    steps: chunks.map((input, i) => ({ input, done: i === chunks.length - 1 })),
    want: { content: row.expectedContent ?? '', thinking: row.expectedThinking ?? '', calls: row.expectedCalls ?? row.expectedToolCalls ?? [] },
  });
}
