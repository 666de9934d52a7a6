/** Tool-call argument helpers shared by parsers: parameter types from the request's tools, and Go-like value typing. */
import type { Tool } from '../../api/types.js';

/** The declared JSON types of a tool's parameter (anyOf flattened), [] when unknown. */
export function paramTypes(tools: Tool[] | null, fn: string, param: string): string[] {
  const tool = tools?.find((t) => t.function?.name === fn);
  const prop = tool?.function.parameters?.properties?.[param];
  if (!prop) return [];
  const anyOf = prop.anyOf as { type?: string | string[] }[] | undefined;
  if (Array.isArray(anyOf) && anyOf.length > 0) return anyOf.flatMap((p) => (p.type === undefined ? [] : Array.isArray(p.type) ? p.type : [p.type]));
  return prop.type === undefined ? [] : Array.isArray(prop.type) ? prop.type : [prop.type];
}

/** Go's strconv.ParseInt(s, 10, 64) succeeding. */
export function goInt(s: string): number | null {
  if (!/^[+-]?\d+$/.test(s)) return null;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return null;
  return Number(n);
}

/** Go's strconv.ParseFloat(s, 64) succeeding (decimal, hex-free subset plus inf/nan). */
export function goFloat(s: string): number | null {
  if (/^[+-]?(\d+(_\d+)*\.?\d*(_\d+)*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s.replace(/_/g, ''));
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  return null;
}

function jsonOf(s: string, want: 'array' | 'object'): unknown {
  try {
    const v: unknown = JSON.parse(s);
    if (want === 'array' ? Array.isArray(v) : v !== null && typeof v === 'object' && !Array.isArray(v)) return v;
    // Go unmarshals JSON null into a nil slice/map without error
    if (v === null) return null;
  } catch {
    /* not JSON */
  }
  return undefined;
}

/**
 * A raw string argument typed by the declared parameter types: null first, then boolean,
 * integer, number, array, object, string (the precedence of Ollama's qwen3-coder parser).
 */
export function typedToolValue(raw: string, types: string[]): unknown {
  if (raw.toLowerCase() === 'null') return null;
  if (types.length === 0) return raw;
  const set = new Set(types);
  const only = types.length === 1;
  if (set.has('boolean')) {
    const l = raw.toLowerCase();
    if (l === 'true') return true;
    if (l === 'false') return false;
    if (only) return false;
  }
  if (set.has('integer')) {
    const i = goInt(raw);
    if (i !== null) return i;
    if (only) return raw;
  }
  if (set.has('number')) {
    const f = goFloat(raw);
    if (f !== null) return f;
    if (only) return raw;
  }
  if (set.has('array')) {
    const v = jsonOf(raw, 'array');
    if (v !== undefined) return v;
    if (only) return raw;
  }
  if (set.has('object')) {
    const v = jsonOf(raw, 'object');
    if (v !== undefined) return v;
    if (only) return raw;
  }
  return raw;
}
