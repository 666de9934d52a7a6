/**
 * One `/api/tags` entry, as Ollama 0.33's model list builds it (server/model_list_cache.go):
 * details from the config, completed from the weights' header (context and embedding length,
 * a quantization the config does not know, the parent model), and the listed capabilities.
 */
import type { ListModelResponse } from '../api/types.js';
import { MediaType, type ListedModel, type Store } from '../registry/store/index.js';
import { localTimestamp } from './gotime.js';
import { listCapabilities } from './capabilities.js';
import { headerOrNull, ownTemplate } from './model.js';

const unknownQuantization = (q: string) => q === '' || q === 'unknown';

export async function listEntry(store: Store, m: ListedModel): Promise<ListModelResponse> {
  const cfg = m.config;
  const details = { ...m.details };
  let modelPath: string | null = null;
  let projectorCount = 0;
  let template = '';
  for (const layer of m.manifest.layers) {
    if (layer.mediaType === MediaType.model) {
      modelPath = store.blobPath(layer.digest);
      details.parent_model = layer.from ?? '';
    } else if (layer.mediaType === MediaType.projector) projectorCount++;
    else if (layer.mediaType === MediaType.template || layer.mediaType === MediaType.prompt) {
      template = await store.readBlob(layer.digest).then((b) => b.toString('utf8'), () => '');
    }
  }
  const remote = Boolean(cfg?.remote_host || cfg?.remote_model);
  const gguf = remote ? null : await headerOrNull(modelPath);
  if (cfg?.context_length) details.context_length = cfg.context_length;
  if (cfg?.embedding_length) details.embedding_length = cfg.embedding_length;
  if (gguf) {
    details.context_length ||= gguf.contextLength || undefined;
    details.embedding_length ||= gguf.embeddingLength || undefined;
    // Ollama names file type 0 `F32` here (its show/create call it unknown).
    const fileType = gguf.fileTypeId === 0 ? 'F32' : gguf.fileTypeId === undefined ? '' : gguf.fileType;
    if (unknownQuantization(details.quantization_level) && !unknownQuantization(fileType)) details.quantization_level = fileType;
  }
  const caps = listCapabilities({ config: cfg, gguf, projectorCount, template: ownTemplate(template) });
  return {
    name: m.shortName,
    model: m.shortName,
    remote_model: cfg?.remote_model || undefined,
    remote_host: cfg?.remote_host || undefined,
    modified_at: localTimestamp(m.modifiedAt),
    size: m.size,
    digest: m.digest,
    details,
    capabilities: caps.length ? caps : undefined,
  };
}
