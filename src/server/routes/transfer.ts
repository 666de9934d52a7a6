/**
 * Offline transfer over HTTP (docs/offline.md), so `ollama export/import/verify/prune` work
 * against a remote server as against a local one:
 *
 *  POST /api/export  {"models":["m",…]}   → 200 application/x-tar (Content-Length exact), streamed
 *  POST /api/import[?name=NEW]  tar body  → NDJSON progress, then a summary line
 *  POST /api/verify  {"models":[…]}       → {"models":[{name, ok, blobs, problems}]}
 *  POST /api/prune   {"dry_run":bool}     → {"dry_run", "removed", "kept", "freed"}
 *
 * Errors found before the first byte are Ollama-style `{"error":…}` responses with a status. An
 * export that fails mid-stream (a blob damaged on disk) closes the connection early, so the
 * client sees fewer bytes than Content-Length. An import that fails after progress began ends
 * with an `{"error":…}` line.
 */
import { once } from 'node:events';
import { BadRequestError } from '../../api/errors.js';
import { exportTar, planExport } from '../../registry/archive/export.js';
import { importArchive, type ImportProgress } from '../../registry/archive/import.js';
import { pruneBlobs } from '../../registry/archive/prune.js';
import { parseModelName } from '../../registry/name.js';
import type { Store } from '../../registry/store/index.js';
import { NdjsonWriter } from '../ndjson.js';
import { parseJSONBody } from '../jsonbody.js';
import { sendJSON, type Context, type Router } from '../http.js';

export interface TransferRouteDeps {
  store: Store;
}

const SMALL_BODY = 1 << 20;
/** Progress lines per blob: at most one per this share of it (and at start and end). */
const PROGRESS_STEP = 0.01;

async function optionalJSON(ctx: Context): Promise<Record<string, unknown>> {
  const buf = await ctx.body(SMALL_BODY);
  if (buf.toString('utf8').trim() === '') return {};
  const v = parseJSONBody(buf);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BadRequestError('request body must be a JSON object');
  return v as Record<string, unknown>;
}

function modelList(v: unknown, required: boolean): string[] {
  if (v === undefined || v === null) {
    if (required) throw new BadRequestError('models is required');
    return [];
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new BadRequestError('models must be a list of model names');
  if (required && v.length === 0) throw new BadRequestError('models is required');
  return v as string[];
}

async function handleExport(ctx: Context, deps: TransferRouteDeps): Promise<void> {
  const body = await optionalJSON(ctx);
  const names = modelList(body.models ?? (typeof body.model === 'string' ? [body.model] : undefined), true);
  const plan = await planExport(deps.store, names);
  const { res } = ctx;
  res.writeHead(200, {
    'Content-Type': 'application/x-tar',
    'Content-Length': plan.size,
    'X-Tollama-Models': plan.models.map((m) => m.shortName).join(','),
  });
  try {
    for await (const chunk of exportTar(deps.store, plan, { signal: ctx.signal })) {
      if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      if (res.destroyed) return;
    }
    res.end();
  } catch {
    // Headers are gone: cut the connection so the client sees a short body, not a "complete" tar.
    res.destroy();
  }
}

/** How long a refused upload may go on being sent (and discarded) before the connection is cut. */
const LINGER_MS = 10_000;

/**
 * An import can be refused part-way through its body. Closing a socket that still has unread
 * bytes makes the kernel send a reset, which can destroy the answer before the client reads it
 * (Node's server closes right after the answer when the client sent `Connection: close`). So the
 * import closes the connection itself, and only once the body has been read: a refused rest is
 * discarded (a client that hears the answer stops sending and closes, as ours does; one that
 * goes on is cut off after LINGER_MS).
 */
function closeAfterBody(ctx: Context): void {
  const { req, res } = ctx;
  const socket = req.socket;
  const clientWantsClose = !res.shouldKeepAlive;
  res.shouldKeepAlive = true;
  res.once('finish', () => {
    const done = (): void => {
      if (clientWantsClose) socket.end();
    };
    if (req.complete) return done();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    req.once('end', () => {
      clearTimeout(timer);
      done();
    });
    req.resume();
  });
}

async function handleImport(ctx: Context, deps: TransferRouteDeps): Promise<void> {
  closeAfterBody(ctx);
  deps.store.assertWritable('import');
  const name = ctx.query.get('name') || undefined;
  const rename = name === undefined ? undefined : parseModelName(name); // 400 before reading the body
  const w = new NdjsonWriter(ctx.res);
  const last = new Map<string, number>();
  const onProgress = (p: ImportProgress): void => {
    const prev = last.get(p.digest);
    const step = Math.max(1, Math.floor(p.total * PROGRESS_STEP));
    if (prev !== undefined && p.completed !== p.total && p.completed - prev < step) return;
    if (prev === p.total && p.completed === p.total) return;
    last.set(p.digest, p.completed);
    w.write({ status: `${p.skipped ? 'skipping' : 'importing'} ${p.digest}`, digest: p.digest, total: p.total, completed: p.completed });
  };
  try {
    // An importer that gives up must not destroy the request (that resets the connection and
    // can lose the answer): closeAfterBody decides what happens to the unread rest.
    const body = ctx.req.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>;
    const r = await importArchive(deps.store, body, { name: rename, signal: ctx.signal, onProgress });
    for (const m of r.models) w.write({ status: `imported ${m.name}`, model: m.name, digest: m.digest });
    w.write({
      status: 'success',
      models: r.models.map((m) => m.name),
      blobs_written: r.blobsWritten,
      blobs_skipped: r.blobsSkipped,
      bytes_written: r.bytesWritten,
    });
    w.end();
  } catch (e) {
    w.fail(e);
  }
}

async function handleVerify(ctx: Context, deps: TransferRouteDeps): Promise<void> {
  const body = await optionalJSON(ctx);
  const names = modelList(body.models, false);
  const reports = await deps.store.verify(names.length ? names.map((n) => parseModelName(n)) : undefined, ctx.signal);
  sendJSON(ctx.res, 200, {
    models: reports.map((r) => ({
      name: r.name,
      ok: r.ok,
      blobs: r.blobs,
      problems: r.problems.map((p) => ({
        digest: p.digest,
        kind: p.kind,
        ...(p.actual !== undefined ? { actual: p.actual } : {}),
        ...(p.expectedSize !== undefined ? { expected_size: p.expectedSize } : {}),
        ...(p.detail !== undefined ? { detail: p.detail } : {}),
      })),
    })),
  });
}

async function handlePrune(ctx: Context, deps: TransferRouteDeps): Promise<void> {
  const body = await optionalJSON(ctx);
  if (body.dry_run !== undefined && typeof body.dry_run !== 'boolean') throw new BadRequestError('dry_run must be true or false');
  // A dry run writes nothing, so a read-only server answers it (what the writer would remove).
  if (body.dry_run !== true) deps.store.assertWritable('prune');
  const r = await pruneBlobs(deps.store, { dryRun: body.dry_run === true });
  sendJSON(ctx.res, 200, { dry_run: r.dryRun, removed: r.removed, kept: r.kept, freed: r.freed });
}

export function registerTransferRoutes(router: Router, deps: TransferRouteDeps): void {
  router.post('/api/export', (ctx) => handleExport(ctx, deps));
  router.post('/api/import', (ctx) => handleImport(ctx, deps));
  router.post('/api/verify', (ctx) => handleVerify(ctx, deps));
  router.post('/api/prune', (ctx) => handlePrune(ctx, deps));
}
