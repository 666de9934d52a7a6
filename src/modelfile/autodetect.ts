/**
 * Template autodetection at create time (reference §4.5 step 1, §6.1): a GGUF's
 * `tokenizer.chat_template` is compared with the Jinja templates of every known template by
 * rune-level Levenshtein distance; the nearest wins (the first on a tie) when its distance is
 * below 100. The result carries the Go template Ollama stores and the `stop` parameters of the
 * template's `<name>.json` (only `stop` is carried).
 */
import { KNOWN_TEMPLATES, type KnownTemplate } from './templates/known.js';

/** Ollama accepts a match only when the distance is below this. */
export const MAX_TEMPLATE_DISTANCE = 100;

/** Chat templates longer than this are not compared (no known template comes close). */
const MAX_COMPARE_RUNES = 64 * 1024;

export interface DetectedTemplate {
  name: string;
  /** The Go template text (the template layer). */
  template: string;
  /** `stop` parameters for the params layer, when the template has them. */
  stop?: string[];
  distance: number;
}

/**
 * Levenshtein distance between two rune arrays, or `limit` when it is `limit` or more. Runs in
 * O(n·limit): only the diagonal band that can stay under the limit is computed.
 */
export function boundedLevenshtein(a: readonly number[], b: readonly number[], limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  if (a.length === 0) return Math.min(b.length, limit);
  if (b.length === 0) return Math.min(a.length, limit);
  const big = limit + 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j < big ? j : big;
  for (let i = 1; i <= a.length; i++) {
    const lo = Math.max(1, i - limit);
    const hi = Math.min(b.length, i + limit);
    cur.fill(big);
    cur[0] = i < big ? i : big;
    let rowMin = cur[0]!;
    const ai = a[i - 1];
    for (let j = lo; j <= hi; j++) {
      const cost = ai === b[j - 1] ? 0 : 1;
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur[j] = v < big ? v : big;
      if (cur[j]! < rowMin) rowMin = cur[j]!;
    }
    if (rowMin >= limit) return limit;
    [prev, cur] = [cur, prev];
  }
  return Math.min(prev[b.length]!, limit);
}

function runes(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0)!);
  return out;
}

let cache: Array<{ t: KnownTemplate; runes: number[][] }> | undefined;

/** Finds the known template nearest to a Jinja chat template, or null when none is close. */
export function detectTemplate(chatTemplate: string | undefined | null): DetectedTemplate | null {
  if (!chatTemplate) return null;
  const s = runes(chatTemplate);
  if (s.length > MAX_COMPARE_RUNES) return null;
  cache ??= KNOWN_TEMPLATES.map((t) => ({ t, runes: t.jinja.map(runes) }));
  let best: { t: KnownTemplate; d: number } | null = null;
  for (const { t, runes: candidates } of cache) {
    for (const c of candidates) {
      const limit = best ? best.d : MAX_TEMPLATE_DISTANCE;
      const d = boundedLevenshtein(s, c, limit);
      if (d < limit) best = { t, d };
    }
  }
  if (!best) return null;
  return { name: best.t.name, template: best.t.template, ...(best.t.stop ? { stop: [...best.t.stop] } : {}), distance: best.d };
}
