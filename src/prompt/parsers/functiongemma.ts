/**
 * functiongemma: content with `<start_function_call>call:NAME{key:value,…}<end_function_call>`
 * calls; strings are wrapped in `<escape>…<escape>`, other values are numbers, booleans, lists and
 * maps. No thinking. Unlike Ollama's, text between two calls is content also when both calls
 * arrive in one piece (Ollama then dropped it), so every split gives the same result.
 */
import type { ToolCall } from '../../api/types.js';
import { DelimitedCallParser } from './delimited.js';

const OPEN = '<start_function_call>';
const CLOSE = '<end_function_call>';
const ESCAPE = '<escape>';

export class FunctionGemmaParser extends DelimitedCallParser {
  constructor() {
    super(OPEN, CLOSE, false);
  }

  protected parseBlock(text: string): ToolCall[] {
    return [parseFunctionGemmaCall(text)];
  }
}

/** `call:NAME{args}` anywhere in the text; without one, a call with no name (as Ollama). */
export function parseFunctionGemmaCall(content: string): ToolCall {
  const m = /call:([^{]+)\{(.*)\}/.exec(content);
  if (!m) return { function: { index: 0, name: '', arguments: {} } };
  return { function: { index: 0, name: m[1]!, arguments: parseArguments(m[2]!) } };
}

function parseArguments(s: string): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const part of splitArguments(s)) {
    const c = part.indexOf(':');
    if (c < 0) continue;
    args[part.slice(0, c)] = parseValue(part.slice(c + 1));
  }
  return args;
}

function splitArguments(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let depth = 0;
  let inEscape = false;
  for (let i = 0; i < s.length; i++) {
    if (s.startsWith(ESCAPE, i)) {
      inEscape = !inEscape;
      cur += ESCAPE;
      i += ESCAPE.length - 1;
      continue;
    }
    const ch = s[i]!;
    if (!inEscape && (ch === '{' || ch === '[')) depth++;
    else if (!inEscape && (ch === '}' || ch === ']')) depth--;
    else if (!inEscape && ch === ',' && depth === 0) {
      if (cur.length > 0) parts.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur.length > 0) parts.push(cur);
  return parts;
}

function parseValue(v: string): unknown {
  if (v.startsWith(ESCAPE) && v.endsWith(ESCAPE) && v.length >= 2 * ESCAPE.length) return v.slice(ESCAPE.length, -ESCAPE.length);
  if (v === 'true') return true;
  if (v === 'false') return false;
  const n = parseNumber(v);
  if (n !== null) return n;
  if (v.startsWith('[') && v.endsWith(']') && v.length >= 2) return splitArguments(v.slice(1, -1)).map(parseValue);
  if (v.startsWith('{') && v.endsWith('}') && v.length >= 2) {
    // a Go map: JSON-encoded with sorted keys
    const entries: [string, unknown][] = [];
    for (const part of splitArguments(v.slice(1, -1))) {
      const c = part.indexOf(':');
      if (c >= 0) entries.push([part.slice(0, c), parseValue(part.slice(c + 1))]);
    }
    const obj: Record<string, unknown> = {};
    for (const [k, val] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) obj[k] = val;
    return obj;
  }
  return v;
}

/**
 * Go's fmt.Sscanf "%d" when it prints back the same text, else "%f" on the leading number
 * (so "12abc" is 12, as in Ollama); null when the text does not start with a number.
 */
function parseNumber(s: string): number | null {
  if (/^-?(0|[1-9]\d*)$/.test(s)) {
    const n = BigInt(s);
    if (n <= 9223372036854775807n && n >= -9223372036854775808n) return Number(n);
  }
  const m = /^[ \t\r]*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)/.exec(s);
  return m ? Number(m[1]) : null;
}
