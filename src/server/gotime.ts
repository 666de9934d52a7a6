/**
 * Timestamps in Go's RFC3339Nano layout (`2006-01-02T15:04:05.999999999Z07:00`): the fraction has
 * its trailing zeros trimmed (and disappears when zero), a zero offset is written `Z`.
 * Ollama prints `created_at` in UTC and `modified_at`/`expires_at` in server local time.
 */

/** A point in time: nanoseconds since the epoch (bigint), milliseconds (number) or a Date. */
export type Instant = bigint | number | Date;

function toNs(t: Instant): bigint {
  if (typeof t === 'bigint') return t;
  const ms = t instanceof Date ? t.getTime() : t;
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

/** Now, in nanoseconds since the epoch, with sub-millisecond precision from the monotonic clock. */
export function nowNs(): bigint {
  return toNs(performance.timeOrigin + performance.now());
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * Formats `t` as RFC3339Nano. `offsetMinutes` is the zone offset east of UTC (0 → `Z`);
 * when omitted the process's local zone at that instant is used (`utc: true` forces UTC).
 */
export function formatRFC3339Nano(t: Instant, opts: { utc?: boolean; offsetMinutes?: number } = {}): string {
  const ns = toNs(t);
  let ms = Number(ns / 1_000_000n);
  let frac = ns % 1_000_000_000n;
  if (frac < 0n) {
    frac += 1_000_000_000n;
  }
  if (ns < 0n && ns % 1_000_000n !== 0n) ms -= 1;
  const offset = opts.utc ? 0 : (opts.offsetMinutes ?? -new Date(ms).getTimezoneOffset());
  const d = new Date(ms + offset * 60_000);
  let out =
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  if (frac !== 0n) out += '.' + frac.toString().padStart(9, '0').replace(/0+$/, '');
  if (offset === 0) return out + 'Z';
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${out}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `created_at`: UTC, nanosecond precision. */
export function createdAt(t?: Instant): string {
  if (t === undefined) return createdAtMs(performance.timeOrigin + performance.now());
  if (typeof t === 'number' && Number.isFinite(t) && t >= 0) return createdAtMs(t);
  return formatRFC3339Nano(t, { utc: true });
}

// Every streamed chunk carries a created_at: the date-and-seconds part is formatted once per
// second and reused; only the fraction is formatted per call.
let cachedSecond = -1;
let cachedPrefix = '';

/** created_at for a non-negative epoch time in ms; the same text as formatRFC3339Nano(ms, utc). */
function createdAtMs(ms: number): string {
  const whole = Math.floor(ms);
  let sec = Math.floor(whole / 1000);
  // nanoseconds within the second, rounded as toNs rounds (may carry into the next second)
  let frac = (whole - sec * 1000) * 1_000_000 + Math.round((ms - whole) * 1e6);
  if (frac >= 1_000_000_000) {
    sec += 1;
    frac -= 1_000_000_000;
  }
  if (sec !== cachedSecond) {
    cachedPrefix = formatRFC3339Nano(sec * 1000, { utc: true }).slice(0, -1); // without the 'Z'
    cachedSecond = sec;
  }
  if (frac === 0) return cachedPrefix + 'Z';
  let digits = String(frac).padStart(9, '0');
  let end = 9;
  while (digits.charCodeAt(end - 1) === 48) end--;
  if (end < 9) digits = digits.slice(0, end);
  return `${cachedPrefix}.${digits}Z`;
}

/** `modified_at` / `expires_at`: local time with offset (e.g. from `fs.stat(..., {bigint:true}).mtimeNs`). */
export function localTimestamp(t: Instant): string {
  return formatRFC3339Nano(t);
}
