/**
 * `format` (reference §3.5): absent, null or "" → unconstrained; "json" → any JSON object;
 * a JSON object → a JSON Schema. Both are enforced with a llama.cpp grammar from node-llama-cpp.
 * Anything else → InvalidFormatError.
 *
 * node-llama-cpp's JSON grammars may pad the end with whitespace; their stop triggers ("\n\n\n\n")
 * are returned as extra stop sequences so the generation ends there.
 */
import { InvalidFormatError } from './errors.js';

export type ParsedFormat = { kind: 'none' } | { kind: 'json' } | { kind: 'schema'; schema: Record<string, unknown> };

export function parseFormat(format: unknown): ParsedFormat {
  if (format === undefined || format === null || format === '') return { kind: 'none' };
  if (format === 'json') return { kind: 'json' };
  if (typeof format === 'object' && !Array.isArray(format)) {
    return { kind: 'schema', schema: format as Record<string, unknown> };
  }
  // a string holding a JSON object (raw JSON as the server may keep it) is accepted too
  if (typeof format === 'string') {
    try {
      const v: unknown = JSON.parse(format);
      if (v === 'json') return { kind: 'json' };
      if (v && typeof v === 'object' && !Array.isArray(v)) return { kind: 'schema', schema: v as Record<string, unknown> };
    } catch {
      /* fall through */
    }
  }
  throw new InvalidFormatError(typeof format === 'string' ? JSON.stringify(format) : safeJson(format));
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Minimal structural view of the node-llama-cpp objects used here (avoids a static import). */
export interface GrammarLike {
  readonly stopGenerationTriggers: readonly unknown[];
}
export interface GrammarFactory {
  getGrammarFor(type: 'json'): Promise<GrammarLike>;
  createGrammarForJsonSchema(schema: never): Promise<GrammarLike>;
}

export interface ResolvedGrammar {
  grammar: GrammarLike;
  /** Text stop sequences implied by the grammar. */
  stops: string[];
}

/** Builds the grammar for a parsed format, or undefined for 'none'. */
export async function createGrammar(llama: GrammarFactory, format: ParsedFormat): Promise<ResolvedGrammar | undefined> {
  if (format.kind === 'none') return undefined;
  let grammar: GrammarLike;
  if (format.kind === 'json') grammar = await llama.getGrammarFor('json');
  else {
    try {
      grammar = await llama.createGrammarForJsonSchema(format.schema as never);
    } catch (err) {
      throw new InvalidFormatError(safeJson(format.schema));
    }
  }
  return { grammar, stops: triggerStrings(grammar.stopGenerationTriggers) };
}

function triggerStrings(triggers: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const t of triggers) {
    if (typeof t === 'string') out.push(t);
    else if (t && typeof t === 'object' && Array.isArray((t as { values?: unknown }).values)) {
      const vals = (t as { values: unknown[] }).values;
      if (vals.every((v) => typeof v === 'string')) out.push(vals.join(''));
    }
  }
  return out.filter((s) => s.length > 0);
}
