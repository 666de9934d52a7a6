/**
 * Ollama's named chat templates, as data: index.json is Ollama's `template/index.json` (Jinja
 * chat templates that model families ship, each with the name of the Go template to use, in
 * Ollama's matching order); named.json holds each `<name>.gotmpl` and the `stop` list of its
 * `<name>.json`. Both are copied from Ollama by scripts/port-templates.ts; do not edit by hand.
 */
import INDEX from './index.json' with { type: 'json' };
import NAMED from './named.json' with { type: 'json' };

export interface KnownTemplate {
  /** Ollama's template name (`llama3-instruct`, `chatml`, …). */
  name: string;
  /** The Go template Ollama stores for it. */
  template: string;
  /** The `stop` list of Ollama's `<name>.json`, when it has one. */
  stop?: string[];
  /** Jinja chat templates that select it, in index.json order. */
  jinja: string[];
}

/** One row of index.json: a Jinja chat template and the template name it selects. */
export interface IndexEntry {
  name: string;
  template: string;
}

const named = NAMED as Record<string, { template: string; stop?: string[] }>;

/** index.json in Ollama's order: detection walks it and the first nearest row wins. */
export const TEMPLATE_INDEX: readonly IndexEntry[] = (INDEX as IndexEntry[]).map((e) => {
  if (!named[e.name]) throw new Error(`index.json names ${e.name}, which has no Go template`);
  return { name: e.name, template: e.template };
});

/** Every Go template Ollama ships (also those index.json never selects, such as vicuna). */
export const KNOWN_TEMPLATES: readonly KnownTemplate[] = Object.entries(named).map(([name, t]) => ({
  name,
  template: t.template,
  ...(t.stop ? { stop: [...t.stop] } : {}),
  jinja: TEMPLATE_INDEX.filter((e) => e.name === name).map((e) => e.template),
}));

/** A known template by Ollama name. */
export function knownTemplate(name: string): KnownTemplate | undefined {
  return KNOWN_TEMPLATES.find((t) => t.name === name);
}
