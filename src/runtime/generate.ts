/**
 * One generation on one context sequence: prompt tokens in, text pieces out, then Ollama's stats.
 * Used by Runner.generate; kept apart so the runner file stays about loading and resources.
 */
import type { LlamaContextSequence, LlamaGrammar, LlamaModel, SequenceEvaluateOptions, Token } from 'node-llama-cpp';
import { ContextLengthError, RequestAbortedError, RuntimeError } from './errors.js';
import type { NodeLlamaCpp } from './llama.js';
import type { LogprobQueue, TokenPieces } from './logprobs.js';
import { DEFAULT_SAMPLING, type SamplingOptions } from './options.js';
import { resolveMaxTokens, resolveSampling } from './sampling.js';
import { StopDetector } from './stop.js';
import { truncatePromptTokens } from './truncate.js';
import { TokenTextAssembler } from './utf8.js';
import { isPlaceholder, resumePosition, type VisionPrompt } from './vision.js';

export type DoneReason = 'stop' | 'length';

/** Final statistics of a generation, with Ollama's field names; durations in nanoseconds. */
export interface GenerateResult {
  done_reason: DoneReason;
  /** Prompt tokens (without BOS) followed by the generated tokens: /api/generate's `context`. */
  context: number[];
  total_duration: number;
  load_duration: number;
  prompt_eval_count: number;
  prompt_eval_duration: number;
  eval_count: number;
  eval_duration: number;
  /** The seed used (a random one when the request asked for -1). */
  seed: number;
  /** True when the prompt was cut to fit the context. */
  prompt_truncated: boolean;
}

export interface GenerateRequest {
  /** The rendered prompt; special-token text (e.g. `<|im_start|>`) is parsed into tokens. */
  prompt?: string;
  /** Tokens placed before the prompt (the `context` of a previous /api/generate response). */
  context?: readonly number[];
  /** Sampling options with Ollama's names (merged defaults ← model params ← request). */
  options?: SamplingOptions;
  /** Ollama's `format`: undefined/null/"" | "json" | JSON-schema object. */
  format?: unknown;
  /** Context shift (Ollama `shift`, default true): false → error/stop instead of shifting. */
  shift?: boolean;
  /** Cancels the request at the next token and frees its sequence. */
  signal?: AbortSignal;
  /** Added to the stats: time spent loading the model for this request (ns). */
  loadDuration?: number;
  /** process.hrtime.bigint() when the request arrived; total_duration counts from here. */
  startTime?: bigint;
  /**
   * Return each generated token's log-probability, with the `top` (0–20) most likely tokens at
   * its position (Ollama's logprobs / top_logprobs). Needs the patched addon.
   */
  logprobs?: { top: number };
  /**
   * Images (encoded PNG/JPEG/GIF/BMP bytes), in the order of the prompt's `[img-0]`, `[img-1]`, …
   * tags (Ollama's), which become the images' places. Needs a model with a projector.
   */
  images?: readonly Uint8Array[];
}

export interface GenerationDeps {
  nlc: NodeLlamaCpp;
  model: LlamaModel;
  sequence: LlamaContextSequence;
  grammar?: { grammar: LlamaGrammar; stops: string[] } | undefined;
  /** Prompt tokens, BOS included when the model wants it. */
  tokens: number[];
  /** How many leading tokens are BOS (0 or 1), never cut by truncation. */
  bosCount: number;
  /** Set when the request asks for logprobs: token texts, and where the entries go. */
  logprobs?: { pieces: TokenPieces; queue: LogprobQueue; top: number } | undefined;
  /**
   * Called once when the generation is over, with a promise that settles when the sequence is
   * idle again (a token decoded ahead may still be running): free the sequence after it.
   */
  release?: (idle: Promise<void>) => void;
  /**
   * Set for a prompt with images: `tokens` is its layout (image positions are placeholders), and
   * `evaluate(common)` puts it in the sequence from `common` on, all but the last token, which it
   * returns (vision.ts).
   */
  vision?: {
    prompt: VisionPrompt;
    evaluate: (common: number) => Promise<number>;
    /** What /api/generate returns as `context` before the generated tokens. */
    contextTokens: number[];
  } | undefined;
}

/**
 * The token loop. Yields text pieces; returns the stats. `open` prepares the generation (it may
 * wait for a free sequence); nothing runs until the generator is first iterated.
 *
 * Pipelined: as soon as token N arrives, and when another token is wanted, the decode of N (which
 * samples N+1) is started on node-llama-cpp's worker thread, and only then is N turned into text
 * and handed to the consumer, so the consumer's per-token work (JSON, the HTTP write) runs while
 * the next token is computed instead of before it. When N ends the generation after all (a stop
 * sequence, the consumer stops), the decode already started finishes in the background and the
 * sequence is released after it (`release`); its token is never sampled into the output.
 */
export async function* runGeneration(open: () => Promise<GenerationDeps>, req: GenerateRequest): AsyncGenerator<string, GenerateResult> {
  const start = req.startTime ?? process.hrtime.bigint();
  const deps = await open();
  let idle: Promise<void> = Promise.resolve();
  try {
    const { model, sequence: seq, nlc } = deps;
    const opts = req.options ?? {};
    const ctxSize = seq.contextSize;
    const shift = req.shift !== false;

    let tokens = deps.tokens;
    const vision = deps.vision;
    let truncated = false;
    if (tokens.length >= ctxSize) {
      // a prompt is not cut through its images: too long is an error, as without context shift
      if (!shift || vision) throw new ContextLengthError();
      tokens = truncatePromptTokens(tokens, ctxSize, opts.num_keep ?? DEFAULT_SAMPLING.num_keep, deps.bosCount);
      truncated = true;
    }

    // reuse the part of the sequence's cache that matches this prompt (at least one token is evaluated)
    const cached = seq.contextTokens;
    let common = 0;
    if (vision) common = resumePosition(cached, vision.prompt);
    else {
      while (common < cached.length && common < tokens.length && cached[common] === tokens[common]) common++;
      if (common === tokens.length) common--;
    }
    if (common < seq.nextTokenIndex) await seq.eraseContextTokenRanges([{ start: common, end: seq.nextTokenIndex }]);

    // placeholders (image positions) are never penalised nor detokenized
    const textTokens = vision ? tokens.filter((t) => !isPlaceholder(t)) : tokens;
    const history: number[] = textTokens.slice();
    const generated: number[] = [];
    const sampling = resolveSampling(opts, () => history, ctxSize);
    const maxTokens = resolveMaxTokens(opts.num_predict, ctxSize);
    const stops = new StopDetector([...(opts.stop ?? []), ...(deps.grammar?.stops ?? [])]);
    const text = new TokenTextAssembler((t, last) => model.detokenize(t as Token[], false, last as Token[]), textTokens);
    const signal = req.signal;

    let doneReason: DoneReason = 'stop';
    let promptEnd: bigint | undefined;
    const evalStart = process.hrtime.bigint();
    // with images, the projector evaluates all but the last token (image encoding included)
    const toEval = vision ? [await vision.evaluate(common)] : tokens.slice(common);

    if (maxTokens === 0) {
      await seq.evaluateWithoutGeneratingNewTokens(toEval as Token[]);
      promptEnd = process.hrtime.bigint();
      doneReason = 'length';
    } else {
      const grammarEvaluationState = deps.grammar
        ? new nlc.LlamaGrammarEvaluationState({ model, grammar: deps.grammar.grammar })
        : undefined;
      // evaluateWithMetadata: evaluate() is a generator wrapped around it, one more hop per token.
      // With logprobs, {confidence: true} makes the patched addon return the raw log-probabilities.
      const lp = deps.logprobs;
      const { typicalP, ...evaluate } = sampling.evaluate;
      // typical_p is no node-llama-cpp option: the patched _resolveSamplerConfig reads it from the
      // sequence (scripts/native/patch-batching.mjs); set on every generation, so none leaks to the next
      (seq as unknown as { tollamaTypicalP?: number }).tollamaTypicalP = typicalP;
      const iter = seq.evaluateWithMetadata(toEval as Token[], lp ? { confidence: true } : {}, {
        ...evaluate,
        grammarEvaluationState,
      } as SequenceEvaluateOptions);
      let stopped = false;
      type Step = { token: Token; confidence?: number; probabilities?: Map<Token, number> };
      let next: Promise<IteratorResult<Step, void>> | undefined = iter.next();
      try {
        while (next) {
          const r: IteratorResult<Step, void> = await next;
          next = undefined;
          if (r.done) break; // end of generation (EOS) or nothing to sample
          const token = r.value.token;
          promptEnd ??= process.hrtime.bigint();
          if (signal?.aborted) throw new RequestAbortedError();
          generated.push(token);
          history.push(token); // before the next sample reads it (repeat penalty)
          if (lp) {
            if (r.value.confidence === undefined) throw new RuntimeError('the llama.cpp addon returned no log-probabilities for a token', 500);
            lp.queue.add(lp.pieces.entry(token, r.value.confidence, r.value.probabilities, lp.top));
          }
          if (generated.length >= maxTokens) doneReason = 'length';
          // context full: -2 ("fill the context") and shift:false stop here instead of shifting
          else if (seq.nextTokenIndex >= ctxSize - 1 && (maxTokens === Infinity || !shift)) doneReason = 'length';
          else next = iter.next(); // decode this token (sampling the next) while this one is sent
          const piece = text.push(token);
          if (piece) {
            const p = stops.push(piece);
            if (p.stopped) lp?.queue.releaseBeforeStop();
            else if (p.emit) lp?.queue.release();
            if (p.emit) yield p.emit;
            if (p.stopped) {
              stopped = true;
              doneReason = 'stop';
              break;
            }
          }
        }
      } finally {
        // return() waits for a decode still running, so the sequence is idle once it settles
        const ahead = next;
        ahead?.catch(() => {});
        idle = iter.return(undefined).then(() => undefined, () => undefined);
      }
      promptEnd ??= process.hrtime.bigint();
      if (!stopped) {
        const r = stops.push(text.flush());
        let tail = r.emit;
        if (!r.stopped) tail += stops.flush();
        else doneReason = 'stop';
        if (r.stopped) deps.logprobs?.queue.releaseBeforeStop();
        else deps.logprobs?.queue.release();
        if (tail) yield tail;
      }
    }

    const end = process.hrtime.bigint();
    const contextOut = vision ? vision.contextTokens.slice() : tokens.slice(deps.bosCount);
    for (const t of generated) contextOut.push(t);
    return {
      done_reason: doneReason,
      context: contextOut,
      total_duration: Number(end - start) + (req.startTime === undefined ? (req.loadDuration ?? 0) : 0),
      load_duration: req.loadDuration ?? 0,
      // the whole prompt, as Ollama reports it (cached + evaluated), not only the part evaluated now
      prompt_eval_count: vision ? vision.prompt.nTokens : tokens.length,
      prompt_eval_duration: Number((promptEnd ?? end) - evalStart),
      eval_count: generated.length,
      eval_duration: Number(end - (promptEnd ?? end)),
      seed: sampling.seed,
      prompt_truncated: truncated,
    };
  } finally {
    if (deps.release) deps.release(idle);
    else await idle;
  }
}
