/**
 * Laguna's tool-call bodies: `NAME\n<arg_key>K</arg_key>\n<arg_value>V</arg_value>…` (values
 * typed by the tool's declared parameter types), `NAME\n{JSON arguments}`, or a JSON object
 * `{"name": …, "arguments": {…}}`. A few names models use for common tools resolve to the
 * declared tool (`read_file` → `read` …); a nested repeat of `<tool_call>` is ignored.
 */
import type { Tool, ToolCall } from '../../api/types.js';
import { parseQwenValue } from './qwen3coder.js';
import { trimSpace } from './text.js';
import { paramTypes } from './toolargs.js';
import { ParserError } from './types.js';

export const TOOL_OPEN = '<tool_call>';
export const TOOL_CLOSE = '</tool_call>';

const ALIASES: Record<string, string> = { read_file: 'read', write_file: 'write', edit_file: 'edit', web_fetch: 'webfetch' };
const ARG = /<arg_key>([\s\S]*?)<\/arg_key>[\t\n\f\r ]*<arg_value>([\s\S]*?)<\/arg_value>/g;

/** The declared tool a name stands for (itself or its alias), or null. */
export function resolveLagunaTool(name: string, tools: Tool[] | null): string | null {
  const has = (n: string) => (tools ?? []).some((t) => t.function?.name === n);
  if (has(name)) return name;
  const alias = Object.hasOwn(ALIASES, name) ? ALIASES[name]! : undefined;
  return alias !== undefined && has(alias) ? alias : null;
}

/** The body without wrapping or repeated `<tool_call>` tags. */
function cleanRaw(raw: string): string {
  let s = trimSpace(raw);
  while (s.startsWith(TOOL_OPEN)) s = trimSpace(s.slice(TOOL_OPEN.length));
  const close = s.indexOf(TOOL_CLOSE);
  if (close >= 0) s = trimSpace(s.slice(0, close));
  const open = s.indexOf(TOOL_OPEN);
  if (open >= 0) {
    const before = trimSpace(s.slice(0, open));
    if (before !== '') return before;
    s = trimSpace(s.slice(open + TOOL_OPEN.length));
  }
  return s;
}

function jsonObject(text: string, what: string): Record<string, unknown> | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new ParserError(`failed to parse Laguna ${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw new ParserError(`failed to parse Laguna ${what}: not a JSON object`);
  return v as Record<string, unknown>;
}

/** The name a body calls, or '' (JSON bodies must parse). */
export function lagunaCallName(raw: string): string {
  const s = cleanRaw(raw);
  if (s.startsWith('{')) {
    try {
      const v = jsonObject(s, 'JSON tool call');
      return typeof v?.name === 'string' ? trimSpace(v.name) : '';
    } catch {
      return '';
    }
  }
  let end = s.indexOf('<arg_key>');
  if (end < 0) end = s.indexOf('{');
  if (end < 0) end = s.search(/[\r\n]/);
  return trimSpace(end < 0 ? s : s.slice(0, end));
}

export function parseLagunaToolCall(raw: string, tools: Tool[] | null): ToolCall {
  const s = cleanRaw(raw);
  if (s.startsWith('{')) {
    const v = jsonObject(s, 'JSON tool call') ?? {};
    const name = typeof v.name === 'string' ? v.name : '';
    if (name === '') throw new ParserError('empty Laguna tool call name');
    const args = v.arguments === undefined ? null : jsonArguments(v.arguments);
    return { function: { index: 0, name: resolveLagunaTool(name, tools) ?? name, arguments: args ?? {} } };
  }
  let name = s;
  let argText = '';
  const keyAt = s.indexOf('<arg_key>');
  const jsonAt = s.indexOf('{');
  if (keyAt >= 0) [name, argText] = [s.slice(0, keyAt), s.slice(keyAt)];
  else if (jsonAt >= 0) [name, argText] = [s.slice(0, jsonAt), s.slice(jsonAt)];
  name = trimSpace(name);
  name = resolveLagunaTool(name, tools) ?? name;
  if (trimSpace(argText).startsWith('{')) {
    return { function: { index: 0, name, arguments: jsonObject(trimSpace(argText), 'JSON tool call arguments') ?? {} } };
  }
  const args: Record<string, unknown> = {};
  for (const m of argText.matchAll(ARG)) {
    const key = trimSpace(m[1]!);
    args[key] = parseQwenValue(m[2]!, paramTypes(tools, name, key));
  }
  return { function: { index: 0, name, arguments: args } };
}

function jsonArguments(v: unknown): Record<string, unknown> | null {
  if (v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw new ParserError('failed to parse Laguna JSON tool call: arguments is not an object');
  return v as Record<string, unknown>;
}

/** Ollama's guess, once the reply is complete, that the text from a `{` is a JSON tool call. */
export function looksLikeJsonCall(raw: string): boolean {
  return raw.startsWith('{') && (raw.includes('"name"') || raw.includes('"arguments"'));
}
