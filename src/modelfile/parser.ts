/**
 * The Modelfile parser: Ollama's grammar and error texts (reference §5.1–5.3), one pass over
 * the characters with the same states as Ollama's parser, so every edge case (quotes, trimming,
 * line numbers, where an error is reported) comes out the same.
 *
 * Unlike Ollama, a value's "is the quote closed yet?" check is O(1) per line instead of
 * re-trimming the whole buffer at every space, so a 10 MB line or a huge multi-line TEMPLATE
 * parses in linear time.
 */
import { decodeModelfile } from './decode.js';
import { goIsPrint } from './gofmt.js';
import {
  type Command,
  type MessageRole,
  INSTRUCTIONS,
  MESSAGE_ROLES,
  Modelfile,
  ModelfileError,
  type ValueKind,
} from './types.js';

const ERR_INVALID_COMMAND =
  'command must be one of ' +
  INSTRUCTIONS.slice(0, -1)
    .map((i) => `"${i}"`)
    .join(', ') +
  `, or "${INSTRUCTIONS[INSTRUCTIONS.length - 1]}"`;
const ERR_INVALID_ROLE = 'message role must be one of "system", "user", or "assistant"';
const ERR_UNEXPECTED_EOF = 'unexpected EOF';
const ERR_MISSING_FROM = 'no FROM line';

/** Longest partial buffer quoted in an `unexpected EOF: …` message. */
const MAX_EOF_CONTEXT = 1000;

const enum State {
  Nil,
  Name,
  Value,
  Parameter,
  Message,
  Comment,
}

const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isSpace = (c: string): boolean => c === ' ' || c === '\t';
const isNewline = (c: string): boolean => c === '\r' || c === '\n';
const isWs = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';


/**
 * The parser's text buffer. Appends are amortised O(1); it also tracks where the trimmed text
 * starts and ends and its first and last three characters, which is all `unquote` needs.
 */
class TextBuffer {
  private chunks: string[] = [];
  private cur = '';
  private length = 0;
  private start = -1; // index of the first non-whitespace char (code units)
  private end = 0; // index after the last non-whitespace char
  private head = ''; // first 3 code units from `start`
  private tail = ''; // last 3 code units appended
  private tailAtEnd = ''; // `tail` when the last non-whitespace char was appended

  /** Appends a run of characters that holds no whitespace. */
  appendRun(run: string): void {
    if (run.length === 1) return this.append(run);
    if (this.start < 0) this.start = this.length;
    if (this.head.length < 3) this.head = (this.head + run).slice(0, 3);
    this.tail = (this.tail + run.slice(-3)).slice(-3);
    this.tailAtEnd = this.tail;
    this.end = this.length + run.length;
    this.length += run.length;
    if (this.cur.length + run.length >= 8192) {
      this.chunks.push(this.cur, run);
      this.cur = '';
    } else {
      this.cur += run;
    }
  }

  append(c: string): void {
    this.cur += c;
    if (this.cur.length >= 8192) {
      this.chunks.push(this.cur);
      this.cur = '';
    }
    this.tail = (this.tail + c).slice(-3);
    if (!isWs(c)) {
      if (this.start < 0) this.start = this.length;
      this.end = this.length + c.length;
      this.tailAtEnd = this.tail;
    }
    if (this.start >= 0 && this.head.length < 3) this.head = (this.head + c).slice(0, 3);
    this.length += c.length;
  }

  reset(): void {
    this.chunks = [];
    this.cur = '';
    this.length = 0;
    this.start = -1;
    this.end = 0;
    this.head = '';
    this.tail = '';
    this.tailAtEnd = '';
  }

  toString(): string {
    if (this.chunks.length === 0) return this.cur;
    const s = this.chunks.join('') + this.cur;
    this.chunks = [s];
    this.cur = '';
    return s;
  }

  /** Whether `unquote(trim(buffer))` succeeds: no quote opened, or the opened quote is closed. */
  isComplete(): boolean {
    if (this.start < 0) return true;
    const len = this.end - this.start;
    if (this.head === '"""') return len >= 6 && this.tailAtEnd === '"""';
    if (this.head.startsWith('"')) return len >= 2 && this.tailAtEnd.endsWith('"');
    return true;
  }

  /** `unquote(trim(buffer))` — call only when isComplete(). No escape sequences exist. */
  unquoted(): string {
    if (this.start < 0) return '';
    const s = this.toString().slice(this.start, this.end);
    if (s.startsWith('"""')) return s.slice(3, -3);
    if (s.startsWith('"')) return s.slice(1, -1);
    return s;
  }
}

function unexpectedEOF(context?: string): ModelfileError {
  if (context === undefined) return new ModelfileError(ERR_UNEXPECTED_EOF);
  const shown = context.length > MAX_EOF_CONTEXT ? context.slice(0, MAX_EOF_CONTEXT) + '...' : context;
  return new ModelfileError(`${ERR_UNEXPECTED_EOF}: ${shown}`);
}

function isValidCommand(word: string): boolean {
  return (INSTRUCTIONS as readonly string[]).includes(word.toLowerCase());
}

/**
 * Parses a Modelfile. Accepts text or bytes (UTF-8, UTF-8 with BOM, UTF-16 LE/BE with BOM).
 * Throws ModelfileError (status 400) with Ollama's message on bad input. PARAMETER names and
 * values are kept as text here; they are typed by `modelfileToCreateRequest`.
 */
export function parseModelfile(input: string | Uint8Array): Modelfile {
  const text = decodeModelfile(input);
  const commands: Command[] = [];
  const buf = new TextBuffer();
  let curr: State = State.Nil;
  let line = 1;
  let kind: ValueKind | 'parameter' | 'message' = 'from';
  let paramName = '';
  let role = '';

  const emit = (value: string): void => {
    if (kind === 'message') {
      commands.push({ kind: 'message', role: role as MessageRole, content: value });
      role = '';
    } else if (kind === 'parameter') {
      commands.push({ kind: 'parameter', name: paramName, value });
    } else {
      commands.push({ kind, value });
    }
  };

  const n = text.length;
  for (let i = 0; i < n; ) {
    // Fast path: a run of visible ASCII inside a value changes no state; append it whole.
    if (curr === State.Value) {
      let j = i;
      while (j < n) {
        const code = text.charCodeAt(j);
        if (code > 0x20 && code < 0x7f) j++;
        else break;
      }
      if (j > i) {
        buf.appendRun(text.slice(i, j));
        i = j;
        continue;
      }
    }
    const cp = text.codePointAt(i)!;
    const c = cp > 0xffff ? text.slice(i, i + 2) : text[i]!;
    i += c.length;
    if (isNewline(c)) line++;

    // The state this character leads to, and the character to keep ('' = none).
    let next: State = State.Nil;
    let r = '';
    switch (curr) {
      case State.Nil:
        if (c === '#') next = State.Comment;
        else if (isSpace(c) || isNewline(c)) next = State.Nil;
        else {
          next = State.Name;
          r = c;
        }
        break;
      case State.Name:
        if (isAlpha(c)) {
          next = State.Name;
          r = c;
        } else if (isSpace(c)) next = State.Value;
        else throw new ModelfileError(ERR_INVALID_COMMAND, line);
        break;
      case State.Value:
        next = isNewline(c) || isSpace(c) ? State.Nil : State.Value;
        r = c;
        break;
      case State.Parameter:
        if (isAlpha(c) || isDigit(c) || c === '_') {
          next = State.Parameter;
          r = c;
        } else if (isSpace(c)) next = State.Value;
        else throw unexpectedEOF(buf.toString());
        break;
      case State.Message:
        if (isAlpha(c)) {
          next = State.Message;
          r = c;
        } else if (isSpace(c)) next = State.Value;
        else throw unexpectedEOF(buf.toString());
        break;
      case State.Comment:
        next = isNewline(c) ? State.Nil : State.Comment;
        break;
    }

    if (next !== curr) {
      switch (curr) {
        case State.Name: {
          const word = buf.toString();
          if (!isValidCommand(word)) throw new ModelfileError(ERR_INVALID_COMMAND, line);
          const lower = word.toLowerCase();
          if (lower === 'parameter') {
            next = State.Parameter;
            kind = 'parameter';
          } else if (lower === 'message') {
            next = State.Message;
            kind = 'message';
          } else {
            kind = lower as ValueKind;
          }
          break;
        }
        case State.Parameter:
          paramName = buf.toString();
          break;
        case State.Message: {
          const word = buf.toString();
          if (!(MESSAGE_ROLES as readonly string[]).includes(word)) {
            throw new ModelfileError(ERR_INVALID_ROLE, line);
          }
          role = word;
          break;
        }
        case State.Value:
          // Spaces never end a value; a newline ends it only once its quotes are closed.
          if (isSpace(c) || !buf.isComplete()) {
            buf.append(c);
            continue;
          }
          emit(buf.unquoted());
          break;
        case State.Nil:
        case State.Comment:
          break;
      }
      buf.reset();
      curr = next;
    }

    if (r !== '' && goIsPrint(r)) buf.append(r);
  }

  switch (curr) {
    case State.Nil:
    case State.Comment:
      break;
    case State.Value:
      if (!buf.isComplete()) throw unexpectedEOF();
      emit(buf.unquoted());
      break;
    default:
      throw unexpectedEOF();
  }

  if (!commands.some((c) => c.kind === 'from')) throw new ModelfileError(ERR_MISSING_FROM);
  return new Modelfile(commands);
}
