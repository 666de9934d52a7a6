/**
 * olmo3: content with `<function_calls>` blocks holding one Python-style call per line,
 * `name(key=value, …)` (strings, numbers, True/False/None, lists, dicts). No thinking.
 * Unlike Ollama's, text after `</function_calls>` is scanned for further blocks and the text of
 * a piece marked done is parsed before the rest is flushed, so every split gives the same result.
 */
import type { ToolCall } from '../../api/types.js';
import { DelimitedCallParser } from './delimited.js';
import { trimSpace } from './text.js';
import { goFloat, goInt } from './toolargs.js';
import { ParserError } from './types.js';

const OPEN = '<function_calls>';
const CLOSE = '</function_calls>';

export class Olmo3Parser extends DelimitedCallParser {
  constructor() {
    super(OPEN, CLOSE, true);
  }

  protected parseBlock(text: string): ToolCall[] {
    try {
      return parseOlmo3FunctionCalls(text);
    } catch {
      return []; // Ollama logs and drops a block it cannot read
    }
  }
}

export function parseOlmo3FunctionCalls(s: string): ToolCall[] {
  const calls: ToolCall[] = [];
  for (const raw of trimSpace(s).split('\n')) {
    const line = trimSpace(raw);
    if (line === '') continue;
    calls.push(parseOlmo3SingleFunctionCall(line));
  }
  return calls;
}

export function parseOlmo3SingleFunctionCall(s: string): ToolCall {
  const m = /^(\w+)\(([\s\S]*)\)$/.exec(s);
  if (!m) throw new ParserError('invalid function call format');
  return { function: { index: 0, name: m[1]!, arguments: parseOlmo3Arguments(m[2]!) } };
}

function parseOlmo3Arguments(s: string): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const raw of splitArguments(trimSpace(s))) {
    const part = trimSpace(raw);
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) throw new ParserError(`invalid argument format: ${part}`);
    args[trimSpace(part.slice(0, eq))] = parseOlmo3Value(part.slice(eq + 1));
  }
  return args;
}

/** Splits at top-level commas, respecting quotes and brackets. */
export function splitArguments(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let depth = 0;
  let quote = '';
  let escaped = false;
  for (const c of s) {
    if (escaped) {
      cur += c;
      escaped = false;
      continue;
    }
    if (c === '\\' && quote) {
      cur += c;
      escaped = true;
      continue;
    }
    if ((c === '"' || c === "'") && !quote) {
      quote = c;
      cur += c;
      continue;
    }
    if (c === quote) {
      quote = '';
      cur += c;
      continue;
    }
    if (!quote) {
      if ('([{'.includes(c)) depth++;
      else if (')]}'.includes(c)) depth--;
      else if (c === ',' && depth === 0) {
        parts.push(cur);
        cur = '';
        continue;
      }
    }
    cur += c;
  }
  if (cur.length > 0) parts.push(cur);
  return parts;
}

function quoted(s: string): boolean {
  return s.length >= 1 && ((s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'")));
}

export function parseOlmo3Value(input: string): unknown {
  const s = trimSpace(input);
  // Go slices s[1:len(s)-1], which panics on a lone quote; a lone quote is kept as text here
  if (quoted(s) && s.length >= 2) return unescapeString(s.slice(1, -1));
  if (s === 'true' || s === 'True') return true;
  if (s === 'false' || s === 'False') return false;
  if (s === 'null' || s === 'None' || s === 'nil') return null;
  const i = goInt(s);
  if (i !== null) return i;
  const f = goFloat(s);
  if (f !== null) return f;
  if (s.startsWith('[') && s.endsWith(']') && s.length >= 2) return parseOlmo3Array(s.slice(1, -1));
  if (s.startsWith('{') && s.endsWith('}') && s.length >= 2) return parseOlmo3Object(s.slice(1, -1));
  return s;
}

function parseOlmo3Array(s: string): unknown[] {
  if (trimSpace(s) === '') return [];
  return splitArguments(trimSpace(s)).map(parseOlmo3Value);
}

/** A Go map: JSON-encoded with sorted keys. */
function parseOlmo3Object(s: string): Record<string, unknown> {
  const entries: [string, unknown][] = [];
  for (const raw of splitArguments(trimSpace(s))) {
    const part = trimSpace(raw);
    if (part === '') continue;
    const colon = part.indexOf(':');
    if (colon < 0) throw new ParserError(`invalid object entry: ${part}`);
    let key = trimSpace(part.slice(0, colon));
    if (quoted(key) && key.length >= 2) key = key.slice(1, -1);
    entries.push([key, parseOlmo3Value(part.slice(colon + 1))]);
  }
  const obj: Record<string, unknown> = {};
  for (const [k, v] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) obj[k] = v;
  return obj;
}

function unescapeString(s: string): string {
  return s
    .replaceAll('\\\\', '\x00')
    .replaceAll('\\"', '"')
    .replaceAll("\\'", "'")
    .replaceAll('\\n', '\n')
    .replaceAll('\\t', '\t')
    .replaceAll('\\r', '\r')
    .replaceAll('\x00', '\\');
}
