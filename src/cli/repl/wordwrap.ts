/**
 * Ollama's streaming word wrap (reference §1.6, cmd.go displayResponse): a line breaks when its
 * width would exceed `width − 5`; the partly printed last word is erased (`ESC[<n>D ESC[K`) and
 * reprinted on the next line. Words wider than `width − 10` are broken where they stand. Wide
 * (CJK) runes count 2 columns and end a word. With a width under 10 nothing is wrapped.
 *
 * The core emits operations so that the same algorithm drives a real terminal (escape codes)
 * and the Ink REPL (a plain string in which the erased word is cut and moved).
 */
import { displayWidth } from '../table.js';

export interface WrapState {
  /** Columns used on the current line. */
  lineLength: number;
  /** The word being printed (since the last space or newline). */
  word: string;
}

export type WrapOp = { kind: 'text'; text: string } | { kind: 'wrap'; back: number };

export function newWrapState(): WrapState {
  return { lineLength: 0, word: '' };
}

/** Feeds `text` through the wrapper; returns the operations to render. Mutates `state`. */
export function wrapOps(state: WrapState, text: string, width: number): WrapOp[] {
  const ops: WrapOp[] = [];
  let pending = '';
  const flush = () => {
    if (pending !== '') ops.push({ kind: 'text', text: pending });
    pending = '';
  };
  if (width < 10) return text === '' ? [] : [{ kind: 'text', text }];
  for (const ch of text) {
    const w = displayWidth(ch);
    if (ch !== '\n' && ch !== '\r' && state.lineLength + w > width - 5) {
      if (displayWidth(state.word) > width - 10) {
        // A very long word: break it at the margin.
        pending += '\n' + ch;
        state.word = ch === ' ' || ch === '\t' ? '' : ch;
        state.lineLength = w;
        continue;
      }
      flush();
      ops.push({ kind: 'wrap', back: displayWidth(state.word) });
      if (ch === ' ' || ch === '\t') {
        pending += state.word + (state.word === '' ? '' : ch);
        state.lineLength = state.word === '' ? 0 : displayWidth(state.word) + 1;
        state.word = '';
      } else {
        pending += state.word + ch;
        state.word = w >= 2 ? '' : state.word + ch;
        state.lineLength = displayWidth(state.word) + (w >= 2 ? w : 0);
      }
      continue;
    }
    pending += ch;
    state.lineLength += w;
    if (ch === '\n' || ch === '\r') {
      state.lineLength = 0;
      state.word = '';
    } else if (ch === ' ' || ch === '\t' || w >= 2) state.word = '';
    else state.word += ch;
  }
  flush();
  return ops;
}

/** Terminal rendering of the ops: Ollama's escape sequences. */
export function opsToTerminal(ops: WrapOp[]): string {
  let out = '';
  for (const op of ops) {
    if (op.kind === 'text') out += op.text;
    else out += (op.back > 0 ? `\x1b[${op.back}D` : '') + '\x1b[K\n';
  }
  return out;
}

/** Streams text to a terminal with word wrap (or verbatim when `wrap` is off). */
export class TerminalWrapper {
  state = newWrapState();
  constructor(
    private readonly width: number,
    private readonly wrap: boolean,
  ) {}
  push(text: string): string {
    if (!this.wrap) return text;
    return opsToTerminal(wrapOps(this.state, text, this.width));
  }
  reset(): void {
    this.state = newWrapState();
  }
}

/**
 * The same wrapping as a text buffer (what the screen shows): for the Ink REPL and for tests.
 * `push` returns the whole wrapped text so far.
 */
export class TextWrapper {
  state = newWrapState();
  text = '';
  constructor(
    private readonly width: number,
    private readonly wrap: boolean,
  ) {}
  push(chunk: string): string {
    if (!this.wrap) {
      this.text += chunk;
      return this.text;
    }
    for (const op of wrapOps(this.state, chunk, this.width)) {
      if (op.kind === 'text') this.text += op.text;
      else {
        // Cut the word printed at the end of the line (it is reprinted after the break).
        this.text = cutTrailingColumns(this.text, op.back) + '\n';
      }
    }
    return this.text;
  }
}

function cutTrailingColumns(s: string, cols: number): string {
  const chars = Array.from(s);
  let n = cols;
  while (n > 0 && chars.length > 0) {
    const last = chars[chars.length - 1]!;
    if (last === '\n') break;
    n -= displayWidth(last);
    chars.pop();
  }
  return chars.join('');
}

/** Wraps a complete text at once. */
export function wrapText(text: string, width: number): string {
  return new TextWrapper(width, true).push(text);
}
