/** Pieces shared by the OpenAI request mappers. */
import { BadRequestError } from '../../api/errors.js';
import type { ChatResponse, GenerateResponse, Logprob } from '../../api/types.js';

export const SYSTEM_FINGERPRINT = 'fp_ollama';

/** `<prefix>-<0..998>`, as Ollama makes ids (`chatcmpl-NNN`, `cmpl-NNN`). */
export function makeId(prefix: string, random: () => number = Math.random): string {
  return `${prefix}-${Math.floor(random() * 999)}`;
}

/** Unix seconds now. */
export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

/** Unix seconds of an RFC3339 timestamp (fraction of any length allowed); 0 when unparseable. */
export function unixOf(ts: string | undefined): number {
  if (!ts) return 0;
  const ms = Date.parse(ts.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

/** `stop`: a string or an array of strings. */
export function mapStop(stop: unknown, options: Record<string, unknown>): void {
  if (stop === undefined || stop === null) return;
  if (typeof stop === 'string') {
    options.stop = [stop];
    return;
  }
  if (Array.isArray(stop)) {
    const out: string[] = [];
    for (const s of stop) {
      if (typeof s !== 'string') throw new BadRequestError(`invalid type for 'stop' field: ${goTypeName(s)}`);
      out.push(s);
    }
    options.stop = out;
    return;
  }
  throw new BadRequestError(`invalid type for 'stop' field: ${goTypeName(stop)}`);
}

/** Go's %T of a JSON-decoded value. */
export function goTypeName(v: unknown): string {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return '[]interface {}';
  if (v === null || v === undefined) return '<nil>';
  return 'map[string]interface {}';
}

/** A finite number or undefined; anything else is a 400 naming the field. */
export function optNumber(body: Record<string, unknown>, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new BadRequestError(`json: cannot unmarshal ${jsonKind(v)} into Go struct field .${key} of type number`);
  }
  return v;
}

export function jsonKind(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object' && v !== null) return 'object';
  return 'number';
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function toUsage(r: Pick<ChatResponse | GenerateResponse, 'prompt_eval_count' | 'eval_count'>): Usage {
  const p = r.prompt_eval_count ?? 0;
  const c = r.eval_count ?? 0;
  return { prompt_tokens: p, completion_tokens: c, total_tokens: p + c };
}

/** Ollama's finish reason, with `tool_calls` replacing it when tools were called; null if none. */
export function finishReason(doneReason: string | undefined, toolCalled: boolean): string | null {
  if (toolCalled) return 'tool_calls';
  return doneReason ? doneReason : null;
}

/** Ollama's ChoiceLogprobs: `{content: [...]}`, on a choice only when there are entries. */
export interface ChoiceLogprobs {
  content: Logprob[];
}

export function choiceLogprobs(lps: Logprob[] | undefined): { logprobs?: ChoiceLogprobs } {
  return lps && lps.length > 0 ? { logprobs: { content: lps } } : {};
}
