/** `/v1/embeddings` ↔ `/api/embed` (reference §3.11). */
import { BadRequestError } from '../../api/errors.js';
import type { EmbedRequest, EmbedResponse } from '../../api/types.js';

export type EncodingFormat = 'float' | 'base64';

export interface OpenAIEmbedRequest {
  model: string;
  input: string | string[] | number[] | number[][];
  dimensions?: number;
  encoding_format?: string;
}

/** Maps the request; returns the Ollama request and the validated encoding format. */
export function fromEmbeddingRequest(body: unknown): { request: EmbedRequest; encoding: EncodingFormat } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequestError('invalid request body');
  const r = body as Record<string, unknown>;
  const fmt = r.encoding_format === undefined || r.encoding_format === null ? '' : String(r.encoding_format);
  const lower = fmt.toLowerCase();
  if (lower !== '' && lower !== 'float' && lower !== 'base64') {
    throw new BadRequestError(`Invalid value for 'encoding_format' = ${fmt}. Supported values: ['float', 'base64'].`);
  }
  let input = r.input;
  if (input === '') input = [''];
  if (input === undefined || input === null) throw new BadRequestError('invalid input');
  if (Array.isArray(input) && input.length === 0) throw new BadRequestError('invalid input');
  if (Array.isArray(input) && input.some((x) => typeof x !== 'string')) {
    // Token-id arrays (number[] / number[][]) are accepted by OpenAI; Ollama rejects them too.
    throw new BadRequestError('invalid input type: token arrays are not supported, send text strings');
  }
  if (typeof input !== 'string' && !Array.isArray(input)) throw new BadRequestError('invalid input type');
  const request: EmbedRequest = { model: typeof r.model === 'string' ? r.model : '', input: input as string | string[] };
  if (typeof r.dimensions === 'number' && r.dimensions > 0) request.dimensions = Math.trunc(r.dimensions);
  return { request, encoding: lower === 'base64' ? 'base64' : 'float' };
}

/** Little-endian float32 bytes, base64-encoded. */
export function floatsToBase64(v: ArrayLike<number>): string {
  const f = Float32Array.from(v);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
}

export interface EmbeddingList {
  object: 'list';
  data: { object: 'embedding'; embedding: Float32Array | string; index: number }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/** Vectors are Float32Array so goJSON writes them as Go writes `[]float32`. */
export function toEmbeddingList(model: string, r: EmbedResponse, encoding: EncodingFormat = 'float'): EmbeddingList {
  const n = r.prompt_eval_count ?? 0;
  return {
    object: 'list',
    data: r.embeddings.map((e, index) => ({
      object: 'embedding' as const,
      embedding: encoding === 'base64' ? floatsToBase64(e) : Float32Array.from(e),
      index,
    })),
    model,
    usage: { prompt_tokens: n, total_tokens: n },
  };
}
