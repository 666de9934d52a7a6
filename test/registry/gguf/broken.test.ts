import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GGUFError, readGGUF, type GGUFErrorCode } from '../../../src/registry/gguf/index.js';
import { BROKEN_KINDS, prng, writeBrokenGGUF, writeModel, type BrokenKind } from '../../helpers/gguf.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tollama-gguf-bad-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const EXPECTED: Record<BrokenKind, GGUFErrorCode> = {
  'magic-only': 'truncated',
  'truncated-header': 'truncated',
  'truncated-kv': 'string_too_long',
  'huge-string': 'string_too_long',
  'huge-key': 'string_too_long',
  'huge-array': 'array_too_long',
  'huge-tensor-count': 'too_many_tensors',
  'huge-kv-count': 'too_many_kv',
  'alignment-0': 'bad_alignment',
  'alignment-3': 'bad_alignment',
  'alignment-huge': 'bad_tensor_offset',
  'alignment-wrong-type': 'bad_alignment',
  'tensor-past-eof': 'bad_tensor_offset',
  'tensor-offset-overflow': 'bad_tensor_offset',
  'zero-dim': 'bad_tensor_dims',
  'overflow-dims': 'bad_tensor_dims',
  'too-many-dims': 'bad_tensor_dims',
  'misaligned-offset': 'bad_tensor_offset',
  'overlapping-tensors': 'bad_tensor_offset',
  'duplicate-tensor': 'bad_tensor_name',
  'unknown-value-type': 'bad_value_type',
  'unknown-array-type': 'bad_value_type',
  'nested-array': 'bad_value_type',
  'duplicate-key': 'duplicate_key',
  'unknown-tensor-type': 'bad_tensor_type',
  'removed-tensor-type': 'bad_tensor_type',
  'bad-version': 'unsupported_version',
  'version-1': 'unsupported_version',
  'big-endian': 'big_endian',
  'not-gguf': 'not_gguf',
  empty: 'not_gguf',
};

describe('broken GGUF files give a typed 400 error', () => {
  it.each([...BROKEN_KINDS])('%s', async (kind) => {
    const p = path.join(dir, `${kind}.gguf`);
    await writeBrokenGGUF(p, kind);
    const err = await readGGUF(p).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GGUFError);
    const g = err as GGUFError;
    expect(g.status).toBe(400);
    expect(g.code).toBe(EXPECTED[kind]);
    expect(g.message.length).toBeGreaterThan(10);
    expect(g.message).not.toContain(dir);
  });

  it('uses Ollama wording for files that are not GGUF at all', async () => {
    const p = path.join(dir, 'modelfile.gguf');
    await writeBrokenGGUF(p, 'not-gguf');
    await expect(readGGUF(p)).rejects.toThrow('supplied file was not in GGUF format');
  });

  it('never allocates for claimed sizes (rss stays flat across the whole corpus)', async () => {
    const paths: string[] = [];
    for (const kind of BROKEN_KINDS) {
      const p = path.join(dir, `mem-${kind}.gguf`);
      await writeBrokenGGUF(p, kind);
      paths.push(p);
    }
    const before = process.memoryUsage().rss;
    for (let round = 0; round < 5; round++) {
      for (const p of paths) await readGGUF(p).catch(() => undefined);
    }
    const grown = process.memoryUsage().rss - before;
    expect(grown).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('mutated valid files never crash the reader', () => {
  it('every truncation and random byte corruption gives a result or a GGUFError', async () => {
    const good = path.join(dir, 'good.gguf');
    await writeModel(good, { vocab: 300 });
    const bytes = await readFile(good);
    const info = await readGGUF(good);
    const headerEnd = info.dataOffset;
    const rand = prng(7);
    const victim = path.join(dir, 'victim.gguf');
    const outcomes = { ok: 0, error: 0 };
    const check = async (buf: Buffer): Promise<void> => {
      await writeFile(victim, buf);
      try {
        await readGGUF(victim);
        outcomes.ok++;
      } catch (e) {
        if (!(e instanceof GGUFError)) throw e;
        outcomes.error++;
      }
    };
    // Truncations throughout the header and into the data.
    for (let cut = 0; cut < headerEnd + 64; cut += 97) await check(bytes.subarray(0, cut));
    // Random corruption of 1–4 header bytes (including count and length fields).
    for (let i = 0; i < 300; i++) {
      const b = Buffer.from(bytes.subarray(0, Math.min(bytes.length, headerEnd + 4096)));
      const flips = 1 + (rand() % 4);
      for (let f = 0; f < flips; f++) b[rand() % headerEnd] = rand() & 0xff;
      await check(b);
    }
    expect(outcomes.error).toBeGreaterThan(0);
  });
});
