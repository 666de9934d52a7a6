/**
 * Puts models into a store for tests without going through `ollama create`: writes the weights,
 * optional template/system/params/messages layers, the config blob and the manifest with the
 * real Store and Go-JSON encoders, so what lands on disk is what Ollama would write.
 */
import fs from 'node:fs';
import path from 'node:path';
import { blobOf, buildManifest, configLayer, encodeConfigV2, encodeParams } from '../../src/registry/gojson.js';
import { readGGUF } from '../../src/registry/gguf/index.js';
import { parseModelName } from '../../src/registry/name.js';
import { MediaType, Store, type Layer } from '../../src/registry/store/index.js';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const STORIES = path.resolve(repoRoot, '../shared/models/stories260K.gguf');
export const haveStories = fs.existsSync(STORIES);

export interface ModelSpec {
  template?: string;
  system?: string;
  params?: Record<string, unknown>;
  messages?: Array<{ role: string; content: string }>;
  license?: string;
  /** The config's `parser` (a Modelfile's PARSER line). */
  parser?: string;
  /** The config's `renderer` (a Modelfile's RENDERER line). */
  renderer?: string;
}

export async function addModel(storeRoot: string, name: string, ggufPath: string, spec: ModelSpec = {}): Promise<void> {
  const store = new Store(storeRoot);
  const weights = await store.importFile(ggufPath);
  const info = await readGGUF(ggufPath);
  const layers: Layer[] = [{ mediaType: MediaType.model, digest: weights.digest, size: weights.size }];
  const text = async (mediaType: string, value: string | Buffer) => {
    const b = blobOf(value);
    await store.writeBlob(b.bytes, { expected: b.digest });
    layers.push({ mediaType, digest: b.digest, size: b.size });
  };
  if (spec.template !== undefined) await text(MediaType.template, spec.template);
  if (spec.system !== undefined) await text(MediaType.system, spec.system);
  if (spec.license !== undefined) await text(MediaType.license, spec.license);
  if (spec.params) {
    const p = encodeParams(spec.params);
    await text(MediaType.params, p.bytes);
  }
  if (spec.messages) await text(MediaType.messages, Buffer.from(JSON.stringify(spec.messages) + '\n'));
  const cfg = encodeConfigV2({
    model_format: 'gguf',
    model_family: info.architecture,
    model_families: [info.architecture],
    model_type: info.parameterSize,
    file_type: info.fileType,
    architecture: 'amd64',
    os: 'linux',
    ...(spec.parser ? { parser: spec.parser } : {}),
    ...(spec.renderer ? { renderer: spec.renderer } : {}),
  });
  await store.writeBlob(cfg.bytes, { expected: cfg.digest });
  await store.writeManifest(parseModelName(name), buildManifest(configLayer(cfg), layers));
}
