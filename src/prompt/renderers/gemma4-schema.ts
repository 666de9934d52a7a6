/**
 * Gemma 4's tool declarations and values: `<|tool>declaration:name{description:…,parameters:{…}}`
 * with `<|"|>`-quoted strings, upper-case type names and sorted keys, as Ollama's Gemma4Renderer
 * writes them (including its quirks: a multi-type property's type is the text `['STRING', 'NULL']`,
 * an object without `properties` lists its own non-schema keys).
 */
import type { Tool } from '../../api/types.js';
import { compareStrings } from '../../template/values.js';
import { goV } from './gojson.js';
import { goToUpper } from './gostrings.js';

export const Q = '<|"|>';

type GoMap = Record<string, unknown>;
const isMap = (v: unknown): v is GoMap => typeof v === 'object' && v !== null && !Array.isArray(v);
const sortedKeys = (o: GoMap): string[] => Object.keys(o).sort(compareStrings);

/** The fields of api.ToolProperty a JSON object decodes into (other keys are dropped). */
interface GoProp {
  anyOf: GoProp[];
  type: string[];
  items: unknown;
  description: string;
  enum: unknown[];
  properties: Record<string, GoProp> | null;
  required: string[];
}

function goProp(v: unknown): GoProp {
  const o = isMap(v) ? v : {};
  const type = typeof o.type === 'string' ? [o.type] : Array.isArray(o.type) ? o.type.filter((t): t is string => typeof t === 'string') : [];
  return {
    anyOf: Array.isArray(o.anyOf) ? o.anyOf.map(goProp) : [],
    type,
    items: o.items ?? null,
    description: typeof o.description === 'string' ? o.description : '',
    enum: Array.isArray(o.enum) ? o.enum : [],
    properties: isMap(o.properties) ? goProps(o.properties) : null,
    required: Array.isArray(o.required) ? o.required.filter((r): r is string => typeof r === 'string') : [],
  };
}

function goProps(o: GoMap): Record<string, GoProp> {
  const out: Record<string, GoProp> = {};
  for (const [k, v] of Object.entries(o)) out[k] = goProp(v);
  return out;
}

/** A float64 as Ollama prints it: integral values in range with %d, others with %v. */
export function formatNumber(v: number): string {
  if (Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63) return BigInt(v).toString();
  return goV(v);
}

/** A tool-call argument (keys unquoted). */
export function formatArgValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return Q + v + Q;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return formatNumber(v);
  if (Array.isArray(v)) return `[${v.map(formatArgValue).join(',')}]`;
  if (isMap(v)) return `{${sortedKeys(v).map((k) => `${k}:${formatArgValue(v[k])}`).join(',')}}`;
  return goV(v);
}

/** A schema value inside `items` (map keys quoted). */
function formatSchemaValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return Q + v + Q;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return formatNumber(v);
  if (Array.isArray(v)) return `[${v.map(formatSchemaValue).join(',')}]`;
  if (isMap(v)) return `{${sortedKeys(v).map((k) => `${Q}${k}${Q}:${formatSchemaValue(v[k])}`).join(',')}}`;
  return goV(v);
}

function typeNames(v: unknown): string[] {
  if (typeof v === 'string') return [goToUpper(v)];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string').map(goToUpper);
  return [];
}

const stringSlice = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const quotedList = (xs: readonly unknown[]): string => xs.map((x) => Q + (typeof x === 'string' ? x : goV(x)) + Q).join(',');

/** A union of bare `{type: …}` branches, flattened (Gemma has no anyOf). */
function simpleAnyOfTypes(p: GoProp): string[] | null {
  if (p.anyOf.length === 0) return null;
  const out: string[] = [];
  for (const b of p.anyOf) {
    const bare = b.anyOf.length === 0 && b.type.length > 0 && b.items === null && b.description === '' && b.enum.length === 0 && b.properties === null && b.required.length === 0;
    if (!bare) return null;
    for (const t of b.type) if (!out.includes(t)) out.push(t);
  }
  return out.length > 0 ? out : null;
}

/** One type as given; several as the text `['A', 'B']` (what the upstream template prints). */
const typedUnion = (types: string[]): string => (types.length === 1 ? types[0]! : `[${types.map((t) => `'${goToUpper(t)}'`).join(', ')}]`);

function typedSchema(p: GoProp): GoMap {
  const out: GoMap = {};
  if (p.type.length > 0) out.type = typedUnion(p.type);
  else {
    const u = simpleAnyOfTypes(p);
    if (u) out.type = typedUnion(u);
  }
  if (p.description !== '') out.description = p.description;
  if (p.enum.length > 0) out.enum = p.enum;
  if (p.items !== null) out.items = p.items;
  if (p.properties !== null) out.properties = typedProperties(p.properties);
  if (p.required.length > 0) out.required = p.required;
  return out;
}

function typedProperties(props: Record<string, GoProp>): GoMap {
  const out: GoMap = {};
  for (const [k, v] of Object.entries(props)) out[k] = typedSchema(v);
  return out;
}

const STANDARD_KEYS = new Set(['description', 'type', 'properties', 'required', 'nullable']);

function schemaProperties(props: GoMap): string {
  const parts: string[] = [];
  for (const name of sortedKeys(props)) {
    if (STANDARD_KEYS.has(name)) continue;
    const prop = props[name];
    if (!isMap(prop)) continue;
    const fields: string[] = [];
    if (typeof prop.description === 'string' && prop.description !== '') fields.push(`description:${Q}${prop.description}${Q}`);
    const types = typeNames(prop.type);
    const typeName = types[0] ?? '';
    if (typeName === 'STRING') {
      const values = Array.isArray(prop.enum) ? prop.enum : [];
      if (values.length > 0) fields.push(`enum:[${quotedList(values)}]`);
    } else if (typeName === 'ARRAY') {
      if (isMap(prop.items) && Object.keys(prop.items).length > 0) fields.push(`items:{${itemsSpec(prop.items)}}`);
    }
    if (prop.nullable === true) fields.push('nullable:true');
    if (typeName === 'OBJECT') {
      fields.push(`properties:{${schemaProperties(isMap(prop.properties) ? prop.properties : prop)}}`);
      const required = stringSlice(prop.required);
      if (required.length > 0) fields.push(`required:[${quotedList(required)}]`);
    }
    if (types.length === 1) fields.push(`type:${Q}${types[0]}${Q}`);
    else if (types.length > 1) fields.push(`type:[${quotedList(types)}]`);
    parts.push(`${name}:{${fields.join(',')}}`);
  }
  return parts.join(',');
}

/** An array's `items`, every key in order (a `type` that names nothing still leaves its comma). */
function itemsSpec(items: GoMap): string {
  let sb = '';
  let first = true;
  for (const key of sortedKeys(items)) {
    const value = items[key];
    if (value === null || value === undefined) continue;
    if (!first) sb += ',';
    first = false;
    if (key === 'properties') sb += `properties:{${isMap(value) ? schemaProperties(value) : ''}}`;
    else if (key === 'required') sb += `required:[${quotedList(stringSlice(value))}]`;
    else if (key === 'type') {
      const t = typeNames(value);
      if (t.length === 1) sb += `type:${Q}${t[0]}${Q}`;
      else if (t.length > 1) sb += `type:[${quotedList(t)}]`;
    } else sb += `${key}:${formatSchemaValue(value)}`;
  }
  return sb;
}

/** `<|tool>declaration:…<tool|>` for one tool. */
export function toolDeclaration(tool: Tool): string {
  const fn = (isMap(tool.function) ? tool.function : {}) as GoMap;
  const params = isMap(fn.parameters) ? fn.parameters : {};
  const name = typeof fn.name === 'string' ? fn.name : '';
  const description = typeof fn.description === 'string' ? fn.description : '';
  let sb = `<|tool>declaration:${name}{description:${Q}${description}${Q}`;
  const props = isMap(params.properties) ? goProps(params.properties) : null;
  const type = typeof params.type === 'string' ? params.type : '';
  if (props !== null || type !== '') {
    const parts: string[] = [];
    if (props !== null && Object.keys(props).length > 0) parts.push(`properties:{${schemaProperties(typedProperties(props))}}`);
    const required = stringSlice(params.required);
    if (required.length > 0) parts.push(`required:[${quotedList(required)}]`);
    if (type !== '') parts.push(`type:${Q}${goToUpper(type)}${Q}`);
    sb += `,parameters:{${parts.join(',')}}`;
  }
  return `${sb}}<tool|>`;
}
