/**
 * POST /api/generate as a stream of response objects (reference §3.3). Validation happens before
 * the first object, so the route can still answer with a status code; later errors become the
 * stream's final `{"error"}` line.
 */
import { BadRequestError } from '../../api/errors.js';
import type { GenerateRequest, GenerateResponse, Logprob } from '../../api/types.js';
import type { GenerateResult } from '../../runtime/index.js';
import { inferThinkingTags, renderGeneratePrompt } from '../../template/index.js';
import { createdAt } from '../gotime.js';
import { recordGeneration } from '../metrics.js';
import { modelTemplate, resolveModel } from '../model.js';
import { checkImages } from '../images.js';
import { acquire, isZeroKeepAlive, mergeOptions, requireCapabilities, resolveThink, unload, type ServerDeps } from './common.js';
import { imageBytes, imageTaggedMessages, requireVision } from './vision.js';
import { builtinParser } from './parsed.js';
import { jinjaRenderer } from './jinja.js';
import { chatRenderer, withoutLeadingBOS } from './renderer.js';
import { thinkingParserFor } from './thinking.js';

/** The timing fields of a final response (also counted for `/metrics`: called once per generation). */
export function metrics(r: GenerateResult): Pick<GenerateResponse, 'total_duration' | 'load_duration' | 'prompt_eval_count' | 'prompt_eval_duration' | 'eval_count' | 'eval_duration'> {
  recordGeneration(r.prompt_eval_count, r.eval_count, r.eval_duration);
  return {
    total_duration: r.total_duration,
    load_duration: r.load_duration,
    prompt_eval_count: r.prompt_eval_count,
    prompt_eval_duration: r.prompt_eval_duration,
    eval_count: r.eval_count,
    eval_duration: r.eval_duration,
  };
}

export async function* generateStream(deps: ServerDeps, req: GenerateRequest, signal: AbortSignal): AsyncGenerator<GenerateResponse> {
  const start = process.hrtime.bigint();
  if (req.top_logprobs !== undefined && (req.top_logprobs < 0 || req.top_logprobs > 20)) throw new BadRequestError('top_logprobs must be between 0 and 20');
  const m = await resolveModel(deps.store, req.model);
  const prompt = req.prompt ?? '';
  const base = { model: req.model, created_at: '', response: '' };

  if (prompt === '' && isZeroKeepAlive(req.keep_alive)) {
    await unload(deps, m);
    yield { ...base, created_at: createdAt(), done: true, done_reason: 'unload' } as GenerateResponse;
    return;
  }
  if (req.raw && (req.template || req.system || (req.context && req.context.length > 0))) {
    throw new BadRequestError('raw mode does not support template, system, or context');
  }
  const needed: ('completion' | 'insert')[] = ['completion'];
  if (req.suffix) needed.push('insert');
  const caps = await requireCapabilities(req.model, m, needed, 'generate');
  const think = resolveThink(req.model, caps, req.think);
  const images = req.images ?? [];
  if (images.length > 0 && caps.includes('vision')) checkImages(images);
  if (images.length > 0) await requireVision(deps, m, caps, signal);
  const options = mergeOptions(deps, m, req.options);

  let rendered = prompt;
  // Like Ollama, a chat-like generate (no suffix, no template override) goes through the renderer.
  const chatLike = !req.raw && !req.suffix && !req.template;
  const builtinRenderer = chatLike ? chatRenderer(m) : null;
  const renderer = chatLike ? (builtinRenderer ?? (await jinjaRenderer(m))) : null;
  if (renderer) {
    const system = req.system || m.system;
    const hasContext = !!req.context && req.context.length > 0;
    const msgs = [
      ...(system ? [{ role: 'system', content: system }] : []),
      ...(hasContext ? [] : m.messages),
      { role: 'user', content: prompt, ...(images.length ? { images } : {}) },
    ];
    // A built-in renderer writes the `[img-N]` tags itself; the GGUF chat template gets them in the text.
    rendered = renderer.render(builtinRenderer ? msgs : imageTaggedMessages(msgs, true), [], think);
  } else if (!req.raw) {
    // As Ollama's chat-like generate (chatPrompt): the prompt's images are tagged; with a template
    // override or a suffix the prompt is used as written (its own `[img-N]` tags).
    rendered = renderGeneratePrompt({
      template: req.template ? modelTemplate(req.template) : modelTemplate(m.template),
      prompt: chatLike && images.length > 0 ? imageTaggedMessages([{ role: 'user', content: prompt, images }], false)[0]!.content : prompt,
      suffix: req.suffix,
      system: req.system || m.system,
      messages: m.messages,
      images: req.images ?? undefined,
      contextText: req.context && req.context.length > 0 ? '' : undefined,
      think: think ?? null,
    });
  }
  if (req._debug_render_only) {
    yield { ...base, created_at: createdAt(), done: false, _debug_info: { rendered_template: rendered, image_count: req.images?.length ?? 0 } } as GenerateResponse;
    return;
  }

  const lease = await acquire(deps, m, options, req.keep_alive, signal);
  try {
    if (prompt === '' && !(req.context && req.context.length > 0)) {
      yield { ...base, created_at: createdAt(), done: true, done_reason: 'load' } as GenerateResponse;
      return;
    }
    const gen = lease.runner.generate({
      prompt: renderer ? withoutLeadingBOS(rendered, renderer.leadingBOS, lease.runner.addsBos) : rendered,
      context: req.context ?? undefined,
      options,
      format: req.format,
      shift: req.shift,
      signal,
      loadDuration: lease.loadDuration,
      startTime: start,
      logprobs: req.logprobs ? { top: req.top_logprobs ?? 0 } : undefined,
      ...(images.length > 0 ? { images: imageBytes(images) } : {}),
    });
    if (gen === undefined) return;
    // A built-in parser (no tools, no last message on generate) replaces the template's thinking tags.
    const builtin = req.raw ? null : builtinParser(deps.log, m, null, null, req.think);
    // Thinking tags come from the model's own template, as in Ollama (also with a template override).
    const thinking = builtin ? null : thinkingParserFor(renderer?.output?.thinking ?? inferThinkingTags(modelTemplate(m.template).parsed.root), think, rendered);
    const model = req.model;
    for await (const piece of gen) {
      // As Ollama: a chunk carrying logprobs is sent even when a parser holds its text back.
      const lp = withLogprobs(gen.takeLogprobs());
      if (piece === '' && !lp.logprobs) continue;
      if (builtin) {
        const out = builtin.parser.add(piece, false);
        if (out.content === '' && out.thinking === '' && !lp.logprobs) continue;
        yield { model, created_at: createdAt(), response: out.content, ...(out.thinking ? { thinking: out.thinking } : {}), done: false, ...lp } as GenerateResponse;
        continue;
      }
      if (!thinking) {
        yield { model, created_at: createdAt(), response: piece, done: false, ...lp } as GenerateResponse;
        continue;
      }
      const out = thinking.add(piece);
      if (out.content === '' && out.thinking === '' && !lp.logprobs) continue;
      yield { model, created_at: createdAt(), response: out.content, ...(out.thinking ? { thinking: out.thinking } : {}), done: false, ...lp } as GenerateResponse;
    }
    // Ollama reports a built-in parser's tool calls on generate only when the last piece completes them.
    const rest = builtin ? builtin.parser.add('', true) : thinking ? { ...thinking.flush(), calls: [] } : { thinking: '', content: '', calls: [] };
    const result = await gen.result;
    const lastLp = withLogprobs(gen.takeLogprobs());
    if (result.prompt_truncated) deps.log.warn('truncating input prompt', { model: m.shortName, limit: lease.runner.contextLength });
    yield {
      ...base,
      created_at: createdAt(),
      response: rest.content,
      ...(rest.thinking ? { thinking: rest.thinking } : {}),
      ...(rest.calls.length > 0 ? { tool_calls: rest.calls } : {}),
      done: true,
      done_reason: result.done_reason,
      context: req.raw ? undefined : result.context,
      ...metrics(result),
      ...lastLp,
    } as GenerateResponse;
  } finally {
    lease.release();
  }
}

/** `{logprobs}` for a chunk when there are any, else nothing (the field is omitted). */
export function withLogprobs(lps: Logprob[]): { logprobs?: Logprob[] } {
  return lps.length > 0 ? { logprobs: lps } : {};
}

/** stream:false — the last chunk with every response piece (and logprobs entry) concatenated. */
export async function collectGenerate(stream: AsyncIterable<GenerateResponse>): Promise<GenerateResponse> {
  let text = '';
  let thinking = '';
  const logprobs: Logprob[] = [];
  let last: GenerateResponse | undefined;
  for await (const chunk of stream) {
    text += chunk.response ?? '';
    thinking += chunk.thinking ?? '';
    if (chunk.logprobs) logprobs.push(...chunk.logprobs);
    last = chunk;
  }
  if (!last) throw new Error('no response');
  const { logprobs: _drop, ...rest } = last;
  return { ...rest, response: text, ...(thinking ? { thinking } : {}), ...withLogprobs(logprobs) };
}
