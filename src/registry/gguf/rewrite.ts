/**
 * Copies a GGUF file with one more string key in its metadata (Ollama's create writes
 * `clip.projector_type = mlp` into LLaVA projectors that lack it). The original header's bytes
 * are kept as they are, the new key is appended after the others, the tensor infos keep their
 * offsets (they are relative to the data section) and the tensor data is streamed unchanged.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { GGUFError } from './errors.js';
import { readGGUF } from './reader.js';
import { GGUFValueType as VT } from './types.js';

/** A header this large is not a projector's; refuse rather than hold it in memory. */
const MAX_HEADER = 64 << 20;

const SCALAR_SIZE: Partial<Record<VT, number>> = {
  [VT.UINT8]: 1, [VT.INT8]: 1, [VT.BOOL]: 1, [VT.UINT16]: 2, [VT.INT16]: 2,
  [VT.UINT32]: 4, [VT.INT32]: 4, [VT.FLOAT32]: 4, [VT.UINT64]: 8, [VT.INT64]: 8, [VT.FLOAT64]: 8,
};

function bad(detail: string): GGUFError {
  return new GGUFError('io', `cannot rewrite GGUF header: ${detail}`);
}

/** Walks the raw header: where the metadata ends and where the tensor infos end. */
function headerBounds(h: Buffer): { kvCount: bigint; kvEnd: number; tensorsEnd: number } {
  let p = 24;
  const need = (n: number) => {
    if (p + n > h.length) throw bad('truncated');
  };
  const u32 = () => { need(4); const v = h.readUInt32LE(p); p += 4; return v; };
  const u64 = () => { need(8); const v = h.readBigUInt64LE(p); p += 8; return v; };
  const str = () => { const n = Number(u64()); need(n); p += n; };
  const value = (t: number, depth: number): void => {
    if (t === VT.STRING) return str();
    if (t === VT.ARRAY) {
      if (depth > 2) throw bad('arrays nested too deeply');
      const it = u32();
      const n = Number(u64());
      const size = SCALAR_SIZE[it as VT];
      if (size !== undefined) { need(n * size); p += n * size; return; }
      for (let i = 0; i < n; i++) value(it, depth + 1);
      return;
    }
    const size = SCALAR_SIZE[t as VT];
    if (size === undefined) throw bad(`unknown value type ${t}`);
    need(size);
    p += size;
  };
  const tensorCount = h.readBigUInt64LE(8);
  const kvCount = h.readBigUInt64LE(16);
  for (let i = 0n; i < kvCount; i++) {
    str();
    value(u32(), 0);
  }
  const kvEnd = p;
  for (let i = 0n; i < tensorCount; i++) {
    str();
    const dims = u32();
    need(dims * 8 + 12);
    p += dims * 8 + 12; // dims, type (u32), offset (u64)
  }
  return { kvCount, kvEnd, tensorsEnd: p };
}

/** Writes `output`: `input` with `key = value` (a string) added to its metadata. */
export async function addStringMetadata(input: string, output: string, key: string, value: string, signal?: AbortSignal): Promise<void> {
  const info = await readGGUF(input);
  if (info.metadata.has(key)) throw bad(`${key} is already set`);
  if (info.version < 2) throw bad(`GGUF version ${info.version}`);
  if (info.dataOffset > MAX_HEADER) throw bad('header too large');
  const fh = await open(input, 'r');
  let header: Buffer;
  try {
    header = Buffer.alloc(info.dataOffset);
    const { bytesRead } = await fh.read(header, 0, info.dataOffset, 0);
    if (bytesRead !== info.dataOffset) throw bad('truncated');
  } finally {
    await fh.close();
  }
  const { kvCount, kvEnd, tensorsEnd } = headerBounds(header);
  const k = Buffer.from(key);
  const v = Buffer.from(value);
  const kv = Buffer.alloc(8 + k.length + 4 + 8 + v.length);
  let p = kv.writeBigUInt64LE(BigInt(k.length), 0);
  p += k.copy(kv, p);
  p = kv.writeUInt32LE(VT.STRING, p);
  p = kv.writeBigUInt64LE(BigInt(v.length), p);
  v.copy(kv, p);
  const counts = Buffer.from(header.subarray(0, 24));
  counts.writeBigUInt64LE(kvCount + 1n, 16);
  const unpadded = 24 + (kvEnd - 24) + kv.length + (tensorsEnd - kvEnd);
  const pad = (info.alignment - (unpadded % info.alignment)) % info.alignment;
  const head = Buffer.concat([counts, header.subarray(24, kvEnd), kv, header.subarray(kvEnd, tensorsEnd), Buffer.alloc(pad)]);
  const out = createWriteStream(output);
  await new Promise<void>((resolve, reject) => out.write(head, (e) => (e ? reject(e) : resolve())));
  await pipeline(createReadStream(input, { start: info.dataOffset }), out, { signal });
}
