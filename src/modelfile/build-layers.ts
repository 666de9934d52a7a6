/**
 * The layer list of a model being created, and Ollama's replacement rules (reference §4.5
 * step 3, applied in this order: template, system, license, parameters, messages, adapters).
 *
 * Layers whose bytes are made here (template, system, params, …) stay in memory until the
 * build commits, so a request that fails, or a layer that a later rule replaces, writes nothing.
 */
import { blobOf, encodeMessages, encodeParams, type EncodedBlob } from '../registry/gojson.js';
import { MediaType, type Layer } from '../registry/store/types.js';
import type { CreateMessage } from './build-request.js';

export interface PendingLayer {
  layer: Layer;
  /** Bytes still to be written to the store (layers made by this build). */
  bytes?: Buffer;
  /** The progress line for this layer; computed at commit for layers with bytes. */
  status?: string;
  /** A weights layer's GGUF facts (for quantization). */
  gguf?: { arch: string; fileType: string };
  /** Set by planQuantize: convert this layer at commit. */
  quantize?: { from: string; type: string; asked: string };
  /** A LLaVA projector without a projector type: `clip.projector_type` is written in at commit. */
  defaultProjectorType?: boolean;
  /** Split GGUF weights: the shards, in order, merged into this layer at commit (build-split.ts). */
  splitParts?: Array<{ digest: string; name: string; size: number }>;
}

/** Reads the JSON of an existing params layer (from the store). */
export type ParamsReader = (layer: Layer) => Promise<Record<string, unknown>>;

export function newLayer(mediaType: string, blob: EncodedBlob): PendingLayer {
  return { layer: { mediaType, digest: blob.digest, size: blob.size }, bytes: blob.bytes };
}

export function textLayer(mediaType: string, text: string): PendingLayer {
  return newLayer(mediaType, blobOf(text));
}

export function paramsLayer(params: Record<string, unknown>): PendingLayer {
  return newLayer(MediaType.params, encodeParams(params));
}

/** A layer that already exists in the store (reused from a base model or an upload). */
export function existingLayer(layer: Layer): PendingLayer {
  return { layer, status: `using existing layer ${layer.digest}` };
}

export class LayerList {
  readonly items: PendingLayer[] = [];
  /** Digests of layers dropped from the list (their blobs are pruned if nothing uses them). */
  readonly removed: string[] = [];

  constructor(private readonly readParams: ParamsReader) {}

  push(...l: PendingLayer[]): void {
    this.items.push(...l);
  }

  private remove(pred: (l: Layer) => boolean): PendingLayer[] {
    const gone: PendingLayer[] = [];
    for (let i = this.items.length - 1; i >= 0; i--) {
      if (pred(this.items[i]!.layer)) gone.unshift(...this.items.splice(i, 1));
    }
    for (const g of gone) if (!g.bytes) this.removed.push(g.layer.digest);
    return gone;
  }

  /** Any existing template layer (also the legacy `prompt` type) is replaced. */
  setTemplate(text: string): void {
    this.remove((l) => l.mediaType === MediaType.template || l.mediaType === MediaType.prompt);
    this.push(textLayer(MediaType.template, text));
  }

  /** A non-empty system replaces the existing one (callers skip empty strings). */
  setSystem(text: string): void {
    this.remove((l) => l.mediaType === MediaType.system);
    if (text !== '') this.push(textLayer(MediaType.system, text));
  }

  /** Each license becomes a layer; existing ones are kept. */
  addLicenses(texts: readonly string[]): void {
    for (const t of texts) this.push(textLayer(MediaType.license, t));
  }

  /**
   * Merges `params` into the existing params layer: request keys win, other keys are kept,
   * arrays are replaced wholesale. The merged layer replaces the old one when non-empty.
   */
  async setParameters(params: Record<string, unknown>): Promise<void> {
    const gone = this.remove((l) => l.mediaType === MediaType.params);
    const merged: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const g of gone) {
      const old = g.bytes ? (JSON.parse(g.bytes.toString('utf8')) as unknown) : await this.readParams(g.layer);
      if (old && typeof old === 'object' && !Array.isArray(old)) Object.assign(merged, old);
    }
    for (const [k, v] of Object.entries(params)) merged[k] = v;
    if (Object.keys(merged).length > 0) this.push(paramsLayer({ ...merged }));
  }

  /** Non-empty messages replace the existing messages layer. */
  setMessages(messages: readonly CreateMessage[]): void {
    this.remove((l) => l.mediaType === MediaType.messages);
    const values = messages.map((m) => ({ role: m.role, content: m.content, thinking: m.thinking || undefined }));
    this.push(newLayer(MediaType.messages, encodeMessages(values)));
  }

  /** The adapter layers replace any existing adapter layers. */
  setAdapters(adapters: readonly PendingLayer[]): void {
    this.remove((l) => l.mediaType === MediaType.adapter);
    this.push(...adapters);
  }

  get layers(): Layer[] {
    return this.items.map((i) => i.layer);
  }
}

