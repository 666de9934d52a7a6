// OLLAMA_LOAD_TIMEOUT's stall watch: the timer (fake clock) and a real load that makes no progress
// within the window (a 1 ms window on a weights file read without mmap) failing with Ollama's words.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ModelLoadError } from '../../src/runtime/errors.js';
import { resolveRunnerOptions } from '../../src/runtime/options.js';
import { Runner } from '../../src/runtime/runner.js';
import { LoadStallWatch } from '../../src/runtime/stall.js';
import { writeModel } from '../helpers/gguf.js';

describe('LoadStallWatch', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('aborts after the window without progress; progress re-arms it; stop ends it', () => {
    const w = new LoadStallWatch(1000);
    vi.advanceTimersByTime(900);
    w.progress(0.25);
    vi.advanceTimersByTime(900);
    expect(w.signal.aborted).toBe(false);
    vi.advanceTimersByTime(100);
    expect(w.signal.aborted).toBe(true);
    expect(w.fired).toBe(true);
    expect(w.error('m').message).toBe('unable to load model m: timed out waiting for llama runner to start - progress 0.25 - no load progress for 1s (OLLAMA_LOAD_TIMEOUT)');
    const s = new LoadStallWatch(1000);
    s.stop();
    vi.advanceTimersByTime(5000);
    expect(s.fired).toBe(false);
  });

  it('never fires for Infinity, ≤ 0 or windows past setTimeout\'s range', () => {
    for (const ms of [Infinity, 0, -5, 2 ** 31]) {
      const w = new LoadStallWatch(ms);
      vi.advanceTimersByTime(2 ** 31);
      expect(w.fired, String(ms)).toBe(false);
    }
  });

  it('names the window in minutes, seconds or ms', () => {
    expect(new LoadStallWatch(300_000).error('m').message).toMatch(/no load progress for 5m \(/);
    expect(new LoadStallWatch(1500).error('m').message).toMatch(/no load progress for 1500ms \(/);
  });
});

describe('a stalled real load', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-stall-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('fails with the stall error and leaves the next load unaffected', async () => {
    const file = path.join(dir, 'm.gguf');
    await writeModel(file, { embd: 512, ff: 2048, blocks: 8, heads: 8, kvHeads: 8 }); // ~60 MB of F32
    const options = resolveRunnerOptions({ use_mmap: false, num_ctx: 256 });
    const err = await Runner.load({ name: 'big', modelPath: file, options, stallTimeoutMs: 0.001 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as Error).message).toMatch(/^unable to load model big: timed out waiting for llama runner to start - progress \d\.\d\d - no load progress for 0\.001ms \(OLLAMA_LOAD_TIMEOUT\)$/);
    const ok = await Runner.load({ name: 'big', modelPath: file, options, stallTimeoutMs: 60_000 });
    await ok.dispose();
  });
});
