/**
 * Embedding vector helpers (pure). node-llama-cpp returns the last token's embedding, not
 * normalised; /api/embed returns L2-normalised vectors, /api/embeddings the raw ones.
 */
import { InvalidEmbeddingError } from './errors.js';

/** Throws InvalidEmbeddingError when any value is NaN or ±Inf. */
export function assertFinite(v: readonly number[]): void {
  for (const x of v) if (!Number.isFinite(x)) throw new InvalidEmbeddingError();
}

/** L2-normalises (a zero vector stays zero). */
export function normalize(v: readonly number[]): number[] {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm === 0) return v.slice();
  return v.map((x) => x / norm);
}

/**
 * Prepares a vector for /api/embed: checks it, cuts it to `dimensions` when that is a positive
 * number smaller than its length, then normalises.
 */
export function finishEmbedding(v: readonly number[], dimensions?: number | null): number[] {
  assertFinite(v);
  const d = dimensions != null && dimensions > 0 && dimensions < v.length ? Math.floor(dimensions) : v.length;
  return normalize(v.slice(0, d));
}
