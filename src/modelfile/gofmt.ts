/**
 * The few pieces of Go's fmt/strconv output that Ollama's text formats expose: `%v` of a
 * float64 (strconv 'g', shortest) and `%q`/`%#v` of a string (strconv.Quote).
 */

const PRINTABLE_RE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's strconv.IsPrint for one code point. */
export function goIsPrint(c: string): boolean {
  const code = c.codePointAt(0)!;
  if (code >= 0x20 && code <= 0x7e) return true;
  if (code < 0x80) return false;
  return PRINTABLE_RE.test(c);
}

/**
 * Go's `%v` (and `%g`, `%#v`) of a float64: the shortest digits that read back, in %e form when
 * the exponent is < -4 or >= 6 (`1e+06`, `1.048576e+06`, `1e-05`), else plain (`3900`, `0.95`).
 */
export function goFormatFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const neg = x < 0;
  const [mant, expStr] = Math.abs(x).toExponential().split('e');
  const exp = Number(expStr);
  const digits = mant!.replace('.', '');
  let out: string;
  if (exp < -4 || exp >= 6) {
    const m = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    const e = Math.abs(exp);
    out = `${m}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' + e : String(e)}`;
  } else if (exp < 0) {
    out = '0.' + '0'.repeat(-exp - 1) + digits;
  } else if (digits.length <= exp + 1) {
    out = digits + '0'.repeat(exp + 1 - digits.length);
  } else {
    out = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  }
  return neg ? '-' + out : out;
}

const ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** Go's strconv.Quote (`%q`, and `%#v` of a string). */
export function goQuote(s: string): string {
  let out = '"';
  for (const c of s) {
    const esc = ESCAPES[c];
    if (esc !== undefined) {
      out += esc;
      continue;
    }
    const code = c.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += '\\ufffd'; // a lone surrogate: not valid text
    } else if (goIsPrint(c)) {
      out += c;
    } else if (code < 0x20 || code === 0x7f) {
      out += '\\x' + code.toString(16).padStart(2, '0');
    } else if (code < 0x10000) {
      out += '\\u' + code.toString(16).padStart(4, '0');
    } else {
      out += '\\U' + code.toString(16).padStart(8, '0');
    }
  }
  return out + '"';
}
