/** Go fmt as text/template uses it: %v printing, Sprint, Sprintln and a Sprintf subset. */
import { formatFloat } from './floatfmt.js';
import {
  GoMap, GoSlice, GoStruct, isPlainObject, kindOf, mapGet, mapKeys, sliceItems, typeName,
} from './values.js';

function stringerOf(v: unknown): string | null {
  if (v instanceof GoStruct && v.hooks.string) return v.hooks.string(v);
  if (v instanceof GoMap && v.hooks.string) return v.hooks.string(v);
  if (v instanceof GoSlice && v.hooks.string) return v.hooks.string(v);
  return null;
}

/** fmt's %v of a value (nil → `<nil>`). */
export function formatValue(v: unknown): string {
  return formatVerb(v, 'v', {});
}

/** What an action `{{ x }}` prints: %v, except a nil interface prints `<no value>`. */
export function formatAction(v: unknown): string {
  if (v === null || v === undefined) return '<no value>';
  return formatValue(v);
}

/** fmt.Sprint: a space between operands when neither is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    const isStr = typeof a === 'string';
    if (i > 0 && !isStr && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a);
  });
  return out;
}

/** fmt.Sprintln: spaces always, newline at the end. */
export function sprintln(args: readonly unknown[]): string {
  return `${args.map(formatValue).join(' ')}\n`;
}

interface Flags {
  minus?: boolean;
  plus?: boolean;
  sharp?: boolean;
  space?: boolean;
  zero?: boolean;
  width?: number;
  prec?: number;
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function pad(s: string, f: Flags, numeric = false): string {
  const w = f.width;
  if (w === undefined) return s;
  const n = runeCount(s);
  if (n >= w) return s;
  const fill = w - n;
  if (f.minus) return s + ' '.repeat(fill);
  if (f.zero && numeric) {
    const signed = s[0] === '-' || s[0] === '+' || s[0] === ' ';
    return signed ? s[0] + '0'.repeat(fill) + s.slice(1) : '0'.repeat(fill) + s;
  }
  if (f.zero && !numeric) return '0'.repeat(fill) + s;
  return ' '.repeat(fill) + s;
}

function badVerb(verb: string, v: unknown): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatValue(v)})`;
}

function signed(s: string, neg: boolean, f: Flags): string {
  if (neg) return `-${s}`;
  if (f.plus) return `+${s}`;
  if (f.space) return ` ${s}`;
  return s;
}

function fmtInt(n: bigint, verb: string, f: Flags): string | null {
  const neg = n < 0n;
  const a = neg ? -n : n;
  let s: string;
  switch (verb) {
    case 'v': case 'd': s = a.toString(10); break;
    case 'x': s = a.toString(16); if (f.sharp) s = `0x${s}`; break;
    case 'X': s = a.toString(16).toUpperCase(); if (f.sharp) s = `0X${s}`; break;
    case 'o': s = a.toString(8); if (f.sharp) s = `0${s}`; break;
    case 'O': s = `0o${a.toString(8)}`; break;
    case 'b': s = a.toString(2); break;
    case 'c': return pad(String.fromCodePoint(Number(n) >= 0 && Number(n) <= 0x10ffff ? Number(n) : 0xfffd), f);
    case 'q': return pad(quoteRune(Number(n)), f);
    case 'U': return pad(`U+${a.toString(16).toUpperCase().padStart(4, '0')}`, f);
    default: return null;
  }
  if (f.prec !== undefined) s = s.padStart(f.prec, '0');
  return pad(signed(s, neg, f), { ...f, zero: f.zero && f.prec === undefined && !f.minus }, true);
}

function fmtFloat(x: number, verb: string, f: Flags): string | null {
  let s: string;
  switch (verb) {
    case 'v': case 'g': s = formatFloat(x, 'g', f.prec ?? -1); break;
    case 'G': s = formatFloat(x, 'g', f.prec ?? -1).toUpperCase(); break;
    case 'e': s = formatFloat(x, 'e', f.prec ?? 6); break;
    case 'E': s = formatFloat(x, 'e', f.prec ?? 6).toUpperCase(); break;
    case 'f': case 'F': s = formatFloat(x, 'f', f.prec ?? 6); break;
    default: return null;
  }
  if (!Number.isFinite(x)) return pad(s, { ...f, zero: false });
  if (!s.startsWith('-')) {
    if (f.plus) s = `+${s}`;
    else if (f.space) s = ` ${s}`;
  }
  const numeric = Number.isFinite(x);
  return pad(s, { ...f, zero: f.zero && !f.minus && numeric }, numeric);
}

function truncate(s: string, f: Flags): string {
  if (f.prec === undefined) return s;
  return Array.from(s).slice(0, f.prec).join('');
}

function fmtString(s: string, verb: string, f: Flags): string | null {
  switch (verb) {
    case 'v': case 's': return pad(truncate(s, f), f);
    case 'q': return pad(f.sharp && !s.includes('`') ? `\`${s}\`` : quoteString(truncate(s, f)), f);
    case 'x': case 'X': {
      const hex = Array.from(Buffer.from(truncate(s, f), 'utf8'), (b) => b.toString(16).padStart(2, '0')).join(f.space ? ' ' : '');
      return pad(verb === 'X' ? hex.toUpperCase() : hex, f);
    }
    default: return null;
  }
}

/** Formats one operand with a verb, Go style, including bad-verb forms. */
export function formatVerb(v: unknown, verb: string, f: Flags): string {
  if (verb === 'T') return pad(v === null || v === undefined ? '<nil>' : typeName(v), f);
  if ('vsxXq'.includes(verb)) {
    const str = stringerOf(v);
    if (str !== null) return fmtString(str, verb, f) ?? badVerb(verb, v);
  }
  switch (kindOf(v)) {
    case 'nil':
      return verb === 'v' ? pad('<nil>', f) : badVerb(verb, v);
    case 'bool':
      return verb === 'v' || verb === 't' ? pad(String(v), f) : badVerb(verb, v);
    case 'int':
      return fmtInt(v as bigint, verb, f) ?? badVerb(verb, v);
    case 'float':
      return fmtFloat(v as number, verb, f) ?? badVerb(verb, v);
    case 'string':
      return fmtString(v as string, verb, f) ?? badVerb(verb, v);
    case 'slice': {
      if ((verb === 's' || verb === 'x' || verb === 'X' || verb === 'q') && v instanceof Uint8Array) {
        return fmtString(Buffer.from(v).toString('utf8'), verb, f) ?? badVerb(verb, v);
      }
      const items = sliceItems(v).map((e) => formatVerb(e, verb, { ...f, width: undefined }));
      return pad(`[${items.join(' ')}]`, f);
    }
    case 'map': {
      const m = v as GoMap | Record<string, unknown>;
      const parts = mapKeys(m).map((k) => `${formatVerb(k, verb, {})}:${formatVerb(mapGet(m, k).value, verb, {})}`);
      return pad(`map[${parts.join(' ')}]`, f);
    }
    case 'struct': {
      const s = v as GoStruct;
      return pad(`{${s.fields.map(([, fv]) => formatVerb(fv, verb, {})).join(' ')}}`, f);
    }
    case 'func':
      return pad('<func>', f);
    default:
      return pad(isPlainObject(v) ? 'map[]' : '{}', f);
  }
}

/** fmt.Sprintf for the verbs templates use, with Go's %!verb(type=value) error forms. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argi = 0;
  const n = format.length;
  for (let i = 0; i < n; ) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const f: Flags = {};
    // flags
    for (; i < n; i++) {
      const c = format[i];
      if (c === '-') { f.minus = true; f.zero = false; } else if (c === '+') f.plus = true;
      else if (c === '#') f.sharp = true;
      else if (c === ' ') f.space = true;
      else if (c === '0') f.zero = !f.minus;
      else break;
    }
    // width
    if (format[i] === '*') {
      i++;
      const w = args[argi++];
      if (typeof w === 'bigint') {
        let wn = Number(w);
        if (wn < 0) { f.minus = true; f.zero = false; wn = -wn; }
        if (wn > 1e6) out += '%!(BADWIDTH)';
        else f.width = wn;
      } else {
        out += '%!(BADWIDTH)';
      }
    } else {
      const m = /^[0-9]+/.exec(format.slice(i));
      if (m) {
        f.width = Math.min(Number(m[0]), 1e6);
        i += m[0].length;
      }
    }
    // precision
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        i++;
        const p = args[argi++];
        if (typeof p === 'bigint' && p >= 0n && p <= 1000000n) f.prec = Number(p);
        else out += '%!(BADPREC)';
      } else {
        const m = /^[0-9]+/.exec(format.slice(i));
        f.prec = m ? Math.min(Number(m[0]), 1e6) : 0;
        if (m) i += m[0].length;
      }
    }
    if (i >= n) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argi++];
    if (!'vsdqxXtfFeEgGcboOUT'.includes(verb)) {
      out += badVerb(verb, arg);
      continue;
    }
    out += formatVerb(arg, verb, f);
  }
  if (argi < args.length) {
    const extra = args.slice(argi).map((a) => (a === null || a === undefined ? '<nil>' : `${typeName(a)}=${formatValue(a)}`));
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}

function quoteRune(cp: number): string {
  if (cp === 39) return "'\\''";
  return `'${escapeRune(cp, "'")}'`;
}

/** strconv.Quote (printable Unicode kept, others escaped). */
export function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch.codePointAt(0) ?? 0, '"');
  return `${out}"`;
}

function escapeRune(cp: number, quote: string): string {
  const ch = String.fromCodePoint(cp);
  if (ch === quote || ch === '\\') return `\\${ch}`;
  switch (cp) {
    case 7: return '\\a';
    case 8: return '\\b';
    case 12: return '\\f';
    case 10: return '\\n';
    case 13: return '\\r';
    case 9: return '\\t';
    case 11: return '\\v';
    default: break;
  }
  if (cp >= 0xd800 && cp <= 0xdfff) return '\\ufffd';
  if (cp < 0x20 || cp === 0x7f) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (/[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch) || cp === 0x20) return ch;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}
