/** Go encoding/json Marshal, as Ollama's `json` function and Stringer types produce it. */
import { GoMap, GoSlice, GoStruct, isPlainObject, mapKeys } from './values.js';

/** A JSON object whose keys keep the given order (Go structs, ordered maps). */
export class JSONObject {
  constructor(readonly entries: ReadonlyArray<readonly [string, unknown]>) {}
}

/**
 * Values nested deeper than this are encoded by `goJSONDeep`, which keeps its own stack: Go's
 * json.Marshal has no depth limit (tool arguments may nest 10,000 levels), the JavaScript stack
 * does. Everyday values take the plain recursive path.
 */
const RECURSIVE_DEPTH = 200;

/** Encodes a value the way Go's json.Marshal does (HTML-safe escaping, sorted map keys). */
export function goJSON(v: unknown, depth = 0): string {
  if (depth > RECURSIVE_DEPTH) return goJSONDeep(v);
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string': return jsonString(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'bigint': return v.toString();
    case 'number': return jsonNumber(v);
    default: break;
  }
  if (v instanceof GoStruct || v instanceof GoMap || v instanceof GoSlice) {
    if (v.hooks.json) return goJSON((v.hooks.json as (x: typeof v) => unknown)(v), depth + 1);
    if (v instanceof GoStruct) return goJSON(new JSONObject(v.fields), depth + 1);
    if (v instanceof GoMap) return v.entries === null ? 'null' : goJSON(v.entries, depth + 1);
    return v.items === null ? 'null' : goJSON(v.items, depth + 1);
  }
  if (v instanceof JSONObject) {
    return `{${v.entries.map(([k, x]) => `${jsonString(k)}:${goJSON(x, depth + 1)}`).join(',')}}`;
  }
  if (v instanceof Uint8Array) return `"${Buffer.from(v).toString('base64')}"`;
  if (Array.isArray(v)) return `[${v.map((x) => goJSON(x, depth + 1)).join(',')}]`;
  if (isPlainObject(v)) {
    return `{${mapKeys(v).map((k) => `${jsonString(k)}:${goJSON(v[k], depth + 1)}`).join(',')}}`;
  }
  return 'null';
}

/** An open container of goJSONDeep: an array's items, or an object's values and quoted keys. */
interface Frame {
  node: object;
  items: readonly unknown[];
  keys: string[] | undefined;
  next: number;
}

/** `goJSON` for any depth, without recursion (open containers on an explicit stack). */
function goJSONDeep(root: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  const path = new Set<object>();
  let v = root;
  for (;;) {
    // typed Go values stand for the value they encode as
    while (v instanceof GoStruct || v instanceof GoMap || v instanceof GoSlice) {
      if (v.hooks.json) v = (v.hooks.json as (x: typeof v) => unknown)(v);
      else if (v instanceof GoStruct) v = new JSONObject(v.fields);
      else if (v instanceof GoMap) v = v.entries;
      else v = v.items;
    }
    let frame: Frame | undefined;
    if (v === null || v === undefined) out.push('null');
    else if (typeof v === 'string') out.push(jsonString(v));
    else if (typeof v === 'boolean') out.push(v ? 'true' : 'false');
    else if (typeof v === 'bigint') out.push(v.toString());
    else if (typeof v === 'number') out.push(jsonNumber(v));
    else if (v instanceof Uint8Array) out.push(`"${Buffer.from(v).toString('base64')}"`);
    else if (v instanceof JSONObject) frame = { node: v, items: v.entries.map(([, x]) => x), keys: v.entries.map(([k]) => jsonString(k)), next: 0 };
    else if (Array.isArray(v)) frame = { node: v, items: v, keys: undefined, next: 0 };
    else if (isPlainObject(v)) {
      const o = v;
      const keys = mapKeys(o);
      frame = { node: o, items: keys.map((k) => o[k]), keys: keys.map(jsonString), next: 0 };
    } else out.push('null');
    if (frame) {
      if (path.has(frame.node)) throw new Error('json: unsupported value: encountered a cycle');
      path.add(frame.node);
      out.push(frame.keys ? '{' : '[');
      stack.push(frame);
    }
    // move to the next value to write, closing finished containers
    let top = stack[stack.length - 1];
    while (top && top.next === top.items.length) {
      out.push(top.keys ? '}' : ']');
      path.delete(top.node);
      stack.pop();
      top = stack[stack.length - 1];
    }
    if (!top) return out.join('');
    const sep = top.next > 0 ? ',' : '';
    out.push(top.keys ? `${sep}${top.keys[top.next]!}:` : sep);
    v = top.items[top.next++];
  }
}

/** Float64 the way encoding/json writes it: ES number formatting with Go's exponent cleanup. */
export function jsonNumber(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`json: unsupported value: ${x}`);
  if (Object.is(x, -0)) return '-0';
  return String(x);
}

/** A JSON string with Go's escaping: <, >, &, U+2028, U+2029 as \uXXXX; invalid UTF-16 as U+FFFD. */
export function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c && c !== 0x3c && c !== 0x3e && c !== 0x26 && c < 0x2028) {
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = s.charCodeAt(i + 1);
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          out += s[i] + s[i + 1];
          i++;
        } else {
          out += '\\ufffd';
        }
        continue;
      }
      out += s[i];
      continue;
    }
    switch (c) {
      case 0x22: out += '\\"'; break;
      case 0x5c: out += '\\\\'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      case 0x08: out += '\\b'; break;
      case 0x0c: out += '\\f'; break;
      default:
        if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
          out += `\\u${c.toString(16).padStart(4, '0')}`;
        } else if (c >= 0xd800 && c <= 0xdfff) {
          const next = s.charCodeAt(i + 1);
          if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
            out += s[i] + s[i + 1];
            i++;
          } else {
            out += '\\ufffd';
          }
        } else {
          out += s[i];
        }
    }
  }
  return `${out}"`;
}
