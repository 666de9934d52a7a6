/**
 * `POST /v1/audio/transcriptions` (OpenAI's multipart form: `model`, `file`, `response_format`,
 * `language`, `prompt`). Ollama turns it into a chat whose user message carries the audio; the
 * model must hear audio. No model that runs here does, so after the form and the model are
 * checked the request is refused (400 `<model> does not support audio`), in OpenAI's error shape.
 */
import { BadRequestError } from '../../api/errors.js';
import type { Context } from '../http.js';
import { requireCapabilities, type ServerDeps } from '../inference/common.js';
import { resolveModel } from '../model.js';
import { encodedErrors } from '../openai/errors.js';

/** The form, with Go's texts for what `ParseMultipartForm` rejects. */
async function readForm(ctx: Context): Promise<FormData> {
  const type = String(ctx.req.headers['content-type'] ?? '');
  const fail = (msg: string) => new BadRequestError(`failed to parse multipart form: ${msg}`);
  if (!/^multipart\/form-data\b/i.test(type)) throw fail("request Content-Type isn't multipart/form-data");
  if (!/;\s*boundary=/i.test(type)) throw fail('no multipart boundary param in Content-Type');
  const body = await ctx.body();
  try {
    return await new Response(body, { headers: { 'Content-Type': type } }).formData();
  } catch (err) {
    throw fail(err instanceof Error ? err.message : String(err));
  }
}

export async function transcriptions(deps: ServerDeps, ctx: Context): Promise<void> {
  const form = await readForm(ctx);
  const model = form.get('model');
  if (typeof model !== 'string' || model === '') throw new BadRequestError('model is required');
  const file = form.get('file');
  if (file === null || typeof file === 'string') throw new BadRequestError('file is required: http: no such file');
  if (file.size === 0) throw new BadRequestError('audio file is empty');
  await encodedErrors(ctx, async () => {
    const m = await resolveModel(deps.store, model);
    await requireCapabilities(model, m, ['completion', 'audio'], 'chat');
    // Reached only by a model that declares audio input, which the runtime cannot feed yet.
    throw new BadRequestError(`${m.fullName} does not support audio input here: audio models are not supported yet`);
  });
}
