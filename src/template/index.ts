/**
 * Go text/template engine (as Ollama uses it) and Ollama's template layer.
 *
 *   renderGoTemplate(text, data)          parse + execute in one step
 *   parseGoTemplate(text)                 parse (TemplateError on bad syntax)
 *   executeGoTemplate(parsed, data, opts) execute a parsed template
 *   templateVars(parsed)                  Ollama's Vars(): referenced identifiers, lower-cased
 *
 * Plain JS data is read like Go's map[string]interface{} / []interface{} with float64
 * numbers; see values.ts for typed Go values (structs, Stringers).
 */
import { type ExecOptions, execute } from './exec.js';
import { FUNC_NAMES } from './funcs.js';
import { type ParsedTemplate, parse } from './parser.js';

export { TemplateError, TemplateExecError, TemplateLimitError } from './errors.js';
export type { TemplatePhase } from './errors.js';
export type { ParsedTemplate } from './parser.js';
export type { ExecOptions } from './exec.js';
export { DEFAULT_MAX_DEPTH, DEFAULT_MAX_OUTPUT, DEFAULT_MAX_STEPS, DEFAULT_TIMEOUT_MS } from './exec.js';
export { templateVars, cutAfterResponse } from './vars.js';
export { toolCallPrefix, inferThinkingTags } from './inspect.js';
export { GoMap, GoSlice, GoStruct } from './values.js';
export { goJSON, JSONObject } from './json.js';
export * from './ollama.js';

/** Parses a Go template with Ollama's function set. Throws TemplateError (phase "parse"). */
export function parseGoTemplate(text: string): ParsedTemplate {
  return parse(text, { funcs: FUNC_NAMES });
}

/** Executes a parsed template. Throws TemplateError (phase "exec") on execution errors. */
export function executeGoTemplate(t: ParsedTemplate, data: unknown, opts: ExecOptions = {}): string {
  return execute(t, data, opts);
}

/** Parses and executes `text` with `data`; throws TemplateError on parse or execution errors. */
export function renderGoTemplate(text: string, data: unknown, opts: ExecOptions = {}): string {
  return execute(parseGoTemplate(text), data, opts);
}
