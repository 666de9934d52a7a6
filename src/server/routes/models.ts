/** Model management routes: tags, show, copy, delete, ps (reference §3.9). */
import { BadRequestError, NotFoundError } from '../../api/errors.js';
import type { CopyRequest, DeleteRequest, ListModelResponse, ProcessModelResponse, ShowRequest, ShowResponse } from '../../api/types.js';
import { modelInfo, readGGUF, tensorList } from '../../registry/gguf/index.js';
import { displayShortest, parseModelName, InvalidNameError } from '../../registry/name.js';
import { DEFAULT_TEMPLATE, formatModelfile, formatParametersString } from '../../modelfile/index.js';
import { localTimestamp } from '../gotime.js';
import { sendJSON, sendStatus, type Router } from '../http.js';
import { modelDetails, type ServerDeps } from '../inference/common.js';
import { capabilities, modelGGUF, resolveModel } from '../model.js';
import { listEntry } from '../model-list.js';

function nameOr400(value: unknown, message: string) {
  if (typeof value !== 'string' || value === '') throw new BadRequestError(message);
  try {
    return parseModelName(value);
  } catch (err) {
    if (err instanceof InvalidNameError) throw new BadRequestError(message);
    throw err;
  }
}

export async function showModel(deps: ServerDeps, req: ShowRequest): Promise<ShowResponse> {
  const model = req.model || req.name || '';
  if (model === '') throw new BadRequestError('model is required');
  const m = await resolveModel(deps.store, model, () => `model '${displayShortest(parseModelName(model))}' not found`);
  // As Ollama's GetModelInfo: `parameters` lists the model's own; the request's options only
  // reach the generated Modelfile (the REPL's /show modelfile after /set parameter).
  const params: Record<string, unknown> = { ...m.params, ...(req.options ?? {}) };
  const res: ShowResponse = {
    license: m.licenses.length ? m.licenses.join('\n') : undefined,
    modelfile: formatModelfile({
      name: m.shortName,
      modelPath: m.modelPath ?? '',
      adapterPaths: m.adapterPaths,
      projectorPaths: m.projectorPaths,
      template: m.template || DEFAULT_TEMPLATE,
      system: req.system || m.system || undefined,
      renderer: m.config?.renderer,
      parser: m.config?.parser,
      parameters: params,
      licenses: m.licenses,
      messages: m.messages.map((x) => ({ role: x.role, content: x.content })),
    }),
    parameters: formatParametersString(m.params) || undefined,
    template: m.template || DEFAULT_TEMPLATE,
    system: req.system || m.system || undefined,
    details: modelDetails(m),
    messages: m.messages.length ? m.messages.map((x) => ({ role: x.role, content: x.content })) : undefined,
    model_info: {},
    capabilities: await capabilities(m),
    modified_at: localTimestamp(m.stored.modifiedAt),
    requires: m.config?.requires || undefined,
  };
  if (m.modelPath) {
    const info = req.verbose ? await readGGUF(m.modelPath, { verbose: true }) : await modelGGUF(m.modelPath);
    res.model_info = modelInfo(info, { verbose: req.verbose === true });
    if (req.verbose) res.tensors = tensorList(info);
  }
  if (m.projectorPaths[0]) {
    const info = await readGGUF(m.projectorPaths[0], { verbose: req.verbose === true });
    res.projector_info = modelInfo(info, { verbose: req.verbose === true });
  }
  return res;
}

export function registerModelRoutes(router: Router, deps: ServerDeps): void {
  router.getHead('/api/tags', async (ctx) => {
    const list = await deps.store.list();
    list.sort((a, b) => b.modifiedAt.getTime() - a.modifiedAt.getTime());
    const models: ListModelResponse[] = [];
    for (const m of list) models.push(await listEntry(deps.store, m));
    sendJSON(ctx.res, 200, { models }, 'ListResponse');
  });

  router.post('/api/show', async (ctx) => {
    const req = (await ctx.json<ShowRequest | null>()) ?? ({} as ShowRequest);
    sendJSON(ctx.res, 200, await showModel(deps, req), 'ShowResponse');
  });

  router.post('/api/copy', async (ctx) => {
    deps.store.assertWritable('copy');
    const req = (await ctx.json<CopyRequest | null>()) ?? ({} as CopyRequest);
    const src = nameOr400(req.source, `source "${req.source ?? ''}" is invalid`);
    const dst = nameOr400(req.destination, `destination "${req.destination ?? ''}" is invalid`);
    if (!(await deps.store.findModel(src))) throw new NotFoundError(`model "${req.source}" not found`);
    await deps.store.copy(src, dst);
    sendStatus(ctx.res, 200);
  });

  router.delete('/api/delete', async (ctx) => {
    deps.store.assertWritable('delete');
    const req = (await ctx.json<DeleteRequest | null>()) ?? ({} as DeleteRequest);
    const model = req.model || req.name || '';
    const name = nameOr400(model, `name "${model}" is invalid`);
    if (!(await deps.store.findModel(name))) throw new NotFoundError(`model '${model}' not found`);
    await deps.sched.unload((await resolveModel(deps.store, model)).fullName).catch(() => {});
    await deps.store.delete(name);
    sendStatus(ctx.res, 200);
  });

  router.get('/api/ps', (ctx) => {
    const models: ProcessModelResponse[] = deps.sched
      .ps()
      .sort((a, b) => b.expires_at.getTime() - a.expires_at.getTime())
      .map((p) => ({
        name: p.details?.shortName ?? p.name,
        model: p.details?.shortName ?? p.name,
        size: p.size,
        digest: p.details?.digest ?? '',
        details: p.details!.details,
        expires_at: localTimestamp(p.expires_at),
        size_vram: p.size_vram,
        context_length: p.context_length,
      }));
    sendJSON(ctx.res, 200, { models }, 'ProcessResponse');
  });
}
