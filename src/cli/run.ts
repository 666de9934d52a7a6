/**
 * `ollama run MODEL [PROMPT...]` (reference §1.6): one-shot and piped runs stream
 * `/api/generate` to stdout; with a terminal on both ends and no prompt, the interactive REPL
 * (Ink, loaded lazily from ./repl/start.js so one-shot runs never load React).
 */
import { Client, StatusError } from '../api/client.js';
import { answerReadError, assertAnswerDone } from './answer-end.js';
import { keepAliveToJSON, parseDuration } from '../api/duration.js';
import type { EmbedResponse, Format, GenerateResponse, KeepAlive, ProgressResponse, ShowResponse, ThinkValue } from '../api/types.js';
import { extractFileData, isMultimodal } from './filedata.js';
import { ProgressDisplay, Spinner, type ProgressStream } from './progress.js';
import { ResponseRenderer } from './repl/render.js';
import type { ApiClient } from './repl/session.js';
import { formatStats } from './repl/stats.js';
import { TerminalWrapper } from './repl/wordwrap.js';
import type { CommandFlags } from './spec.js';

export interface RunIO {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: ProgressStream;
  stderr: ProgressStream;
}

export interface RunOptions {
  model: string;
  prompt: string;
  keepAlive?: KeepAlive;
  format?: Format;
  think?: ThinkValue;
  wordWrap: boolean;
  verbose: boolean;
  hideThinking: boolean;
  insecure: boolean;
  truncate?: boolean;
  dimensions?: number;
}

export class RunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunError';
  }
}

const THINK_LEVELS = ['high', 'medium', 'low', 'max'];

/** `--think[=v]` → the API value (undefined when the flag was not given). */
export function parseThinkFlag(v: string | boolean | undefined): ThinkValue | undefined {
  if (v === undefined) return undefined;
  if (v === true || v === '' || v === 'true') return true;
  if (v === false || v === 'false') return false;
  if (THINK_LEVELS.includes(v)) return v as ThinkValue;
  throw new RunError(`invalid value for --think: ${JSON.stringify(v)} (must be true, false, high, medium, low, or max)`);
}

/** `--format json` → "json"; anything else must be a JSON schema. */
export function parseFormatFlag(v: string | boolean | undefined): Format | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  if (v === 'json') return 'json';
  try {
    const parsed: unknown = JSON.parse(v);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw new RunError(`invalid format ${JSON.stringify(v)}: use 'json' or a JSON schema object`);
}

/** `--keepalive 5m` → what the Go client sends (`"5m0s"`, or -1 for negative). Go's errors. */
export function parseKeepAliveFlag(v: string | boolean | undefined): KeepAlive | undefined {
  if (typeof v !== 'string') return undefined;
  return keepAliveToJSON(parseDuration(v));
}

function parseDimensions(v: string | boolean | undefined): number | undefined {
  if (typeof v !== 'string') return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw new RunError(`invalid argument "${v}" for "--dimensions" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v);
}

/** Reads all of stdin as UTF-8 text; binary input (NUL bytes, invalid UTF-8) is refused. */
export async function readStdinText(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  const buf = Buffer.concat(chunks);
  if (buf.includes(0)) throw new RunError('stdin looks like a binary file; ollama run reads text only (pass image files by path to a vision model)');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw new RunError('stdin is not valid UTF-8 text; ollama run reads text only');
  }
}

/** `/api/show`, pulling the model first when the server does not have it (§1.6 step 2). */
export async function showOrPull(client: ApiClient, model: string, insecure: boolean, stderr: ProgressStream): Promise<ShowResponse> {
  try {
    return await client.request<ShowResponse>('POST', '/api/show', { model });
  } catch (err) {
    if (!(err instanceof StatusError) || err.status !== 404) throw err;
  }
  const progress = new ProgressDisplay(stderr);
  try {
    const body: Record<string, unknown> = { model };
    if (insecure) body.insecure = true;
    for await (const p of client.stream<ProgressResponse>('/api/pull', body)) progress.update(p);
  } finally {
    progress.stop();
  }
  return client.request<ShowResponse>('POST', '/api/show', { model });
}

/** The non-interactive run: one `/api/generate`, streamed to stdout. Returns the exit code. */
export async function runOnce(client: ApiClient, opts: RunOptions, info: ShowResponse, io: RunIO, signal?: AbortSignal): Promise<number> {
  const tty = io.stdout.isTTY === true;
  const caps = info.capabilities ?? [];
  if (caps.includes('embedding')) return runEmbed(client, opts, io);
  let prompt = opts.prompt;
  let images: string[] = [];
  // As Ollama: image paths in the prompt become `images` for a multimodal model.
  if (isMultimodal(info)) ({ prompt, images } = extractFileData(prompt, (s) => void io.stderr.write(s)));
  const body: Record<string, unknown> = { model: opts.model, prompt };
  if (images.length > 0) body.images = images;
  if (opts.format !== undefined) body.format = opts.format;
  const think = opts.think ?? (caps.includes('thinking') ? true : undefined);
  if (think !== undefined) body.think = think;
  if (opts.keepAlive !== undefined) body.keep_alive = opts.keepAlive;
  body.options = {};
  const wrapper = new TerminalWrapper(io.stdout.columns || 80, tty && opts.wordWrap);
  const renderer = new ResponseRenderer(
    {
      text: (s) => void io.stdout.write(wrapper.push(s)),
      raw: (s) => void io.stdout.write(s),
      resetWrap: () => wrapper.reset(),
    },
    { hideThinking: opts.hideThinking, plain: !tty },
  );
  const spinner = new Spinner(io.stderr);
  let last: GenerateResponse | undefined;
  try {
    for await (const r of client.stream<GenerateResponse>('/api/generate', body, signal)) {
      spinner.stop();
      if (signal?.aborted) break; // Ctrl+C or a closed pipe: nothing more is written
      last = r;
      renderer.chunk(r.thinking, r.response, r.tool_calls);
    }
  } catch (err) {
    if (signal?.aborted) return 0;
    throw answerReadError(err);
  } finally {
    spinner.stop();
  }
  if (signal?.aborted) return 0;
  renderer.finish();
  assertAnswerDone(last);
  if (prompt !== '') io.stdout.write('\n\n');
  if (opts.verbose && last) io.stderr.write(formatStats(last));
  return 0;
}

async function runEmbed(client: ApiClient, opts: RunOptions, io: RunIO): Promise<number> {
  if (opts.prompt.trim() === '') throw new RunError(`embedding models require input text. Usage: ollama run ${opts.model} "your text here"`);
  const body: Record<string, unknown> = { model: opts.model, input: opts.prompt };
  if (opts.keepAlive !== undefined) body.keep_alive = opts.keepAlive;
  if (opts.truncate !== undefined) body.truncate = opts.truncate;
  if (opts.dimensions !== undefined) body.dimensions = opts.dimensions;
  const res = await client.request<EmbedResponse>('POST', '/api/embed', body);
  const first = res.embeddings?.[0];
  if (!first) throw new RunError('no embedding was returned');
  io.stdout.write(JSON.stringify(first) + '\n');
  return 0;
}

/** Commander's options → RunOptions (validation errors are Ollama's texts). */
export function runOptions(args: string[], flags: CommandFlags, stdinText: string): RunOptions {
  const promptArgs = args.slice(1);
  if (stdinText !== '') promptArgs.unshift(stdinText);
  return {
    model: args[0]!,
    prompt: promptArgs.join(' '),
    keepAlive: parseKeepAliveFlag(flags.keepalive),
    format: parseFormatFlag(flags.format),
    think: parseThinkFlag(flags.think),
    wordWrap: flags.nowordwrap !== true,
    verbose: flags.verbose === true,
    hideThinking: flags.hidethinking === true,
    insecure: flags.insecure === true,
    truncate: typeof flags.truncate === 'boolean' ? flags.truncate : undefined,
    dimensions: parseDimensions(flags.dimensions),
  };
}

/**
 * `ollama run m "…" | head`: once the reader goes away, stdout writes fail with EPIPE. Ollama
 * (Go) dies quietly of SIGPIPE; here the answer is cancelled and the run ends without a stack
 * trace. The listener stays attached so late writes to the closed pipe are ignored too.
 */
function stopOnClosedPipe(stdout: RunIO['stdout'], ac: AbortController): void {
  const emitter = stdout as Partial<NodeJS.EventEmitter>;
  if (typeof emitter.on !== 'function') return;
  emitter.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || ac.signal.aborted) return ac.abort();
    throw err;
  });
}

export async function run(args: string[], flags: CommandFlags, io: RunIO = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }, client: ApiClient = new Client()): Promise<number> {
  const stdinTTY = io.stdin.isTTY === true;
  const stdinText = stdinTTY ? '' : await readStdinText(io.stdin);
  const opts = runOptions(args, flags, stdinText);
  const interactive = stdinTTY && args.length === 1 && io.stdout.isTTY === true;
  const info = await showOrPull(client, opts.model, opts.insecure, io.stderr);
  const caps = info.capabilities ?? [];
  if (opts.think !== undefined && opts.think !== false && !caps.includes('thinking') && !caps.includes('embedding')) {
    throw new RunError(`"${opts.model}" does not support thinking`);
  }
  if (!interactive || caps.includes('embedding')) {
    const ac = new AbortController();
    const onSigint = () => ac.abort();
    process.once('SIGINT', onSigint);
    stopOnClosedPipe(io.stdout, ac);
    try {
      return await runOnce(client, opts, info, io, ac.signal);
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  }
  // Ink renders only its last frame when it believes it runs in CI (CI=1 in the environment); a
  // REPL on a real terminal must stay interactive, so that check is cleared before Ink loads.
  if (process.stdout.isTTY) {
    delete process.env.CI;
    delete process.env.CONTINUOUS_INTEGRATION;
  }
  const { startRepl } = await import('./repl/start.js');
  return startRepl(client, opts, info);
}
