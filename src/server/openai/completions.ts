/** `/v1/completions` ↔ `/api/generate` (reference §3.11). */
import { BadRequestError } from '../../api/errors.js';
import type { GenerateRequest, GenerateResponse } from '../../api/types.js';
import { SYSTEM_FINGERPRINT, choiceLogprobs, jsonKind, makeId, mapStop, optNumber, toUsage, unixNow, type ChoiceLogprobs, type Usage } from './common.js';

export interface CompletionRequest {
  model: string;
  prompt: string;
  suffix?: string;
  max_tokens?: number;
  stop?: string | string[];
  seed?: number;
  temperature?: number;
  top_p?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  logprobs?: number;
}

export function fromCompletionRequest(body: unknown): GenerateRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequestError('invalid request body');
  const r = body as Record<string, unknown>;
  if (r.prompt !== undefined && r.prompt !== null && typeof r.prompt !== 'string') {
    throw new BadRequestError(`json: cannot unmarshal ${jsonKind(r.prompt)} into Go struct field CompletionRequest.prompt of type string`);
  }
  const options: Record<string, unknown> = {};
  mapStop(r.stop, options);
  const maxTokens = optNumber(r, 'max_tokens');
  if (maxTokens !== undefined) options.num_predict = Math.trunc(maxTokens);
  options.temperature = optNumber(r, 'temperature') ?? 1.0;
  const seed = optNumber(r, 'seed');
  if (seed !== undefined) options.seed = Math.trunc(seed);
  options.frequency_penalty = optNumber(r, 'frequency_penalty') ?? 0;
  options.presence_penalty = optNumber(r, 'presence_penalty') ?? 0;
  const topP = optNumber(r, 'top_p') ?? 0;
  options.top_p = topP !== 0 ? topP : 1.0;
  const out: GenerateRequest = {
    model: typeof r.model === 'string' ? r.model : '',
    prompt: typeof r.prompt === 'string' ? r.prompt : '',
    options,
    stream: r.stream === true,
  };
  if (typeof r.suffix === 'string' && r.suffix !== '') out.suffix = r.suffix;
  const lp = optNumber(r, 'logprobs');
  if (lp !== undefined && lp > 0) {
    out.logprobs = true;
    out.top_logprobs = Math.trunc(lp);
  }
  return out;
}

export interface CompletionChoice {
  text: string;
  index: number;
  finish_reason: string | null;
  /**
   * Ollama's CompleteChunkChoice has this field (`{content: [...]}`, the chat shape) but 0.33 never
   * fills it; Tollama does, when `logprobs` was asked (docs/api.md).
   */
  logprobs?: ChoiceLogprobs;
}

export interface Completion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: CompletionChoice[];
  usage: Usage;
}

export function toCompletion(id: string, r: GenerateResponse, created: number = unixNow()): Completion {
  return {
    id,
    object: 'text_completion',
    created,
    model: r.model,
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices: [{ text: r.response, index: 0, finish_reason: r.done_reason ? r.done_reason : null, ...choiceLogprobs(r.logprobs) }],
    usage: toUsage(r),
  };
}

/** Go's CompletionChunk field order: id, object, created, choices, model, system_fingerprint, usage. */
export interface CompletionChunk {
  id: string;
  object: 'text_completion';
  created: number;
  choices: CompletionChoice[];
  model: string;
  system_fingerprint: string;
  usage?: Usage;
}

const ZERO_USAGE: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

/** Turns the Ollama generate stream into `text_completion` chunks; `[DONE]` follows the last. */
export class CompletionStreamMapper {
  readonly id: string;
  readonly created: number;
  private readonly includeUsage: boolean;

  constructor(opts: { includeUsage?: boolean; id?: string; created?: number } = {}) {
    this.includeUsage = opts.includeUsage ?? false;
    this.id = opts.id ?? makeId('cmpl');
    this.created = opts.created ?? unixNow();
  }

  push(r: GenerateResponse): CompletionChunk[] {
    const chunk: CompletionChunk = {
      id: this.id,
      object: 'text_completion',
      created: this.created,
      choices: [{ text: r.response, index: 0, finish_reason: r.done && r.done_reason ? r.done_reason : null, ...choiceLogprobs(r.logprobs) }],
      model: r.model,
      system_fingerprint: SYSTEM_FINGERPRINT,
    };
    if (this.includeUsage) chunk.usage = { ...ZERO_USAGE };
    const out = [chunk];
    if (r.done && this.includeUsage) {
      out.push({
        id: this.id,
        object: 'text_completion',
        created: this.created,
        choices: [],
        model: r.model,
        system_fingerprint: SYSTEM_FINGERPRINT,
        usage: toUsage(r),
      });
    }
    return out;
  }
}
