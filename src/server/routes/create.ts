/**
 * `POST /api/create`, `HEAD /api/blobs/:digest` and `POST /api/blobs/:digest`
 * (reference §3.9, §4.5).
 *
 * Tollama extension (docs/create.md): a loopback client that shares the server's file system may
 * send `POST /api/blobs/:digest` with an empty body and `X-Tollama-Source-Path: <absolute
 * path>`; the server then imports that file itself (a copy-on-write clone where the file system
 * allows) after checking it hashes to the digest. Any failure answers one fixed 400 and the
 * client falls back to uploading the bytes.
 */
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { BadRequestError, NotFoundError } from '../../api/errors.js';
import type { ProgressResponse } from '../../api/types.js';
import { commitModel, prepareModel, type BuildDeps } from '../../modelfile/build.js';
import { validateCreateRequest } from '../../modelfile/build-request.js';
import { NdjsonWriter } from '../ndjson.js';
import { sendError, sendJSON, sendStatus, type Context, type Router } from '../http.js';

export const SOURCE_PATH_HEADER = 'x-tollama-source-path';
export const IMPORT_REFUSED = 'the server could not import the named file; upload its bytes instead';

export type CreateRouteDeps = BuildDeps;

const BLOB_PARAM_RE = /^sha256[:-]([0-9a-f]{64})$/;

/** `sha256:<hex>` or `sha256-<hex>` → `sha256:<hex>`; anything else → 400 `invalid digest format`. */
export function blobParam(raw: string | undefined): string {
  const m = BLOB_PARAM_RE.exec(raw ?? '');
  if (!m) throw new BadRequestError('invalid digest format');
  return `sha256:${m[1]}`;
}

/** True when the request comes from this machine (127.0.0.0/8, ::1, IPv4-mapped loopback). */
export function isLoopbackPeer(req: IncomingMessage): boolean {
  const a = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  return a === '::1' || /^127\./.test(a);
}

async function handleCreate(ctx: Context, deps: CreateRouteDeps): Promise<void> {
  deps.store.assertWritable('create');
  const body = await ctx.json<Record<string, unknown>>();
  const plan = validateCreateRequest(body);
  const stream = !(body && typeof body === 'object' && body.stream === false);
  // Everything that can be refused is refused here, before a status line is sent.
  const prepared = await prepareModel(plan, deps, ctx.signal);
  if (!stream) {
    try {
      await commitModel(prepared, deps, () => {}, ctx.signal);
      sendJSON(ctx.res, 200, { status: 'success' }, 'ProgressResponse');
    } catch (e) {
      sendError(ctx.res, e);
    }
    return;
  }
  const w = new NdjsonWriter(ctx.res, 'ProgressResponse');
  const emit = (p: ProgressResponse): void => {
    w.write(p);
  };
  try {
    for (const p of prepared.progress) emit(p);
    await commitModel(prepared, deps, emit, ctx.signal);
    w.end();
  } catch (e) {
    w.fail(e);
  }
}

async function handleHeadBlob(ctx: Context, deps: CreateRouteDeps): Promise<void> {
  const digest = blobParam(ctx.params.digest);
  if (!(await deps.store.hasBlob(digest))) throw new NotFoundError(`blob "${ctx.params.digest}" not found`);
  sendStatus(ctx.res, 200);
}

async function handlePostBlob(ctx: Context, deps: CreateRouteDeps): Promise<void> {
  const digest = blobParam(ctx.params.digest);
  if (deps.store.readOnly !== null) {
    ctx.res.setHeader('Connection', 'close'); // the upload is not read
    deps.store.assertWritable('uploading a blob');
  }
  if (await deps.store.hasBlob(digest)) {
    // The body is not read: close the connection instead of draining it.
    ctx.res.setHeader('Connection', 'close');
    sendStatus(ctx.res, 200);
    return;
  }
  const source = ctx.req.headers[SOURCE_PATH_HEADER];
  if (typeof source === 'string' && source !== '') {
    if (!isLoopbackPeer(ctx.req) || !path.isAbsolute(source)) throw new BadRequestError(IMPORT_REFUSED);
    let existed: boolean;
    try {
      existed = (await deps.store.importFile(source, { expected: digest, signal: ctx.signal })).existed;
    } catch {
      // One answer for missing, unreadable, special or mismatching files: no probing.
      throw new BadRequestError(IMPORT_REFUSED);
    }
    sendStatus(ctx.res, existed ? 200 : 201);
    return;
  }
  const r = await deps.store.writeBlob(ctx.req as AsyncIterable<Uint8Array>, { expected: digest, signal: ctx.signal });
  sendStatus(ctx.res, r.existed ? 200 : 201);
}

/** Registers the create and blob routes. */
export function registerCreateRoutes(router: Router, deps: CreateRouteDeps): void {
  router.post('/api/create', (ctx) => handleCreate(ctx, deps));
  router.head('/api/blobs/:digest', (ctx) => handleHeadBlob(ctx, deps));
  router.post('/api/blobs/:digest', (ctx) => handlePostBlob(ctx, deps));
}
