/** String helpers shared by the parsers, with Go's notion of whitespace (unicode.IsSpace). */

const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;

export function isGoSpace(ch: string): boolean {
  return GO_SPACE.test(ch);
}

/** strings.TrimLeftFunc(s, unicode.IsSpace) */
export function trimLeftSpace(s: string): string {
  let i = 0;
  while (i < s.length && isGoSpace(s[i]!)) i++;
  return s.slice(i);
}

/** strings.TrimRightFunc(s, unicode.IsSpace) */
export function trimRightSpace(s: string): string {
  return s.slice(0, s.length - trailingWhitespaceLen(s));
}

/** strings.TrimSpace */
export function trimSpace(s: string): string {
  return trimRightSpace(trimLeftSpace(s));
}

/** Length (in string units) of the whitespace at the end of s. */
export function trailingWhitespaceLen(s: string): number {
  let n = 0;
  while (n < s.length && isGoSpace(s[s.length - 1 - n]!)) n++;
  return n;
}

/** The longest suffix of s that is a prefix of delim. */
export function overlap(s: string, delim: string): number {
  for (let i = Math.min(delim.length, s.length); i > 0; i--) {
    if (s.endsWith(delim.slice(0, i))) return i;
  }
  return 0;
}

/**
 * Splits the buffer at the first tag: returns [before (right-trimmed), after] and leaves `after`
 * (left-trimmed when asked) in the buffer; without the tag the buffer is emptied and [all, ''].
 */
export function splitAtTag(buf: { value: string }, tag: string, trimAfter: boolean): [string, string] {
  const i = buf.value.indexOf(tag);
  if (i < 0) {
    const all = buf.value;
    buf.value = '';
    return [all, ''];
  }
  const before = trimRightSpace(buf.value.slice(0, i));
  let after = buf.value.slice(i + tag.length);
  if (trimAfter) after = trimLeftSpace(after);
  buf.value = after;
  return [before, after];
}

/**
 * Emits what cannot start `tags`: the text before a partial tag at the end (and before trailing
 * whitespace, which a following tag would trim), keeping the rest in the buffer.
 */
export function takeUnambiguous(buf: { value: string }, ...tags: string[]): string {
  const acc = buf.value;
  const ov = Math.max(0, ...tags.map((t) => overlap(acc, t)));
  const before = acc.slice(0, acc.length - ov);
  const start = before.length - trailingWhitespaceLen(before);
  buf.value = acc.slice(start);
  return acc.slice(0, start);
}

/**
 * A tag at the head of the buffer, leading whitespace ignored: `open` when it is there (the
 * buffer then holds what follows it, leading whitespace trimmed); `wait` when the buffer may
 * still become it; `absent` otherwise (the buffer is left as it was).
 */
export function leadingTag(buf: { value: string }, tag: string): 'open' | 'wait' | 'absent' {
  const trimmed = trimLeftSpace(buf.value);
  if (trimmed.startsWith(tag)) {
    buf.value = trimLeftSpace(trimmed.slice(tag.length));
    return 'open';
  }
  return tag.startsWith(trimmed) ? 'wait' : 'absent';
}
