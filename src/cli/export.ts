/**
 * `ollama export MODEL [MODEL…] [-o FILE|-]`: asks the server for one OCI image layout tar
 * (POST /api/export) and streams it to a file or stdout, with a progress line on stderr.
 * Without -o (or with `-o -`) the archive goes to stdout, as `docker save` does, so
 * `ollama export m | ssh host ollama import -` works; when stdout is a terminal that is refused
 * before any request, naming a file to use with -o. `-o FILE` overwrites FILE; a failed export
 * removes it.
 *
 * Also the small helpers the other transfer commands share (raw HTTP, byte progress).
 */
import fs from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client, ConnectionError } from '../api/client.js';
import { humanBytes } from '../api/format.js';
import { parseModelName } from '../registry/name.js';
import type { CommandFlags } from './spec.js';
import { USER_AGENT } from '../version.js';

/** A raw request to the server (JSON or streamed body); errors ≥ 400 become Errors with the server's text. */
export async function transferFetch(
  path: string,
  body: unknown,
  opts: { contentType?: string; signal?: AbortSignal; client?: Client } = {},
): Promise<Response> {
  const client = opts.client ?? new Client();
  const headers: Record<string, string> = {
    'Content-Type': opts.contentType ?? 'application/json',
    'User-Agent': USER_AGENT,
  };
  const key = process.env.OLLAMA_API_KEY;
  if (key) headers.Authorization = `Bearer ${key}`;
  const init: RequestInit & { duplex?: 'half' } = { method: 'POST', headers, signal: opts.signal };
  if (body instanceof ReadableStream) {
    init.body = body;
    init.duplex = 'half';
  } else if (body !== undefined) init.body = JSON.stringify(body);
  let res: Response;
  try {
    res = await fetch(client.baseUrl + path, init);
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    throw new ConnectionError(client.baseUrl, err);
  }
  if (res.status >= 400) {
    const text = await res.text().catch(() => '');
    let msg = text.trim() || `${res.status} ${res.statusText}`;
    try {
      const o = JSON.parse(text);
      if (o && typeof o.error === 'string') msg = o.error;
    } catch {
      /* plain text */
    }
    throw new Error(msg);
  }
  return res;
}

/** One progress line on stderr: redrawn in place on a terminal, every 25 % elsewhere. */
export class ByteProgress {
  private done = 0;
  private lastStep = -1;
  private lastDraw = 0;
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number | undefined,
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
  ) {
    this.tty = out.isTTY === true;
  }

  add(n: number): void {
    this.done += n;
    const now = Date.now();
    if (this.tty) {
      if (now - this.lastDraw < 100) return;
      this.lastDraw = now;
      this.out.write(`\r\x1b[K${this.text()}`);
    } else if (this.total) {
      const step = Math.floor((this.done / this.total) * 4);
      if (step !== this.lastStep && step < 4) {
        this.lastStep = step;
        this.out.write(this.text() + '\n');
      }
    }
  }

  private text(): string {
    if (!this.total) return `${this.label} ${humanBytes(this.done)}`;
    const pct = Math.min(100, Math.floor((this.done / this.total) * 100));
    return `${this.label} ${String(pct).padStart(3)}% ${humanBytes(this.done)}/${humanBytes(this.total)}`;
  }

  get bytes(): number {
    return this.done;
  }

  /** Final line (100 % on success). */
  finish(): void {
    if (this.tty) this.out.write(`\r\x1b[K${this.text()}\n`);
    else if (this.total && this.lastStep < 4) this.out.write(this.text() + '\n');
  }

  /** A Transform that counts bytes passing through. */
  counter(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        this.add(chunk.length);
        cb(null, chunk);
      },
    });
  }
}

/** The file name suggested when stdout is a terminal: `<model>-<tag>.tar`, or `ollama-models.tar`. */
export function suggestedOutput(models: string[]): string {
  if (models.length !== 1) return 'ollama-models.tar';
  const n = parseModelName(models[0]!);
  return `${n.model}-${n.tag}.tar`;
}

export async function run(args: string[], flags: CommandFlags): Promise<number> {
  const target = typeof flags.output === 'string' ? flags.output : '-';
  for (const m of args) parseModelName(m); // a bad name fails before any request
  const toStdout = target === '-';
  if (toStdout && process.stdout.isTTY) {
    const file = suggestedOutput(args);
    throw new Error(`refusing to write a tar archive to a terminal; use -o ${file}, or redirect: ollama export ${args.join(' ')} > ${file}`);
  }

  const res = await transferFetch('/api/export', { models: args });
  const total = Number(res.headers.get('content-length')) || undefined;
  if (!res.body) throw new Error('the server sent no archive');
  const progress = new ByteProgress('exporting', total);
  const dest = toStdout ? process.stdout : fs.createWriteStream(target);
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>), progress.counter(), dest, {
      end: !toStdout,
    });
    if (total !== undefined && progress.bytes !== total) throw new Error('short archive');
  } catch (e) {
    if (!toStdout) fs.rmSync(target, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code && /^E[A-Z]+$/.test(code) && code !== 'ECONNRESET' && code !== 'EPIPE') {
      throw new Error(`cannot write ${toStdout ? 'stdout' : target}: ${(e as Error).message}`);
    }
    throw new Error(
      `export failed after ${humanBytes(progress.bytes)}${total ? ` of ${humanBytes(total)}` : ''}: the server stopped sending (see its log; 'ollama verify' finds damaged blobs)`,
    );
  }
  progress.finish();
  const models = res.headers.get('x-tollama-models') ?? args.join(', ');
  process.stderr.write(`exported ${models.split(',').join(', ')} to ${toStdout ? 'stdout' : target} (${humanBytes(progress.bytes)})\n`);
  return 0;
}
