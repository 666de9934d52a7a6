/** Ollama's manifest and config shapes (reference §4.3). Field order here is Go's struct order. */

export const MANIFEST_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
export const CONFIG_MEDIA_TYPE = 'application/vnd.docker.container.image.v1+json';

export const MediaType = {
  model: 'application/vnd.ollama.image.model',
  adapter: 'application/vnd.ollama.image.adapter',
  projector: 'application/vnd.ollama.image.projector',
  draft: 'application/vnd.ollama.image.draft',
  template: 'application/vnd.ollama.image.template',
  prompt: 'application/vnd.ollama.image.prompt',
  system: 'application/vnd.ollama.image.system',
  params: 'application/vnd.ollama.image.params',
  messages: 'application/vnd.ollama.image.messages',
  license: 'application/vnd.ollama.image.license',
  embed: 'application/vnd.ollama.image.embed',
  tensor: 'application/vnd.ollama.image.tensor',
  json: 'application/vnd.ollama.image.json',
} as const;

/** One layer (or the config) of a manifest: Go's `manifest.Layer`. */
export interface Layer {
  mediaType: string;
  digest: string;
  size: number;
  /** omitempty: where a reused layer came from (file name or base model's shortest name). */
  from?: string;
  /** omitempty: tensor/config file name for safetensors models. */
  name?: string;
}

export interface Manifest {
  schemaVersion: number;
  mediaType: string;
  config: Layer;
  layers: Layer[];
}

export interface DraftConfig {
  model_format?: string;
  architecture?: string;
  tensor_prefix?: string;
  config?: unknown;
}

/** Go's `model.ConfigV2`. */
export interface ConfigV2 {
  model_format?: string;
  model_family?: string;
  model_families?: string[] | null;
  model_type?: string;
  file_type?: string;
  renderer?: string;
  parser?: string;
  requires?: string;
  remote_host?: string;
  remote_model?: string;
  capabilities?: string[];
  context_length?: number;
  embedding_length?: number;
  base_name?: string;
  draft?: DraftConfig;
  architecture?: string;
  os?: string;
}
