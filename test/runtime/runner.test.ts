import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContextLengthError, InputTooLongError, ModelLoadError, RequestAbortedError } from '../../src/runtime/errors.js';
import { resolveRunnerOptions } from '../../src/runtime/options.js';
import { Runner } from '../../src/runtime/runner.js';
import { Scheduler } from '../../src/runtime/scheduler.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MODEL = path.resolve(repoRoot, '../shared/models/stories260K.gguf');
const have = fs.existsSync(MODEL);
if (!have) console.warn(`skipping real-model runtime tests: ${MODEL} is absent`);

describe.skipIf(!have)('Runner with stories260K', () => {
  let runner: Runner;
  beforeAll(async () => {
    runner = await Runner.load({ name: 'stories', modelPath: MODEL, options: resolveRunnerOptions({}, { numParallel: 2 }) });
  });
  afterAll(async () => {
    await runner?.dispose();
  });

  it('loads with the thread policy and caps num_ctx at the trained context', () => {
    expect(runner.threads).toBe(1);
    expect(runner.contextLength).toBe(2048);
    expect(runner.sizeBytes).toBeGreaterThan(runner.fileSize);
  });

  it('greedy generation continues the story', async () => {
    const { text, result } = await runner.generate({ prompt: 'Once upon a time', options: { temperature: 0, num_predict: 12 } }).collect();
    expect(text.startsWith(', there was a little girl named Lily')).toBe(true);
    expect(result.done_reason).toBe('length');
    expect(result.eval_count).toBe(12);
    expect(result.prompt_eval_count).toBeGreaterThan(0);
    expect(result.prompt_eval_duration).toBeGreaterThan(0);
    expect(result.eval_duration).toBeGreaterThan(0);
    expect(result.total_duration).toBeGreaterThanOrEqual(result.eval_duration);
    expect(runner.detokenize(result.context)).toBe('Once upon a time' + text);
  });

  it('streams pieces that join to the same text', async () => {
    const gen = runner.generate({ prompt: 'Once upon a time', options: { temperature: 0, num_predict: 12 } });
    const pieces: string[] = [];
    for await (const p of gen) pieces.push(p);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('').startsWith(', there was a little girl')).toBe(true);
    expect((await gen.result).done_reason).toBe('length');
  });

  it('same seed gives the same output; another seed usually differs', async () => {
    const run = (seed: number) =>
      runner.generate({ prompt: 'Once upon a time', options: { temperature: 1, seed, num_predict: 40 } }).collect();
    const a = await run(123);
    const b = await run(123);
    expect(b.text).toBe(a.text);
    const others = await Promise.all([run(1), run(2), run(3)]);
    expect(others.some((o) => o.text !== a.text)).toBe(true);
  });

  it('stop sequences end with done_reason stop and are never emitted', async () => {
    const gen = runner.generate({ prompt: 'Once upon a time', options: { temperature: 0, num_predict: 100, stop: ['Lily', 'zzz'] } });
    const pieces: string[] = [];
    for await (const p of gen) pieces.push(p);
    expect(pieces.join('')).toBe(', there was a little girl named ');
    expect(pieces.join('')).not.toContain('Li');
    expect((await gen.result).done_reason).toBe('stop');
  });

  it('format with a JSON schema gives JSON that parses', async () => {
    const schema = { type: 'object', properties: { happy: { type: 'boolean' }, age: { type: 'integer' } }, required: ['happy', 'age'] };
    const { text, result } = await runner
      .generate({ prompt: 'Once upon a time', format: schema, options: { temperature: 0, num_predict: 200 } })
      .collect();
    const v = JSON.parse(text) as Record<string, unknown>;
    expect(typeof v.happy).toBe('boolean');
    expect(Number.isInteger(v.age)).toBe(true);
    expect(result.done_reason).toBe('stop');
  });

  it('format "json" constrains output to a JSON object', async () => {
    const { text } = await runner.generate({ prompt: 'Once upon a time', format: 'json', options: { temperature: 0, num_predict: 30 } }).collect();
    expect(text.trimStart().startsWith('{')).toBe(true);
  });

  it('abort mid-stream stops, frees the sequence, and others keep going', async () => {
    const ac = new AbortController();
    const other = runner.generate({ prompt: 'Lily', options: { temperature: 0, num_predict: 50 } }).collect();
    const gen = runner.generate({ prompt: 'Once upon a time', options: { temperature: 0, num_predict: 500 }, signal: ac.signal });
    let n = 0;
    const err = await (async () => {
      for await (const _ of gen) if (++n === 3) ac.abort();
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestAbortedError);
    await expect(gen.result).rejects.toBeInstanceOf(RequestAbortedError);
    expect((await other).result.eval_count).toBeGreaterThan(0);
    // both sequences are free again
    const again = await Promise.all([0, 1].map(() => runner.generate({ prompt: 'Once', options: { num_predict: 3 } }).collect()));
    expect(again).toHaveLength(2);
  });

  it('breaking out of the loop frees the sequence', async () => {
    for (let i = 0; i < 3; i++) {
      for await (const _ of runner.generate({ prompt: 'Once upon a time', options: { num_predict: 100 } })) break;
    }
    const r = await runner.generate({ prompt: 'Once', options: { num_predict: 2 } }).collect();
    expect(r.result.eval_count).toBe(2);
  });

  it('continues from a previous context', async () => {
    const first = await runner.generate({ prompt: 'Once upon a time', options: { temperature: 0, num_predict: 6 } }).collect();
    const next = await runner.generate({ context: first.result.context, prompt: '', options: { temperature: 0, num_predict: 6 } }).collect();
    const whole = await runner.generate({ prompt: 'Once upon a time', options: { temperature: 0, num_predict: 12 } }).collect();
    expect(first.text + next.text).toBe(whole.text);
  });

  it('num_predict 0 evaluates the prompt only', async () => {
    const { text, result } = await runner.generate({ prompt: 'Once upon a time', options: { num_predict: 0 } }).collect();
    expect(text).toBe('');
    expect(result).toMatchObject({ done_reason: 'length', eval_count: 0 });
  });

  it('an over-long prompt errors with shift:false and is truncated otherwise', async () => {
    const long = 'Once upon a time there was a cat. '.repeat(400);
    await expect(runner.generate({ prompt: long, shift: false, options: { num_predict: 2 } }).collect()).rejects.toBeInstanceOf(ContextLengthError);
    const { result } = await runner.generate({ prompt: long, options: { num_predict: 2 } }).collect();
    expect(result.prompt_truncated).toBe(true);
    expect(result.eval_count).toBe(2);
  });

  it('tokenize/detokenize round trip and special tokens', () => {
    const t = runner.tokenize('Once upon a time');
    expect(runner.detokenize(t)).toBe('Once upon a time');
    expect(runner.tokenize('x', true)[0]).toBe(runner.tokenize('<s>')[0]);
  });

  it('embeddings are L2-normalised for /api/embed and raw for /api/embeddings', async () => {
    const r = await runner.embed(['a girl', 'a boy']);
    expect(r.embeddings).toHaveLength(2);
    for (const v of r.embeddings) {
      expect(v).toHaveLength(runner.embeddingLength);
      expect(Math.hypot(...v)).toBeCloseTo(1, 6);
    }
    expect(r.prompt_eval_count).toBeGreaterThan(2);
    const raw = await runner.embed(['a girl'], { normalize: false });
    expect(Math.hypot(...raw.embeddings[0]!)).toBeGreaterThan(2);
    const cut = await runner.embed(['a girl'], { dimensions: 8 });
    expect(cut.embeddings[0]).toHaveLength(8);
    expect(Math.hypot(...cut.embeddings[0]!)).toBeCloseTo(1, 6);
  });

  it('embedding input over the context: truncate or error', async () => {
    const small = await Runner.load({ name: 'small', modelPath: MODEL, options: resolveRunnerOptions({ num_ctx: 128 }) });
    try {
      const long = 'girl '.repeat(300);
      await expect(small.embed([long], { truncate: false })).rejects.toBeInstanceOf(InputTooLongError);
      const r = await small.embed([long]);
      expect(r.embeddings[0]).toHaveLength(small.embeddingLength);
      expect(r.prompt_eval_count).toBeLessThan(small.contextLength);
    } finally {
      await small.dispose();
    }
  });
});

describe('Runner load errors', () => {
  it('a corrupt file is a ModelLoadError with status 500, and the process stays up', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-rt-'));
    const bad = path.join(dir, 'bad.gguf');
    fs.writeFileSync(bad, 'this is not a model at all');
    try {
      const err = await Runner.load({ name: 'bad', modelPath: bad, options: resolveRunnerOptions({}) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ModelLoadError);
      expect((err as ModelLoadError).status).toBe(500);
      expect((err as Error).message).toMatch(/unable to load model bad: .*not a GGUF/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it('a missing file is a ModelLoadError', async () => {
    const err = await Runner.load({ name: 'gone', modelPath: path.join(os.tmpdir(), 'no-such-tollama.gguf'), options: resolveRunnerOptions({}) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as Error).message).toMatch(/cannot be read/);
  });
});

describe.skipIf(!have)('Scheduler with a real runner', () => {
  it('loads, serves, reports ps, and unloads', async () => {
    const sched = new Scheduler<Runner>({ load: (spec) => Runner.load(spec), numParallel: 1 });
    const options = resolveRunnerOptions({ num_ctx: 512 });
    const lease = await sched.acquire({ name: 'stories:latest', modelPath: MODEL, options });
    try {
      expect(lease.loadDuration).toBeGreaterThan(0);
      const { text } = await lease.runner.generate({ prompt: 'Once upon a time', options: { temperature: 0, num_predict: 5 }, loadDuration: lease.loadDuration }).collect();
      expect(text.startsWith(', there was')).toBe(true);
    } finally {
      lease.release();
    }
    const [ps] = sched.ps();
    expect(ps).toMatchObject({ name: 'stories:latest', model: MODEL, size_vram: 0, context_length: 512 });
    expect(ps!.size).toBeGreaterThan(fs.statSync(MODEL).size);
    await sched.unloadAll();
    expect(lease.runner.disposed).toBe(true);
  });
});
