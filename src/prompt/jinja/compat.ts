/**
 * Where `@huggingface/jinja` renders a chat template differently from Python's jinja2 (what
 * transformers uses, and what llama.cpp's engine follows), the fix lives here: globals the
 * library lacks or gets wrong, and source rewrites applied before parsing. Each entry names the
 * case it fixes; docs/jinja.md lists the differences left.
 */
import { strftime } from './strftime.js';

/** Globals every render gets (the chat layer may override them, e.g. a fixed clock in tests). */
export function compatGlobals(): Record<string, unknown> {
  return {
    // The library's strftime_now knows only %Y %m %d %b %B %H %M and names months in the host
    // locale; Python's uses the C locale and every conversion.
    strftime_now: (format: unknown) => strftime(new Date(), String(format)),
  };
}

/** The template text as the library must see it to render as jinja2 does. */
export function patchTemplate(source: string): string {
  return source;
}

/** A value of the library's runtime (its classes are not exported; `type` names them). */
export interface RuntimeValue {
  type: string;
  value: unknown;
  toString(): string;
}

/** Python's repr() of a string: single quotes unless the text has some and no double quotes. */
export function pyStringRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += `\\${q}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

function pyFloat(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Object.is(n, -0)) return '-0.0';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return n.toFixed(1);
  // JavaScript and Python agree on the shortest digits; only the exponent is written apart.
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Python's repr() of a value inside a list or dict. */
function pyRepr(v: RuntimeValue): string {
  return v.type === 'StringValue' ? pyStringRepr(v.value as string) : pyStr(v, true);
}

/**
 * Python's str() of a value, as jinja2 prints `{{ value }}` (and llama.cpp's engine likewise):
 * True/False/None, lists and dicts in repr form. The library prints JavaScript/JSON forms.
 */
export function pyStr(v: RuntimeValue, nested = false): string {
  switch (v.type) {
    case 'StringValue':
      return v.value as string;
    case 'BooleanValue':
      return v.value ? 'True' : 'False';
    case 'NullValue':
      return 'None';
    case 'UndefinedValue':
      return nested ? 'None' : '';
    case 'IntegerValue':
      return String(v.value);
    case 'FloatValue':
      return pyFloat(v.value as number);
    case 'ArrayValue':
      return `[${(v.value as RuntimeValue[]).map(pyRepr).join(', ')}]`;
    case 'TupleValue': {
      const items = (v.value as RuntimeValue[]).map(pyRepr);
      return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
    }
    case 'ObjectValue':
    case 'KeywordArgumentsValue':
      return `{${[...(v.value as Map<string, RuntimeValue>)].map(([k, x]) => `${pyStringRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
    default:
      return v.toString();
  }
}

/** Statements (their value is the text they produced, or nothing); everything else is printed. */
export const STATEMENT_TYPES: ReadonlySet<string> = new Set(['Program', 'Set', 'If', 'For', 'Macro', 'CallStatement', 'FilterStatement', 'Break', 'Continue', 'Comment']);
