/**
 * Splits a GGUF file into shards the way llama.cpp's `gguf-split --split-max-tensors` lays them
 * out: `<prefix>-0000i-of-0000n.gguf`; the first shard carries every metadata key, each shard
 * `split.no` (u16), `split.count` (u16) and `split.tensors.count` (i32); the tensors are cut into
 * n runs in file order, their bytes copied from the source.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { encodeRawHeader, readRawHeader, type RawKV } from '../../../src/registry/gguf/rawheader.js';
import { GGUFValueType as VT } from '../../../src/registry/gguf/types.js';

const u16 = (key: string, n: number): RawKV => {
  const value = Buffer.alloc(2);
  value.writeUInt16LE(n);
  return { key, type: VT.UINT16, value };
};
const i32 = (key: string, n: number): RawKV => {
  const value = Buffer.alloc(4);
  value.writeInt32LE(n);
  return { key, type: VT.INT32, value };
};

/** Writes the shards into `dir`; returns their paths in order. `names` overrides the file names. */
export async function splitGGUF(src: string, dir: string, prefix: string, n: number, names?: string[]): Promise<string[]> {
  const h = await readRawHeader(src);
  const per = Math.ceil(h.tensors.length / n);
  const input = await open(src, 'r');
  const out: string[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const tensors = h.tensors.slice(i * per, (i + 1) * per);
      const split = [u16('split.no', i), u16('split.count', n), i32('split.tensors.count', h.tensors.length)];
      const kvs = i === 0 ? [...h.kvs.filter((kv) => !kv.key.startsWith('split.')), ...split] : split;
      const enc = encodeRawHeader({ version: 3, alignment: h.alignment, kvs, tensors });
      const file = path.join(dir, names?.[i] ?? `${prefix}-${String(i + 1).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.gguf`);
      const fh = await open(file, 'w');
      try {
        await fh.write(enc.header, 0, enc.header.length, 0);
        for (const [j, t] of tensors.entries()) {
          const buf = Buffer.alloc(t.size);
          await input.read(buf, 0, t.size, t.sourceOffset);
          await fh.write(buf, 0, buf.length, enc.header.length + enc.offsets[j]!);
        }
        await fh.truncate(enc.totalSize);
      } finally {
        await fh.close();
      }
      out.push(file);
    }
  } finally {
    await input.close();
  }
  return out;
}
