/**
 * Log-probabilities of generated tokens (Ollama's `logprobs` / `top_logprobs`), from Tollama's
 * patched addon (scripts/native/nlc-logprobs.patch): the log-softmax of each position's raw logits
 * over the whole vocabulary, before any sampler, as llama-server computes them for Ollama.
 *
 * The patch adds two native methods, found by feature detection on node-llama-cpp's internals:
 * - `context._ctx.setRawLogprobs(k)`: on that context, a sample asked for its `confidence` returns
 *   the sampled token's raw log-probability as `confidence` and the top k (token → log-probability)
 *   as `probabilities`, highest first;
 * - `model._model.tokenPieceBytes(token)`: the token's piece as bytes (what llama-server shows).
 * The prebuilt binary has neither: asking for logprobs then fails with LogprobsUnavailableError.
 */
import type { LlamaContext, LlamaModel } from 'node-llama-cpp';
import { RuntimeError } from './errors.js';

/** Ollama's most alternatives per position (server/routes.go). */
export const MAX_TOP_LOGPROBS = 20;

export interface TokenLogprob {
  token: string;
  logprob: number;
  /** The UTF-8 bytes of `token`; absent when it is empty. */
  bytes?: number[];
}

export interface Logprob extends TokenLogprob {
  top_logprobs?: TokenLogprob[];
}

export class LogprobsUnavailableError extends RuntimeError {
  constructor() {
    super('logprobs need Tollama\'s patched llama.cpp addon, and the prebuilt node-llama-cpp binary is loaded: run `npm run build:native` (needs g++ and git), then restart the server', 501);
    this.name = 'LogprobsUnavailableError';
  }
}

interface NativeContext { setRawLogprobs?: (k: number) => boolean }
interface NativeModel { tokenPieceBytes?: (token: number) => Uint8Array | undefined }

/**
 * Switches raw logprobs on for a context (nothing is computed until a sample asks for them).
 * Returns the piece reader, or undefined when the loaded binary lacks the patch.
 */
export function enableRawLogprobs(model: LlamaModel, context: LlamaContext): TokenPieces | undefined {
  const ctx = (context as unknown as { _ctx?: NativeContext })._ctx;
  const mdl = (model as unknown as { _model?: NativeModel })._model;
  if (typeof ctx?.setRawLogprobs !== 'function' || typeof mdl?.tokenPieceBytes !== 'function') return undefined;
  ctx.setRawLogprobs(MAX_TOP_LOGPROBS);
  return new TokenPieces((t) => mdl.tokenPieceBytes!(t));
}

/**
 * llama-server's validate_utf8: the length without a multi-byte character cut off at the end (a
 * byte-level token holding the first bytes of a character shows as "").
 */
export function completeUtf8Length(b: Uint8Array): number {
  const len = b.length;
  for (let i = 1; i <= 4 && i <= len; i++) {
    const c = b[len - i]!;
    if ((c & 0xe0) === 0xc0) { if (i < 2) return len - i; }
    else if ((c & 0xf0) === 0xe0) { if (i < 3) return len - i; }
    else if ((c & 0xf8) === 0xf0) { if (i < 4) return len - i; }
  }
  return len;
}

const decoder = new TextDecoder('utf-8');

/** Token → its text and bytes as Ollama reports them; cached (the vocabulary never changes). */
export class TokenPieces {
  private readonly cache = new Map<number, TokenLogprob>();

  constructor(private readonly bytesOf: (token: number) => Uint8Array | undefined) {}

  /** `{token, bytes?}` for a token; invalid bytes become U+FFFD, as in Ollama's JSON round trip. */
  piece(token: number): Omit<TokenLogprob, 'logprob'> {
    let p = this.cache.get(token);
    if (!p) {
      const raw = this.bytesOf(token) ?? new Uint8Array();
      const text = decoder.decode(raw.subarray(0, completeUtf8Length(raw)));
      p = text === '' ? { token: '', logprob: 0 } : { token: text, logprob: 0, bytes: Array.from(Buffer.from(text, 'utf8')) };
      this.cache.set(token, p);
    }
    return p.bytes ? { token: p.token, bytes: p.bytes } : { token: p.token };
  }

  /** One Ollama Logprob from a sample's `confidence` (the sampled token's log-probability) and `probabilities` (top ones). */
  entry(token: number, logprob: number, top: ReadonlyMap<number, number> | undefined, topCount: number): Logprob {
    const p = this.piece(token);
    const out: Logprob = { token: p.token, logprob, ...(p.bytes ? { bytes: p.bytes } : {}) };
    if (topCount > 0 && top) {
      const list: TokenLogprob[] = [];
      for (const [t, lp] of top) {
        if (list.length >= topCount) break;
        const q = this.piece(t);
        list.push({ token: q.token, logprob: lp, ...(q.bytes ? { bytes: q.bytes } : {}) });
      }
      out.top_logprobs = list;
    }
    return out;
  }
}

/**
 * Which tokens' logprobs go with which emitted text. A token joins `pending` when sampled; the
 * pending ones are released with the next text piece handed out (a token whose text is held back,
 * an incomplete character or a possible stop sequence, waits for it). The token that completes a
 * stop sequence is dropped, as Ollama drops the stop word's tokens.
 */
export class LogprobQueue {
  private pending: Logprob[] = [];
  private ready: Logprob[] = [];

  add(entry: Logprob): void {
    this.pending.push(entry);
  }

  /** The pending entries go with the text about to be handed out. */
  release(): void {
    if (this.pending.length === 0) return;
    for (const e of this.pending) this.ready.push(e);
    this.pending = [];
  }

  /** A stop sequence ended the generation: the last token (which completed it) is dropped. */
  releaseBeforeStop(): void {
    this.pending.pop();
    this.release();
  }

  /** The entries released since the last call. */
  take(): Logprob[] {
    const out = this.ready;
    this.ready = [];
    return out;
  }
}
