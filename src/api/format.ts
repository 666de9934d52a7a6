/**
 * Human-readable formatting exactly as Ollama's `format` package prints it (reference §1.13):
 * decimal byte sizes, parameter counts, and relative times. Go's `%.Nf` rounds exact binary ties
 * half-to-even, where JavaScript's toFixed rounds them up, so fixed-point output goes through
 * goFixed().
 */

/**
 * Go's `%.<digits>f`: rounds the exact binary value, and an exact tie goes to the even neighbour
 * (JavaScript's toFixed rounds ties up). Works on the exact decimal expansion of the double.
 */
export function goFixed(value: number, digits: number): string {
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) throw new RangeError('digits must be an integer between 0 and 20');
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN';
  const exact = Math.abs(value).toFixed(Math.min(100, digits + 80));
  const dot = exact.indexOf('.');
  const keep = exact.slice(0, dot + 1 + digits).replace(/\.$/, '');
  const rest = exact.slice(dot + 1 + digits);
  let roundUp: boolean;
  if (rest[0]! > '5') roundUp = true;
  else if (rest[0]! < '5') roundUp = false;
  else if (/[1-9]/.test(rest.slice(1))) roundUp = true;
  else roundUp = Number(keep[keep.length - 1]) % 2 === 1; // exact tie: to even
  let out = roundUp ? incrementDecimal(keep) : keep;
  if (value < 0 && /[1-9]/.test(out)) out = '-' + out;
  return out;
}

/** Adds one unit in the last place to a non-negative decimal string. */
function incrementDecimal(s: string): string {
  const chars = s.split('');
  for (let i = chars.length - 1; i >= 0; i--) {
    if (chars[i] === '.') continue;
    if (chars[i] === '9') chars[i] = '0';
    else {
      chars[i] = String(Number(chars[i]) + 1);
      return chars.join('');
    }
  }
  return '1' + chars.join('');
}

const KB = 1000;
const MB = KB * 1000;
const GB = MB * 1000;
const TB = GB * 1000;

/** Ollama's HumanBytes: 1000-based units, truncated integers from 10 up, one decimal below. */
export function humanBytes(b: number): string {
  let value: number;
  let unit: string;
  if (b >= TB) [value, unit] = [b / TB, 'TB'];
  else if (b >= GB) [value, unit] = [b / GB, 'GB'];
  else if (b >= MB) [value, unit] = [b / MB, 'MB'];
  else if (b >= KB) [value, unit] = [b / KB, 'KB'];
  else return `${Math.trunc(b)} B`;
  if (value >= 10) return `${Math.trunc(value)} ${unit}`;
  if (value !== Math.trunc(value)) return `${goFixed(value, 1)} ${unit}`;
  return `${Math.trunc(value)} ${unit}`;
}

/** Ollama's HumanBytes2 (server logs): binary units with one decimal. */
export function humanBytes2(b: number): string {
  if (b >= 1 << 30) return `${goFixed(b / (1 << 30), 1)} GiB`;
  if (b >= 1 << 20) return `${goFixed(b / (1 << 20), 1)} MiB`;
  if (b >= 1 << 10) return `${goFixed(b / (1 << 10), 1)} KiB`;
  return `${b} B`;
}

/** Ollama's HumanNumber for parameter counts (`8.0B` style is never produced: `8B`, `2.9B`, `500.50M`). */
export function humanNumber(count: number): string {
  if (!Number.isFinite(count) || count < 0) throw new RangeError('humanNumber needs a non-negative number');
  const n = Math.floor(count);
  const B = 1_000_000_000;
  const M = 1_000_000;
  const K = 1_000;
  if (n >= B) {
    const v = n / B;
    return Number.isInteger(v) ? `${v}B` : `${goFixed(v, 1)}B`;
  }
  if (n >= M) {
    const v = n / M;
    return Number.isInteger(v) ? `${v}M` : `${goFixed(v, 2)}M`;
  }
  if (n >= K) return `${goFixed(n / K, 0)}K`;
  return String(Math.trunc(n));
}

/** The words Ollama's humanDuration gives a positive span of milliseconds. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = goRound(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`;
}

/** Go's math.Round: half away from zero. */
function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Go's zero time.Time as it appears on the wire. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * Ollama's HumanTime: `zeroValue` for Go's zero time, `Forever` more than 20 years ahead,
 * `<duration> from now` for the future and `<duration> ago` for the past.
 */
export function humanTime(t: string | Date | undefined, zeroValue: string, now: number = Date.now()): string {
  if (t === undefined) return zeroValue;
  const ms = typeof t === 'string' ? Date.parse(t) : t.getTime();
  if (Number.isNaN(ms) || ms <= Date.parse(GO_ZERO_TIME)) return zeroValue;
  const delta = now - ms;
  if (Math.trunc(Math.trunc(delta / 3_600_000) / 24 / 365) < -20) return 'Forever';
  if (delta < 0) return `${humanDuration(-delta)} from now`;
  return `${humanDuration(delta)} ago`;
}
