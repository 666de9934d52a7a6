import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadParts, planParts, removePartial, writeDescriptor } from '../../../src/registry/remote/parts.js';

const MB = 1_000_000;
const dir = mkdtempSync(join(tmpdir(), 'tollama-parts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('planParts (Ollama sizing: total/16 clamped to [100 MB, 1000 MB])', () => {
  it.each([
    [0, undefined, 0, 0],
    [1, undefined, 1, 1],
    [50 * MB, undefined, 1, 50 * MB],
    [250 * MB, undefined, 3, 100 * MB],
    [3200 * MB, undefined, 16, 200 * MB],
    [40_000 * MB, undefined, 40, 1000 * MB],
    [1000, 300, 4, 300],
  ])('total %d partSize %s → %d parts of %d', (total, size, n, first) => {
    const parts = planParts(total, size);
    expect(parts.length).toBe(n);
    if (n) expect(parts[0]!.Size).toBe(first);
    expect(parts.reduce((a, p) => a + p.Size, 0)).toBe(total);
    parts.forEach((p, i) => expect(p).toMatchObject({ N: i, Completed: 0 }));
  });
});

describe('descriptors', () => {
  const partial = join(dir, 'sha256-' + 'a'.repeat(64) + '-partial');
  it('round-trip in Ollama\'s JSON shape', async () => {
    writeFileSync(partial, Buffer.alloc(1000));
    const parts = planParts(1000, 400);
    parts[1]!.Completed = 123;
    for (const p of parts) await writeDescriptor(partial, p);
    expect(readFileSync(`${partial}-1`, 'utf8')).toBe('{"N":1,"Offset":400,"Size":400,"Completed":123}');
    expect(await loadParts(partial, 1000)).toEqual(parts);
  });
  it.each([
    ['wrong total', (t: number) => t + 1, null],
    ['torn JSON', () => 1000, '{"N":0,"Off'],
    ['Completed > Size', () => 1000, '{"N":0,"Offset":0,"Size":400,"Completed":401}'],
    ['negative', () => 1000, '{"N":0,"Offset":0,"Size":400,"Completed":-1}'],
    ['gap', () => 1000, '{"N":0,"Offset":1,"Size":400,"Completed":0}'],
    ['N not matching file', () => 1000, '{"N":7,"Offset":0,"Size":400,"Completed":0}'],
  ])('%s → start over (null)', async (_l, total, desc0) => {
    writeFileSync(partial, Buffer.alloc(1000));
    for (const p of planParts(1000, 400)) await writeDescriptor(partial, p);
    if (desc0) writeFileSync(`${partial}-0`, desc0);
    expect(await loadParts(partial, total(1000))).toBeNull();
  });
  it('a data file of the wrong size or missing → null; removePartial cleans everything', async () => {
    writeFileSync(partial, Buffer.alloc(999));
    expect(await loadParts(partial, 1000)).toBeNull();
    writeFileSync(`${partial}-0.abcd.tmp`, 'x');
    await removePartial(partial);
    expect(readdirSync(dir)).toEqual([]);
    expect(await loadParts(partial, 1000)).toBeNull();
  });
});
