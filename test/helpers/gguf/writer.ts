/**
 * A GGUF v3 (or v2) writer for tests and benchmarks: any metadata, any tensor shapes, seeded
 * random weights in F32 / F16 / Q8_0, written streaming (the weights are never held in memory).
 */
import { open } from 'node:fs/promises';
import { encodeRawHeader, type RawKV } from '../../../src/registry/gguf/rawheader.js';
import { GGUFValueType as VT } from '../../../src/registry/gguf/types.js';

export { VT as GGUFValueType };

/** An explicitly typed metadata value. */
export interface TypedValue {
  readonly type: VT;
  readonly value: number | bigint | boolean | string;
}
/** An explicitly typed array. */
export interface TypedArray {
  readonly type: VT.ARRAY;
  readonly itemType: VT;
  readonly values: ReadonlyArray<number | bigint | boolean | string>;
}
/**
 * A metadata value. Plain values are typed as llama.cpp expects most keys: string → STRING,
 * boolean → BOOL, integer number → UINT32 (INT32 if negative), other number → FLOAT32,
 * bigint → UINT64, string[] → array of STRING. Use the helpers for anything else.
 */
export type WriteValue = string | boolean | number | bigint | string[] | TypedValue | TypedArray;

export const u8 = (value: number): TypedValue => ({ type: VT.UINT8, value });
export const i32 = (value: number): TypedValue => ({ type: VT.INT32, value });
export const u32 = (value: number): TypedValue => ({ type: VT.UINT32, value });
export const u64 = (value: number | bigint): TypedValue => ({ type: VT.UINT64, value: BigInt(value) });
export const i64 = (value: number | bigint): TypedValue => ({ type: VT.INT64, value: BigInt(value) });
export const f32 = (value: number): TypedValue => ({ type: VT.FLOAT32, value });
export const f64 = (value: number): TypedValue => ({ type: VT.FLOAT64, value });
export const arr = (itemType: VT, values: ReadonlyArray<number | bigint | boolean | string>): TypedArray => ({
  type: VT.ARRAY,
  itemType,
  values,
});

export type WeightType = 'F32' | 'F16' | 'Q8_0';
const WEIGHT_TYPES: Record<WeightType, { id: number; block: number; bytes: number }> = {
  F32: { id: 0, block: 1, bytes: 4 },
  F16: { id: 1, block: 1, bytes: 2 },
  Q8_0: { id: 8, block: 32, bytes: 34 },
};

export interface TensorSpec {
  name: string;
  /** ne[0] first, as stored in GGUF. */
  dims: number[];
  type: WeightType;
  /** `random` (default): uniform in ±scale; `ones`: 1.0 (norm weights); `zeros`. */
  init?: 'random' | 'ones' | 'zeros';
  /** Amplitude for random weights (default 0.02). */
  scale?: number;
  /** Exact values (F32, or F16 rounded by toHalf; ne[0] fastest); overrides `init`. */
  data?: Float32Array;
}

export interface GGUFSpec {
  version?: 2 | 3;
  /** Written as `general.alignment` when not 32. */
  alignment?: number;
  metadata: Record<string, WriteValue> | Array<[string, WriteValue]>;
  tensors: TensorSpec[];
  /** PRNG seed: the same spec and seed always give the same bytes. */
  seed?: number;
}

export function tensorByteSize(t: Pick<TensorSpec, 'dims' | 'type'>): number {
  const w = WEIGHT_TYPES[t.type];
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (t.dims[0]! % w.block !== 0) throw new Error(`tensor ${t.dims[0]} columns not a multiple of ${w.block}`);
  return (n / w.block) * w.bytes;
}

/** A growable little-endian byte buffer. */
export class Bytes {
  private buf = Buffer.alloc(1024);
  length = 0;
  private room(n: number): number {
    if (this.length + n > this.buf.length) {
      const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  raw(b: Uint8Array | string): this {
    const data = typeof b === 'string' ? Buffer.from(b) : b;
    const at = this.room(data.length);
    this.buf.set(data, at);
    return this;
  }
  u8(v: number): this { const at = this.room(1); this.buf.writeUInt8(v, at); return this; }
  i8(v: number): this { const at = this.room(1); this.buf.writeInt8(v, at); return this; }
  u16(v: number): this { const at = this.room(2); this.buf.writeUInt16LE(v, at); return this; }
  i16(v: number): this { const at = this.room(2); this.buf.writeInt16LE(v, at); return this; }
  u32(v: number): this { const at = this.room(4); this.buf.writeUInt32LE(v >>> 0, at); return this; }
  i32(v: number): this { const at = this.room(4); this.buf.writeInt32LE(v, at); return this; }
  u64(v: number | bigint): this { const at = this.room(8); this.buf.writeBigUInt64LE(BigInt(v), at); return this; }
  i64(v: number | bigint): this { const at = this.room(8); this.buf.writeBigInt64LE(BigInt(v), at); return this; }
  f32(v: number): this { const at = this.room(4); this.buf.writeFloatLE(v, at); return this; }
  f64(v: number): this { const at = this.room(8); this.buf.writeDoubleLE(v, at); return this; }
  /** GGUF string: u64 byte length + UTF-8 bytes. */
  str(s: string): this {
    const b = Buffer.from(s);
    return this.u64(b.length).raw(b);
  }
  zeros(n: number): this { this.room(n); return this; }
  toBuffer(): Buffer { return this.buf.subarray(0, this.length); }
}

function normalize(v: WriteValue): TypedValue | TypedArray {
  if (typeof v === 'string') return { type: VT.STRING, value: v };
  if (typeof v === 'boolean') return { type: VT.BOOL, value: v };
  if (typeof v === 'bigint') return { type: VT.UINT64, value: v };
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return { type: VT.UINT32, value: v };
    if (Number.isInteger(v) && v < 0 && v >= -0x80000000) return { type: VT.INT32, value: v };
    return { type: VT.FLOAT32, value: v };
  }
  if (Array.isArray(v)) return arr(VT.STRING, v);
  return v as TypedValue | TypedArray;
}

function writeScalar(b: Bytes, t: VT, v: number | bigint | boolean | string): void {
  switch (t) {
    case VT.UINT8: b.u8(Number(v)); break;
    case VT.INT8: b.i8(Number(v)); break;
    case VT.UINT16: b.u16(Number(v)); break;
    case VT.INT16: b.i16(Number(v)); break;
    case VT.UINT32: b.u32(Number(v)); break;
    case VT.INT32: b.i32(Number(v)); break;
    case VT.FLOAT32: b.f32(Number(v)); break;
    case VT.BOOL: b.u8(v ? 1 : 0); break;
    case VT.STRING: b.str(String(v)); break;
    case VT.UINT64: b.u64(BigInt(v as number | bigint)); break;
    case VT.INT64: b.i64(BigInt(v as number | bigint)); break;
    case VT.FLOAT64: b.f64(Number(v)); break;
    default: throw new Error(`cannot write value type ${t}`);
  }
}

/** A metadata value as src's raw header parts: its type and encoded bytes (no key). */
export function encodeKV(key: string, value: WriteValue): RawKV {
  const v = normalize(value);
  const b = new Bytes();
  if (v.type === VT.ARRAY) {
    const a = v as TypedArray;
    b.u32(a.itemType).u64(a.values.length);
    for (const x of a.values) writeScalar(b, a.itemType, x);
  } else {
    writeScalar(b, v.type, (v as TypedValue).value);
  }
  return { key, type: v.type, value: b.toBuffer() };
}

export function writeKV(b: Bytes, key: string, value: WriteValue): void {
  const kv = encodeKV(key, value);
  b.str(key).u32(kv.type).raw(kv.value);
}

export interface GGUFLayout {
  /** Everything before the tensor data, padding included. */
  header: Buffer;
  /** Offset (relative to the data section) of each tensor. */
  offsets: number[];
  dataOffset: number;
  totalSize: number;
}

/** Builds the header and computes the layout of a spec without writing anything (src's encoder). */
export function ggufLayout(spec: GGUFSpec): GGUFLayout {
  const alignment = spec.alignment ?? 32;
  const entries = Array.isArray(spec.metadata) ? [...spec.metadata] : Object.entries(spec.metadata);
  if (alignment !== 32 && !entries.some(([k]) => k === 'general.alignment')) {
    entries.push(['general.alignment', u32(alignment)]);
  }
  const { header, offsets, totalSize } = encodeRawHeader({
    version: spec.version ?? 3,
    alignment,
    kvs: entries.map(([k, v]) => encodeKV(k, v)),
    tensors: spec.tensors.map((t) => ({ name: t.name, dims: t.dims, type: WEIGHT_TYPES[t.type].id, size: tensorByteSize(t) })),
  });
  return { header, offsets, dataOffset: header.length, totalSize };
}

/** mulberry32: a tiny seeded PRNG returning uint32. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** IEEE half from a float (round to nearest; enough for weights and scales). */
export function toHalf(f: number): number {
  const fb = new Float32Array([f]);
  const x = new Uint32Array(fb.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const mant = x & 0x7fffff;
  if (exp <= 0) return sign; // flush tiny values to zero
  if (exp >= 31) return sign | 0x7c00;
  const m = (mant + 0x1000) >>> 13; // round to nearest
  if (m > 0x3ff) return exp + 1 >= 31 ? sign | 0x7c00 : sign | ((exp + 1) << 10);
  return sign | (exp << 10) | m;
}

const CHUNK = 1 << 20; // elements per generated chunk

/** The bytes of the next `count` elements of tensor t. */
function generate(t: TensorSpec, count: number, rand: () => number): Buffer {
  const init = t.init ?? 'random';
  const scale = t.scale ?? 0.02;
  const w = WEIGHT_TYPES[t.type];
  const bytes = (count / w.block) * w.bytes;
  const out = Buffer.alloc(bytes);
  if (init === 'zeros') return out;
  if (t.type === 'F32') {
    const f = new Float32Array(out.buffer, out.byteOffset, count);
    if (init === 'ones') f.fill(1);
    else for (let i = 0; i < count; i++) f[i] = ((rand() / 4294967296) * 2 - 1) * scale;
  } else if (t.type === 'F16') {
    const h = new Uint16Array(out.buffer, out.byteOffset, count);
    if (init === 'ones') h.fill(0x3c00);
    else {
      // Random sign and mantissa with an exponent giving |x| in [scale/2, scale).
      const e = Math.max(1, Math.min(30, Math.floor(Math.log2(scale)) + 15));
      for (let i = 0; i < count; i += 2) {
        const r = rand();
        h[i] = (r & 0x83ff) | (e << 10);
        if (i + 1 < count) h[i + 1] = ((r >>> 16) & 0x83ff) | (e << 10);
      }
    }
  } else {
    const blocks = count / 32;
    const d = toHalf(init === 'ones' ? 1 / 127 : scale / 127);
    if (init === 'ones') {
      for (let i = 0; i < blocks; i++) {
        out.writeUInt16LE(d, i * 34);
        out.fill(127, i * 34 + 2, i * 34 + 34);
      }
    } else {
      const words = new Uint32Array(out.buffer, out.byteOffset, Math.floor(bytes / 4));
      for (let i = 0; i < words.length; i++) words[i] = rand();
      for (let i = 0; i < blocks; i++) out.writeUInt16LE(d, i * 34);
    }
  }
  return out;
}

/** Writes `spec` to `path` (streaming). Returns the file size. */
export async function writeGGUF(path: string, spec: GGUFSpec): Promise<{ size: number; dataOffset: number }> {
  const layout = ggufLayout(spec);
  const rand = prng(spec.seed ?? 42);
  const fh = await open(path, 'w');
  try {
    let pos = 0;
    const put = async (b: Uint8Array): Promise<void> => {
      let done = 0;
      while (done < b.length) {
        const { bytesWritten } = await fh.write(b, done, b.length - done, pos + done);
        done += bytesWritten;
      }
      pos += b.length;
    };
    await put(layout.header);
    for (let i = 0; i < spec.tensors.length; i++) {
      const t = spec.tensors[i]!;
      const want = layout.dataOffset + layout.offsets[i]!;
      if (pos < want) await put(Buffer.alloc(want - pos));
      const n = t.dims.reduce((a, b) => a * b, 1);
      if (t.data) {
        if (t.type === 'Q8_0' || t.data.length !== n) throw new Error(`tensor ${t.name}: data must be ${n} F32 or F16 values`);
        if (t.type === 'F16') {
          const h = Buffer.alloc(2 * n);
          for (let k = 0; k < n; k++) h.writeUInt16LE(toHalf(t.data[k]!), 2 * k);
          await put(h);
        } else await put(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
        continue;
      }
      const step = Math.max(WEIGHT_TYPES[t.type].block, CHUNK - (CHUNK % WEIGHT_TYPES[t.type].block));
      for (let done = 0; done < n; done += step) await put(generate(t, Math.min(step, n - done), rand));
    }
    return { size: pos, dataOffset: layout.dataOffset };
  } finally {
    await fh.close();
  }
}
