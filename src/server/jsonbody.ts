/**
 * Request-body JSON decoding with the errors Ollama's handlers give (Go's json.Decoder via gin's
 * ShouldBindJSON): an empty or all-whitespace body is `missing request body`, a truncated value is
 * `unexpected EOF`, a syntax error reads `invalid character 'x' looking for beginning of value`
 * and so on, and anything after the first complete value is ignored, as Go's decoder does.
 */
import { BadRequestError } from '../api/errors.js';

/** Go's encoding/json maximum nesting depth. */
const MAX_DEPTH = 10000;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

/** Go's quoteChar: how a scanner error names the offending byte. */
export function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  const ch = String.fromCharCode(c);
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v', '\x07': '\\a', '\\': '\\\\' };
  if (named[ch]) return `'${named[ch]}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  if (c >= 0x80 && c < 0xa0) return `'\\u00${c.toString(16).padStart(2, '0')}'`;
  if (c === 0xad) return `'\\u00ad'`;
  return `'${ch}'`;
}

class Scan {
  i = 0;
  constructor(readonly b: Uint8Array) {}

  fail(context: string): never {
    throw new BadRequestError(`invalid character ${quoteChar(this.b[this.i]!)} ${context}`);
  }
  eof(): never {
    throw new BadRequestError('unexpected EOF');
  }
  peek(): number {
    if (this.i >= this.b.length) this.eof();
    return this.b[this.i]!;
  }
  skipSpace(): void {
    while (this.i < this.b.length && isSpace(this.b[this.i]!)) this.i++;
  }

  /**
   * Scans one value. Iterative (an explicit stack of open containers), so nesting is limited by
   * Go's depth limit, never by the JavaScript stack: the 10,001st open bracket is refused with
   * Go's message, `invalid character '[' exceeded max depth`.
   */
  value(): void {
    const open: number[] = []; // 0x7b `{` or 0x5b `[` per open container
    for (;;) {
      this.skipSpace();
      const c = this.peek();
      if (c === 0x7b || c === 0x5b) {
        if (open.length >= MAX_DEPTH) this.fail('exceeded max depth');
        this.i++;
        this.skipSpace();
        if (this.peek() === (c === 0x7b ? 0x7d : 0x5d)) {
          this.i++; // empty: a complete value
        } else {
          open.push(c);
          if (c === 0x7b) this.key();
          continue;
        }
      } else if (c === 0x22) this.string();
      else if (c === 0x2d || isDigit(c)) this.number();
      else if (c === 0x74) this.literal('true');
      else if (c === 0x66) this.literal('false');
      else if (c === 0x6e) this.literal('null');
      else this.fail('looking for beginning of value');
      // a value is complete: close the containers it completes, up to the next element
      if (!this.next(open)) return;
    }
  }

  /** After a value: a comma (true: the next element follows) or closing brackets (false: done). */
  private next(open: number[]): boolean {
    while (open.length > 0) {
      const inObject = open[open.length - 1] === 0x7b;
      this.skipSpace();
      const c = this.peek();
      if (c === 0x2c) {
        this.i++;
        if (inObject) this.key();
        return true;
      }
      if (c !== (inObject ? 0x7d : 0x5d)) this.fail(inObject ? 'after object key:value pair' : 'after array element');
      this.i++;
      open.pop();
    }
    return false;
  }

  /** An object key and its colon. */
  private key(): void {
    this.skipSpace();
    if (this.peek() !== 0x22) this.fail('looking for beginning of object key string');
    this.string();
    this.skipSpace();
    if (this.peek() !== 0x3a) this.fail('after object key');
    this.i++;
  }

  string(): void {
    this.i++;
    for (;;) {
      const c = this.peek();
      if (c === 0x22) {
        this.i++;
        return;
      }
      if (c === 0x5c) {
        this.i++;
        const e = this.peek();
        if (e === 0x75) {
          for (let k = 0; k < 4; k++) {
            this.i++;
            if (!isHex(this.peek())) this.fail('in \\u hexadecimal character escape');
          }
        } else if (!'bfnrt\\/"'.includes(String.fromCharCode(e))) {
          this.fail('in string escape code');
        }
        this.i++;
        continue;
      }
      if (c < 0x20) this.fail('in string literal');
      this.i++;
    }
  }

  /** A number ends at the first byte that cannot continue it (checked by the caller's context). */
  number(): void {
    if (this.b[this.i] === 0x2d) {
      this.i++;
      if (!isDigit(this.peek())) this.fail('in numeric literal');
    }
    if (this.b[this.i] === 0x30) this.i++;
    else while (this.i < this.b.length && isDigit(this.b[this.i]!)) this.i++;
    if (this.i < this.b.length && this.b[this.i] === 0x2e) {
      this.i++;
      if (!isDigit(this.peek())) this.fail('after decimal point in numeric literal');
      while (this.i < this.b.length && isDigit(this.b[this.i]!)) this.i++;
    }
    if (this.i < this.b.length && (this.b[this.i] === 0x65 || this.b[this.i] === 0x45)) {
      this.i++;
      let c = this.peek();
      if (c === 0x2b || c === 0x2d) {
        this.i++;
        c = this.peek();
      }
      if (!isDigit(c)) this.fail('in exponent of numeric literal');
      while (this.i < this.b.length && isDigit(this.b[this.i]!)) this.i++;
    }
  }

  literal(word: string): void {
    this.i++;
    for (let k = 1; k < word.length; k++) {
      if (this.peek() !== word.charCodeAt(k)) this.fail(`in literal ${word} (expecting '${word[k]}')`);
      this.i++;
    }
  }
}

/**
 * Parses the first JSON value of a request body the way Go's json.Decoder does.
 * Throws BadRequestError (400) with Go's message on any problem.
 */
export function parseJSONBody(buf: Uint8Array): unknown {
  const s = new Scan(buf);
  s.skipSpace();
  if (s.i >= buf.length) throw new BadRequestError('missing request body');
  const start = s.i;
  const first = buf[start]!;
  s.value();
  // A top-level scalar must be followed by a space (or the end); Go reports other bytes.
  const scalar = first !== 0x7b && first !== 0x5b;
  if (scalar && s.i < buf.length && !isSpace(buf[s.i]!)) s.fail('after top-level value');
  const text = Buffer.from(buf.buffer, buf.byteOffset + start, s.i - start).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BadRequestError(err instanceof Error ? err.message : 'invalid JSON');
  }
}
