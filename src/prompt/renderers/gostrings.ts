/** Go's strings helpers whose notion of white space differs from JavaScript's. */
import { isGoSpace } from './images.js';

/** strings.TrimSpace (unicode.IsSpace on both ends). */
export function trimSpace(s: string): string {
  const chars = Array.from(s);
  let a = 0;
  let b = chars.length;
  while (a < b && isGoSpace(chars[a]!)) a++;
  while (b > a && isGoSpace(chars[b - 1]!)) b--;
  return chars.slice(a, b).join('');
}

export function trimLeftSpace(s: string): string {
  const chars = Array.from(s);
  let a = 0;
  while (a < chars.length && isGoSpace(chars[a]!)) a++;
  return chars.slice(a).join('');
}

export function trimRightSpace(s: string): string {
  const chars = Array.from(s);
  let b = chars.length;
  while (b > 0 && isGoSpace(chars[b - 1]!)) b--;
  return chars.slice(0, b).join('');
}

/** strings.Trim / TrimLeft / TrimRight with a cutset. */
export function trimChars(s: string, cut: string): string {
  return trimRightChars(trimLeftChars(s, cut), cut);
}
export function trimLeftChars(s: string, cut: string): string {
  let i = 0;
  while (i < s.length && cut.includes(s[i]!)) i++;
  return s.slice(i);
}
export function trimRightChars(s: string, cut: string): string {
  let i = s.length;
  while (i > 0 && cut.includes(s[i - 1]!)) i--;
  return s.slice(0, i);
}

/** strings.ToUpper: each rune's simple upper case (JS's full mapping turns ß into SS; Go keeps ß). */
export function goToUpper(s: string): string {
  let out = '';
  for (const ch of s) {
    const u = ch.toUpperCase();
    out += u.length === ch.length || [...u].length === 1 ? u : ch;
  }
  return out;
}
