/**
 * The line editor behind the REPL prompt (reference §2.5): an immutable buffer of code points
 * and a cursor, with Ollama's readline operations.
 */
export interface LineState {
  chars: string[];
  pos: number;
}

export const emptyLine = (): LineState => ({ chars: [], pos: 0 });
export const lineOf = (text: string): LineState => {
  const chars = Array.from(text);
  return { chars, pos: chars.length };
};
export const lineText = (s: LineState): string => s.chars.join('');

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n';

export function insert(s: LineState, text: string): LineState {
  const add = Array.from(text);
  return { chars: [...s.chars.slice(0, s.pos), ...add, ...s.chars.slice(s.pos)], pos: s.pos + add.length };
}
export const home = (s: LineState): LineState => ({ ...s, pos: 0 });
export const end = (s: LineState): LineState => ({ ...s, pos: s.chars.length });
export const left = (s: LineState): LineState => ({ ...s, pos: Math.max(0, s.pos - 1) });
export const right = (s: LineState): LineState => ({ ...s, pos: Math.min(s.chars.length, s.pos + 1) });

/** Alt+B: to the start of the previous word. */
export function wordLeft(s: LineState): LineState {
  let p = s.pos;
  while (p > 0 && isSpace(s.chars[p - 1])) p--;
  while (p > 0 && !isSpace(s.chars[p - 1])) p--;
  return { ...s, pos: p };
}
/** Alt+F: past the end of the next word. */
export function wordRight(s: LineState): LineState {
  let p = s.pos;
  while (p < s.chars.length && isSpace(s.chars[p])) p++;
  while (p < s.chars.length && !isSpace(s.chars[p])) p++;
  return { ...s, pos: p };
}
/** Ctrl+K */
export const killToEnd = (s: LineState): LineState => ({ chars: s.chars.slice(0, s.pos), pos: s.pos });
/** Ctrl+U */
export const killToStart = (s: LineState): LineState => ({ chars: s.chars.slice(s.pos), pos: 0 });
/** Ctrl+W / Alt+Backspace: trailing spaces, then the run of non-spaces before the cursor. */
export function deleteWordBack(s: LineState): LineState {
  const to = wordLeft(s).pos;
  return { chars: [...s.chars.slice(0, to), ...s.chars.slice(s.pos)], pos: to };
}
export function backspace(s: LineState): LineState {
  if (s.pos === 0) return s;
  return { chars: [...s.chars.slice(0, s.pos - 1), ...s.chars.slice(s.pos)], pos: s.pos - 1 };
}
/** Delete / Ctrl+D on a non-empty line. */
export function deleteChar(s: LineState): LineState {
  if (s.pos >= s.chars.length) return s;
  return { chars: [...s.chars.slice(0, s.pos), ...s.chars.slice(s.pos + 1)], pos: s.pos };
}
