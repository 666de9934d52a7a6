/**
 * The server side of `ollama create` (reference §4.5): a validated plan (build-request.ts) →
 * layers and config → blobs → manifest, with Ollama's progress lines.
 *
 * Two phases. `prepareModel` reads everything it needs (base manifest, GGUF headers,
 * autodetected template) and throws a typed 400/404 on bad input; it writes nothing.
 * `commitModel` writes the new small blobs and the config, then the manifest (only once every
 * blob exists), then prunes blobs the replaced manifest no longer needs.
 */
import type { ProgressResponse } from '../api/types.js';
import { BadRequestError } from '../api/errors.js';
import { buildManifest, configLayer, encodeConfigV2 } from '../registry/gojson.js';
import { GGUFError, type GGUFInfo } from '../registry/gguf/index.js';
import { displayShortest, fullName, parseModelName, type ModelName } from '../registry/name.js';
import { ModelNotFoundError, envBool, type Store } from '../registry/store/index.js';
import { MediaType, type ConfigV2, type Layer } from '../registry/store/types.js';
import { compareStrings } from '../template/values.js';
import { detectTemplate } from './autodetect.js';
import { applyGGUFToConfig, ggufMediaType, needsDefaultLlavaProjectorType, readBlobGGUF, updateProjectorLayers, verifyBlob } from './build-gguf.js';
import { LayerList, existingLayer, paramsLayer, textLayer, type PendingLayer } from './build-layers.js';
import { planQuantize, quantizeLayers, type QuantizeFn } from './build-quantize.js';
import { mergeGroup, mergeSplitLayers, splitShard, type SplitShard } from './build-split.js';
import type { CreatePlan, NamedBlob } from './build-request.js';

export type Emit = (p: ProgressResponse) => void;

export interface BuildDeps {
  store: Store;
  /** Environment (OLLAMA_NOPRUNE). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * Pulls a base model that is not in the store (reference §4.5: `from` a missing model is
   * pulled first). Absent: a missing base is `model '<from>' not found` (404).
   */
  pullBase?: (name: string, emit: Emit, signal?: AbortSignal) => Promise<void>;
  /** Quantizes a GGUF (`quantize` in the request). Absent: such a request is refused. */
  quantize?: QuantizeFn;
}

export interface PreparedModel {
  name: ModelName;
  layers: LayerList;
  config: ConfigV2;
  /** Progress produced while preparing (`parsing GGUF`, pull progress). */
  progress: ProgressResponse[];
}

const GGUF_LAYER_TYPES = new Set<string>([MediaType.model, MediaType.projector, MediaType.adapter]);

async function readParamsLayer(store: Store, layer: Layer): Promise<Record<string, unknown>> {
  const v = JSON.parse((await store.readBlob(layer.digest, 1 << 20)).toString('utf8')) as unknown;
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/**
 * Layers of an existing local model, all reused with `from` = its shortest name. Returns the
 * `stop` the weights' architecture implies, if any.
 */
async function baseModelLayers(
  plan: CreatePlan,
  deps: BuildDeps,
  list: LayerList,
  config: ConfigV2,
  progress: ProgressResponse[],
  signal?: AbortSignal,
): Promise<string[] | undefined> {
  const from = plan.fromModel!;
  let baseName: ModelName;
  try {
    baseName = parseModelName(from);
  } catch {
    throw new BadRequestError('invalid model name');
  }
  let base = await deps.store.findModel(baseName);
  if (!base && deps.pullBase) {
    await deps.pullBase(fullName(baseName), (p) => progress.push(p), signal);
    base = await deps.store.findModel(baseName);
  }
  if (!base) throw new ModelNotFoundError(from);
  const short = displayShortest(base.name);
  const baseConfig = await deps.store.readConfig(base.manifest);
  if (baseConfig) {
    // The request's own values (set before this) win, as in Ollama.
    for (const k of ['renderer', 'parser', 'requires', 'model_format'] as const) {
      if (baseConfig[k] && !config[k]) config[k] = baseConfig[k];
    }
    if (baseConfig.capabilities?.length && !config.capabilities?.length) config.capabilities = [...baseConfig.capabilities];
  }
  let stop: string[] | undefined;
  for (const l of base.manifest.layers) {
    const layer: Layer = { mediaType: l.mediaType, digest: l.digest, size: l.size, from: short };
    if (l.name) layer.name = l.name;
    const item = existingLayer(layer);
    if (GGUF_LAYER_TYPES.has(l.mediaType)) {
      const info = await readBlobGGUF(deps.store, l.digest);
      stop ??= applyGGUFToConfig(config, info, l.mediaType);
      item.gguf = { arch: info.architecture, fileType: info.fileType };
    }
    list.push(item);
  }
  return stop;
}

/** One GGUF blob from `files` (or a `sha256:` reference) → its layer. */
async function ggufFileLayer(store: Store, f: NamedBlob, from: string | undefined): Promise<{ layer: PendingLayer; info: GGUFInfo }> {
  if (/\.safetensors$/i.test(f.name)) {
    throw new BadRequestError('safetensors models are not supported by this server yet: convert the model to GGUF first');
  }
  const info = await readBlobGGUF(store, f.digest);
  const st = await store.statBlob(f.digest);
  const layer: Layer = { mediaType: ggufMediaType(info), digest: f.digest, size: st?.size ?? info.fileSize };
  if (from) layer.from = from;
  const item = existingLayer(layer);
  item.gguf = { arch: info.architecture, fileType: info.fileType };
  if (layer.mediaType === MediaType.projector && needsDefaultLlavaProjectorType(info)) item.defaultProjectorType = true;
  return { layer: item, info };
}

async function fileLayers(
  plan: CreatePlan,
  deps: BuildDeps,
  list: LayerList,
  config: ConfigV2,
  progress: ProgressResponse[],
  signal?: AbortSignal,
): Promise<string[] | undefined> {
  let files: Array<{ blob: NamedBlob; from?: string }>;
  if (plan.fromBlob) {
    await verifyBlob(deps.store, plan.fromBlob, signal);
    files = [{ blob: { name: plan.fromBlob, digest: plan.fromBlob } }];
  } else {
    // In file-name order, as Ollama (its files arrive as a map; it sorts the names).
    files = [...plan.files].sort((a, b) => compareStrings(a.name, b.name)).map((blob) => ({ blob, from: blob.name }));
  }
  let models = 0;
  let stop: string[] | undefined;
  const chatTemplates: string[] = [];
  // shards of split weights, by group, in the order groups first appear (Ollama's splitGroupKeys)
  const groups = new Map<string, SplitShard[]>();
  const take = (layer: PendingLayer, info: GGUFInfo): void => {
    if (layer.layer.mediaType === MediaType.model && ++models > 1) {
      throw new BadRequestError('several weight files that are not shards of one split GGUF are not supported: create one model per file');
    }
    list.push(layer);
    // Ollama folds only weights (and adapter) headers into the config: a projector adds no family.
    if (layer.layer.mediaType !== MediaType.projector) stop ??= applyGGUFToConfig(config, info, layer.layer.mediaType);
    if (info.chatTemplate) chatTemplates.push(info.chatTemplate);
  };
  for (const { blob, from } of files) {
    progress.push({ status: 'parsing GGUF' });
    let parsed: { layer: PendingLayer; info: GGUFInfo };
    try {
      parsed = await ggufFileLayer(deps.store, blob, from);
    } catch (e) {
      // An uploaded file that is not a usable GGUF is of no use in the store: drop it unless a
      // model refers to it. (Blobs named by `FROM sha256:` were put there by hand: kept.)
      if (e instanceof GGUFError && !plan.fromBlob) await deps.store.removeUnreferencedBlobs([blob.digest]).catch(() => []);
      throw e;
    }
    const { layer, info } = parsed;
    const shard = splitShard(layer, info, from ?? blob.name);
    if (shard) {
      const g = groups.get(shard.key);
      if (g) g.push(shard);
      else groups.set(shard.key, [shard]);
      continue;
    }
    take(layer, info);
  }
  // each group becomes one layer after the other files, as in Ollama
  for (const shards of groups.values()) {
    const { item, info } = mergeGroup(shards);
    take(item, info);
  }
  // After the file layers, as Ollama's detectChatTemplate: the Go template nearest a GGUF's chat
  // template, with its stop list. (Ollama adds one per GGUF that matches; the first is kept here.)
  for (const chatTemplate of chatTemplates) {
    const t = detectTemplate(chatTemplate);
    if (!t) continue;
    const tl = textLayer(MediaType.template, t.template);
    tl.status = `using autodetected template ${t.name}`;
    list.push(tl);
    if (t.stop?.length) list.push(paramsLayer({ stop: t.stop }));
    break;
  }
  if (models === 0) throw new BadRequestError('no model weights: the files hold only adapters or projectors');
  return stop;
}

/** Reads and checks everything a create needs; writes nothing. */
export async function prepareModel(plan: CreatePlan, deps: BuildDeps, signal?: AbortSignal): Promise<PreparedModel> {
  const progress: ProgressResponse[] = [];
  const list = new LayerList((l) => readParamsLayer(deps.store, l));
  const config: ConfigV2 = {};
  // Set first, as Ollama does: a base model and the architecture only fill what is missing.
  if (plan.renderer) config.renderer = plan.renderer;
  if (plan.parser) config.parser = plan.parser;
  if (plan.requires) config.requires = plan.requires;

  const impliedStop = plan.fromModel
    ? await baseModelLayers(plan, deps, list, config, progress, signal)
    : await fileLayers(plan, deps, list, config, progress, signal);
  // As Ollama: an architecture's implied stop (gemma4: <turn|>) joins the request's parameters
  // unless they name a stop, so it replaces a stop inherited or detected from the template.
  let parameters = plan.parameters;
  if (impliedStop && !(parameters && Object.hasOwn(parameters, 'stop'))) parameters = { ...parameters, stop: impliedStop };

  if (plan.template) list.setTemplate(plan.template);
  if (plan.system) list.setSystem(plan.system);
  if (plan.license.length) list.addLicenses(plan.license);
  // Always, as Ollama's setParameters: existing params (a base model's, a detected template's)
  // are merged with the request's and the result re-encoded as the last params layer.
  await list.setParameters(parameters ?? {});
  if (plan.messages?.length) list.setMessages(plan.messages);
  if (plan.adapters.length) {
    const adapters: PendingLayer[] = [];
    for (const a of plan.adapters) {
      const info = await readBlobGGUF(deps.store, a.digest);
      const st = await deps.store.statBlob(a.digest);
      adapters.push(existingLayer({ mediaType: MediaType.adapter, digest: a.digest, size: st?.size ?? info.fileSize, from: a.name }));
    }
    list.setAdapters(adapters);
  }
  config.model_format ||= 'gguf';
  if (plan.quantize) planQuantize(list, plan.quantize, Boolean(deps.quantize));
  return { name: plan.name, layers: list, config, progress };
}

/** Writes the new blobs, the config and the manifest; prunes what the old manifest left behind. */
export async function commitModel(p: PreparedModel, deps: BuildDeps, emit: Emit, signal?: AbortSignal): Promise<{ digest: string }> {
  const { store } = deps;
  // Shards merged first, then quantized: both change a layer's digest (and the config).
  await mergeSplitLayers(p.layers, p.config, deps, emit, signal);
  await quantizeLayers(p.layers, p.config, deps, emit, signal);
  await updateProjectorLayers(p.layers, store, emit, signal);
  const cfg = encodeConfigV2(p.config);
  // Other writers sharing the store must not prune these layers before the manifest names them.
  const lease = await store.lease([cfg.digest, ...p.layers.layers.map((l) => l.digest)]);
  try {
    for (const item of p.layers.items) {
      if (!item.bytes) continue;
      const r = await store.writeBlob(item.bytes, { expected: item.layer.digest, signal });
      item.status ??= `${r.existed ? 'using existing' : 'creating new'} layer ${item.layer.digest}`;
    }
    await store.writeBlob(cfg.bytes, { expected: cfg.digest, signal });
    for (const item of p.layers.items) if (item.status) emit({ status: item.status });

    emit({ status: 'writing manifest' });
    const manifest = buildManifest(configLayer(cfg), p.layers.layers);
    const written = await store.writeManifest(p.name, manifest);
    if (!envBool((deps.env ?? process.env).OLLAMA_NOPRUNE)) {
      if (written.previous) await store.removeUnusedLayers(written.previous, manifest);
      if (p.layers.removed.length) await store.removeUnreferencedBlobs(p.layers.removed);
    }
    emit({ status: 'success' });
    return { digest: written.digest };
  } finally {
    await lease.release();
  }
}

/** prepare + commit, for callers that do not need the two phases apart. */
export async function createModel(plan: CreatePlan, deps: BuildDeps, emit: Emit, signal?: AbortSignal): Promise<{ digest: string }> {
  const prepared = await prepareModel(plan, deps, signal);
  for (const p of prepared.progress) emit(p);
  return commitModel(prepared, deps, emit, signal);
}
