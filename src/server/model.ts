/**
 * A model as the inference routes see it: the manifest's layers resolved into blob paths,
 * template, system prompt, parameters, messages and licences, plus its capabilities (read from
 * the GGUF header and the template, as Ollama's Model.Capabilities does).
 */
import { statSync } from 'node:fs';
import { NotFoundError, BadRequestError } from '../api/errors.js';
import type { Capability, Message } from '../api/types.js';
import { readGGUF, type GGUFInfo } from '../registry/gguf/index.js';
import { displayShortest, fullName, parseModelName, InvalidNameError, type ModelName } from '../registry/name.js';
import { MediaType, type ConfigV2, type Store, type StoredModel } from '../registry/store/index.js';
import { DEFAULT_TEMPLATE, inferThinkingTags, parseOllamaTemplate, type OllamaTemplate } from '../template/index.js';

export interface ResolvedModel {
  name: ModelName;
  /** Shortest display name (`stories:latest`). */
  shortName: string;
  fullName: string;
  stored: StoredModel;
  config: ConfigV2 | null;
  modelPath: string | null;
  adapterPaths: string[];
  projectorPaths: string[];
  /** Template text ('' when the model has none). */
  template: string;
  system: string;
  licenses: string[];
  messages: Message[];
  params: Record<string, unknown>;
}

/** Parses a request's model name; Ollama answers 400 `invalid model name` for bad ones. */
export function requestName(model: unknown, message = 'invalid model name'): ModelName {
  if (typeof model !== 'string' || model === '') throw new BadRequestError('model is required');
  try {
    return parseModelName(model);
  } catch (err) {
    if (err instanceof InvalidNameError) throw new BadRequestError(message);
    throw err;
  }
}

export async function resolveModel(store: Store, model: string, notFound?: (m: string) => string): Promise<ResolvedModel> {
  const name = requestName(model);
  const stored = await store.findModel(name);
  if (!stored) throw new NotFoundError(notFound ? notFound(model) : `model '${model}' not found`);
  const r: ResolvedModel = {
    name: stored.name,
    shortName: displayShortest(stored.name),
    fullName: fullName(stored.name),
    stored,
    config: await store.readConfig(stored.manifest),
    modelPath: null,
    adapterPaths: [],
    projectorPaths: [],
    template: '',
    system: '',
    licenses: [],
    messages: [],
    params: {},
  };
  for (const layer of stored.manifest.layers) {
    switch (layer.mediaType) {
      case MediaType.model:
        r.modelPath = store.blobPath(layer.digest);
        break;
      case MediaType.adapter:
        r.adapterPaths.push(store.blobPath(layer.digest));
        break;
      case MediaType.projector:
        r.projectorPaths.push(store.blobPath(layer.digest));
        break;
      case MediaType.template:
      case MediaType.prompt:
        r.template = (await store.readBlob(layer.digest)).toString('utf8');
        break;
      case MediaType.system:
        r.system = (await store.readBlob(layer.digest)).toString('utf8');
        break;
      case MediaType.license:
        r.licenses.push((await store.readBlob(layer.digest)).toString('utf8'));
        break;
      case MediaType.params:
        r.params = JSON.parse((await store.readBlob(layer.digest)).toString('utf8')) as Record<string, unknown>;
        break;
      case MediaType.messages:
        r.messages = JSON.parse((await store.readBlob(layer.digest)).toString('utf8')) as Message[];
        break;
    }
  }
  return r;
}

const ggufCache = new Map<string, Promise<GGUFInfo>>();

/**
 * The GGUF header of a model's weights, read once per blob. The key includes size and mtime, so
 * a blob damaged on disk after it was first read is read (and refused) again.
 */
export function modelGGUF(path: string): Promise<GGUFInfo> {
  let key = path;
  try {
    const st = statSync(path);
    key = `${path}:${st.size}:${st.mtimeMs}`;
  } catch {
    /* missing: readGGUF reports it */
  }
  let p = ggufCache.get(key);
  if (!p) {
    p = readGGUF(path);
    ggufCache.set(key, p);
    p.catch(() => ggufCache.delete(key));
    if (ggufCache.size > 64) ggufCache.delete(ggufCache.keys().next().value!);
  }
  return p;
}

const templateCache = new Map<string, OllamaTemplate>();

/** The model's parsed template (Ollama's default `{{ .Prompt }}` when it has none). */
export function modelTemplate(text: string): OllamaTemplate {
  const key = text === '' ? DEFAULT_TEMPLATE : text;
  let t = templateCache.get(key);
  if (!t) {
    t = parseOllamaTemplate(key);
    templateCache.set(key, t);
    if (templateCache.size > 64) templateCache.delete(templateCache.keys().next().value!);
  }
  return t;
}

/** Ollama's Model.Capabilities(). */
export async function capabilities(m: ResolvedModel): Promise<Capability[]> {
  const caps: Capability[] = [];
  if (m.modelPath) {
    try {
      const info = await modelGGUF(m.modelPath);
      caps.push(info.hasPoolingType ? 'embedding' : 'completion');
      if (info.metadata.has(`${info.architecture}.vision.block_count`)) caps.push('vision');
    } catch {
      /* an unreadable model file reports no capabilities; loading it gives the real error */
    }
  }
  let template: OllamaTemplate;
  try {
    template = modelTemplate(m.template);
  } catch {
    return caps;
  }
  if (template.vars.includes('tools')) caps.push('tools');
  if (template.vars.includes('suffix')) caps.push('insert');
  if (m.projectorPaths.length > 0 && !caps.includes('vision')) caps.push('vision');
  // Thinking: the template has both thinking tags, or the model is gpt-oss (harmony format).
  const tags = inferThinkingTags(template.parsed.root);
  const family = m.config?.model_family ?? '';
  if ((tags.open !== '' && tags.close !== '') || family === 'gptoss' || family === 'gpt-oss') caps.push('thinking');
  return caps;
}
