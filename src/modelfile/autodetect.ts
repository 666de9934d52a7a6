/**
 * Template autodetection at create time (reference §4.5 step 1, §6.1), as Ollama's
 * `template.Named` does it: the GGUF's `tokenizer.chat_template` is compared with every row of
 * Ollama's template/index.json, in order, by rune-level Levenshtein distance; the first row with
 * the smallest distance wins, when that distance is below 100. The result carries the Go template
 * Ollama stores and the `stop` list of the template's `<name>.json` (Ollama decodes only `stop`).
 */
import { TEMPLATE_INDEX, knownTemplate } from './templates/known.js';

/** Ollama accepts a match only when the distance is below this. */
export const MAX_TEMPLATE_DISTANCE = 100;

/**
 * Chat templates of this many runes or more are not compared. Ollama compares them, but its
 * Levenshtein (github.com/agnivade/levenshtein v1.1.1) counts in 16-bit cells that wrap from
 * 65536 runes on, so its "distance" there is an artefact, and reproducing it costs a full
 * O(n·m) pass of several seconds. No real chat template comes near this size.
 */
export const MAX_COMPARE_RUNES = 0x10000;

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
 * O(n·limit): only the diagonal band that can stay under the limit is computed. Below the limit it
 * equals Ollama's distance (for strings shorter than 65536 runes, where its 16-bit cells hold).
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

let index: Array<{ name: string; runes: number[] }> | undefined;

/** Finds the named template nearest to a Jinja chat template, or null when none is close. */
export function detectTemplate(chatTemplate: string | undefined | null): DetectedTemplate | null {
  if (!chatTemplate) return null;
  const s = runes(chatTemplate);
  if (s.length >= MAX_COMPARE_RUNES) return null;
  index ??= TEMPLATE_INDEX.map((e) => ({ name: e.name, runes: runes(e.template) }));
  let best: { name: string; d: number } | null = null;
  for (const e of index) {
    const limit = best ? best.d : MAX_TEMPLATE_DISTANCE;
    const d = boundedLevenshtein(s, e.runes, limit);
    if (d < limit) best = { name: e.name, d };
  }
  if (!best) return null;
  const t = knownTemplate(best.name)!;
  return { name: t.name, template: t.template, ...(t.stop ? { stop: [...t.stop] } : {}), distance: best.d };
}
