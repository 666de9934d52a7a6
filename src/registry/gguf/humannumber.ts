/**
 * Ollama's format.HumanNumber (parameter counts: `8.0B`, `500.50M`, `260K`, `0`) with Go's
 * `%.Nf` rounding: the exact binary value is rounded to nearest and exact ties go to the even
 * digit, whereas JavaScript's toFixed rounds ties up.
 */

const THOUSAND = 1_000;
const MILLION = 1_000_000;
const BILLION = 1_000_000_000;

/**
 * Go's `fmt.Sprintf("%.<digits>f", x)` for finite x (0 ≤ digits ≤ 20): round-half-even on
 * the exact binary value.
 */
export function goFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) {
    throw new RangeError('digits must be an integer between 0 and 20');
  }
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  // toFixed(100) on a double below 1e21 is its exact decimal expansion (or exact to 100
  // places, which is enough to tell a tie from a near-tie for the magnitudes we format).
  if (abs >= 1e21) return x.toFixed(digits);
  const exact = abs.toFixed(100);
  const dot = exact.indexOf('.');
  const intPart = exact.slice(0, dot);
  const frac = exact.slice(dot + 1);
  const kept = frac.slice(0, digits);
  const rest = frac.slice(digits);
  let roundUp: boolean;
  if (rest[0]! > '5') roundUp = true;
  else if (rest[0]! < '5') roundUp = false;
  else if (/[1-9]/.test(rest.slice(1))) roundUp = true;
  else {
    // Exact tie: round to even.
    const lastDigit = digits > 0 ? kept[digits - 1]! : intPart[intPart.length - 1]!;
    roundUp = Number(lastDigit) % 2 === 1;
  }
  let digitsStr = intPart + kept;
  if (roundUp) digitsStr = incrementDecimal(digitsStr);
  const i = digitsStr.length - digits;
  const out = digits > 0 ? digitsStr.slice(0, i) + '.' + digitsStr.slice(i) : digitsStr;
  return neg ? '-' + out : out;
}

function incrementDecimal(s: string): string {
  const d = s.split('');
  let i = d.length - 1;
  while (i >= 0) {
    if (d[i] === '9') {
      d[i] = '0';
      i--;
    } else {
      d[i] = String(Number(d[i]) + 1);
      return d.join('');
    }
  }
  return '1' + d.join('');
}

/** Ollama's HumanNumber for a non-negative integer count. */
export function humanNumber(n: number): string {
  if (!Number.isFinite(n) || n < 0) throw new RangeError('humanNumber needs a non-negative number');
  const b = Math.floor(n);
  if (b >= BILLION) {
    const v = b / BILLION;
    return v === Math.floor(v) ? goFixed(v, 0) + 'B' : goFixed(v, 1) + 'B';
  }
  if (b >= MILLION) {
    const v = b / MILLION;
    return v === Math.floor(v) ? goFixed(v, 0) + 'M' : goFixed(v, 2) + 'M';
  }
  if (b >= THOUSAND) return goFixed(b / THOUSAND, 0) + 'K';
  return String(b);
}
