/** The inference routes: /api/generate, /api/chat, /api/embed, /api/embeddings. */
import type { ChatRequest, EmbedRequest, EmbeddingRequest, GenerateRequest } from '../../api/types.js';
import { sendJSON, type Context, type Router } from '../http.js';
import { chatStream, collectChat } from '../inference/chat.js';
import { checkRequestTypes, type ServerDeps } from '../inference/common.js';
import { checkImagesBase64 } from '../images.js';
import { embed, embeddings } from '../inference/embed.js';
import { collectGenerate, generateStream } from '../inference/generate.js';
import { NdjsonWriter, TOKEN_STREAM_COALESCE_MS } from '../ndjson.js';
import type { WireType } from '../../api/types.js';

/**
 * Streams a response generator as NDJSON, or (stream:false) answers with one collected object.
 * The first object is pulled before any byte is written, so validation errors keep their status.
 */
export async function respond<T extends object>(
  ctx: Context,
  stream: boolean | undefined,
  source: AsyncGenerator<T>,
  collect: (s: AsyncIterable<T>) => Promise<T>,
  type: WireType,
): Promise<void> {
  if (stream === false) {
    sendJSON(ctx.res, 200, await collect(source), type);
    return;
  }
  const w = new NdjsonWriter(ctx.res, type, { coalesceMs: TOKEN_STREAM_COALESCE_MS });
  try {
    for await (const item of source) {
      if (ctx.signal.aborted || !w.write(item)) {
        await source.return(undefined as never);
        return;
      }
    }
    w.end();
  } catch (err) {
    w.fail(err);
  }
}

export function registerInferenceRoutes(router: Router, deps: ServerDeps): void {
  router.post('/api/generate', async (ctx) => {
    const body = await ctx.json<GenerateRequest | null>();
    checkRequestTypes(body, 'GenerateRequest');
    checkImagesBase64(body);
    const req = body ?? ({} as GenerateRequest);
    await respond(ctx, req.stream, generateStream(deps, req, ctx.signal), collectGenerate, 'GenerateResponse');
  });
  router.post('/api/chat', async (ctx) => {
    const body = await ctx.json<ChatRequest | null>();
    checkRequestTypes(body, 'ChatRequest');
    checkImagesBase64(body);
    const req = body ?? ({} as ChatRequest);
    await respond(ctx, req.stream, chatStream(deps, req, ctx.signal), collectChat, 'ChatResponse');
  });
  router.post('/api/embed', async (ctx) => {
    const req = (await ctx.json<EmbedRequest | null>()) ?? ({} as EmbedRequest);
    sendJSON(ctx.res, 200, await embed(deps, req, ctx.signal), 'EmbedResponse');
  });
  router.post('/api/embeddings', async (ctx) => {
    const req = (await ctx.json<EmbeddingRequest | null>()) ?? ({} as EmbeddingRequest);
    sendJSON(ctx.res, 200, await embeddings(deps, req, ctx.signal), 'EmbeddingResponse');
  });
}
