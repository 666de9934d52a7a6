/** Built-in functions of text/template plus Ollama's json, currentDate, yesterdayDate, toTypeScriptType. */
import { goJSON } from './json.js';
import { formatValue, sprint, sprintf, sprintln } from './printing.js';
import {
  GoMap, GoSlice, GoStruct, isPlainObject, isTrue, kindOf, length, mapGet, sliceItems, typeName,
  utf8Bytes, utf8Decode,
} from './values.js';

/** An error a function returns; the evaluator reports it as `error calling NAME: MSG`. */
export class FuncError extends Error {}

export interface FuncEnv {
  now(): Date;
}

/** Parameter kinds: 'any' (interface{}, nil allowed), 'string' (must be a string). */
export type ParamKind = 'any' | 'string';

export interface FuncSpec {
  params: ParamKind[];
  variadic?: ParamKind;
  call(args: unknown[], env: FuncEnv): unknown;
}

type BasicKind = 'bool' | 'int' | 'float' | 'string' | 'nil' | 'other';

function basicKind(v: unknown): BasicKind {
  const k = kindOf(v);
  if (k === 'bool' || k === 'int' || k === 'float' || k === 'string' || k === 'nil') return k;
  return 'other';
}

function isComparable(v: unknown): boolean {
  const k = kindOf(v);
  return k !== 'slice' && k !== 'map' && k !== 'func';
}

export function eq(a: unknown, rest: unknown[]): boolean {
  if (rest.length === 0) throw new FuncError('missing argument for comparison');
  const k1 = basicKind(a);
  for (const b of rest) {
    const k2 = basicKind(b);
    let truth = false;
    if (k1 !== k2) {
      if (k1 !== 'nil' && k2 !== 'nil') throw new FuncError('incompatible types for comparison');
    } else if (k1 === 'nil') {
      truth = true;
    } else if (k1 === 'other') {
      if (typeName(a) !== typeName(b)) {
        throw new FuncError(`non-comparable types ${formatValue(a)}: ${typeName(a)}, ${typeName(b)}: ${formatValue(b)}`);
      }
      if (!isComparable(b)) throw new FuncError(`non-comparable type ${formatValue(b)}: ${typeName(b)}`);
      truth = a === b;
    } else {
      truth = a === b;
    }
    if (truth) return true;
  }
  return false;
}

export function lt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'bool' || k1 === 'nil' || k1 === 'other' || k2 === 'bool' || k2 === 'nil' || k2 === 'other') {
    throw new FuncError('invalid type for comparison');
  }
  if (k1 !== k2) throw new FuncError('incompatible types for comparison');
  if (k1 === 'string') return compareBytes(a as string, b as string) < 0;
  return (a as number) < (b as number);
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function toIndex(v: unknown, cap: number): number {
  const k = kindOf(v);
  if (k === 'nil') throw new FuncError('cannot index slice/array with nil');
  if (k !== 'int') throw new FuncError(`cannot index slice/array with type ${typeName(v)}`);
  const x = v as bigint;
  if (x < 0n || x > BigInt(cap)) throw new FuncError(`index out of range: ${x}`);
  return Number(x);
}

export function index(item: unknown, indexes: unknown[]): unknown {
  if (item === null || item === undefined) throw new FuncError('index of untyped nil');
  let cur: unknown = item;
  for (const ix of indexes) {
    if (cur === null || cur === undefined) throw new FuncError('index of nil pointer');
    if (typeof cur === 'string') {
      const bytes = utf8Bytes(cur);
      const x = toIndex(ix, bytes.length);
      if (x === bytes.length) throw new FuncError(`index out of range: ${x}`);
      cur = BigInt(bytes[x] as number);
    } else if (kindOf(cur) === 'slice') {
      const items = sliceItems(cur);
      const x = toIndex(ix, items.length);
      if (x === items.length) throw new FuncError(`index out of range: ${x}`);
      cur = items[x];
    } else if (cur instanceof GoMap || isPlainObject(cur)) {
      if (typeof ix !== 'string') {
        if (ix === null || ix === undefined) throw new FuncError('value is nil; should be of type string');
        throw new FuncError(`value has type ${typeName(ix)}; should be string`);
      }
      cur = mapGet(cur, ix).value;
    } else {
      throw new FuncError(`can't index item of type ${typeName(cur)}`);
    }
  }
  return cur;
}

export function slice(item: unknown, indexes: unknown[]): unknown {
  if (item === null || item === undefined) throw new FuncError('slice of untyped nil');
  if (indexes.length > 3) throw new FuncError(`too many slice indexes: ${indexes.length}`);
  let len: number;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new FuncError('cannot 3-index slice a string');
    len = utf8Bytes(item).length;
  } else if (kindOf(item) === 'slice') {
    len = item instanceof Uint8Array ? item.length : sliceItems(item).length;
  } else {
    throw new FuncError(`can't slice item of type ${typeName(item)}`);
  }
  const idx = [0, len, len];
  indexes.forEach((ix, i) => {
    idx[i] = toIndex(ix, len);
  });
  const [i, j, k] = idx as [number, number, number];
  if (i > j) throw new FuncError(`invalid slice index: ${i} > ${j}`);
  if (indexes.length === 3 && j > k) throw new FuncError(`invalid slice index: ${j} > ${k}`);
  if (typeof item === 'string') return utf8Decode(utf8Bytes(item).subarray(i, j));
  if (item instanceof Uint8Array) return item.subarray(i, j);
  if (item instanceof GoSlice) return item.withItems((item.items ?? []).slice(i, j));
  return (item as unknown[]).slice(i, j);
}

function lengthOf(v: unknown): bigint {
  if (v === null || v === undefined) throw new FuncError('len of nil pointer');
  const n = length(v);
  if (n < 0) throw new FuncError(`len of type ${typeName(v)}`);
  return BigInt(n);
}

/** text/template evalArgs: the lone string argument, or Sprint of all. */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args);
}

export function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => {
    switch (c) {
      case '\0': return '\uFFFD';
      case '"': return '&#34;';
      case "'": return '&#39;';
      case '&': return '&amp;';
      case '<': return '&lt;';
      default: return '&gt;';
    }
  });
}

export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '\\': out += '\\\\'; continue;
      case "'": out += "\\'"; continue;
      case '"': out += '\\"'; continue;
      case '<': out += '\\u003C'; continue;
      case '>': out += '\\u003E'; continue;
      case '&': out += '\\u0026'; continue;
      case '=': out += '\\u003D'; continue;
      default: break;
    }
    if (cp < 0x20) out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    else if (cp < 0x80 || /[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]/u.test(ch)) out += ch;
    else out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

export function queryEscape(s: string): string {
  let out = '';
  for (const b of utf8Bytes(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function ymd(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

const TS_TYPES: Record<string, string> = {
  string: 'string', number: 'number', integer: 'number', boolean: 'boolean',
  array: 'any[]', object: 'Record<string, any>', null: 'null',
};

/** Ollama's ToolProperty.ToTypeScriptType; any other value gives "any". */
export function toTypeScriptType(v: unknown): string {
  if (!(v instanceof GoStruct) || !v.typeName.endsWith('ToolProperty')) return 'any';
  const anyOf = sliceItems(v.get('AnyOf'));
  if (anyOf.length > 0) return anyOf.map(toTypeScriptType).join(' | ');
  const types = sliceItems(v.get('Type'));
  if (types.length === 0) return 'any';
  return types.map((t) => (typeof t === 'string' && Object.hasOwn(TS_TYPES, t) ? TS_TYPES[t] : 'any')).join(' | ');
}

/** The function table (names are checked at parse time; `and`/`or` are special-cased in exec). */
export const FUNCS: ReadonlyMap<string, FuncSpec> = new Map<string, FuncSpec>([
  ['and', { params: ['any'], variadic: 'any', call: (a) => a[a.length - 1] }],
  ['or', { params: ['any'], variadic: 'any', call: (a) => a[a.length - 1] }],
  ['not', { params: ['any'], call: ([a]) => !isTrue(a) }],
  ['len', { params: ['any'], call: ([a]) => lengthOf(a) }],
  ['index', { params: ['any'], variadic: 'any', call: ([a, ...rest]) => index(a, rest) }],
  ['slice', { params: ['any'], variadic: 'any', call: ([a, ...rest]) => slice(a, rest) }],
  ['print', { params: [], variadic: 'any', call: (a) => sprint(a) }],
  ['println', { params: [], variadic: 'any', call: (a) => sprintln(a) }],
  ['printf', { params: ['string'], variadic: 'any', call: ([f, ...rest]) => sprintf(f as string, rest) }],
  ['html', { params: [], variadic: 'any', call: (a) => htmlEscape(evalArgs(a)) }],
  ['js', { params: [], variadic: 'any', call: (a) => jsEscape(evalArgs(a)) }],
  ['urlquery', { params: [], variadic: 'any', call: (a) => queryEscape(evalArgs(a)) }],
  ['call', {
    params: ['any'], variadic: 'any',
    call: ([fn]) => {
      if (fn === null || fn === undefined) throw new FuncError('call of nil');
      throw new FuncError(`non-function of type ${typeName(fn)}`);
    },
  }],
  ['eq', { params: ['any'], variadic: 'any', call: ([a, ...rest]) => eq(a, rest) }],
  ['ne', { params: ['any', 'any'], call: ([a, b]) => !eq(a, [b]) }],
  ['lt', { params: ['any', 'any'], call: ([a, b]) => lt(a, b) }],
  ['le', { params: ['any', 'any'], call: ([a, b]) => lt(a, b) || eq(a, [b]) }],
  ['gt', { params: ['any', 'any'], call: ([a, b]) => !(lt(a, b) || eq(a, [b])) }],
  ['ge', { params: ['any', 'any'], call: ([a, b]) => !lt(a, b) }],
  // Ollama's functions.
  ['json', { params: ['any'], call: ([a]) => goJSON(a) }],
  ['currentDate', { params: [], variadic: 'string', call: (_a, env) => ymd(env.now()) }],
  ['yesterdayDate', {
    params: [], variadic: 'string',
    call: (_a, env) => {
      const d = env.now();
      return ymd(new Date(d.getFullYear(), d.getMonth(), d.getDate() - 1, 12));
    },
  }],
  ['toTypeScriptType', { params: ['any'], call: ([a]) => toTypeScriptType(a) }],
]);

export const FUNC_NAMES: ReadonlySet<string> = new Set(FUNCS.keys());
