/**
 * JSON encoding as Go's encoding/json writes it, for byte-compatible responses:
 * `<`, `>`, `&`, U+2028 and U+2029 are escaped as `\u003c`-style sequences, float64 numbers are
 * written as JavaScript writes them (Go uses the same ES6 algorithm), and Float32Array values are
 * written with the shortest decimal that round-trips through float32 (Go's `[]float32`).
 */

const ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

function escapeHtml(s: string): string {
  return s.replace(/[<>&\u2028\u2029]/g, (c) => ESCAPES[c]!);
}

/** A JSON string literal as Go writes it. */
export function goString(s: string): string {
  return escapeHtml(JSON.stringify(s));
}

/** A float64 as Go writes it (NaN/±Inf are not representable; written as null). */
export function goFloat64(x: number): string {
  return Number.isFinite(x) ? String(x) : 'null';
}

/** A float32 value as Go writes it: the shortest decimal that parses back to the same float32. */
export function goFloat32(x: number): string {
  if (!Number.isFinite(x)) return 'null';
  const f = Math.fround(x);
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return String(candidate);
  }
  return String(f);
}

/** Serialises `value` like Go's json.Marshal (undefined object fields are skipped). */
export function goJSON(value: unknown): string {
  return encode(value) ?? 'null';
}

function encode(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return goString(v);
    case 'number':
      return goFloat64(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (v === null) return 'null';
  if (v instanceof Float32Array) return '[' + Array.from(v, goFloat32).join(',') + ']';
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    return '[' + Array.from(v as unknown as ArrayLike<number | bigint>, (n) => encode(n) ?? 'null').join(',') + ']';
  }
  if (Array.isArray(v)) return '[' + v.map((item) => encode(item) ?? 'null').join(',') + ']';
  const withToJSON = v as { toJSON?: () => unknown };
  if (typeof withToJSON.toJSON === 'function') return encode(withToJSON.toJSON());
  const parts: string[] = [];
  for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
    const enc = encode(item);
    if (enc !== undefined) parts.push(goString(k) + ':' + enc);
  }
  return '{' + parts.join(',') + '}';
}
