/**
 * LFM2's Python-style tool calls: `[name(key='v', n=1), other(x=[1, 2])]` or a bare
 * `name(key="v")`. Strings keep their escapes as written; other values are Python or JSON
 * literals (True/False/None, numbers, lists, dicts), anything else is kept as its text.
 */
import type { ToolCall } from '../../api/types.js';
import { isGoSpace, trimSpace } from './text.js';
import { goFloat, goInt } from './toolargs.js';

/** A call list that cannot be read; the message says why (Ollama's wording). */
export class PythonCallError extends Error {}

/** The calls in `content`, wrapper tags and one pair of outer brackets tolerated. */
export function parseLfm2ToolCalls(content: string): ToolCall[] {
  let s = trimSpace(content);
  if (s.startsWith(CALL_START)) s = trimSpace(s.slice(CALL_START.length));
  if (s.endsWith(CALL_END)) s = trimSpace(s.slice(0, -CALL_END.length));
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const calls: ToolCall[] = [];
  for (;;) {
    s = trimSpace(s);
    if (s.startsWith(',')) s = trimSpace(s.slice(1));
    if (s === '') break;
    const open = s.indexOf('(');
    if (open < 0) throw new PythonCallError('invalid tool call: no opening parenthesis');
    const name = trimSpace(s.slice(0, open));
    if (name === '') throw new PythonCallError('invalid tool call: empty function name');
    const close = matchingParen(s, open);
    if (close < 0) throw new PythonCallError('invalid tool call: no matching closing parenthesis');
    const argText = s.slice(open + 1, close);
    calls.push({ function: { index: 0, name, arguments: argText === '' ? {} : parseKeywordArgs(argText) } });
    s = s.slice(close + 1);
  }
  if (calls.length === 0) throw new PythonCallError('no tool calls found');
  return calls;
}

export const CALL_START = '<|tool_call_start|>';
export const CALL_END = '<|tool_call_end|>';

/** The index of the `)` closing the `(` at `open`, skipping quoted strings; -1 when none. */
function matchingParen(s: string, open: number): number {
  let depth = 1;
  for (let i = open + 1; i < s.length; i++) {
    const ch = s[i];
    if (ch === '(') depth++;
    else if (ch === ')') {
      if (--depth === 0) return i;
    } else if (ch === "'" || ch === '"') {
      i = endOfQuote(s, i);
    }
  }
  return -1;
}

/** The index of the quote closing the one at `i` (backslash escapes skipped), or s.length. */
function endOfQuote(s: string, i: number): number {
  const q = s[i];
  for (i++; i < s.length && s[i] !== q; i++) if (s[i] === '\\' && i + 1 < s.length) i++;
  return i;
}

function parseKeywordArgs(text: string): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  let i = 0;
  while (i < text.length) {
    while (i < text.length && (text[i] === ',' || isGoSpace(text[i]!))) i++;
    if (i >= text.length) break;
    const keyStart = i;
    while (i < text.length && text[i] !== '=' && text[i] !== ',') i++;
    if (text[i] !== '=') throw new PythonCallError("invalid argument: expected '='");
    const key = trimSpace(text.slice(keyStart, i));
    if (key === '') throw new PythonCallError('invalid argument: empty key');
    i++;
    while (i < text.length && isGoSpace(text[i]!)) i++;
    if (i >= text.length) throw new PythonCallError('invalid argument: missing value');
    const [value, next] = argValue(text, i);
    args[key] = value;
    i = next;
    if (text[i] === ',') i++;
  }
  return args;
}

/** A value starting at i: a quoted string as written, or a literal up to a top-level comma. */
function argValue(s: string, i: number): [unknown, number] {
  if (s[i] === "'" || s[i] === '"') {
    const end = endOfQuote(s, i);
    if (end >= s.length) throw new PythonCallError('invalid argument: unterminated string');
    return [s.slice(i + 1, end), end + 1];
  }
  const start = i;
  let depth = 0;
  for (; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === "'" || ch === '"') i = endOfQuote(s, i);
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) break;
  }
  return [pythonLiteral(trimSpace(s.slice(start, i))), i];
}

function pythonLiteral(token: string): unknown {
  switch (token) {
    case '':
      return '';
    case 'true':
    case 'True':
      return true;
    case 'false':
    case 'False':
      return false;
    case 'null':
    case 'None':
      return null;
  }
  const n = goInt(token) ?? goFloat(token);
  if (n !== null) return n;
  if (token.startsWith('[') || token.startsWith('{')) {
    for (const text of [token, pythonToJson(token)]) {
      if (text === null) continue;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        /* try the next reading */
      }
    }
  }
  return token;
}

/** A Python literal as JSON text (quotes to double quotes, True/False/None), null when a string is unterminated. */
function pythonToJson(s: string): string | null {
  let out = '';
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) {
      if (ch === '\\') {
        out += ch + (s[i + 1] ?? '');
        i++;
      } else if (ch === quote) {
        out += '"';
        quote = '';
      } else out += quote === "'" && ch === '"' ? '\\"' : ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      out += '"';
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i));
    if (ident) {
      const w = ident[0];
      out += w === 'True' ? 'true' : w === 'False' ? 'false' : w === 'None' ? 'null' : w;
      i += w.length - 1;
      continue;
    }
    out += ch;
  }
  return quote ? null : out;
}
