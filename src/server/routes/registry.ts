/** POST /api/pull and POST /api/push: Ollama's progress stream (reference §3.9, §7). */
import { BadRequestError, messageOf } from '../../api/errors.js';
import { toWire, type ProgressResponse, type PullRequest } from '../../api/types.js';
import { pushModel, type ProgressEvent } from '../../registry/remote/index.js';
import { toAsyncIterable } from '../../registry/remote/progress.js';
import { DEMO_HOST, isDemoHost } from '../../registry/demo.js';
import { InvalidNameError, displayShortest, parseModelName } from '../../registry/name.js';
import { pullOrInstall } from '../demo-model.js';
import { goJSON } from '../gojson.js';
import type { Context, Router } from '../http.js';
import type { ServerDeps } from '../inference/common.js';
import { NdjsonWriter } from '../ndjson.js';

function modelOf(req: PullRequest): string {
  const model = req.model || req.name || '';
  if (model === '') throw new BadRequestError('model is required');
  try {
    parseModelName(model);
  } catch (err) {
    if (err instanceof InvalidNameError) throw new BadRequestError('invalid model name');
    throw err;
  }
  return model;
}

/**
 * stream:false, as Ollama's waitForStream: the last progress object, or, when the pull/push fails,
 * `{"error":…}` with 500 whatever the cause (its errors carry no status, so a registry's 404 or an
 * unreachable host are both 500). Content-Type is `application/json`, without a charset.
 */
async function waitForStream(ctx: Context, source: AsyncIterable<ProgressEvent>): Promise<void> {
  let status = 200;
  let body: object;
  try {
    let last: ProgressEvent | undefined;
    for await (const p of source) last = p;
    body = toWire('ProgressResponse', last ?? { status: 'success' });
  } catch (err) {
    status = 500;
    body = { error: messageOf(err) };
  }
  const { res } = ctx;
  if (res.headersSent || ctx.signal.aborted) return;
  const text = goJSON(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Streams progress objects, or (stream:false) answers with the last one. */
async function progress(ctx: Context, stream: boolean | undefined, source: AsyncIterable<ProgressEvent>): Promise<void> {
  if (stream === false) return waitForStream(ctx, source);
  const w = new NdjsonWriter(ctx.res, 'ProgressResponse');
  try {
    for await (const p of source) {
      if (!w.write(p as ProgressResponse)) return;
    }
    w.end();
  } catch (err) {
    w.fail(err);
  }
}

export function registerRegistryRoutes(router: Router, deps: ServerDeps): void {
  router.post('/api/pull', async (ctx) => {
    deps.store.assertWritable('pull');
    const req = await ctx.json<PullRequest>();
    const model = modelOf(req);
    const opts = { insecure: req.insecure === true, signal: ctx.signal, noPrune: deps.config.noPrune };
    await progress(ctx, req.stream, toAsyncIterable<ProgressEvent>((emit) => pullOrInstall(deps.store, model, opts, emit)));
  });
  router.post('/api/push', async (ctx) => {
    // Push only reads the store, but a read-only replica is a serving node: models reach the
    // registry from the writer that built them (docs/replicas.md).
    deps.store.assertWritable('push');
    const req = await ctx.json<PullRequest>();
    const model = modelOf(req);
    const name = parseModelName(model);
    if (isDemoHost(name)) {
      throw new BadRequestError(
        `${displayShortest(name)} cannot be pushed: ${DEMO_HOST} is not a registry (it names Tollama's built-in demo model); ` +
          `copy the model to a name on your registry first (ollama cp ${displayShortest(name)} HOST/NAMESPACE/MODEL)`,
      );
    }
    await progress(ctx, req.stream, pushModel(deps.store, model, { insecure: req.insecure === true, signal: ctx.signal }));
  });
}
