// Split GGUF shard names and groups: Ollama 0.33's splitGGUFName / splitGGUFGroupKey /
// mergeSplitGGUFLayers rules as a table (the end-to-end merge is in test/server/e2e-create-split).
import { describe, expect, it } from 'vitest';
import type { GGUFInfo } from '../../src/registry/gguf/index.js';
import { mergeGroup, splitName, splitShard } from '../../src/modelfile/build-split.js';
import type { PendingLayer } from '../../src/modelfile/build-layers.js';

describe('splitName (llama.cpp\'s <prefix>-NNNNN-of-NNNNN.gguf)', () => {
  it.each([
    ['m-00001-of-00003.gguf', { prefix: 'm', index: 0, count: 3 }],
    ['dir/Qwen-7B-Q4_K_M-00003-of-00003.gguf', { prefix: 'Qwen-7B-Q4_K_M', index: 2, count: 3 }],
    ['a-b-00002-of-00010.gguf', { prefix: 'a-b', index: 1, count: 10 }],
    ['m-00000-of-00003.gguf', null], // shards count from 1
    ['m-00001-of-00000.gguf', null],
    ['m-0001-of-0003.gguf', null], // five digits
    ['m-00001-of-00003.GGUF', null],
    ['m.gguf', null],
    ['m-00001-of-00003.gguf.part', null],
  ])('%s', (name, want) => {
    expect(splitName(name)).toEqual(want);
  });
});

const info = (meta: Record<string, number | bigint | string>): GGUFInfo =>
  ({ architecture: 'llama', metadata: new Map(Object.entries({ 'general.architecture': 'llama', ...meta })) }) as unknown as GGUFInfo;
const layer = (digest: string): PendingLayer => ({ layer: { mediaType: 'application/vnd.ollama.image.model', digest, size: 10 } });

describe('splitShard', () => {
  it('is null for a file that is not a shard', () => {
    expect(splitShard(layer('a'), info({}), 'm.gguf')).toBeNull();
    expect(splitShard(layer('a'), info({ 'split.count': 1, 'split.no': 0 }), 'm.gguf')).toBeNull();
  });
  it('reads split.count / split.no (also under the architecture, any integer width)', () => {
    expect(splitShard(layer('a'), info({ 'split.count': 2, 'split.no': 1 }), 'm-00002-of-00002.gguf')).toMatchObject({ index: 1, count: 2, key: 'application/vnd.ollama.image.model:m:2' });
    expect(splitShard(layer('a'), info({ 'llama.split.count': 2n, 'llama.split.no': 0n }), 'm-00001-of-00002.gguf')).toMatchObject({ index: 0, count: 2 });
  });
  it.each([
    [{ 'split.count': 2, 'split.no': 0 }, 'm.gguf', 'split GGUF "m.gguf" must use llama.cpp split filename pattern'],
    [{ 'split.count': 2, 'split.no': 0 }, 'm-00001-of-00003.gguf', 'split GGUF "m-00001-of-00003.gguf" filename count 3 does not match metadata count 2'],
    [{ 'split.count': 2 }, 'm-00001-of-00002.gguf', 'split GGUF "m-00001-of-00002.gguf" is missing split.no metadata'],
    [{ 'split.count': 2, 'split.no': 1 }, 'm-00001-of-00002.gguf', 'split GGUF "m-00001-of-00002.gguf" filename index 0 does not match metadata index 1'],
  ])('%j as %s → %s', (meta, name, message) => {
    expect(() => splitShard(layer('a'), info(meta), name)).toThrow(message);
  });
});

describe('mergeGroup', () => {
  const shard = (i: number, n: number, name = `m-${String(i + 1).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.gguf`) =>
    splitShard(layer(`d${i}`), info({ 'split.count': n, 'split.no': i }), name)!;

  it('orders the parts by index and gives the first shard\'s layer', () => {
    const { item } = mergeGroup([shard(2, 3), shard(0, 3), shard(1, 3)]);
    expect(item.layer.digest).toBe('d0');
    expect(item.splitParts!.map((p) => p.digest)).toEqual(['d0', 'd1', 'd2']);
  });
  it('refuses incomplete or duplicated groups with Ollama\'s messages', () => {
    expect(() => mergeGroup([shard(0, 3), shard(1, 3)])).toThrow('split GGUF "m-00001-of-00003.gguf" has 2 shards, expected 3');
    expect(() => mergeGroup([shard(0, 2), shard(0, 2, 'x/m-00001-of-00002.gguf')])).toThrow('split GGUF has duplicate shard index 0');
    expect(() => mergeGroup([shard(1, 2), shard(1, 2, 'x/m-00002-of-00002.gguf')])).toThrow('split GGUF has duplicate shard index 1');
  });
});
