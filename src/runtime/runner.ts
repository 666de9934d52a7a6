/**
 * A Runner is one loaded model plus its generation context with `numParallel` sequences (and, on
 * first use, an embedding context). Loading is load.ts (thread policy, checks, ModelLoadError);
 * a Runner hands out its sequences (the lowest free one first), generates, embeds and frees
 * everything on dispose(). It does no scheduling of its own beyond handing out free sequences.
 */
import type { Llama, LlamaContext, LlamaContextSequence, LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import { finishEmbedding, assertFinite } from './embed.js';
import { InputTooLongError, ModelLoadError, RequestAbortedError, RunnerClosedError, RuntimeError } from './errors.js';
import { runGeneration, type GenerateRequest, type GenerationDeps } from './generate.js';
import { Generation } from './generation.js';
import { createGrammar, parseFormat } from './grammar.js';
import { loadNative, type LoraOption } from './load.js';
import { vramBytes } from './gpu.js';
import { batchingPatchLoaded, getGpuBackend, type NodeLlamaCpp } from './llama.js';
import { LogprobQueue, LogprobsUnavailableError, MAX_TOP_LOGPROBS, type TokenPieces } from './logprobs.js';
import type { RuntimeLogger } from './logger.js';
import { typicalSamplingAvailable } from './native.js';
import type { RunnerOptions } from './options.js';
import { requestedTypicalP, TypicalPUnavailableError } from './sampling.js';
import { imageTagsToMarkers, Projector } from './vision.js';

export interface LoadRunnerSpec {
  /** The model's name, for logs and errors. */
  name: string;
  /** Path of the GGUF blob. */
  modelPath: string;
  /** LoRA adapter GGUFs, applied to every context at scale 1 (llama-server's `--lora`). */
  adapterPaths?: readonly string[];
  /** The model's projector GGUF (vision): loaded into the context on first image use. */
  projectorPath?: string | undefined;
  options: RunnerOptions;
  logger?: RuntimeLogger;
  signal?: AbortSignal;
  /** OLLAMA_LOAD_TIMEOUT in ms: a load without progress for this long fails (undefined = never). */
  stallTimeoutMs?: number;
}

export interface EmbedOptions {
  /** true (default): cut over-long inputs to the context; false: InputTooLongError. */
  truncate?: boolean;
  /** Cut each vector to this many dimensions before normalising (only with normalize). */
  dimensions?: number | null;
  /** true (default, /api/embed): L2-normalise; false (legacy /api/embeddings): raw vectors. */
  normalize?: boolean;
}

export interface EmbedResult {
  embeddings: number[][];
  prompt_eval_count: number;
}

export { Generation };

export class Runner {
  /** Context length per sequence (num_ctx capped to the trained context, as created). */
  readonly contextLength: number;
  readonly threads: number;
  readonly fileSize: number;
  /** Nanoseconds spent loading. */
  readonly loadDuration: number;
  private readonly free: LlamaContextSequence[];
  /** Creation order of each sequence (node-llama-cpp hands out ids 0, 1, 2… in that order). */
  private readonly seqIndex = new Map<LlamaContextSequence, number>();
  private readonly waiters: Array<(s: LlamaContextSequence | undefined) => void> = [];
  private embedding: Promise<LlamaEmbeddingContext> | undefined;
  private embedLock: Promise<unknown> = Promise.resolve();
  /** Sequences still finishing a decode started ahead, released when it ends. */
  private readonly busy = new Set<Promise<void>>();
  private closed = false;
  /** The projector, when the model has one (loaded on first image use). */
  private readonly projector: Projector | undefined;

  private constructor(
    readonly name: string,
    readonly modelPath: string,
    readonly options: RunnerOptions,
    private readonly nlc: NodeLlamaCpp,
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    info: { threads: number; fileSize: number; loadDuration: number },
    private readonly logger: RuntimeLogger,
    /** Token texts for logprobs; undefined when the loaded binary cannot compute them. */
    private readonly pieces: TokenPieces | undefined,
    /** The LoRA adapters of every context (the embedding one too). */
    private readonly lora: LoraOption | undefined,
    projectorPath?: string,
  ) {
    this.projector = projectorPath ? new Projector(context, projectorPath, info.threads, name) : undefined;
    this.threads = info.threads;
    this.fileSize = info.fileSize;
    this.loadDuration = info.loadDuration;
    this.contextLength = context.contextSize;
    this.free = [];
    for (let i = 0; i < context.totalSequences; i++) {
      const seq = context.getSequence();
      this.seqIndex.set(seq, i);
      this.free.push(seq);
    }
  }

  static async load(spec: LoadRunnerSpec): Promise<Runner> {
    const p = await loadNative(spec);
    return new Runner(spec.name, spec.modelPath, spec.options, p.nlc, p.llama, p.model, p.context, p, p.logger, p.pieces, p.lora, spec.projectorPath);
  }

  /** The model's trained context length. */
  get trainContextLength(): number {
    return this.model.trainContextSize;
  }

  /** Bytes in memory: the model file plus the context state. */
  get sizeBytes(): number {
    return this.fileSize + (this.context.disposed ? 0 : this.context.memoryUsage?.ram ?? 0) + this.contextVram();
  }

  /** Bytes in GPU memory: offloaded weights plus the context's GPU buffers (0 on the CPU). */
  get sizeVramBytes(): number {
    if (this.model.disposed || getGpuBackend() === false) return 0;
    return Math.min(this.sizeBytes, vramBytes(this.model.memoryUsage, undefined) + this.contextVram());
  }

  private contextVram(): number {
    return this.context.disposed || getGpuBackend() === false ? 0 : this.context.memoryUsage?.vram ?? 0;
  }

  get embeddingLength(): number {
    return this.model.embeddingVectorSize;
  }

  /** Tokenizes text with special tokens parsed; `addBos` prepends BOS when the model wants one. */
  tokenize(text: string, addBos = false): number[] {
    const toks = text ? (this.model.tokenize(text, true) as number[]) : [];
    const bos = this.bosToken();
    return addBos && bos !== undefined ? [bos, ...toks] : toks;
  }

  /** Whether tokenizing a prompt puts a BOS token in front (the vocabulary asks for one). */
  get addsBos(): boolean {
    return this.bosToken() !== undefined;
  }

  /** Tokens → text (special tokens rendered as text). */
  detokenize(tokens: readonly number[]): string {
    return this.model.detokenize(tokens as never, true);
  }

  /** Starts a generation. Nothing runs until the result is iterated (or collect() is called). */
  generate(req: GenerateRequest): Generation {
    const queue = req.logprobs ? new LogprobQueue() : undefined;
    return new Generation(runGeneration(() => this.prepare(req, queue), req), queue);
  }

  /** Whether typical_p reaches the sampler (Tollama's patched addon and JavaScript patch). */
  get supportsTypicalP(): boolean {
    return typicalSamplingAvailable((this.llama as unknown as { _bindings?: unknown })._bindings, batchingPatchLoaded());
  }

  /** Whether the loaded binary can return logprobs (Tollama's patched addon). */
  get supportsLogprobs(): boolean {
    return this.pieces !== undefined;
  }

  /** Everything a generation needs, with a free sequence (waits for one). */
  private async prepare(req: GenerateRequest, queue: LogprobQueue | undefined): Promise<GenerationDeps> {
    this.ensureOpen();
    if (req.signal?.aborted) throw new RequestAbortedError();
    if (queue && !this.pieces) throw new LogprobsUnavailableError();
    if (requestedTypicalP(req.options) !== undefined && !this.supportsTypicalP) throw new TypicalPUnavailableError();
    const top = Math.max(0, Math.min(MAX_TOP_LOGPROBS, Math.trunc(req.logprobs?.top ?? 0)));
    const format = parseFormat(req.format);
    const grammar = await createGrammar(this.llama as never, format);
    if (req.images && req.images.length > 0) return this.prepareVision(req, req.images, grammar, queue, top);
    const bos = this.bosToken();
    const prefix = [...(req.context ?? [])];
    if (bos !== undefined && prefix[0] === bos) prefix.shift();
    const tokens = [...(bos !== undefined ? [bos] : []), ...prefix, ...this.tokenize(req.prompt ?? '')];
    if (tokens.length === 0) throw new RuntimeError('the prompt is empty', 400);
    const seq = await this.acquireSequence(req.signal);
    return {
      nlc: this.nlc,
      model: this.model,
      sequence: seq,
      grammar: grammar as never,
      tokens,
      bosCount: bos !== undefined ? 1 : 0,
      logprobs: queue && this.pieces ? { pieces: this.pieces, queue, top } : undefined,
      release: (idle) => this.releaseAfter(seq, idle),
    };
  }

  /** A token decoded ahead may still be running: hand the sequence out again after it. */
  private releaseAfter(seq: LlamaContextSequence, idle: Promise<void>): void {
    const done = idle.then(() => {
      this.busy.delete(done);
      this.releaseSequence(seq);
    });
    this.busy.add(done);
  }

  /**
   * A prompt with images: Ollama's `[img-N]` tags become libmtmd's marker, the addon decodes and
   * tokenizes (bad images are a 400), and the generation evaluates through the projector.
   */
  private async prepareVision(req: GenerateRequest, images: readonly Uint8Array[], grammar: unknown, queue: LogprobQueue | undefined, top: number): Promise<GenerationDeps> {
    const projector = this.projector;
    if (!projector) throw new RuntimeError(`${this.name}: the model has no projector, so it cannot take images`, 400);
    // As Ollama: a previous response's context is detokenized in front of the prompt.
    const contextText = req.context && req.context.length > 0 ? this.detokenize(req.context) : '';
    const text = imageTagsToMarkers(contextText + (req.prompt ?? ''), images.length);
    const seq = await this.acquireSequence(req.signal);
    let prompt;
    try {
      prompt = await projector.tokenize(seq, text, images);
    } catch (err) {
      this.releaseSequence(seq);
      throw err;
    }
    const bos = this.bosToken();
    return {
      nlc: this.nlc,
      model: this.model,
      sequence: seq,
      grammar: grammar as never,
      tokens: prompt.tokens,
      bosCount: bos !== undefined && prompt.tokens[0] === bos ? 1 : 0,
      logprobs: queue && this.pieces ? { pieces: this.pieces, queue, top } : undefined,
      release: (idle) => this.releaseAfter(seq, idle),
      vision: {
        prompt,
        evaluate: (common) => projector.evaluate(seq, prompt, common, this.context.batchSize),
        // As Ollama's /api/generate `context`: the prompt with its tags, tokenized as text.
        contextTokens: [...(req.context ?? []), ...this.tokenize(req.prompt ?? '')],
      },
    };
  }

  /** Embeds each input (in order). Serialised: one embedding evaluation at a time per runner. */
  async embed(inputs: readonly string[], opts: EmbedOptions = {}): Promise<EmbedResult> {
    this.ensureOpen();
    const run = this.embedLock.then(() => this.embedImpl(inputs, opts));
    this.embedLock = run.catch(() => {});
    return run;
  }

  private async embedImpl(inputs: readonly string[], opts: EmbedOptions): Promise<EmbedResult> {
    const ctx = await this.embeddingContext();
    const extras = (this.bosToken() !== undefined ? 1 : 0) + (this.model.tokens.shouldAppendEosToken ? 1 : 0);
    const limit = Math.max(1, this.contextLength - 1 - extras);
    const out: number[][] = [];
    let count = 0;
    for (const input of inputs) {
      let toks = this.model.tokenize(input, true) as number[];
      if (toks.length > limit) {
        if (opts.truncate === false) throw new InputTooLongError();
        toks = toks.slice(0, limit);
      }
      count += toks.length + extras;
      if (toks.length === 0 && extras === 0) {
        out.push([]);
        continue;
      }
      const e = await ctx.getEmbeddingFor(toks as never);
      const v = Array.from(e.vector);
      if (opts.normalize === false) {
        assertFinite(v);
        out.push(v);
      } else out.push(finishEmbedding(v, opts.dimensions));
    }
    return { embeddings: out, prompt_eval_count: count };
  }

  private embeddingContext(): Promise<LlamaEmbeddingContext> {
    this.embedding ??= this.model.createEmbeddingContext({ contextSize: this.contextLength, threads: this.threads }).then(async (emb) => {
      if (!this.lora) return emb;
      // node-llama-cpp's embedding context takes no `lora` option: set it on its inner context
      const inner = (emb as unknown as { _llamaContext?: { _setLoras?: (a: LoraOption['adapters']) => Promise<void> } })._llamaContext;
      if (typeof inner?._setLoras !== 'function') {
        await emb.dispose().catch(() => {});
        throw new RuntimeError('this node-llama-cpp cannot apply LoRA adapters to embeddings', 500);
      }
      await inner._setLoras(this.lora.adapters);
      return emb;
    });
    this.embedding.catch(() => {
      this.embedding = undefined;
    });
    return this.embedding;
  }

  /** Frees the model and contexts. Requests waiting for a sequence fail with RunnerClosedError. */
  async dispose(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(undefined);
    const emb = this.embedding;
    this.embedding = undefined;
    if (emb) await emb.then((c) => c.dispose()).catch(() => {});
    await Promise.all(this.busy);
    await this.context.dispose().catch(() => {});
    await this.model.dispose().catch(() => {});
    this.logger.debug('model unloaded', { model: this.name });
  }

  get disposed(): boolean {
    return this.closed;
  }

  private bosToken(): number | undefined {
    const bos = this.model.tokens.bos;
    return bos != null && this.model.tokens.shouldPrependBosToken ? (bos as number) : undefined;
  }

  private ensureOpen(): void {
    if (this.closed) throw new RunnerClosedError();
  }

  private acquireSequence(signal?: AbortSignal): Promise<LlamaContextSequence> {
    // the lowest free sequence: active ids stay consecutive, so llama.cpp keeps their tokens in one
    // ubatch (it splits a batch at every gap in increasing sequence ids), and a lone client keeps
    // getting the sequence that holds its cached prefix
    if (this.free.length > 0) {
      let best = 0;
      for (let i = 1; i < this.free.length; i++) if (this.seqIndex.get(this.free[i]!)! < this.seqIndex.get(this.free[best]!)!) best = i;
      return Promise.resolve(this.free.splice(best, 1)[0]!);
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new RequestAbortedError());
      };
      const waiter = (seq: LlamaContextSequence | undefined): void => {
        signal?.removeEventListener('abort', onAbort);
        if (seq) resolve(seq);
        else reject(new RunnerClosedError());
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private releaseSequence(seq: LlamaContextSequence): void {
    if (this.closed) return;
    const w = this.waiters.shift();
    if (w) w(seq);
    else this.free.push(seq);
  }
}
