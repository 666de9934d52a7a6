import { describe, expect, it } from 'vitest';
import { chooseThreads, SMALL_MODEL_BYTES } from '../../src/runtime/threads.js';

const MB = 1024 * 1024;
describe('chooseThreads', () => {
  const cases: Array<[string, Parameters<typeof chooseThreads>[0], number, string]> = [
    ['tiny model, prebuilt, 2 cores', { fileSizeBytes: 1 * MB, buildType: 'prebuilt', cores: 2, maxThreads: 2 }, 1, 'small-model'],
    ['just under the limit', { fileSizeBytes: SMALL_MODEL_BYTES - 1, buildType: 'prebuilt', cores: 2, maxThreads: 2 }, 1, 'small-model'],
    ['at the limit → cores', { fileSizeBytes: SMALL_MODEL_BYTES, buildType: 'prebuilt', cores: 2, maxThreads: 2 }, 2, 'cores'],
    ['0.5B model, 2 cores', { fileSizeBytes: 530 * MB, buildType: 'prebuilt', cores: 2, maxThreads: 2 }, 2, 'cores'],
    ['small model, local build → cores', { fileSizeBytes: 1 * MB, buildType: 'localBuild', cores: 2, maxThreads: 2 }, 2, 'cores'],
    ['cores capped by maxThreads', { fileSizeBytes: 900 * MB, buildType: 'prebuilt', cores: 16, maxThreads: 8 }, 8, 'cores'],
    ['cores capped at 32', { fileSizeBytes: 900 * MB, buildType: 'prebuilt', cores: 128, maxThreads: 128 }, 32, 'cores'],
    ['num_thread wins', { fileSizeBytes: 1 * MB, buildType: 'prebuilt', cores: 2, maxThreads: 2, numThread: 2 }, 2, 'num_thread'],
    ['num_thread clamped', { fileSizeBytes: 1 * MB, buildType: 'prebuilt', cores: 2, maxThreads: 2, numThread: 64 }, 2, 'num_thread'],
    ['num_thread 0 = auto', { fileSizeBytes: 900 * MB, buildType: 'prebuilt', cores: 2, maxThreads: 2, numThread: 0 }, 2, 'cores'],
    ['num_thread negative = auto', { fileSizeBytes: 1 * MB, buildType: 'prebuilt', cores: 2, maxThreads: 2, numThread: -3 }, 1, 'small-model'],
    ['num_thread fractional', { fileSizeBytes: 1 * MB, buildType: 'prebuilt', cores: 4, maxThreads: 4, numThread: 2.7 }, 2, 'num_thread'],
    ['num_thread NaN = auto', { fileSizeBytes: 1 * MB, buildType: 'prebuilt', cores: 2, maxThreads: 2, numThread: NaN }, 1, 'small-model'],
    ['one core', { fileSizeBytes: 900 * MB, buildType: 'prebuilt', cores: 1, maxThreads: 1 }, 1, 'cores'],
    ['bad cores / maxThreads', { fileSizeBytes: 900 * MB, buildType: 'prebuilt', cores: 0, maxThreads: 0 }, 1, 'cores'],
  ];
  it.each(cases)('%s', (_name, input, threads, reason) => {
    const c = chooseThreads(input);
    expect(c.threads).toBe(threads);
    expect(c.reason).toBe(reason);
    expect(c.threads).toBeGreaterThanOrEqual(1);
  });
});
