/**
 * `ollama create MODEL [-f Modelfile] [-q type]` (reference §1.4): parse the Modelfile, hash the
 * local files it names, send the server only the blobs it lacks, then stream `/api/create`.
 *
 * Loopback servers share our disk, so a missing blob is first offered by path
 * (`X-Tollama-Source-Path`, see docs/create.md): the server clones the file instead of
 * receiving its bytes. Any other answer falls back to a normal upload.
 */
import path from 'node:path';
import { Client } from '../api/client.js';
import type { ProgressResponse } from '../api/types.js';
import { parseModelfile } from '../modelfile/parser.js';
import { completeCreateRequest, modelfileToCreateRequest, type ModelfileSource } from '../modelfile/request.js';
import { isValidModelName } from '../registry/name.js';
import { QUANTIZE_SOURCE_TYPES, parseQuantizeType } from '../registry/gguf/filetypes.js';
import { readGGUF } from '../registry/gguf/index.js';
import { MediaType } from '../registry/store/types.js';
import { ggufMediaType } from '../modelfile/build-gguf.js';
import { hashLocalFile, localFilesFor, openRegular, readModelfile, requestNames, type HashedFile } from './create-files.js';
import { StepProgress, type ProgressOut } from './create-progress.js';
import { USER_AGENT } from '../version.js';
import type { CommandFlags } from './spec.js';

export const SOURCE_PATH_HEADER = 'X-Tollama-Source-Path';

export interface CreateIO {
  client?: Client;
  cwd?: string;
  stdout?: ProgressOut;
  stderr?: ProgressOut;
  env?: NodeJS.ProcessEnv;
}

function isLoopbackUrl(baseUrl: string): boolean {
  let host: string;
  try {
    host = new URL(baseUrl).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || /^127\./.test(host) || host === '[::1]' || host === '::1';
}

/** Asks a loopback server to import the file itself. True when it did. */
async function offerPath(client: Client, digest: string, abs: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const headers: Record<string, string> = { [SOURCE_PATH_HEADER]: abs, 'Content-Length': '0', 'User-Agent': USER_AGENT };
  const key = env.OLLAMA_API_KEY;
  if (key) headers.Authorization = `Bearer ${key}`;
  try {
    const res = await fetch(`${client.baseUrl}/api/blobs/${digest}`, { method: 'POST', headers, body: '' });
    await res.arrayBuffer().catch(() => undefined);
    return res.status === 200 || res.status === 201;
  } catch {
    return false;
  }
}

async function* fileChunks(abs: string, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  const f = await openRegular(abs);
  if (!f) throw new Error('a file changed while it was being uploaded');
  try {
    for await (const chunk of f.fh.createReadStream({ highWaterMark: 1 << 20, autoClose: false })) {
      onBytes((chunk as Buffer).length);
      yield chunk as Buffer;
    }
  } finally {
    await f.fh.close();
  }
}

/**
 * `--quantize` of weights that are already quantized is refused before anything is uploaded,
 * with the server's message (Ollama says it only after the upload). Files that are not readable
 * GGUFs are left to the server to judge.
 */
async function refuseUnquantizable(file: string): Promise<void> {
  let info;
  try {
    info = await readGGUF(file);
  } catch {
    return;
  }
  if (ggufMediaType(info) === MediaType.model && !QUANTIZE_SOURCE_TYPES.includes(info.fileType)) {
    throw new Error('quantization is only supported for F16, BF16 and F32 models');
  }
}

/** Makes sure the server has the blob: HEAD, else offer the path (loopback), else upload. */
async function sendBlob(client: Client, file: HashedFile, progress: StepProgress, env: NodeJS.ProcessEnv): Promise<void> {
  const label = `copying file ${file.digest}`;
  const pct = (done: number): string => `${label} ${file.size === 0 ? 100 : Math.floor((done * 100) / file.size)}%`;
  progress.step(pct(0));
  if (!(await client.blobExists(file.digest))) {
    const cloned = isLoopbackUrl(client.baseUrl) && (await offerPath(client, file.digest, file.abs, env));
    if (!cloned) {
      let done = 0;
      await client.uploadBlob(
        file.digest,
        fileChunks(file.abs, (n) => {
          done += n;
          progress.update(pct(done));
        }),
        file.size,
      );
    }
  }
  progress.update(pct(file.size));
}

/** Builds the `/api/create` body from a Modelfile, hashing and sending local files on the way. */
export async function buildCreateRequest(
  model: string,
  modelfileText: Buffer | string,
  dir: string,
  client: Client,
  progress: StepProgress,
  io: { stdout: ProgressOut; env: NodeJS.ProcessEnv; quantize?: string },
): Promise<Record<string, unknown>> {
  const mf = parseModelfile(modelfileText);
  const draft = modelfileToCreateRequest(mf);
  for (const w of draft.warnings) io.stdout.write(w + '\n');
  progress.step('gathering model components');
  const resolve = async (source: ModelfileSource): Promise<Record<string, string> | null> => {
    const kind = source.kind === 'model' ? 'FROM' : source.kind.toUpperCase();
    const files = await localFilesFor(kind, source.ref, dir);
    if (files === null) return null;
    const names = requestNames(files);
    if (io.quantize && kind === 'FROM') for (const f of files) await refuseUnquantizable(f.abs);
    const out: Record<string, string> = {};
    for (let i = 0; i < files.length; i++) {
      const f = files[i]!;
      const digest = await hashLocalFile(f.abs);
      await sendBlob(client, { ...f, name: names[i]!, digest }, progress, io.env);
      out[names[i]!] = digest;
    }
    return out;
  };
  const fields = await completeCreateRequest(draft, resolve);
  return { model, ...fields };
}

/** Runs `ollama create`. */
export async function run(args: string[], flags: CommandFlags = {}, io: CreateIO = {}): Promise<number> {
  const model = args[0] ?? '';
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  if (!isValidModelName(model)) throw new Error(`invalid model name: ${model}`);

  const given = typeof flags.file === 'string' && flags.file !== '' ? flags.file : 'Modelfile';
  const file = path.resolve(cwd, given);
  let text: Buffer | string | null = await readModelfile(file, given);
  let dir = path.dirname(file);
  if (text === null) {
    // Ollama's fallback: no Modelfile means "FROM ." in the current directory.
    text = 'FROM .\n';
    dir = cwd;
  }

  const client = io.client ?? new Client();
  const quantize = typeof flags.quantize === 'string' && flags.quantize !== '' ? flags.quantize : undefined;
  // An unknown type is refused before any upload, with the server's (Ollama's) message.
  if (quantize) parseQuantizeType(quantize);
  const progress = new StepProgress(stderr);
  try {
    const body = await buildCreateRequest(model, text, dir, client, progress, { stdout, env, ...(quantize ? { quantize } : {}) });
    if (quantize) body.quantize = quantize;
    let last = '';
    for await (const p of client.stream<ProgressResponse>('/api/create', body)) {
      if (!p.status) continue;
      // A conversion (`quantizing F16 model to Q4_K_M`) carries a digest and byte counts.
      const text = p.digest && p.total ? `${p.status} ${Math.floor((100 * Math.min(p.completed ?? 0, p.total)) / p.total)}%` : p.status;
      if (p.status !== last) progress.step(text);
      else if (text !== p.status) progress.update(text);
      last = p.status;
    }
    progress.finish();
  } catch (e) {
    progress.finish();
    const msg = e instanceof Error ? e.message : String(e);
    if (msg.includes('path or Modelfile are required')) {
      throw new Error('the ollama server must be updated to use `ollama create` with this client');
    }
    throw e;
  }
  return 0;
}
