/**
 * Go's time.Duration, as Ollama uses it: `time.ParseDuration`, `Duration.String()`, and the
 * `keep_alive` rules of the REST API and of `OLLAMA_KEEP_ALIVE`.
 *
 * A duration is a bigint count of nanoseconds (Go's int64), so every value Go can hold,
 * including "forever" (math.MaxInt64), is exact. `durationToMs` turns one into a number of
 * milliseconds for timers (Infinity for forever).
 */

/** Go's math.MaxInt64 nanoseconds: what Ollama uses for "keep loaded forever". */
export const MAX_DURATION = 9223372036854775807n;

export const NANOSECOND = 1n;
export const MICROSECOND = 1000n;
export const MILLISECOND = 1000000n;
export const SECOND = 1000000000n;
export const MINUTE = 60n * SECOND;
export const HOUR = 60n * MINUTE;

/** Default keep-alive when neither the request nor OLLAMA_KEEP_ALIVE sets one. */
export const DEFAULT_KEEP_ALIVE = 5n * MINUTE;

/** A malformed duration or keep_alive value. The message is Go's, word for word. */
export class DurationError extends Error {
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = 'DurationError';
  }
}

const UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', NANOSECOND],
  ['us', MICROSECOND],
  ['\u00b5s', MICROSECOND], // U+00B5 micro sign
  ['\u03bcs', MICROSECOND], // U+03BC Greek mu
  ['ms', MILLISECOND],
  ['s', SECOND],
  ['m', MINUTE],
  ['h', HOUR],
]);

const TWO_63 = 1n << 63n;

/** The time package's own quoting for error messages: ASCII kept, `"` and `\` escaped, other bytes as \xNN. */
function goTimeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x80 || c < 0x20) {
      for (const byte of Buffer.from(ch, 'utf8')) out += '\\x' + byte.toString(16).padStart(2, '0');
    } else {
      if (ch === '"' || ch === '\\') out += '\\';
      out += ch;
    }
  }
  return out + '"';
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/**
 * Go's time.ParseDuration: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, units ns, us/µs, ms, s, m, h.
 * Returns nanoseconds; throws DurationError with Go's message (`time: invalid duration "x"`,
 * `time: missing unit in duration "300"`, `time: unknown unit "d" in duration "1d"`).
 */
export function parseDuration(orig: string): bigint {
  const invalid = () => new DurationError('time: invalid duration ' + goTimeQuote(orig));
  let s = orig;
  let d = 0n;
  let neg = false;
  if (s !== '') {
    const c = s[0];
    if (c === '-' || c === '+') {
      neg = c === '-';
      s = s.slice(1);
    }
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  while (s !== '') {
    let v = 0n;
    let f = 0n;
    let scale = 1;
    if (!(s[0] === '.' || isDigit(s[0]))) throw invalid();
    // leading integer
    let i = 0;
    while (i < s.length && isDigit(s[i])) {
      if (v > (TWO_63 - 1n) / 10n) throw invalid();
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > TWO_63) throw invalid();
      i++;
    }
    const pre = i !== 0;
    s = s.slice(i);
    let post = false;
    if (s !== '' && s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      while (j < s.length && isDigit(s[j])) {
        if (!overflow) {
          if (f > (TWO_63 - 1n) / 10n) overflow = true;
          else {
            const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
            if (y > TWO_63) overflow = true;
            else {
              f = y;
              scale *= 10;
            }
          }
        }
        j++;
      }
      post = j !== 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw invalid();
    // unit: everything up to the next '.' or digit
    let u = 0;
    while (u < s.length && s[u] !== '.' && !isDigit(s[u])) u++;
    if (u === 0) throw new DurationError('time: missing unit in duration ' + goTimeQuote(orig));
    const unitName = s.slice(0, u);
    s = s.slice(u);
    const unit = UNITS.get(unitName);
    if (unit === undefined) {
      throw new DurationError(
        'time: unknown unit ' + goTimeQuote(unitName) + ' in duration ' + goTimeQuote(orig),
      );
    }
    if (v > TWO_63 / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      // float64 arithmetic, as Go does: v += uint64(float64(f) * (float64(unit) / scale))
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO_63) throw invalid();
    }
    d += v;
    if (d > TWO_63) throw invalid();
  }
  if (neg) return -d;
  if (d > TWO_63 - 1n) throw invalid();
  return d;
}

/** Formats v/10^prec as ".123" (trailing zeros dropped, nothing when the fraction is 0). */
function fmtFrac(v: bigint, prec: number): [string, bigint] {
  let out = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) out = digit.toString() + out;
    v /= 10n;
  }
  if (print) out = '.' + out;
  return [out, v];
}

/** Go's Duration.String(): `0s`, `1ns`, `1.5µs`, `12.345ms`, `1.5s`, `4m0s`, `1h30m0s`, `-1s`. */
export function formatDuration(duration: bigint | number): string {
  let d = typeof duration === 'bigint' ? duration : BigInt(Math.trunc(duration));
  // Go's int64 wraps; keep to its range.
  d = BigInt.asIntN(64, d);
  const neg = d < 0n;
  let u = neg ? -d : d;
  let out: string;
  if (u < SECOND) {
    if (u === 0n) return '0s';
    let prec: number;
    let unit: string;
    if (u < MICROSECOND) {
      prec = 0;
      unit = 'ns';
    } else if (u < MILLISECOND) {
      prec = 3;
      unit = '\u00b5s';
    } else {
      prec = 6;
      unit = 'ms';
    }
    const [frac, rest] = fmtFrac(u, prec);
    out = rest.toString() + frac + unit;
  } else {
    const [frac, secs] = fmtFrac(u, 9);
    u = secs;
    out = (u % 60n).toString() + frac + 's';
    u /= 60n;
    if (u > 0n) {
      out = (u % 60n).toString() + 'm' + out;
      u /= 60n;
      if (u > 0n) out = u.toString() + 'h' + out;
    }
  }
  return neg ? '-' + out : out;
}

/** Nanoseconds → milliseconds for timers; MAX_DURATION (forever) → Infinity. */
export function durationToMs(ns: bigint): number {
  if (ns >= MAX_DURATION) return Infinity;
  return Number(ns) / 1e6;
}

/** Milliseconds → nanoseconds (Infinity → MAX_DURATION). */
export function msToDuration(ms: number): bigint {
  if (!Number.isFinite(ms) || ms * 1e6 >= 9.223372036854776e18) return MAX_DURATION;
  return BigInt(Math.trunc(ms * 1e6));
}

/** Go's reflect type name of a JSON-decoded value, for `Unsupported type: '<type>'`. */
function goJsonTypeName(v: unknown): string {
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object' && v !== null) return 'map[string]interface {}';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'string') return 'string';
  return typeof v;
}

/**
 * The API's `keep_alive` (reference §3.6). `undefined`/`null` → undefined (keep the current
 * duration). A number is seconds (42.5 → 42.5 s); a string is a Go duration; anything negative
 * means forever (MAX_DURATION); 0 means unload right after the request. Other JSON types throw
 * DurationError `Unsupported type: '<gotype>'` (status 400), as Ollama does.
 */
export function parseKeepAlive(value: unknown): bigint | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new DurationError(`Unsupported type: 'float64'`);
    if (value < 0) return MAX_DURATION;
    const ns = value * 1e9;
    if (ns >= 9.223372036854776e18) return MAX_DURATION;
    return BigInt(Math.trunc(ns));
  }
  if (typeof value === 'string') {
    const d = parseDuration(value);
    return d < 0n ? MAX_DURATION : d;
  }
  throw new DurationError(`Unsupported type: '${goJsonTypeName(value)}'`);
}

/**
 * `OLLAMA_KEEP_ALIVE`: trimmed of spaces and quotes; a Go duration or an integer number of
 * seconds; negative → forever; empty or unparseable → the 5m default.
 */
export function keepAliveFromEnv(raw: string | undefined): bigint {
  const s = (raw ?? '').trim().replace(/^["']+|["']+$/g, '');
  let d = DEFAULT_KEEP_ALIVE;
  if (s !== '') {
    try {
      d = parseDuration(s);
    } catch {
      if (/^[+-]?\d+$/.test(s)) {
        const n = BigInt(s);
        if (n >= -TWO_63 && n < TWO_63) d = BigInt.asIntN(64, n * SECOND);
      }
    }
  }
  return d < 0n ? MAX_DURATION : d;
}

/** How the Go client writes a keep_alive: negative → -1, otherwise `"5m0s"`-style strings. */
export function keepAliveToJSON(ns: bigint): string | number {
  return ns < 0n ? -1 : formatDuration(ns);
}
