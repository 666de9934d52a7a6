/** POST /api/embed and the legacy POST /api/embeddings (reference §3.8). */
import { BadRequestError } from '../../api/errors.js';
import type { EmbedRequest, EmbedResponse, EmbeddingRequest, EmbeddingResponse } from '../../api/types.js';
import { resolveModel } from '../model.js';
import { acquire, mergeOptions, type ServerDeps } from './common.js';

function inputs(input: unknown): string[] {
  if (input === undefined || input === null || input === '') return [];
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.every((x) => typeof x === 'string')) return input as string[];
  throw new BadRequestError('invalid input type');
}

export async function embed(deps: ServerDeps, req: EmbedRequest, signal: AbortSignal): Promise<EmbedResponse> {
  const start = process.hrtime.bigint();
  const m = await resolveModel(deps.store, req.model, (name) => `model "${name}" not found, try pulling it first`);
  const list = inputs(req.input);
  if (req.dimensions !== undefined && req.dimensions !== null && (!Number.isInteger(req.dimensions) || req.dimensions < 0)) {
    throw new BadRequestError('dimensions must be a non-negative integer');
  }
  const options = mergeOptions(deps, m, req.options);
  const lease = await acquire(deps, m, options, req.keep_alive, signal);
  try {
    if (list.length === 0) return { model: req.model, embeddings: [] } as unknown as EmbedResponse;
    const r = await lease.runner.embed(list, { truncate: req.truncate ?? true, dimensions: req.dimensions ?? undefined });
    return {
      model: req.model,
      embeddings: r.embeddings,
      total_duration: Number(process.hrtime.bigint() - start),
      load_duration: lease.loadDuration,
      prompt_eval_count: r.prompt_eval_count,
    } as EmbedResponse;
  } finally {
    lease.release();
  }
}

export async function embeddings(deps: ServerDeps, req: EmbeddingRequest, signal: AbortSignal): Promise<EmbeddingResponse> {
  const m = await resolveModel(deps.store, req.model);
  const options = mergeOptions(deps, m, req.options);
  const lease = await acquire(deps, m, options, req.keep_alive, signal);
  try {
    if (!req.prompt) return { embedding: [] };
    const r = await lease.runner.embed([req.prompt], { normalize: false });
    return { embedding: r.embeddings[0] ?? [] };
  } finally {
    lease.release();
  }
}
