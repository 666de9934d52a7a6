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
import { DEFAULT_TEMPLATE, parseOllamaTemplate, type OllamaTemplate } from '../template/index.js';
import { modelCapabilities } from './capabilities.js';

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

/** A GGUF header, or null when it cannot be read (loading the model reports the real error). */
export async function headerOrNull(path: string | null): Promise<GGUFInfo | null> {
  if (!path) return null;
  try {
    return await modelGGUF(path);
  } catch {
    return null;
  }
}

/** The model's own template layer, parsed; null when it has none or it does not parse. */
export function ownTemplate(text: string): OllamaTemplate | null {
  if (text === '') return null;
  try {
    return modelTemplate(text);
  } catch {
    return null;
  }
}

/** Ollama's Model.Capabilities() (`/api/show`, and what chat/generate require). */
export async function capabilities(m: ResolvedModel): Promise<Capability[]> {
  const projectors: GGUFInfo[] = [];
  for (const p of m.projectorPaths) {
    const h = await headerOrNull(p);
    if (h) projectors.push(h);
  }
  return modelCapabilities({
    config: m.config,
    gguf: await headerOrNull(m.modelPath),
    projectors,
    projectorCount: m.projectorPaths.length,
    template: ownTemplate(m.template),
  });
}
