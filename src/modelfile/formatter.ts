/**
 * Modelfile output: one instruction (Ollama's Command.String()), the whole `ollama show
 * --modelfile` text (reference §5.5), and the `/api/show` `parameters` string (§3.9).
 */
import { isIntOption } from '../api/options.js';
import { goFormatFloat, goQuote } from './gofmt.js';
import type { Command, MessageRole } from './types.js';

const isWs = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

/**
 * Ollama's value quoting: a value with a newline or a leading/trailing space is wrapped in
 * `"…"`, or in `"""…"""` when it holds a `"`; anything else is printed as is.
 *
 * Where Ollama's raw output would read back differently we quote too (a leading/trailing tab or
 * CR, a lone CR, a leading `"`), so parse(format(x)) == x for every value the grammar can
 * express. (It cannot express a multi-line value with a line ending in `"""`: no escapes.)
 */
export function quoteValue(s: string): string {
  const needs =
    s.includes('\n') ||
    s.includes('\r') ||
    isWs(s[0]) ||
    isWs(s[s.length - 1]) ||
    s.startsWith('"');
  if (!needs) return s;
  return s.includes('"') ? `"""${s}"""` : `"${s}"`;
}

/** One instruction as Ollama prints it (no trailing newline). */
export function formatCommand(cmd: Command): string {
  switch (cmd.kind) {
    case 'parameter':
      return `PARAMETER ${cmd.name} ${quoteValue(cmd.value)}`;
    case 'message':
      return `MESSAGE ${cmd.role} ${quoteValue(cmd.content)}`;
    default:
      return `${cmd.kind.toUpperCase()} ${quoteValue(cmd.value)}`;
  }
}

/** Go's `%v` of one parameter value: ints of int options as integers, other numbers as %g. */
export function formatParameterValue(name: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (isIntOption(name) && Number.isInteger(v)) return BigInt(v).toString();
    return goFormatFloat(v);
  }
  if (typeof v === 'bigint') return v.toString();
  return JSON.stringify(v);
}

/** Go's `%#v` of one parameter value: strings quoted Go-style, numbers as in formatParameterValue. */
function formatParameterValueGo(name: string, v: unknown): string {
  return typeof v === 'string' ? goQuote(v) : formatParameterValue(name, v);
}

/** [name, value] pairs, keys sorted, list values expanded one per element, nulls dropped. */
function parameterPairs(params: Record<string, unknown> | undefined): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  if (!params) return out;
  for (const name of Object.keys(params).sort()) {
    const v = params[name];
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) {
      for (const item of v) if (item !== undefined && item !== null) out.push([name, item]);
    } else {
      out.push([name, v]);
    }
  }
  return out;
}

/**
 * The `/api/show` `parameters` string: one line per value, `<name padded to 30> <Go %#v>`
 * (e.g. `stop                           "<|eot_id|>"`), joined by newlines. Ollama iterates a
 * Go map (random order); we sort by name so the output is stable.
 */
export function formatParametersString(params: Record<string, unknown> | undefined): string {
  return parameterPairs(params)
    .map(([name, v]) => `${name.padEnd(30)} ${formatParameterValueGo(name, v)}`)
    .join('\n');
}

/** What the server knows about a model, for `ollama show --modelfile`. */
export interface ShowModelfileInput {
  /** Shortest display name (e.g. `llama3.2:latest`), shown in the header's `# FROM` line. */
  name: string;
  /** Absolute path of the model weights blob. */
  modelPath: string;
  adapterPaths?: readonly string[];
  draftPaths?: readonly string[];
  projectorPaths?: readonly string[];
  /** The model's template; models without one print `TEMPLATE {{ .Prompt }}`. */
  template?: string;
  system?: string;
  renderer?: string;
  parser?: string;
  /** The params layer (plus any request options), e.g. `{ num_ctx: 4096, stop: ['</s>'] }`. */
  parameters?: Record<string, unknown>;
  licenses?: readonly string[];
  messages?: ReadonlyArray<{ role: string; content: string }>;
}

export const DEFAULT_TEMPLATE = '{{ .Prompt }}';

/** The instructions `ollama show --modelfile` prints, in Ollama's order. */
export function showCommands(m: ShowModelfileInput): Command[] {
  const cmds: Command[] = [{ kind: 'from', value: m.modelPath }];
  for (const p of m.adapterPaths ?? []) cmds.push({ kind: 'adapter', value: p });
  for (const p of m.draftPaths ?? []) cmds.push({ kind: 'draft', value: p });
  for (const p of m.projectorPaths ?? []) cmds.push({ kind: 'from', value: p });
  cmds.push({ kind: 'template', value: m.template ?? DEFAULT_TEMPLATE });
  if (m.system) cmds.push({ kind: 'system', value: m.system });
  if (m.renderer) cmds.push({ kind: 'renderer', value: m.renderer });
  if (m.parser) cmds.push({ kind: 'parser', value: m.parser });
  for (const [name, v] of parameterPairs(m.parameters)) {
    cmds.push({ kind: 'parameter', name, value: formatParameterValue(name, v) });
  }
  for (const l of m.licenses ?? []) cmds.push({ kind: 'license', value: l });
  for (const msg of m.messages ?? []) {
    cmds.push({ kind: 'message', role: msg.role as MessageRole, content: msg.content });
  }
  return cmds;
}

/**
 * `ollama show --modelfile` / the `/api/show` `modelfile` field: the three header comment
 * lines, a blank line, then one instruction per line, each ending in a newline.
 */
export function formatModelfile(m: ShowModelfileInput): string {
  let out =
    '# Modelfile generated by "ollama show"\n' +
    '# To build a new Modelfile based on this, replace FROM with:\n' +
    `# FROM ${m.name}\n\n`;
  for (const c of showCommands(m)) out += formatCommand(c) + '\n';
  return out;
}
