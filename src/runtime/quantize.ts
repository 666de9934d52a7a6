/**
 * `create --quantize` (#16 item 1): runs llama.cpp's `llama-quantize`, built at install from the
 * source node-llama-cpp bundles and linked to its prebuilt libraries
 * (scripts/native/build-quantize.mjs), exactly as Ollama 0.33 runs it (server/quantization.go):
 * `--allow-requantize`, Ollama's per-architecture `--tensor-type` rules, progress read from the
 * `[ i/ n]` lines it prints. A child process keeps the work off the event loop, and a signal
 * (client gone) kills it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { nodeLlamaCppDir } from './native.js';

/** Where build-quantize.mjs puts the binary (quantizeBuildDir there). */
export function llamaQuantizePath(nlcDir = nodeLlamaCppDir(), platform = `${process.platform}-${process.arch}`): string {
  return path.join(nlcDir, 'llama', 'tollama-tools', platform, 'llama-quantize');
}

/** Whether llama-quantize was built (checked when the server starts). */
export function quantizeAvailable(): boolean {
  try {
    fs.accessSync(llamaQuantizePath(), fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The binary could not be found or run. */
export class QuantizeUnavailableError extends Error {
  constructor(detail: string) {
    super(`quantization is unavailable: ${detail}; run \`npm run build:native\` in Tollama's folder (needs g++ and git) to build llama-quantize`);
    this.name = 'QuantizeUnavailableError';
  }
}

/** llama-quantize failed (its last output lines are in the message). */
export class QuantizeFailedError extends Error {
  constructor(detail: string) {
    super(`llama-quantize failed: ${detail}`);
    this.name = 'QuantizeFailedError';
  }
}

/**
 * Ollama's llama-quantize arguments for an architecture and a target type (llamaQuantizeArgs):
 * some small, quality-critical tensors stay at higher precision on K-quants.
 */
export function llamaQuantizeArgs(arch: string, type: string, input: string, output: string): string[] {
  const args = ['--allow-requantize'];
  const kQuant = type === 'Q4_K_S' || type === 'Q4_K_M';
  const keep = (...rules: string[]) => {
    if (kQuant) for (const r of rules) args.push('--tensor-type', r);
  };
  if (arch === 'qwen35' || arch === 'qwen35moe') keep(String.raw`^blk\.[0-9]+\.nextn\.eh_proj\.weight$=q8_0`);
  if (arch === 'gemma3n') keep(String.raw`^per_layer_token_embd\.weight$=f16`);
  if (arch === 'deepseek2') {
    keep(
      String.raw`attn_k_b\.weight$=q8_0`,
      String.raw`attn_q_a\.weight$=q8_0`,
      String.raw`attn_q_b\.weight$=q8_0`,
      String.raw`attn_v_b\.weight$=q8_0`,
      String.raw`attn_kv_a_mqa\.weight$=q8_0`,
    );
  }
  if (arch === 'glmocr' || arch === 'glm4') keep(String.raw`^token_embd\.weight$=f16`, String.raw`^output\.weight$=f16`);
  args.push(input, output, type);
  return args;
}

export interface QuantizeJob {
  input: string;
  output: string;
  /** general.architecture of the input. */
  arch: string;
  /** Canonical target type (parseQuantizeType). */
  type: string;
  /** Tensors done of total, from llama-quantize's `[ i/ n]` lines. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Override the binary (tests). */
  binary?: string;
}

const PROGRESS_RE = /\[\s*(\d+)\/\s*(\d+)\]/;

/** Runs llama-quantize; resolves when the output file is complete. */
export async function runLlamaQuantize(job: QuantizeJob): Promise<void> {
  let bin: string;
  try {
    bin = job.binary ?? llamaQuantizePath();
  } catch (e) {
    throw new QuantizeUnavailableError(e instanceof Error ? e.message : String(e));
  }
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new QuantizeUnavailableError('llama-quantize was not built when Tollama was installed');
  }
  job.signal?.throwIfAborted();
  const child = spawn(bin, llamaQuantizeArgs(job.arch, job.type, job.input, job.output), {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Ollama turns its GGUF compatibility layer off for llama-quantize; ours has none.
    env: { ...process.env, LLAMA_LOG_COLORS: '0' },
  });
  const tail: string[] = [];
  const keepTail = (line: string) => {
    if (line.trim() === '') return;
    tail.push(line);
    if (tail.length > 8) tail.shift();
  };
  // llama.cpp logs to stderr (the `[ i/ n]` progress lines too); read both streams by line.
  const readLines = (stream: NodeJS.ReadableStream) => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending = (pending + chunk).slice(-65536);
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const m = PROGRESS_RE.exec(line);
        if (m) job.onProgress?.(Number(m[1]), Number(m[2]));
        else keepTail(line);
      }
    });
  };
  readLines(child.stdout);
  readLines(child.stderr);
  const onAbort = () => child.kill('SIGKILL');
  job.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c) => resolve(c));
    });
    job.signal?.throwIfAborted();
    if (code !== 0) {
      const why = tail.filter((l) => /error|fail|invalid|unsupported|cannot|not /i.test(l)).slice(-3);
      throw new QuantizeFailedError(`exit status ${code}${why.length ? `: ${why.join('; ')}` : ''}`);
    }
  } finally {
    job.signal?.removeEventListener('abort', onAbort);
  }
}
