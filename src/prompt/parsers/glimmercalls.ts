/**
 * Glimmer's ATEM tool-call blocks:
 * `<atem:function_calls>\n<atem:invoke name="F">\n<atem:parameter name="K">V</atem:parameter>\n…</atem:invoke>\n</atem:function_calls>`
 * Values are typed by the tool's declared parameter types. A `<|message|>` the model slips into
 * the invoke name (in it, or in place of its `">`) is dropped, as Ollama does.
 */
import type { Tool, ToolCall } from '../../api/types.js';
import { trimSpace } from './text.js';
import { paramTypes, typedToolValue } from './toolargs.js';

export const ATEM_CALLS_OPEN = '<atem:function_calls>';
export const ATEM_CALLS_CLOSE = '</atem:function_calls>';
const INVOKE_OPEN = '<atem:invoke name="';
const INVOKE_CLOSE = '</atem:invoke>';
const PARAM_OPEN = '<atem:parameter name="';
const PARAM_CLOSE = '</atem:parameter>';
const MESSAGE = '<|message|>';

/**
 * The declared tool a recipient or invoke name means: the name itself, or `ns.fn` for a declared
 * `fn` whose own first dot-component is `ns` (the template advertises tools as `ns.*`).
 */
export function resolveGlimmerTool(tools: Map<string, Tool>, name: string): string | null {
  if (tools.has(name)) return name;
  const dot = name.indexOf('.');
  if (dot < 0) return null;
  const [ns, fn] = [name.slice(0, dot), name.slice(dot + 1)];
  return tools.has(fn) && fn.split('.')[0] === ns ? fn : null;
}

/** The call a tool-recipient message's body makes; throws with Ollama's message when it cannot. */
export function parseGlimmerCall(recipient: string, body: string, tools: Map<string, Tool>): ToolCall {
  if (recipient === '') throw new Error('empty Glimmer function name');
  const target = resolveGlimmerTool(tools, recipient);
  if (target === null) throw new Error(`undeclared Glimmer function "${recipient}"`);
  let parsed: [string, Record<string, unknown>];
  try {
    parsed = parseATEM(body, tools.get(target)!);
  } catch (err) {
    throw new Error(`parse Glimmer call to ${recipient}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const [name, args] = parsed;
  if (resolveGlimmerTool(tools, name) !== target) throw new Error(`Glimmer recipient "${recipient}" does not match ATEM invoke "${name}"`);
  return { function: { index: 0, name: target, arguments: args } };
}

/** A content message that is exactly one well-formed block invoking a declared tool, as that call; else null. */
export function parseGlimmerContentCall(body: string, tools: Map<string, Tool>): ToolCall | null {
  if (tools.size === 0) return null;
  const t = trimSpace(body);
  if (!t.startsWith(ATEM_CALLS_OPEN) || !t.endsWith(ATEM_CALLS_CLOSE) || t.length < ATEM_CALLS_OPEN.length + ATEM_CALLS_CLOSE.length) return null;
  const inner = trimSpace(t.slice(ATEM_CALLS_OPEN.length, t.length - ATEM_CALLS_CLOSE.length));
  if (!inner.startsWith(INVOKE_OPEN)) return null;
  const cut = cutInvokeName(inner.slice(INVOKE_OPEN.length));
  const target = cut ? resolveGlimmerTool(tools, cut[0]) : null;
  if (target === null) return null;
  try {
    return { function: { index: 0, name: target, arguments: parseATEM(t, tools.get(target)!)[1] } };
  } catch {
    return null;
  }
}

/** [name, text after its `">`] of an invoke's name attribute, stray `<|message|>` tokens dropped; null when unterminated. */
function cutInvokeName(s: string): [string, string] | null {
  let name = '';
  let rest = s;
  for (;;) {
    const term = rest.indexOf('">');
    const tag = rest.indexOf(MESSAGE);
    if (tag >= 0 && (term < 0 || tag < term)) {
      name += rest.slice(0, tag);
      rest = rest.slice(tag + MESSAGE.length);
      if (rest.startsWith(PARAM_OPEN)) return [name, rest];
      continue;
    }
    if (term < 0) return null;
    return [name + rest.slice(0, term), rest.slice(term + 2)];
  }
}

/** [invoke name, typed arguments] of a whole ATEM block. */
function parseATEM(body: string, tool: Tool): [string, Record<string, unknown>] {
  const b = trimSpace(body);
  if (!b.startsWith(ATEM_CALLS_OPEN) || !b.endsWith(ATEM_CALLS_CLOSE) || b.length < ATEM_CALLS_OPEN.length + ATEM_CALLS_CLOSE.length) {
    throw new Error('missing ATEM function_calls wrapper');
  }
  const invoke = trimSpace(b.slice(ATEM_CALLS_OPEN.length, b.length - ATEM_CALLS_CLOSE.length));
  if (!invoke.startsWith(INVOKE_OPEN) || !invoke.endsWith(INVOKE_CLOSE)) throw new Error('missing ATEM invoke wrapper');
  const cut = cutInvokeName(invoke.slice(INVOKE_OPEN.length));
  if (!cut || cut[1].length < INVOKE_CLOSE.length) throw new Error('malformed ATEM invoke name');
  const [name, rest] = cut;
  let params = rest.slice(0, rest.length - INVOKE_CLOSE.length);
  if (params.startsWith('\n')) params = params.slice(1);
  if (params.endsWith('\n')) params = params.slice(0, -1);
  const args: Record<string, unknown> = {};
  const fn = tool.function.name;
  while (params !== '') {
    if (!params.startsWith(PARAM_OPEN)) throw new Error('malformed ATEM parameter');
    params = params.slice(PARAM_OPEN.length);
    const nameEnd = params.indexOf('">');
    if (nameEnd < 0) throw new Error('malformed ATEM parameter name');
    const key = params.slice(0, nameEnd);
    params = params.slice(nameEnd + 2);
    const valueEnd = params.indexOf(PARAM_CLOSE);
    if (valueEnd < 0) throw new Error(`unterminated ATEM parameter "${key}"`);
    args[key] = typedToolValue(params.slice(0, valueEnd), paramTypes([tool], fn, key));
    params = params.slice(valueEnd + PARAM_CLOSE.length);
    if (params.startsWith('\n')) params = params.slice(1);
  }
  return [name, args];
}
