/**
 * Gemma 4 tool-call arguments (`{key:value,…}` with `<|"|>`-delimited strings) turned into JSON as
 * Ollama's gemma4 parser does: strict conversion first, then a few schema-guided repairs
 * (single-quoted values, an unclosed string, a missing final brace, a raw string value).
 */
import type { Tool, ToolCall } from '../../api/types.js';
import { goJSON } from '../../template/json.js';
import { isGoSpace, trimSpace } from './text.js';

export const DELIM = '<|"|>';
const QUOTED = /<\|"\|>([\s\S]*?)<\|"\|>/g;
const KEY_CHAR = /^[\p{L}\p{Nd}_]$/u;

type Props = Record<string, unknown>;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The code point at i and its length in string units. */
function cpAt(s: string, i: number): [string, number] {
  const c = s.codePointAt(i)!;
  const n = c > 0xffff ? 2 : 1;
  return [s.slice(i, i + n), n];
}

export function skipSpace(s: string, i: number): number {
  while (i < s.length) {
    const [ch, n] = cpAt(s, i);
    if (!isGoSpace(ch)) return i;
    i += n;
  }
  return i;
}

function bareKeyEnd(s: string, i: number): number {
  while (i < s.length) {
    const [ch, n] = cpAt(s, i);
    if (!KEY_CHAR.test(ch)) break;
    i += n;
  }
  return i;
}

export function trimRightSpaceIndex(s: string): number {
  let i = s.length;
  while (i > 0) {
    const lo = s.charCodeAt(i - 1);
    const n = lo >= 0xdc00 && lo <= 0xdfff && i >= 2 && s.charCodeAt(i - 2) >= 0xd800 && s.charCodeAt(i - 2) <= 0xdbff ? 2 : 1;
    if (!isGoSpace(s.slice(i - n, i))) return i;
    i -= n;
  }
  return i;
}

const trimLeftSpace = (s: string): string => s.slice(skipSpace(s, 0));

/** End (exclusive) of the JSON string starting at `start`, or -1 when it does not close. */
export function jsonQuotedStringEnd(s: string, start: number): number {
  let escaped = false;
  for (let i = start + 1; i < s.length; i++) {
    if (s[i] === '"' && !escaped) return i + 1;
    escaped = s[i] === '\\' && !escaped;
  }
  return -1;
}

/** Go's string(rune(i)): surrogate code points become U+FFFD. */
const runeString = (i: number): string => (i >= 0xd800 && i <= 0xdfff ? '\ufffd' : String.fromCodePoint(i));

/** Bare keys after `{` or `,` get quotes; JSON strings are copied as they are. */
function quoteBareKeys(s: string): string {
  let sb = '';
  for (let i = 0; i < s.length; ) {
    if (s[i] === '"') {
      const end = jsonQuotedStringEnd(s, i);
      if (end !== -1) {
        sb += s.slice(i, end);
        i = end;
        continue;
      }
    }
    if (s[i] !== '{' && s[i] !== ',') {
      sb += s[i];
      i++;
      continue;
    }
    sb += s[i];
    i++;
    const spaceStart = i;
    i = skipSpace(s, i);
    sb += s.slice(spaceStart, i);
    const keyEnd = bareKeyEnd(s, i);
    if (keyEnd > i && keyEnd < s.length && s[keyEnd] === ':') {
      sb += `"${s.slice(i, keyEnd)}":`;
      i = keyEnd + 1;
    }
  }
  return sb;
}

/** Gemma's argument text as JSON text (not checked). */
export function gemma4ArgsToJSON(s: string): string {
  const quoted: string[] = [];
  let text = s.replace(QUOTED, (_m, inner: string) => {
    quoted.push(inner);
    return '\x00' + runeString(quoted.length - 1) + '\x00';
  });
  text = quoteBareKeys(text);
  quoted.forEach((value, i) => {
    text = text.split('\x00' + runeString(i) + '\x00').join(goJSON(value));
  });
  return text;
}

/** json.Unmarshal into the arguments' ordered map: a JSON object or nothing. */
function decodeArgs(json: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(json);
    return isObj(v) ? v : null;
  } catch {
    return null;
  }
}

export function repairMissingStringDelimiter(s: string): string {
  if (s.split(DELIM).length % 2 === 1) return s; // an even count of delimiters
  let at = trimRightSpaceIndex(s);
  if (at > 0 && (s[at - 1] === '}' || s[at - 1] === ']')) at--;
  return s.slice(0, at) + DELIM + s.slice(at);
}

export function repairMissingObjectClose(s: string): string {
  if (!trimLeftSpace(s).startsWith('{')) return s;
  const end = trimRightSpaceIndex(s);
  if (end > 0 && s[end - 1] === '}') return s;
  return s.slice(0, end) + '}' + s.slice(end);
}

function singleQuotedValue(s: string, start: number): [string, number] | null {
  let sb = '';
  let escaped = false;
  for (let i = start + 1; i < s.length; i++) {
    if (s[i] === "'" && !escaped) return [sb, i + 1];
    sb += s[i];
    escaped = s[i] === '\\' && !escaped;
  }
  return null;
}

export function repairSingleQuotedValues(s: string): string {
  let sb = '';
  for (let i = 0; i < s.length; ) {
    if (s.startsWith(DELIM, i)) {
      const end = s.indexOf(DELIM, i + DELIM.length);
      if (end === -1) {
        sb += s.slice(i);
        break;
      }
      sb += s.slice(i, end + DELIM.length);
      i = end + DELIM.length;
      continue;
    }
    if (s[i] === '"') {
      const end = jsonQuotedStringEnd(s, i);
      if (end !== -1) {
        sb += s.slice(i, end);
        i = end;
        continue;
      }
    }
    if (s[i] !== ':') {
      sb += s[i];
      i++;
      continue;
    }
    sb += s[i];
    i++;
    const spaceEnd = skipSpace(s, i);
    sb += s.slice(i, spaceEnd);
    i = spaceEnd;
    if (i >= s.length || s[i] !== "'") continue;
    const v = singleQuotedValue(s, i);
    if (!v) continue;
    sb += DELIM + v[0] + DELIM;
    i = v[1];
    if (s.startsWith(DELIM, i)) i += DELIM.length;
  }
  return sb;
}

/** strings.EqualFold for the type names a schema carries. */
const foldEq = (a: string, b: string): boolean => {
  const f = (x: string) => x.toLowerCase().replace(/\u017f/g, 's').replace(/\u212a/g, 'k');
  return f(a) === f(b);
};

function acceptsString(prop: unknown): boolean {
  if (!isObj(prop)) return false;
  const types = typeof prop.type === 'string' ? [prop.type] : Array.isArray(prop.type) ? prop.type : [];
  if (types.some((t) => typeof t === 'string' && foldEq(t, 'string'))) return true;
  return Array.isArray(prop.anyOf) && prop.anyOf.some(acceptsString);
}

function toolProperties(name: string, tools: readonly Tool[] | null): Props | null {
  const t = (tools ?? []).find((x) => x.function?.name === name);
  if (!t) return null;
  const props = t.function.parameters?.properties;
  return isObj(props) ? (props as Props) : null;
}

function findValueStartForKey(s: string, key: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    if (s.startsWith(DELIM, i)) {
      const end = s.indexOf(DELIM, i + DELIM.length);
      if (end === -1) return -1;
      i = end + DELIM.length - 1;
      continue;
    }
    if (s[i] === '"') {
      const end = jsonQuotedStringEnd(s, i);
      if (end !== -1) {
        i = end - 1;
        continue;
      }
    }
    if (s[i] !== '{' && s[i] !== ',') continue;
    const keyStart = skipSpace(s, i + 1);
    if (!s.startsWith(key, keyStart)) continue;
    const colon = skipSpace(s, keyStart + key.length);
    if (colon < s.length && s[colon] === ':') return colon + 1;
  }
  return -1;
}

function rawStringValueEnd(s: string, start: number, props: Props): number {
  for (let i = start; i < s.length; i++) {
    if (s[i] !== ',') continue;
    const keyStart = skipSpace(s, i + 1);
    const keyEnd = bareKeyEnd(s, keyStart);
    if (keyEnd === keyStart) continue;
    const colon = skipSpace(s, keyEnd);
    if (colon < s.length && s[colon] === ':' && Object.hasOwn(props, s.slice(keyStart, keyEnd))) return i;
  }
  const end = trimRightSpaceIndex(s);
  if (end > start && s[end - 1] === '}') return end - 1;
  return s.length;
}

function startsStructured(s: string, pos: number): boolean {
  if (pos >= s.length) return false;
  if (s.startsWith(DELIM, pos)) return true;
  return /^['"{[\-0-9tfn]$/.test(s[pos]!);
}

/** A raw value of a string-typed parameter wrapped in delimiters (only with the tool's schema). */
export function repairRawTerminalStringValue(s: string, toolName: string, tools: readonly Tool[] | null): string | null {
  const props = toolProperties(toolName, tools);
  if (!props) return null;
  for (const [key, prop] of Object.entries(props)) {
    if (!acceptsString(prop)) continue;
    for (let from = 0; from < s.length; ) {
      const start = findValueStartForKey(s, key, from);
      if (start < 0) break;
      if (startsStructured(s, skipSpace(s, start))) {
        from = start;
        continue;
      }
      const end = rawStringValueEnd(s, start, props);
      return s.slice(0, start) + DELIM + s.slice(start, end) + DELIM + s.slice(end);
    }
  }
  return null;
}

export function repairCandidates(args: string, toolName: string, tools: readonly Tool[] | null): string[] {
  const out: string[] = [];
  const add = (candidate: string, allowObjectClose: boolean): void => {
    let c = repairMissingStringDelimiter(repairSingleQuotedValues(candidate));
    if (allowObjectClose || c !== candidate) c = repairMissingObjectClose(c);
    if (!out.includes(c)) out.push(c);
  };
  add(args, false);
  const raw = repairRawTerminalStringValue(args, toolName, tools);
  if (raw !== null) add(raw, true);
  return out;
}

/** `call:NAME{args}` as a tool call, or null when Ollama would drop it. */
export function parseGemma4ToolCall(content: string, tools: readonly Tool[] | null): ToolCall | null {
  if (!content.startsWith('call:')) return null;
  const rest = content.slice('call:'.length);
  const brace = rest.indexOf('{');
  if (brace === -1) return null;
  const name = trimSpace(rest.slice(0, brace));
  const argsText = rest.slice(brace);
  let args = decodeArgs(gemma4ArgsToJSON(argsText));
  if (!args) {
    for (const c of repairCandidates(argsText, name, tools)) {
      args = decodeArgs(gemma4ArgsToJSON(c));
      if (args) break;
    }
  }
  if (!args) return null;
  return { function: { index: 0, name, arguments: args } };
}
