// The pipelined token loop (src/runtime/generate.ts): the decode of token N starts before N is
// handed to the consumer. These tests check that it never changes what is generated or counted,
// and that a decode started ahead (stop sequence, cancel, abort) never leaks into output or
// breaks the next generation on the same sequence.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestAbortedError } from '../../src/runtime/errors.js';
import { resolveRunnerOptions } from '../../src/runtime/options.js';
import { Runner } from '../../src/runtime/runner.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MODEL = path.resolve(repoRoot, '../shared/models/stories260K.gguf');
const have = fs.existsSync(MODEL);
if (!have) console.warn(`skipping pipelined generation tests: ${MODEL} is absent`);

const PROMPT = 'Once upon a time';
const greedy = (extra: Record<string, unknown> = {}) => ({ temperature: 0, ...extra });

describe.skipIf(!have)('pipelined generation (stories260K, one sequence)', () => {
  let runner: Runner;
  let reference: string; // 40 greedy tokens, no stop
  beforeAll(async () => {
    // one sequence: every generation reuses the sequence the previous one left behind
    runner = await Runner.load({ name: 'stories', modelPath: MODEL, options: resolveRunnerOptions({}, { numParallel: 1 }) });
    reference = (await runner.generate({ prompt: PROMPT, options: greedy({ num_predict: 40 }) }).collect()).text;
  });
  afterAll(async () => {
    await runner?.dispose();
  });

  it('num_predict counts exactly; the context holds exactly the generated tokens', async () => {
    for (const n of [1, 2, 7, 40]) {
      const { text, result } = await runner.generate({ prompt: PROMPT, options: greedy({ num_predict: n }) }).collect();
      expect(result.eval_count).toBe(n);
      expect(result.done_reason).toBe('length');
      expect(reference.startsWith(text)).toBe(true);
      expect(result.context.length).toBe(runner.tokenize(PROMPT).length + n);
    }
  });

  it('a stop sequence ends the text before it; the next generation is unaffected', async () => {
    const stop = reference.slice(12, 16);
    expect(stop.length).toBe(4);
    const cut = reference.indexOf(stop);
    const a = await runner.generate({ prompt: PROMPT, options: greedy({ num_predict: 40, stop: [stop] }) }).collect();
    expect(a.result.done_reason).toBe('stop');
    expect(a.text).toBe(reference.slice(0, cut));
    expect(a.result.eval_count).toBeLessThan(40);
    expect(a.result.context.length).toBe(runner.tokenize(PROMPT).length + a.result.eval_count);
    // the sequence is handed out again only after the token decoded ahead has finished
    const b = await runner.generate({ prompt: PROMPT, options: greedy({ num_predict: 40 }) }).collect();
    expect(b.text).toBe(reference);
  });

  it('back-to-back stop-terminated generations queue for the one sequence and agree', async () => {
    const stop = reference.slice(20, 23);
    const runs = await Promise.all(
      [0, 1, 2].map(() => runner.generate({ prompt: PROMPT, options: greedy({ num_predict: 40, stop: [stop] }) }).collect()),
    );
    for (const r of runs) expect(r.text).toBe(reference.slice(0, reference.indexOf(stop)));
  });

  it('continuing from a stop-terminated context matches a fresh evaluation of the same tokens', async () => {
    const stop = reference.slice(10, 14);
    const a = await runner.generate({ prompt: PROMPT, options: greedy({ num_predict: 40, stop: [stop] }) }).collect();
    const cont = await runner.generate({ prompt: ' and', context: a.result.context, options: greedy({ num_predict: 8 }) }).collect();
    const fresh = await runner.generate({ prompt: runner.detokenize(a.result.context) + ' and', options: greedy({ num_predict: 8 }) }).collect();
    expect(cont.result.eval_count).toBe(8);
    expect(cont.text).toBe(fresh.text);
  });

  it('cancel mid-stream rejects result with RequestAbortedError and frees the sequence', async () => {
    const gen = runner.generate({ prompt: PROMPT, options: greedy({ num_predict: 40 }) });
    let n = 0;
    for await (const piece of gen) {
      expect(piece).not.toBe('');
      if (++n === 3) break; // the loop's return() cancels while a decode is running ahead
    }
    await expect(gen.result).rejects.toBeInstanceOf(RequestAbortedError);
    const again = await runner.generate({ prompt: PROMPT, options: greedy({ num_predict: 40 }) }).collect();
    expect(again.text).toBe(reference);
  });

  it('an abort signal mid-stream stops with RequestAbortedError; the next request runs', async () => {
    const ac = new AbortController();
    const gen = runner.generate({ prompt: PROMPT, options: greedy({ num_predict: 40 }), signal: ac.signal });
    let n = 0;
    await expect(
      (async () => {
        for await (const _ of gen) if (++n === 2) ac.abort();
      })(),
    ).rejects.toBeInstanceOf(RequestAbortedError);
    await expect(gen.result).rejects.toBeInstanceOf(RequestAbortedError);
    const again = await runner.generate({ prompt: PROMPT, options: greedy({ num_predict: 5 }) }).collect();
    expect(again.result.eval_count).toBe(5);
  });

  it('prompt_eval_count is the whole prompt, cached tokens included (as Ollama: cache_n + prompt_n)', async () => {
    const whole = runner.tokenize(PROMPT, true).length;
    // the same prompt twice: the second run reuses all but one token from the sequence's cache
    const a = await runner.generate({ prompt: PROMPT, options: greedy({ num_predict: 3 }) }).collect();
    const b = await runner.generate({ prompt: PROMPT, options: greedy({ num_predict: 3 }) }).collect();
    expect(a.result.prompt_eval_count).toBe(whole);
    expect(b.result.prompt_eval_count).toBe(whole);
    // a follow-up that extends the previous context: only the new part is evaluated, all is counted
    const c = await runner.generate({ prompt: ' and', context: b.result.context, options: greedy({ num_predict: 3 }) }).collect();
    expect(c.result.prompt_eval_count).toBe(1 + b.result.context.length + runner.tokenize(' and').length);
    // num_predict 0 (prompt only) counts the same way
    const d = await runner.generate({ prompt: PROMPT, options: greedy({ num_predict: 0 }) }).collect();
    expect(d.result.prompt_eval_count).toBe(whole);
  });

  it('a generation never iterated never takes the sequence', async () => {
    runner.generate({ prompt: PROMPT, options: greedy({ num_predict: 5 }) }); // dropped
    const r = await runner.generate({ prompt: PROMPT, options: greedy({ num_predict: 5 }) }).collect();
    expect(r.result.eval_count).toBe(5);
  });
});

describe.skipIf(!have)('dispose while a decode runs ahead', () => {
  it('waits for it and does not throw', async () => {
    const runner = await Runner.load({ name: 'stories', modelPath: MODEL, options: resolveRunnerOptions({}, { numParallel: 1 }) });
    const ref = (await runner.generate({ prompt: PROMPT, options: greedy({ num_predict: 20 }) }).collect()).text;
    const stop = ref.slice(5, 8);
    const r = await runner.generate({ prompt: PROMPT, options: greedy({ num_predict: 20, stop: [stop] }) }).collect();
    expect(r.result.done_reason).toBe('stop');
    await expect(runner.dispose()).resolves.toBeUndefined();
    expect(runner.disposed).toBe(true);
  });
});
