/**
 * The Anthropic Messages API route, `POST /v1/messages` (what Claude Code speaks): the request is
 * mapped to an `/api/chat` request, run through the same chat core, and the answer mapped back —
 * a `message` object, or with `stream: true` Anthropic's server-sent events. Every error,
 * including a bad JSON body, is Anthropic-shaped: `{"type":"error","error":{"type","message"}}`.
 */
import type { ChatResponse } from '../../api/types.js';
import { anthropicId, toAnthropicError } from '../anthropic/errors.js';
import { estimateInputTokens, fromMessagesRequest } from '../anthropic/messages.js';
import { StreamConverter, toMessagesResponse } from '../anthropic/response.js';
import { AnthropicSseWriter } from '../anthropic/sse.js';
import { TOKEN_STREAM_COALESCE_MS } from '../coalesce.js';
import { protocolErrors, sendJSON, type Context, type Router } from '../http.js';
import { chatStream, collectChat } from '../inference/chat.js';
import type { ServerDeps } from '../inference/common.js';

/** Errors thrown before the answer began are sent in Anthropic's shape. */
const anthropic = protocolErrors(toAnthropicError);

async function streamEvents(ctx: Context, source: AsyncGenerator<ChatResponse>, converter: StreamConverter): Promise<void> {
  const w = new AnthropicSseWriter(ctx.res, { coalesceMs: TOKEN_STREAM_COALESCE_MS });
  try {
    for await (const r of source) {
      if (ctx.signal.aborted || !w.open) {
        await source.return(undefined as never);
        return;
      }
      for (const e of converter.process(r)) w.write(e.event, e.data);
    }
    w.end();
  } catch (err) {
    w.fail(err);
  }
}

async function messages(deps: ServerDeps, ctx: Context): Promise<void> {
  const body = await ctx.json<unknown>();
  const req = fromMessagesRequest(body);
  const id = anthropicId('msg');
  const source = chatStream(deps, req, ctx.signal, { relaxThinking: true });
  if (!req.stream) {
    sendJSON(ctx.res, 200, toMessagesResponse(id, await collectChat(source)));
    return;
  }
  await streamEvents(ctx, source, new StreamConverter(id, req.model, estimateInputTokens(body)));
}

export function registerAnthropicRoutes(router: Router, deps: ServerDeps): void {
  router.post('/v1/messages', anthropic((ctx) => messages(deps, ctx)));
}
