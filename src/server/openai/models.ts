/** `/v1/models` and `/v1/models/:model` from Ollama's list / show data (reference §3.11). */
import type { ListModelResponse, ShowResponse } from '../../api/types.js';
import { tryParseModelName } from '../../registry/name.js';
import { unixOf } from './common.js';

export interface OpenAIModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export interface OpenAIModelList {
  object: 'list';
  /** `null` when there are no models, as Ollama writes a nil slice. */
  data: OpenAIModel[] | null;
}

function ownedBy(name: string): string {
  return tryParseModelName(name)?.namespace ?? '';
}

export function toModel(name: string, modifiedAt: string | undefined): OpenAIModel {
  return { id: name, object: 'model', created: unixOf(modifiedAt), owned_by: ownedBy(name) };
}

export function toModelList(models: readonly ListModelResponse[]): OpenAIModelList {
  return { object: 'list', data: models.length === 0 ? null : models.map((m) => toModel(m.name, m.modified_at)) };
}

export function toModelFromShow(name: string, show: ShowResponse): OpenAIModel {
  return toModel(name, show.modified_at);
}
