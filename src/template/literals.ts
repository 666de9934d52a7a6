/** Go literal decoding: quoted strings, char constants and numbers as text/template reads them. */

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92,
};

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

/** Unquotes a Go interpreted string ("…"), raw string (`…`) or char ('…' → code point). */
export function unquote(quoted: string): string {
  const q = quoted[0];
  if (q === '`') return quoted.slice(1, -1).replace(/\r/g, '');
  if (q !== '"') throw new Error('invalid syntax');
  const bytes = decodeEscapes(quoted.slice(1, -1), '"');
  return decoder.decode(new Uint8Array(bytes));
}

/** Value of a Go char constant like 'a' or '\n'. */
export function unquoteChar(quoted: string): number {
  const body = quoted.slice(1, -1);
  if (body.length === 0) throw new Error('invalid syntax');
  if (body[0] !== '\\') {
    const cp = body.codePointAt(0) ?? 0;
    if (String.fromCodePoint(cp).length !== body.length) throw new Error('invalid syntax');
    return cp;
  }
  const bytes = decodeEscapes(body, "'");
  const text = decoder.decode(new Uint8Array(bytes));
  const cp = text.codePointAt(0);
  if (cp === undefined || String.fromCodePoint(cp).length !== text.length) {
    // \xHH and octal escapes are single bytes (their value is the rune).
    if (bytes.length === 1) return bytes[0] as number;
    throw new Error('invalid syntax');
  }
  return bytes.length === 1 ? (bytes[0] as number) : cp;
}

function decodeEscapes(body: string, quote: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < body.length; ) {
    const c = body[i] as string;
    if (c !== '\\') {
      const cp = body.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      if (ch === quote) throw new Error('invalid syntax');
      for (const b of encoder.encode(ch)) out.push(b);
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) throw new Error('invalid syntax');
    i += 2;
    if (Object.hasOwn(SIMPLE_ESCAPES, e)) {
      out.push(SIMPLE_ESCAPES[e] as number);
    } else if (e === quote) {
      out.push(quote.charCodeAt(0));
    } else if (e === 'x') {
      const h = body.slice(i, i + 2);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new Error('invalid syntax');
      out.push(parseInt(h, 16));
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const h = body.slice(i, i + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) throw new Error('invalid syntax');
      const cp = parseInt(h, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) throw new Error('invalid syntax');
      for (const b of encoder.encode(String.fromCodePoint(cp))) out.push(b);
      i += n;
    } else if (e >= '0' && e <= '7') {
      const o = body.slice(i - 1, i + 2);
      if (!/^[0-7]{3}$/.test(o)) throw new Error('invalid syntax');
      const v = parseInt(o, 8);
      if (v > 255) throw new Error('invalid syntax');
      out.push(v);
      i += 2;
    } else {
      throw new Error('invalid syntax');
    }
  }
  return out;
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/**
 * Parses a Go number literal. Integers (no `.`, `e` or `p`, or hex without `p`) become
 * a bigint (Go int); others a float64 number. Throws with Go-like messages.
 */
export function parseNumber(text: string): bigint | number {
  let s = text;
  let neg = false;
  if (s.startsWith('+') || s.startsWith('-')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s.endsWith('i')) throw new Error(`complex number ${text} is not supported`);
  if (s.includes('__') || s.startsWith('_') || s.endsWith('_')) throw new Error(`illegal number syntax: ${JSON.stringify(text)}`);
  const clean = s.replace(/_/g, '');
  const lower = clean.toLowerCase();
  const isHex = lower.startsWith('0x');
  const isFloat = isHex ? lower.includes('p') : /[.e]/.test(lower);
  if (!isFloat) {
    let v: bigint;
    try {
      if (isHex || lower.startsWith('0o') || lower.startsWith('0b')) v = BigInt(lower);
      else if (/^0[0-7]+$/.test(lower)) v = BigInt(`0o${lower.slice(1)}`);
      else if (/^[0-9]+$/.test(lower)) v = BigInt(lower);
      else throw new Error('bad');
    } catch {
      throw new Error(`illegal number syntax: ${JSON.stringify(text)}`);
    }
    if (neg) v = -v;
    if (v > INT64_MAX || v < INT64_MIN) throw new Error(`${text} overflows int`);
    return v;
  }
  if (isHex) throw new Error(`hexadecimal float ${text} is not supported`);
  if (!/^([0-9]+\.?[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?$/.test(lower)) {
    throw new Error(`illegal number syntax: ${JSON.stringify(text)}`);
  }
  const f = Number(lower);
  if (!Number.isFinite(f)) throw new Error(`illegal number syntax: ${JSON.stringify(text)}`);
  return neg ? -f : f;
}
