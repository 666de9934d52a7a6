/**
 * The OpenAI-compatible routes (reference §3.11): `/v1/chat/completions`, `/v1/completions`,
 * `/v1/embeddings`, `/v1/models`, `/v1/models/:model`, `/v1/responses` (and
 * `/v1/audio/transcriptions` in transcriptions.ts). Each request is mapped to its Ollama
 * counterpart, run through the same service functions as `/api/*`, and the answer mapped back;
 * streams are server-sent events ending with `data: [DONE]`. Every error, including a bad JSON
 * body, is OpenAI-shaped: `{"error":{"message","type","param":null,"code":null}}`.
 */
import zlib from 'node:zlib';
import { BadRequestError, messageOf } from '../../api/errors.js';
import type { ChatResponse, GenerateResponse, ListModelResponse } from '../../api/types.js';
import { TOKEN_STREAM_COALESCE_MS } from '../coalesce.js';
import { localTimestamp } from '../gotime.js';
import { protocolErrors, sendJSON, type Context, type Router } from '../http.js';
import { parseJSONBody } from '../jsonbody.js';
import { chatStream, collectChat } from '../inference/chat.js';
import type { ServerDeps } from '../inference/common.js';
import { embed } from '../inference/embed.js';
import { collectGenerate, generateStream } from '../inference/generate.js';
import { ChatStreamMapper, fromChatCompletionRequest, toChatCompletion } from '../openai/chat.js';
import { makeId } from '../openai/common.js';
import { CompletionStreamMapper, fromCompletionRequest, toCompletion } from '../openai/completions.js';
import { fromEmbeddingRequest, toEmbeddingList } from '../openai/embeddings.js';
import { encodedErrors, sendEncoded, toOpenAIError } from '../openai/errors.js';
import { toModelFromShow, toModelList } from '../openai/models.js';
import { fromResponsesRequest } from '../openai/responses.js';
import { responsesId, ResponsesStreamMapper, toResponse } from '../openai/responses-output.js';
import { SseWriter } from '../openai/sse.js';
import { markStream } from '../shutdown.js';
import { transcriptions } from './transcriptions.js';
import { showModel } from './models.js';

/** Errors thrown before the answer began are sent in OpenAI's shape. */
const openAI = protocolErrors(toOpenAIError);

/** `stream_options.include_usage`, tolerating any shape of `stream_options`. */
function includeUsage(body: unknown): boolean {
  const so = (body as { stream_options?: unknown } | null)?.stream_options;
  return typeof so === 'object' && so !== null && (so as { include_usage?: unknown }).include_usage === true;
}

/**
 * Streams an Ollama response generator as SSE, each Ollama object mapped to zero or more
 * OpenAI chunks. Validation errors thrown before the first object still get their status.
 */
async function streamSse<T>(ctx: Context, source: AsyncGenerator<T>, map: (item: T) => unknown[]): Promise<void> {
  const w = new SseWriter(ctx.res, { coalesceMs: TOKEN_STREAM_COALESCE_MS });
  try {
    for await (const item of source) {
      if (ctx.signal.aborted || !w.open) {
        await source.return(undefined as never);
        return;
      }
      for (const chunk of map(item)) w.write(chunk);
    }
    w.done();
  } catch (err) {
    w.fail(err);
  }
}

async function chatCompletions(deps: ServerDeps, ctx: Context): Promise<void> {
  const body = await ctx.json<unknown>();
  const req = fromChatCompletionRequest(body);
  const source = chatStream(deps, req, ctx.signal);
  if (!req.stream) {
    const last = await collectChat(source);
    sendJSON(ctx.res, 200, toChatCompletion(makeId('chatcmpl'), last));
    return;
  }
  const mapper = new ChatStreamMapper({ includeUsage: includeUsage(body) });
  await streamSse<ChatResponse>(ctx, source, (r) => mapper.push(r));
}

async function completions(deps: ServerDeps, ctx: Context): Promise<void> {
  const body = await ctx.json<unknown>();
  const req = fromCompletionRequest(body);
  const source = generateStream(deps, req, ctx.signal);
  if (!req.stream) {
    const last = await collectGenerate(source);
    sendJSON(ctx.res, 200, toCompletion(makeId('cmpl'), last));
    return;
  }
  const mapper = new CompletionStreamMapper({ includeUsage: includeUsage(body) });
  await streamSse<GenerateResponse>(ctx, source, (r) => mapper.push(r));
}

async function embeddings(deps: ServerDeps, ctx: Context): Promise<void> {
  const { request, encoding } = fromEmbeddingRequest(await ctx.json<unknown>());
  const r = await embed(deps, request, ctx.signal);
  sendJSON(ctx.res, 200, toEmbeddingList(request.model, r, encoding));
}

async function listModels(deps: ServerDeps, ctx: Context): Promise<void> {
  const list = await deps.store.list();
  list.sort((a, b) => b.modifiedAt.getTime() - a.modifiedAt.getTime());
  const models = list.map((m) => ({ name: m.shortName, model: m.shortName, modified_at: localTimestamp(m.modifiedAt) }) as ListModelResponse);
  sendJSON(ctx.res, 200, toModelList(models));
}

async function retrieveModel(deps: ServerDeps, ctx: Context): Promise<void> {
  const name = ctx.params.model ?? '';
  await encodedErrors(ctx, async () => {
    const show = await showModel(deps, { model: name });
    sendEncoded(ctx.res, 200, toModelFromShow(name, show));
  });
}

/** Ollama's cap on a decompressed Responses body. */
const MAX_DECOMPRESSED_BODY = 20 << 20;

type ZstdDecompress = (buf: Buffer, opts: { maxOutputLength: number }) => Buffer;

/**
 * The Responses body, which Codex may send `Content-Encoding: zstd` (Ollama decompresses it, up
 * to 20 MiB). Node gained zstd in 22.15; on an older Node such a body is a clear 400.
 */
async function responsesBody(ctx: Context): Promise<unknown> {
  const encoding = String(ctx.req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding !== 'zstd') return ctx.json<unknown>();
  const raw = await ctx.body();
  const decompress = (zlib as unknown as { zstdDecompressSync?: ZstdDecompress }).zstdDecompressSync;
  if (!decompress) throw new BadRequestError(`failed to decompress zstd body: this server's Node.js (${process.version}) has no zstd; send the body uncompressed`);
  let plain: Buffer;
  try {
    plain = decompress(raw, { maxOutputLength: MAX_DECOMPRESSED_BODY });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw new BadRequestError('http: request body too large');
    throw new BadRequestError('failed to decompress zstd body');
  }
  return parseJSONBody(plain);
}

async function responses(deps: ServerDeps, ctx: Context): Promise<void> {
  const { chat, stream, echo } = fromResponsesRequest(await responsesBody(ctx));
  const responseId = responsesId('resp');
  const itemId = responsesId('msg');
  await encodedErrors(ctx, async () => {
    const source = chatStream(deps, chat, ctx.signal);
    if (!stream) {
      sendEncoded(ctx.res, 200, toResponse(responseId, itemId, await collectChat(source), echo));
      return;
    }
    ctx.res.setHeader('Cache-Control', 'no-cache');
    const mapper = new ResponsesStreamMapper(echo, { responseId, itemId });
    const w = new SseWriter(ctx.res, { coalesceMs: TOKEN_STREAM_COALESCE_MS });
    // After the first event, an error is this API's `response.failed` (also at shutdown).
    const failAfterStart = (err: unknown) => {
      for (const e of mapper.fail(messageOf(err))) w.writeEvent(e.event, e.data);
      w.end();
    };
    markStream(ctx.res, { fail: (err) => (w.started ? failAfterStart(err) : w.fail(err)) });
    try {
      for await (const r of source) {
        if (ctx.signal.aborted || !w.open) {
          await source.return(undefined as never);
          return;
        }
        for (const e of mapper.push(r)) w.writeEvent(e.event, e.data);
      }
    } catch (err) {
      // Before the first event: an ordinary OpenAI error with its status.
      if (!w.started) throw err;
      failAfterStart(err);
      return;
    }
    w.end();
  });
}

export function registerOpenAIRoutes(router: Router, deps: ServerDeps): void {
  router.post('/v1/chat/completions', openAI((ctx) => chatCompletions(deps, ctx)));
  router.post('/v1/completions', openAI((ctx) => completions(deps, ctx)));
  router.post('/v1/embeddings', openAI((ctx) => embeddings(deps, ctx)));
  router.get('/v1/models', openAI((ctx) => listModels(deps, ctx)));
  router.get('/v1/models/:model', openAI((ctx) => retrieveModel(deps, ctx)));
  router.post('/v1/responses', openAI((ctx) => responses(deps, ctx)));
  router.post('/v1/audio/transcriptions', openAI((ctx) => transcriptions(deps, ctx)));
}
