/**
 * Lexer for Go text/template syntax (delimiters `{{` and `}}`).
 * Produces the whole item list up front; a lexing error becomes a final `error` item
 * so the parser reports errors in source order, as Go does.
 */

export type ItemType =
  | 'text' | 'leftDelim' | 'rightDelim' | 'space' | 'eof' | 'error'
  | 'identifier' | 'field' | 'variable' | 'dot' | 'string' | 'rawString' | 'char' | 'number'
  | 'bool' | 'nil' | 'pipe' | 'leftParen' | 'rightParen' | 'declare' | 'assign' | 'comma'
  | 'charPunct'
  // keywords
  | 'block' | 'break' | 'continue' | 'define' | 'else' | 'end' | 'if' | 'range' | 'template' | 'with';

export interface Item {
  type: ItemType;
  val: string;
  /** Offset in the input (UTF-16 units). */
  pos: number;
  /** 1-based line of the item's start. */
  line: number;
}

const KEYWORDS: Record<string, ItemType> = {
  block: 'block', break: 'break', continue: 'continue', define: 'define', else: 'else',
  end: 'end', if: 'if', range: 'range', nil: 'nil', template: 'template', with: 'with',
};

export function isKeyword(t: ItemType): boolean {
  return ['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with', 'nil'].includes(t);
}

const LEFT = '{{';
const RIGHT = '}}';
const LEFT_COMMENT = '/*';
const RIGHT_COMMENT = '*/';

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}
function isAlphaNumeric(c: string | undefined): boolean {
  if (c === undefined) return false;
  return c === '_' || /[\p{L}\p{Nd}]/u.test(c);
}
function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

export class Lexer {
  private readonly input: string;
  private pos = 0;
  private start = 0;
  private line = 1;
  private startLine = 1;
  private parenDepth = 0;
  readonly items: Item[] = [];

  constructor(input: string) {
    this.input = input;
    this.run();
  }

  private emit(type: ItemType): void {
    this.items.push({ type, val: this.input.slice(this.start, this.pos), pos: this.start, line: this.startLine });
    this.ignore();
  }
  private ignore(): void {
    this.line += countNewlines(this.input, this.start, this.pos);
    this.start = this.pos;
    this.startLine = this.line;
  }
  private error(msg: string): false {
    this.items.push({ type: 'error', val: msg, pos: this.start, line: this.startLine });
    return false;
  }
  private peek(): string | undefined {
    return this.pos < this.input.length ? this.input[this.pos] : undefined;
  }

  private run(): void {
    for (;;) {
      if (!this.lexText()) return;
    }
  }

  /** Scans text up to the next `{{`; returns false once finished (eof or error). */
  private lexText(): boolean {
    const x = this.input.indexOf(LEFT, this.pos);
    if (x < 0) {
      this.pos = this.input.length;
      if (this.pos > this.start) this.emit('text');
      this.emit('eof');
      return false;
    }
    if (x > this.pos || x > this.start) {
      this.pos = x;
      let trim = 0;
      if (hasLeftTrimMarker(this.input, x + LEFT.length)) {
        trim = rightTrimLength(this.input, this.start, this.pos);
      }
      this.pos -= trim;
      if (this.pos > this.start) this.emit('text');
      this.pos += trim;
      this.ignore();
    }
    return this.lexLeftDelim();
  }

  private lexLeftDelim(): boolean {
    this.pos += LEFT.length;
    const trim = hasLeftTrimMarker(this.input, this.pos);
    const afterMarker = trim ? 2 : 0;
    if (this.input.startsWith(LEFT_COMMENT, this.pos + afterMarker)) {
      this.pos += afterMarker;
      this.ignore();
      return this.lexComment();
    }
    this.emit('leftDelim');
    this.pos += afterMarker;
    this.ignore();
    this.parenDepth = 0;
    return this.lexInsideAction();
  }

  private lexComment(): boolean {
    this.pos += LEFT_COMMENT.length;
    const x = this.input.indexOf(RIGHT_COMMENT, this.pos);
    if (x < 0) return this.error('unclosed comment');
    this.pos = x + RIGHT_COMMENT.length;
    const { delim, trim } = this.atRightDelim();
    if (!delim) return this.error('comment ends before closing delimiter');
    if (trim) this.pos += 2;
    this.pos += RIGHT.length;
    if (trim) this.pos += leftTrimLength(this.input, this.pos);
    this.ignore();
    return true;
  }

  private atRightDelim(): { delim: boolean; trim: boolean } {
    if (hasRightTrimMarker(this.input, this.pos) && this.input.startsWith(RIGHT, this.pos + 2)) {
      return { delim: true, trim: true };
    }
    if (this.input.startsWith(RIGHT, this.pos)) return { delim: true, trim: false };
    return { delim: false, trim: false };
  }

  private lexRightDelim(trim: boolean): boolean {
    if (trim) {
      this.pos += 2;
      this.ignore();
    }
    this.pos += RIGHT.length;
    this.emit('rightDelim');
    if (trim) {
      this.pos += leftTrimLength(this.input, this.pos);
      this.ignore();
    }
    return true;
  }

  /** Lexes the inside of an action until the closing delimiter. */
  private lexInsideAction(): boolean {
    for (;;) {
      const { delim, trim } = this.atRightDelim();
      if (delim) {
        if (this.parenDepth === 0) return this.lexRightDelim(trim);
        return this.error('unclosed left paren');
      }
      const r = this.peek();
      if (r === undefined) return this.error('unclosed action');
      if (isSpace(r)) {
        if (!this.lexSpace()) continue;
        continue;
      }
      this.pos++;
      switch (r) {
        case '=': this.emit('assign'); continue;
        case ':':
          if (this.peek() !== '=') return this.error('expected :=');
          this.pos++;
          this.emit('declare');
          continue;
        case '|': this.emit('pipe'); continue;
        case ',': this.emit('comma'); continue;
        case '"': if (!this.lexQuote()) return false; continue;
        case '`': if (!this.lexRawQuote()) return false; continue;
        case '$': if (!this.lexFieldOrVariable('variable')) return false; continue;
        case "'": if (!this.lexChar()) return false; continue;
        case '(': this.emit('leftParen'); this.parenDepth++; continue;
        case ')':
          this.parenDepth--;
          if (this.parenDepth < 0) return this.error('unexpected right paren');
          this.emit('rightParen');
          continue;
        default: break;
      }
      if (r === '.') {
        if (!isDigit(this.peek())) {
          if (!this.lexFieldOrVariable('field')) return false;
          continue;
        }
      }
      if (r === '.' || r === '+' || r === '-' || isDigit(r)) {
        this.pos--;
        if (!this.lexNumber()) return false;
        continue;
      }
      if (isAlphaNumeric(r)) {
        this.pos--;
        if (!this.lexIdentifier()) return false;
        continue;
      }
      const code = r.charCodeAt(0);
      if (code >= 0x20 && code < 0x7f) {
        this.emit('charPunct');
        continue;
      }
      return this.error(`unrecognized character in action: ${describeRune(r)}`);
    }
  }

  /** Returns true always; emits a space item unless the space belongs to a trim marker. */
  private lexSpace(): boolean {
    let n = 0;
    while (isSpace(this.peek())) {
      this.pos++;
      n++;
    }
    if (hasRightTrimMarker(this.input, this.pos - 1) && this.input.startsWith(RIGHT, this.pos + 1)) {
      this.pos--;
      if (n === 1) return true;
    }
    this.emit('space');
    return true;
  }

  private lexIdentifier(): boolean {
    while (isAlphaNumeric(this.peek())) this.pos++;
    if (!this.atTerminator()) return this.error(`bad character ${describeRune(this.peek() ?? '')}`);
    const word = this.input.slice(this.start, this.pos);
    const kw = KEYWORDS[word];
    if (kw !== undefined && Object.hasOwn(KEYWORDS, word)) this.emit(kw);
    else if (word === 'true' || word === 'false') this.emit('bool');
    else this.emit('identifier');
    return true;
  }

  private lexFieldOrVariable(type: 'field' | 'variable'): boolean {
    if (this.atTerminator()) {
      this.emit(type === 'variable' ? 'variable' : 'dot');
      return true;
    }
    while (isAlphaNumeric(this.peek())) this.pos++;
    if (!this.atTerminator()) return this.error(`bad character ${describeRune(this.peek() ?? '')}`);
    this.emit(type);
    return true;
  }

  private atTerminator(): boolean {
    const r = this.peek();
    if (r === undefined || isSpace(r)) return true;
    if ('.,|:)('.includes(r)) return true;
    return this.input.startsWith(RIGHT, this.pos);
  }

  private lexChar(): boolean {
    for (;;) {
      const r = this.peek();
      if (r === undefined || r === '\n') return this.error('unterminated character constant');
      this.pos++;
      if (r === '\\') {
        if (this.peek() === undefined) return this.error('unterminated character constant');
        this.pos++;
        continue;
      }
      if (r === "'") break;
    }
    this.emit('char');
    return true;
  }

  private lexNumber(): boolean {
    if (!this.scanNumber()) {
      return this.error(`bad number syntax: ${JSON.stringify(this.input.slice(this.start, this.pos + 1))}`);
    }
    this.emit('number');
    return true;
  }

  private scanNumber(): boolean {
    const accept = (valid: string): boolean => {
      const c = this.peek();
      if (c !== undefined && valid.includes(c)) {
        this.pos++;
        return true;
      }
      return false;
    };
    const acceptRun = (valid: string): void => {
      while (accept(valid)) { /* consume */ }
    };
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    accept('i');
    return !isAlphaNumeric(this.peek());
  }

  private lexQuote(): boolean {
    for (;;) {
      const r = this.peek();
      if (r === undefined || r === '\n') return this.error('unterminated quoted string');
      this.pos++;
      if (r === '\\') {
        const n = this.peek();
        if (n === undefined || n === '\n') return this.error('unterminated quoted string');
        this.pos++;
        continue;
      }
      if (r === '"') break;
    }
    this.emit('string');
    return true;
  }

  private lexRawQuote(): boolean {
    const x = this.input.indexOf('`', this.pos);
    if (x < 0) return this.error('unterminated raw quoted string');
    this.pos = x + 1;
    this.emit('rawString');
    return true;
  }
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

function hasLeftTrimMarker(s: string, at: number): boolean {
  return s[at] === '-' && isSpace(s[at + 1]);
}
function hasRightTrimMarker(s: string, at: number): boolean {
  return isSpace(s[at]) && s[at + 1] === '-';
}
function rightTrimLength(s: string, from: number, to: number): number {
  let i = to;
  while (i > from && isSpace(s[i - 1])) i--;
  return to - i;
}
function leftTrimLength(s: string, at: number): number {
  let i = at;
  while (i < s.length && isSpace(s[i])) i++;
  return i - at;
}

function describeRune(r: string): string {
  const cp = r.codePointAt(0) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${r}'`;
}

export function lex(input: string): Item[] {
  return new Lexer(input).items;
}
