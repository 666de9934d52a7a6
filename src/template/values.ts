/**
 * The value model the engine works on, standing in for Go's reflect kinds:
 *
 *   null / undefined      nil interface (prints `<no value>` in an action, `<nil>` elsewhere)
 *   string, boolean       string, bool
 *   number                float64 (every number that comes from JSON data)
 *   bigint                int (literals, len, range indexes, ToolCall index)
 *   unknown[]             []interface {}
 *   Uint8Array            []byte
 *   plain object          map[string]interface {} (own enumerable keys only, sorted by bytes)
 *   GoStruct / GoMap / GoSlice   typed Go values, optionally with String() and a JSON form
 *
 * Only own properties of plain objects are ever read: no prototype walking.
 */

export interface GoHooks<T> {
  /** Go's String() method: used by fmt at any depth. */
  string?: (self: T) => string;
  /** Go's MarshalJSON / json tags: returns a value for the JSON encoder (see json.ts). */
  json?: (self: T) => unknown;
}

/** A Go struct: ordered fields; an unknown field is an execution error. */
export class GoStruct {
  private readonly index: Map<string, unknown>;
  constructor(
    readonly typeName: string,
    readonly fields: ReadonlyArray<readonly [string, unknown]>,
    readonly hooks: GoHooks<GoStruct> = {},
  ) {
    this.index = new Map(fields);
  }
  has(name: string): boolean {
    return this.index.has(name);
  }
  get(name: string): unknown {
    return this.index.get(name);
  }
}

/** A named Go map type (map[string]X), possibly nil, possibly with String(). */
export class GoMap {
  readonly entries: Readonly<Record<string, unknown>> | null;
  constructor(
    readonly typeName: string,
    entries: Record<string, unknown> | null,
    readonly hooks: GoHooks<GoMap> = {},
    /** Zero value of the element type (returned for missing keys). */
    readonly zero: unknown = null,
  ) {
    this.entries = entries;
  }
}

/** A named Go slice type, possibly nil, possibly with String(). */
export class GoSlice {
  constructor(
    readonly typeName: string,
    readonly items: readonly unknown[] | null,
    readonly hooks: GoHooks<GoSlice> = {},
  ) {}
  withItems(items: readonly unknown[]): GoSlice {
    return new GoSlice(this.typeName, items, this.hooks);
  }
}

export type Kind = 'nil' | 'string' | 'bool' | 'int' | 'float' | 'slice' | 'map' | 'struct' | 'func' | 'other';

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'nil';
  switch (typeof v) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'number': return 'float';
    case 'bigint': return 'int';
    case 'function': return 'func';
    default: break;
  }
  if (Array.isArray(v) || v instanceof Uint8Array || v instanceof GoSlice) return 'slice';
  if (v instanceof GoMap || isPlainObject(v)) return 'map';
  if (v instanceof GoStruct) return 'struct';
  return 'other';
}

/** Elements of a slice value (empty for nil). */
export function sliceItems(v: unknown): readonly unknown[] {
  if (Array.isArray(v)) return v;
  if (v instanceof Uint8Array) return Array.from(v, (b) => BigInt(b));
  if (v instanceof GoSlice) return v.items ?? [];
  return [];
}

export function isNilCollection(v: unknown): boolean {
  return (v instanceof GoSlice && v.items === null) || (v instanceof GoMap && v.entries === null);
}

function mapEntries(v: GoMap | Record<string, unknown>): Readonly<Record<string, unknown>> {
  return v instanceof GoMap ? v.entries ?? {} : v;
}

/** Keys of a map value in Go's order (sorted by UTF-8 bytes). */
export function mapKeys(v: GoMap | Record<string, unknown>): string[] {
  return Object.keys(mapEntries(v)).sort(compareStrings);
}

/** Looks a key up in a map value: own properties only. */
export function mapGet(v: GoMap | Record<string, unknown>, key: string): { found: boolean; value: unknown } {
  const e = mapEntries(v);
  if (Object.hasOwn(e, key)) return { found: true, value: e[key] };
  return { found: false, value: v instanceof GoMap ? v.zero : null };
}

export function length(v: unknown): number {
  if (typeof v === 'string') return utf8Length(v);
  if (kindOf(v) === 'slice') return v instanceof Uint8Array ? v.length : sliceItems(v).length;
  if (v instanceof GoMap || isPlainObject(v)) return Object.keys(mapEntries(v)).length;
  return -1;
}

/** Go truthiness (text/template isTrue). */
export function isTrue(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'nil': return false;
    case 'string': return (v as string).length > 0;
    case 'bool': return v as boolean;
    case 'int': return (v as bigint) !== 0n;
    case 'float': return (v as number) !== 0;
    case 'slice':
    case 'map': return length(v) > 0;
    default: return true;
  }
}

/** Go type name for error messages. */
export function typeName(v: unknown): string {
  if (v instanceof GoStruct || v instanceof GoMap || v instanceof GoSlice) return v.typeName;
  switch (kindOf(v)) {
    case 'nil': return 'interface {}';
    case 'string': return 'string';
    case 'bool': return 'bool';
    case 'int': return 'int';
    case 'float': return 'float64';
    case 'slice': return v instanceof Uint8Array ? '[]uint8' : '[]interface {}';
    case 'map': return 'map[string]interface {}';
    case 'func': return 'func';
    default: return 'interface {}';
  }
}

const utf8 = new TextEncoder();
const utf8dec = new TextDecoder('utf-8');

export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
export function utf8Bytes(s: string): Uint8Array {
  return utf8.encode(s);
}
export function utf8Decode(b: Uint8Array): string {
  return utf8dec.decode(b);
}

/** Compares strings by Unicode code point, i.e. by their UTF-8 bytes, as Go sorts. */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1; // surrogates encode code points above every BMP unit
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
