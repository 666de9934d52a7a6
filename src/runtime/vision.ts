/**
 * Images in a generation (#15): the projector of a loaded model, and a prompt with images laid out
 * as node-llama-cpp's sequence bookkeeping sees it.
 *
 * The patched addon (scripts/native/nlc-mtmd.patch) reaches libmtmd through libtollama-mtmd.so:
 * - `mtmdLoad` loads the projector for the context's model (once per runner, freed with it);
 * - `mtmdTokenize` decodes the images and tokenizes the prompt, giving its chunks (text tokens, and
 *   per image its id, a SHA-256 of its bytes, and the positions it takes), kept for the sequence;
 * - `mtmdEvalPending` evaluates that prompt from a position on, all but its last token.
 * All three run on worker threads (encoding is off the event loop).
 *
 * An image's positions are recorded in the sequence's token list as a placeholder token derived
 * from its id, so node-llama-cpp's prefix comparison keeps an image's cache only when the same image
 * is at the same place. Placeholders are never evaluated, sampled, penalised or detokenized.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LlamaContext, LlamaContextSequence } from 'node-llama-cpp';
import { RuntimeError } from './errors.js';
import { libtollamaMtmdPath, mtmdUnavailableReason } from './mtmd.js';
import { nodeLlamaCppDir } from './native.js';

/**
 * Each image's place in the text handed to mtmdTokenize: random per process (as Ollama's
 * llama-server marker), so that a prompt's own text cannot pass for one. The bridge reads it from
 * TOLLAMA_MTMD_MARKER when it loads a projector.
 */
export const MEDIA_MARKER = (process.env['TOLLAMA_MTMD_MARKER'] ||= `<__media_${randomBytes(8).toString('hex')}__>`);

/** Placeholder tokens are at or above this (beyond any vocabulary). */
const PLACEHOLDER_BASE = 0x40000000;

export function isPlaceholder(token: number): boolean {
  return token >= PLACEHOLDER_BASE;
}

/** The placeholder of an image: FNV-1a of its id, above PLACEHOLDER_BASE. */
export function placeholderToken(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return PLACEHOLDER_BASE + (h & 0x3fffffff);
}

/**
 * Ollama's `[img-N]` tags → the media marker, as Ollama's llama-server client does: for each image
 * in order, the first `[img-<index>]` becomes the marker. A tag with no image stays text.
 */
export function imageTagsToMarkers(prompt: string, imageCount: number): string {
  let out = prompt;
  for (let i = 0; i < imageCount; i++) out = out.replace(`[img-${i}]`, () => MEDIA_MARKER);
  return out;
}

type MtmdChunk =
  | { type: 'text'; nTokens: number; nPos: number; tokens: Uint32Array }
  | { type: 'image' | 'audio'; nTokens: number; nPos: number; id: string };

interface MtmdAddonContext {
  mtmdLoad(libPath: string, mmprojPath: string, threads: number): Promise<void>;
  mtmdTokenize(sequenceId: number, text: string, images: Uint8Array[]): Promise<{ nTokens: number; nImageTokens: number; chunks: MtmdChunk[] }>;
  mtmdEvalPending(sequenceId: number, skipPos: number, nBatch: number): Promise<{ nPast: number; heldToken: number; evalMs: number }>;
  removeTokenCellsFromSequence(sequenceId: number, start: number, end: number): boolean;
}

/** A prompt with images, tokenized for one sequence (its chunks are kept by the addon). */
export interface VisionPrompt {
  /** One entry per position: text tokens, and each image's placeholder over its positions. */
  tokens: number[];
  /** [start, end) position ranges of the images. */
  imageSpans: Array<[number, number]>;
  /** Text and image tokens: Ollama's prompt_eval_count. */
  nTokens: number;
  nImageTokens: number;
}

/** Why this process cannot send images to a model, or undefined when it can. */
export function visionUnavailableReason(context: LlamaContext): string | undefined {
  const addon = addonContext(context);
  if (!addon || typeof (addon as Partial<MtmdAddonContext>).mtmdTokenize !== 'function') {
    return 'the loaded llama.cpp addon is not Tollama\'s patched one with vision (nlc-mtmd.patch): run `npm run build:native` in Tollama\'s folder (needs g++ and git), then restart the server';
  }
  const why = mtmdUnavailableReason();
  if (why) return why;
  if (!fs.existsSync(libtollamaMtmdPath())) return 'libtollama-mtmd.so was not built; run `npm run build:native` in Tollama\'s folder (needs g++ and git)';
  return undefined;
}

function addonContext(context: LlamaContext): MtmdAddonContext | undefined {
  return (context as unknown as { _ctx?: MtmdAddonContext })._ctx;
}

function requireAddon(context: LlamaContext, model: string): MtmdAddonContext {
  const why = visionUnavailableReason(context);
  if (why) throw new RuntimeError(`${model}: image input is unavailable: ${why}`, 501);
  return addonContext(context)!;
}

type WithLock = <T>(scope: readonly unknown[], fn: () => Promise<T>) => Promise<T>;
let withLockPromise: Promise<WithLock> | undefined;

/**
 * node-llama-cpp's own lock module (lifecycle-utils, resolved from node-llama-cpp's folder so it is
 * the same instance): its batch dispatch holds [context, "context"] while it decodes and samples.
 */
function contextLock(): Promise<WithLock> {
  withLockPromise ??= (async () => {
    const req = createRequire(path.join(nodeLlamaCppDir(), 'package.json'));
    const entry = req.resolve('lifecycle-utils');
    const mod = (await import(pathToFileURL(entry).href)) as { withLock: WithLock };
    return mod.withLock;
  })();
  return withLockPromise;
}

/** The projector of one runner: loaded on first image use, freed with the context. */
export class Projector {
  private loading: Promise<void> | undefined;
  /** Tokenizations run one at a time (they share the projector's libmtmd context). */
  private tokenizing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly context: LlamaContext,
    private readonly projectorPath: string,
    private readonly threads: number,
    private readonly modelName: string,
  ) {}

  private load(addon: MtmdAddonContext): Promise<void> {
    this.loading ??= addon.mtmdLoad(libtollamaMtmdPath(), this.projectorPath, this.threads).catch((err: unknown) => {
      this.loading = undefined;
      throw new RuntimeError(`${this.modelName}: ${err instanceof Error ? err.message : String(err)}`, 500);
    });
    return this.loading;
  }

  /** Decodes and tokenizes a prompt holding one marker per image, for `seq` (400 on bad images). */
  async tokenize(seq: LlamaContextSequence, text: string, images: readonly Uint8Array[]): Promise<VisionPrompt> {
    const addon = requireAddon(this.context, this.modelName);
    await this.load(addon);
    const id = sequenceId(seq);
    const bytes = images.map((b) => (b.constructor === Uint8Array ? b : new Uint8Array(b)));
    const run = this.tokenizing.then(() => addon.mtmdTokenize(id, text, bytes));
    this.tokenizing = run.catch(() => {});
    let r: Awaited<ReturnType<MtmdAddonContext['mtmdTokenize']>>;
    try {
      r = await run;
    } catch (err) {
      throw new RuntimeError(err instanceof Error ? err.message : String(err), 400);
    }
    const tokens: number[] = [];
    const imageSpans: Array<[number, number]> = [];
    for (const c of r.chunks) {
      if (c.type === 'text') {
        for (const t of c.tokens) tokens.push(t);
        continue;
      }
      const p = placeholderToken(c.id);
      imageSpans.push([tokens.length, tokens.length + c.nPos]);
      for (let i = 0; i < c.nPos; i++) tokens.push(p);
    }
    return { tokens, imageSpans, nTokens: r.nTokens, nImageTokens: r.nImageTokens };
  }

  /**
   * Puts `prompt` into `seq` from position `common` on (the part before is in its cache), all but
   * the last token, and records it in node-llama-cpp's bookkeeping. Returns the last token, for
   * node-llama-cpp's own evaluate. Runs under node-llama-cpp's context lock, so no other
   * sequence's batch decodes or samples meanwhile.
   */
  async evaluate(seq: LlamaContextSequence, prompt: VisionPrompt, common: number, batchSize: number): Promise<number> {
    const addon = requireAddon(this.context, this.modelName);
    const id = sequenceId(seq);
    const internal = seq as unknown as { _contextTokens: number[]; _nextTokenIndex: number; _loadedTokenPredictions: unknown[] };
    if (seq.nextTokenIndex !== common || internal._loadedTokenPredictions.length !== 0) {
      throw new RuntimeError('the sequence does not hold the expected prompt prefix', 500);
    }
    const withLock = await contextLock();
    const last = prompt.tokens.length - 1;
    return withLock([this.context, 'context'], async () => {
      let r: Awaited<ReturnType<MtmdAddonContext['mtmdEvalPending']>>;
      try {
        r = await addon.mtmdEvalPending(id, common, batchSize);
      } catch (err) {
        // the sequence past `common` is undefined now
        addon.removeTokenCellsFromSequence(id, common, -1);
        throw new RuntimeError(err instanceof Error ? err.message : String(err), 500);
      }
      if (r.nPast !== last || r.heldToken !== prompt.tokens[last]) {
        addon.removeTokenCellsFromSequence(id, common, -1);
        throw new RuntimeError(`image evaluation ended at position ${r.nPast}, expected ${last}`, 500);
      }
      internal._contextTokens = prompt.tokens.slice(0, last);
      internal._nextTokenIndex = last;
      return r.heldToken;
    });
  }
}

function sequenceId(seq: LlamaContextSequence): number {
  const id = (seq as unknown as { _sequenceId?: number })._sequenceId;
  if (typeof id !== 'number') throw new RuntimeError('this node-llama-cpp does not expose sequence ids', 500);
  return id;
}

/**
 * Where to resume a sequence holding `cached` for a prompt of `tokens`: the common prefix, moved
 * back to an image's start when it ends inside one, and short of the last token (always evaluated).
 */
export function resumePosition(cached: readonly number[], prompt: VisionPrompt): number {
  const tokens = prompt.tokens;
  let common = 0;
  while (common < cached.length && common < tokens.length && cached[common] === tokens[common]) common++;
  if (common >= tokens.length) common = tokens.length - 1;
  for (const [start, end] of prompt.imageSpans) if (common > start && common < end) common = start;
  return common;
}
