/**
 * A GGUF header as raw, editable parts, for rewriting a file: every metadata value is kept as
 * its exact encoded bytes (so strings that are not valid UTF-8, NaN payloads and 64-bit values
 * survive untouched), tensor infos as plain records. `readRawHeader` validates the whole file
 * with the bounded reader, which also tells where each value's bytes are.
 * `encodeRawHeader` writes it back with fresh, contiguous tensor offsets.
 */
import { open } from 'node:fs/promises';
import { GGUFError } from './errors.js';
import { ggmlType } from './filetypes.js';
import { readGGUF } from './reader.js';
import { GGUFValueType as VT, VALUE_TYPE_MIN_SIZE } from './types.js';

export interface RawKV {
  key: string;
  type: VT;
  /** The encoded value (for arrays: item type, count, items), without key and type. */
  value: Buffer;
}

export interface RawTensor {
  name: string;
  dims: number[];
  type: number;
  /** Absolute offset of the data in the *source* file. */
  sourceOffset: number;
  /** Bytes of data. */
  size: number;
}

export interface RawHeader {
  version: number;
  alignment: number;
  kvs: RawKV[];
  tensors: RawTensor[];
  fileSize: number;
  dataOffset: number;
}

/** Reads and validates a GGUF file's header into raw parts. Throws GGUFError for bad files. */
export async function readRawHeader(path: string): Promise<RawHeader> {
  // One pass: the bounded reader validates the header and says where each value's bytes are.
  const spans: Array<{ key: string; type: VT; start: number; end: number }> = [];
  const info = await readGGUF(path, { maxArrayValues: 0, onValue: (key, type, start, end) => spans.push({ key, type, start, end }) });
  const fh = await open(path, 'r');
  let buf: Buffer;
  try {
    buf = Buffer.alloc(info.dataOffset > info.fileSize ? info.fileSize : info.dataOffset);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (bytesRead !== buf.length) throw new GGUFError('truncated', 'invalid GGUF file: the file changed while it was read');
  } finally {
    await fh.close();
  }
  const kvs: RawKV[] = spans.map((s) => ({ key: s.key, type: s.type, value: Buffer.from(buf.subarray(s.start, s.end)) }));
  // Tensor infos were fully decoded by the reader; take them from there.
  const tensors: RawTensor[] = info.tensors.map((t) => ({
    name: t.name,
    dims: [...t.dims],
    type: t.type,
    sourceOffset: t.fileOffset,
    size: t.size,
  }));
  return { version: info.version, alignment: info.alignment, kvs, tensors, fileSize: info.fileSize, dataOffset: info.dataOffset };
}

const pad = (n: number, a: number): number => (a - (n % a)) % a;

/** Bytes of one tensor's data for a type and shape (throws for unknown types). */
export function tensorDataSize(type: number, dims: readonly number[]): number {
  const t = ggmlType(type);
  if (!t) throw new GGUFError('bad_tensor_type', `unknown tensor type ${type}`);
  const n = dims.reduce((a, b) => a * b, 1);
  return (n / t.blockSize) * t.typeSize;
}

export interface EncodedHeader {
  /** Header bytes, padded to the alignment: the tensor data starts right after. */
  header: Buffer;
  /** Offset of each tensor relative to the data section (same order as the input). */
  offsets: number[];
  /** Header + data: the size of the finished file. */
  totalSize: number;
}

/** Encodes a header with contiguous, aligned tensor offsets (a tensor's source offset is not needed). */
export function encodeRawHeader(h: Pick<RawHeader, 'version' | 'alignment' | 'kvs'> & { tensors: ReadonlyArray<Omit<RawTensor, 'sourceOffset'>> }): EncodedHeader {
  const parts: Buffer[] = [];
  const u32 = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    return b;
  };
  const u64 = (v: number): Buffer => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    return b;
  };
  const str = (s: string): Buffer => {
    const b = Buffer.from(s, 'utf8');
    return Buffer.concat([u64(b.length), b]);
  };
  parts.push(Buffer.from('GGUF'), u32(h.version), u64(h.tensors.length), u64(h.kvs.length));
  for (const kv of h.kvs) parts.push(str(kv.key), u32(kv.type), kv.value);
  const offsets: number[] = [];
  let off = 0;
  for (const t of h.tensors) {
    parts.push(str(t.name), u32(t.dims.length));
    for (const d of t.dims) parts.push(u64(d));
    parts.push(u32(t.type), u64(off));
    offsets.push(off);
    off += t.size;
    off += pad(off, h.alignment);
  }
  let len = parts.reduce((a, b) => a + b.length, 0);
  parts.push(Buffer.alloc(pad(len, h.alignment)));
  const header = Buffer.concat(parts);
  len = header.length;
  const last = h.tensors.length - 1;
  const dataSize = last < 0 ? 0 : offsets[last]! + h.tensors[last]!.size;
  return { header, offsets, totalSize: len + dataSize };
}

// ---- typed values ---------------------------------------------------------------------------

/** Decodes a raw scalar value (strings as UTF-8); undefined for arrays. */
export function rawScalar(kv: RawKV): number | bigint | boolean | string | undefined {
  const b = kv.value;
  switch (kv.type) {
    case VT.UINT8: return b.readUInt8(0);
    case VT.INT8: return b.readInt8(0);
    case VT.UINT16: return b.readUInt16LE(0);
    case VT.INT16: return b.readInt16LE(0);
    case VT.UINT32: return b.readUInt32LE(0);
    case VT.INT32: return b.readInt32LE(0);
    case VT.FLOAT32: return b.readFloatLE(0);
    case VT.BOOL: return b.readUInt8(0) !== 0;
    case VT.STRING: return b.toString('utf8', 8, 8 + Number(b.readBigUInt64LE(0)));
    case VT.UINT64: return b.readBigUInt64LE(0);
    case VT.INT64: return b.readBigInt64LE(0);
    case VT.FLOAT64: return b.readDoubleLE(0);
    default: return undefined;
  }
}

/** An array's item type and count, or null for a scalar. */
export function rawArrayInfo(kv: RawKV): { itemType: VT; count: number } | null {
  if (kv.type !== VT.ARRAY) return null;
  return { itemType: kv.value.readUInt32LE(0) as VT, count: Number(kv.value.readBigUInt64LE(4)) };
}

/** The raw bytes of each item of a string array (no UTF-8 decoding). */
export function rawStringItems(kv: RawKV): Buffer[] {
  const info = rawArrayInfo(kv);
  if (!info || info.itemType !== VT.STRING) return [];
  const out: Buffer[] = [];
  let pos = 12;
  for (let i = 0; i < info.count; i++) {
    const n = Number(kv.value.readBigUInt64LE(pos));
    out.push(kv.value.subarray(pos + 8, pos + 8 + n));
    pos += 8 + n;
  }
  return out;
}

/** A new array value keeping only the first `n` items (strings kept byte for byte). */
export function truncateRawArray(kv: RawKV, n: number): RawKV {
  const info = rawArrayInfo(kv);
  if (!info || n >= info.count) return kv;
  let end = 12;
  if (info.itemType === VT.STRING) {
    for (let i = 0; i < n; i++) end += 8 + Number(kv.value.readBigUInt64LE(end));
  } else {
    end += n * VALUE_TYPE_MIN_SIZE[info.itemType];
  }
  const value = Buffer.from(kv.value.subarray(0, end));
  value.writeBigUInt64LE(BigInt(n), 4);
  return { key: kv.key, type: VT.ARRAY, value };
}

export const rawValue = {
  string(s: string): { type: VT; value: Buffer } {
    const b = Buffer.from(s, 'utf8');
    const v = Buffer.alloc(8 + b.length);
    v.writeBigUInt64LE(BigInt(b.length));
    b.copy(v, 8);
    return { type: VT.STRING, value: v };
  },
  u32(n: number): { type: VT; value: Buffer } {
    const v = Buffer.alloc(4);
    v.writeUInt32LE(n >>> 0);
    return { type: VT.UINT32, value: v };
  },
  f32(n: number): { type: VT; value: Buffer } {
    const v = Buffer.alloc(4);
    v.writeFloatLE(n);
    return { type: VT.FLOAT32, value: v };
  },
  i32Array(items: readonly number[]): { type: VT; value: Buffer } {
    const v = Buffer.alloc(12 + 4 * items.length);
    v.writeUInt32LE(VT.INT32);
    v.writeBigUInt64LE(BigInt(items.length), 4);
    items.forEach((x, i) => v.writeInt32LE(x, 12 + 4 * i));
    return { type: VT.ARRAY, value: v };
  },
  bytesArray(itemType: VT.UINT8 | VT.INT8, bytes: Uint8Array): { type: VT; value: Buffer } {
    const v = Buffer.alloc(12 + bytes.length);
    v.writeUInt32LE(itemType);
    v.writeBigUInt64LE(BigInt(bytes.length), 4);
    v.set(bytes, 12);
    return { type: VT.ARRAY, value: v };
  },
};
