/**
 * Go's encoding/json and fmt as renderers see Ollama's API values: tools marshal in struct-field
 * order with omitempty, properties and tool-call arguments keep their insertion order (ordered
 * maps), everything nested inside `any` fields sorts its keys (Go maps).
 */
import type { Tool, ToolProperty } from '../../api/types.js';
import { formatFloat } from '../../template/floatfmt.js';
import { goJSON, JSONObject } from '../../template/json.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const present = (v: unknown): boolean => v !== undefined && v !== null;

/** api.PropertyType: one type → string, otherwise the list. */
export function propertyTypes(t: unknown): string[] {
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  return [];
}

/** api.ToolProperty as Go marshals it. */
export function propertyJSON(p: unknown): JSONObject {
  const o = isObj(p) ? p : {};
  const out: Array<[string, unknown]> = [];
  if (Array.isArray(o.anyOf) && o.anyOf.length > 0) out.push(['anyOf', o.anyOf.map(propertyJSON)]);
  const types = propertyTypes(o.type);
  if (types.length === 1) out.push(['type', types[0]]);
  else if (types.length > 1) out.push(['type', types]);
  if (present(o.items)) out.push(['items', o.items]);
  if (typeof o.description === 'string' && o.description !== '') out.push(['description', o.description]);
  if (Array.isArray(o.enum) && o.enum.length > 0) out.push(['enum', o.enum]);
  if (isObj(o.properties)) out.push(['properties', propertiesJSON(o.properties)]);
  if (Array.isArray(o.required) && o.required.length > 0) out.push(['required', o.required]);
  return new JSONObject(out);
}

/** *api.ToolPropertiesMap: insertion order; nil → null. */
export function propertiesJSON(props: unknown): JSONObject | null {
  if (!isObj(props)) return null;
  return new JSONObject(Object.entries(props).map(([k, v]) => [k, propertyJSON(v)] as const));
}

/** api.ToolFunctionParameters. */
export function parametersJSON(params: unknown): JSONObject {
  const p = isObj(params) ? params : {};
  const out: Array<[string, unknown]> = [['type', typeof p.type === 'string' ? p.type : '']];
  if (present(p.$defs)) out.push(['$defs', p.$defs]);
  if (present(p.items)) out.push(['items', p.items]);
  if (Array.isArray(p.required) && p.required.length > 0) out.push(['required', p.required]);
  out.push(['properties', propertiesJSON(p.properties)]);
  return new JSONObject(out);
}

/** api.ToolFunction. */
export function functionJSON(f: unknown): JSONObject {
  const o = isObj(f) ? f : {};
  const out: Array<[string, unknown]> = [['name', typeof o.name === 'string' ? o.name : '']];
  if (typeof o.description === 'string' && o.description !== '') out.push(['description', o.description]);
  out.push(['parameters', parametersJSON(o.parameters)]);
  return new JSONObject(out);
}

/** api.Tool. */
export function toolJSON(t: Tool): JSONObject {
  const out: Array<[string, unknown]> = [['type', t.type ?? '']];
  if (present(t.items)) out.push(['items', t.items]);
  out.push(['function', functionJSON(t.function)]);
  return new JSONObject(out);
}

/** api.ToolCallFunctionArguments: top-level keys in insertion order. */
export function argumentsJSON(args: unknown): JSONObject {
  return new JSONObject(isObj(args) ? Object.entries(args) : []);
}

/** json.Marshal of any of the above (or a plain value: maps sorted). */
export function marshal(v: unknown): string {
  return goJSON(v);
}

/** Ollama's marshalWithSpaces: a space after every ':' and ',' outside strings. */
export function addJSONSpaces(s: string): string {
  let out = '';
  let inStr = false;
  let esc = false;
  for (const c of s) {
    if (inStr) {
      out += c;
      if (esc) esc = false;
      else if (c === '\\') esc = true;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    out += c === ':' ? ': ' : c === ',' ? ', ' : c;
  }
  return out;
}

export const marshalWithSpaces = (v: unknown): string => addJSONSpaces(marshal(v));

/** fmt's %v of a JSON-decoded value (numbers are float64; maps print as map[k:v]). */
export function goV(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return formatFloat(v, 'g', -1);
  if (Array.isArray(v)) return `[${v.map(goV).join(' ')}]`;
  if (isObj(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goV(v[k])}`).join(' ')}]`;
  return String(v);
}

export type { ToolProperty };

/** json.Indent of compact JSON (what json.MarshalIndent writes): empty {} and [] stay closed. */
export function indentJSON(compact: string, indent: string, prefix = ''): string {
  let out = '';
  let depth = 0;
  let inStr = false;
  let esc = false;
  let needIndent = false;
  const newline = () => `\n${prefix}${indent.repeat(depth)}`;
  for (const c of compact) {
    if (inStr) {
      out += c;
      if (esc) esc = false;
      else if (c === '\\') esc = true;
      else if (c === '"') inStr = false;
      continue;
    }
    if (needIndent && c !== ']' && c !== '}') {
      needIndent = false;
      depth++;
      out += newline();
    }
    switch (c) {
      case '"': inStr = true; out += c; break;
      case '{': case '[': out += c; needIndent = true; break;
      case ',': out += c + newline(); break;
      case ':': out += ': '; break;
      case '}': case ']':
        if (needIndent) needIndent = false;
        else { depth--; out += newline(); }
        out += c;
        break;
      default: out += c;
    }
  }
  return out;
}

