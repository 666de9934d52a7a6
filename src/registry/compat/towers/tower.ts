/**
 * The projector file (mmproj) built from a vision tower embedded in a published model: a new
 * GGUF in the layout llama.cpp's `clip` loader (libmtmd) reads — `general.architecture = clip`,
 * `clip.*` / `clip.vision.*` keys, clip tensor names — holding only the tower's tensors. Each
 * output tensor says where its bytes come from: a plain copy, or one of the few conversions the
 * published layouts need (F16 → F32, a row permutation, zeros, a concatenation in F32, a row of
 * another tensor). The family handlers (families.ts) fill a TowerBuilder; write.ts writes it.
 */
import { CompatError } from '../edit.js';
import { rawArrayInfo, rawScalar, rawStringItems, rawValue, tensorDataSize, type RawHeader, type RawKV, type RawTensor } from '../../gguf/rawheader.js';
import { GGUFValueType as VT } from '../../gguf/types.js';
import { GGML_BF16, GGML_F16, GGML_F32 } from './floats.js';

/** Bumped whenever a tower handler's output changes: older projector files are rebuilt. */
export const TOWER_TRANSLATOR_VERSION = 1;

export type TensorSource =
  | { kind: 'copy'; from: RawTensor }
  /** F16 or BF16 → F32, element for element. */
  | { kind: 'to-f32'; from: RawTensor }
  /** Output row i is source row perm[i] (rows of the source's ne[0] elements). */
  | { kind: 'rows'; from: RawTensor; perm: number[] }
  | { kind: 'zeros' }
  /** The parts converted to F32 and concatenated. */
  | { kind: 'concat-f32'; parts: RawTensor[] }
  /** Row `row` of a 2-D tensor, as F32. */
  | { kind: 'row-f32'; from: RawTensor; row: number }
  /** The parts' bytes one after the other (same type: a concatenation along the last dimension). */
  | { kind: 'concat'; parts: RawTensor[] }
  /**
   * One temporal slice of a Conv3D patch embedding packed as [W, H, 2, OUT·IN] (F16), as an
   * F32 Conv2D kernel [W, H, IN, OUT].
   */
  | { kind: 'patch-slice'; from: RawTensor; slice: number; channels: number }
  /** `length` bytes of a source tensor from byte `offset` (one value of a packed table). */
  | { kind: 'bytes'; from: RawTensor; offset: number; length: number };

export interface TowerTensor {
  name: string;
  dims: number[];
  type: number;
  size: number;
  source: TensorSource;
}

export interface TowerPlan {
  /** The published family (`gemma3`, `mistral3` …). */
  family: string;
  /** libmtmd's projector type. */
  projector: string;
  changes: string[];
  kvs: RawKV[];
  tensors: TowerTensor[];
  alignment: number;
}

export class TowerBuilder {
  readonly kvs: RawKV[] = [];
  readonly tensors: TowerTensor[] = [];
  readonly changes: string[] = [];
  private readonly byName: Map<string, RawTensor>;
  private readonly srcKvs: Map<string, RawKV>;

  constructor(readonly source: RawHeader) {
    this.byName = new Map(source.tensors.map((t) => [t.name, t]));
    this.srcKvs = new Map(source.kvs.map((kv) => [kv.key, kv]));
  }

  // ---- source metadata ----
  has(key: string): boolean {
    return this.srcKvs.has(key);
  }
  str(key: string): string | undefined {
    const kv = this.srcKvs.get(key);
    return kv?.type === VT.STRING ? (rawScalar(kv) as string) : undefined;
  }
  /** An integer value of any width, as a number. */
  int(key: string): number | undefined {
    const kv = this.srcKvs.get(key);
    if (!kv || [VT.ARRAY, VT.STRING, VT.FLOAT32, VT.FLOAT64, VT.BOOL].includes(kv.type)) return undefined;
    const v = Number(rawScalar(kv));
    return Number.isSafeInteger(v) ? v : undefined;
  }
  num(key: string): number | undefined {
    const kv = this.srcKvs.get(key);
    if (kv?.type === VT.FLOAT32 || kv?.type === VT.FLOAT64) return Number(rawScalar(kv));
    return this.int(key);
  }
  /** An integer array's items. */
  ints(key: string): number[] | undefined {
    const kv = this.srcKvs.get(key);
    const info = kv && rawArrayInfo(kv);
    if (!kv || !info) return undefined;
    const read: Partial<Record<VT, [number, (b: Buffer, at: number) => number]>> = {
      [VT.INT32]: [4, (b, at) => b.readInt32LE(at)],
      [VT.UINT32]: [4, (b, at) => b.readUInt32LE(at)],
      [VT.INT64]: [8, (b, at) => Number(b.readBigInt64LE(at))],
      [VT.UINT64]: [8, (b, at) => Number(b.readBigUInt64LE(at))],
    };
    const r = read[info.itemType];
    if (!r) return undefined;
    return Array.from({ length: info.count }, (_, i) => r[1](kv.value, 12 + r[0] * i));
  }
  stringArray(key: string): string[] | undefined {
    const kv = this.srcKvs.get(key);
    return kv && rawArrayInfo(kv)?.itemType === VT.STRING ? rawStringItems(kv).map((b) => b.toString('utf8')) : undefined;
  }
  floats(key: string): number[] | undefined {
    const kv = this.srcKvs.get(key);
    const info = kv && rawArrayInfo(kv);
    if (!kv || info?.itemType !== VT.FLOAT32) return undefined;
    return Array.from({ length: info.count }, (_, i) => kv.value.readFloatLE(12 + 4 * i));
  }

  // ---- output metadata ----
  private put(key: string, v: { type: VT; value: Buffer }): void {
    const i = this.kvs.findIndex((kv) => kv.key === key);
    if (i >= 0) this.kvs[i] = { key, ...v };
    else this.kvs.push({ key, ...v });
  }
  removeOut(key: string): void {
    const i = this.kvs.findIndex((kv) => kv.key === key);
    if (i >= 0) this.kvs.splice(i, 1);
  }
  hasOut(key: string): boolean {
    return this.kvs.some((kv) => kv.key === key);
  }
  setString(key: string, s: string): void {
    this.put(key, rawValue.string(s));
  }
  setU32(key: string, n: number): void {
    this.put(key, rawValue.u32(n));
  }
  setF32(key: string, n: number): void {
    this.put(key, rawValue.f32(n));
  }
  setBool(key: string, b: boolean): void {
    this.put(key, { type: VT.BOOL, value: Buffer.from([b ? 1 : 0]) });
  }
  setF32Array(key: string, items: readonly number[]): void {
    const v = Buffer.alloc(12 + 4 * items.length);
    v.writeUInt32LE(VT.FLOAT32);
    v.writeBigUInt64LE(BigInt(items.length), 4);
    items.forEach((x, i) => v.writeFloatLE(x, 12 + 4 * i));
    this.put(key, { type: VT.ARRAY, value: v });
  }
  setBoolArray(key: string, items: readonly boolean[]): void {
    const v = Buffer.alloc(12 + items.length);
    v.writeUInt32LE(VT.BOOL);
    v.writeBigUInt64LE(BigInt(items.length), 4);
    items.forEach((x, i) => v.writeUInt8(x ? 1 : 0, 12 + i));
    this.put(key, { type: VT.ARRAY, value: v });
  }
  /** Copies an integer key as u32 (what clip.cpp reads), when the source has it. */
  u32From(from: string, to: string, fallback?: number): void {
    const v = this.int(from) ?? fallback;
    if (v !== undefined) this.setU32(to, v);
  }
  f32From(from: string, to: string, fallback?: number): void {
    const v = this.num(from) ?? fallback;
    if (v !== undefined) this.setF32(to, v);
  }
  /** Fails when a key libmtmd requires could not be produced. */
  require(...keys: string[]): void {
    const missing = keys.filter((k) => !this.hasOut(k));
    if (missing.length) throw new CompatError(`inconsistent model file: cannot build the vision projector, ${missing.join(', ')} cannot be derived`);
  }

  // ---- tensors ----
  tensor(name: string): RawTensor | undefined {
    return this.byName.get(name);
  }
  sourceTensors(prefixes: readonly string[]): RawTensor[] {
    return this.source.tensors.filter((t) => prefixes.some((p) => t.name.startsWith(p)));
  }
  private add(t: Omit<TowerTensor, 'size'>): void {
    if (this.tensors.some((x) => x.name === t.name)) throw new CompatError(`inconsistent model file: two vision tensors become ${t.name}`);
    if (Buffer.byteLength(t.name) > 63) throw new CompatError(`cannot name vision tensor ${t.name}: longer than 63 bytes`);
    this.tensors.push({ ...t, size: tensorDataSize(t.type, t.dims) });
  }
  copy(from: RawTensor, name: string): void {
    this.add({ name, dims: [...from.dims], type: from.type, source: { kind: 'copy', from } });
  }
  /** F16 and BF16 tensors become F32 (libmtmd's convolution and position paths want F32); others are copied. */
  copyAsF32(from: RawTensor, name: string): void {
    if (from.type !== GGML_F16 && from.type !== GGML_BF16) return this.copy(from, name);
    this.add({ name, dims: [...from.dims], type: GGML_F32, source: { kind: 'to-f32', from } });
  }
  permuteRows(from: RawTensor, name: string, perm: number[]): void {
    this.add({ name, dims: [...from.dims], type: from.type, source: { kind: 'rows', from, perm } });
  }
  zeros(name: string, dims: number[], type = GGML_F32): void {
    this.add({ name, dims, type, source: { kind: 'zeros' } });
  }
  row(from: RawTensor, row: number, name: string): void {
    this.add({ name, dims: [from.dims[0]!], type: GGML_F32, source: { kind: 'row-f32', from, row } });
  }
  /** Concatenates along the last dimension: bytes as they are when the types agree, else in F32. */
  concat(parts: RawTensor[], name: string): void {
    const first = parts[0]!;
    const last = first.dims.length - 1;
    if (parts.some((p) => p.dims.length !== first.dims.length || p.dims.some((d, i) => i !== last && d !== first.dims[i]))) {
      throw new CompatError(`inconsistent model file: ${parts.map((p) => p.name).join(', ')} cannot be joined into ${name}`);
    }
    const dims = [...first.dims];
    dims[last] = parts.reduce((a, p) => a + p.dims[last]!, 0);
    if (parts.every((p) => p.type === first.type)) this.add({ name, dims, type: first.type, source: { kind: 'concat', parts } });
    else this.add({ name, dims, type: GGML_F32, source: { kind: 'concat-f32', parts } });
  }
  /** One F32 value of an F32 source tensor, as a 1-element tensor. */
  f32At(from: RawTensor, index: number, name: string): void {
    if (from.type !== GGML_F32 || (index + 1) * 4 > from.size) throw new CompatError(`inconsistent model file: ${from.name} has no value ${index}`);
    this.add({ name, dims: [1], type: GGML_F32, source: { kind: 'bytes', from, offset: index * 4, length: 4 } });
  }
  patchSlice(from: RawTensor, slice: number, channels: number, name: string): void {
    const [w, h, frames, packed] = from.dims as [number, number, number, number];
    if (from.dims.length !== 4 || frames !== 2 || packed % channels !== 0 || from.type !== GGML_F16) {
      throw new CompatError(`cannot translate the vision tower: ${from.name} is not an F16 [W, H, 2, OUT·IN] patch embedding`);
    }
    this.add({ name, dims: [w, h, channels, packed / channels], type: GGML_F32, source: { kind: 'patch-slice', from, slice, channels } });
  }

  plan(family: string, projector: string): TowerPlan {
    return { family, projector, changes: this.changes, kvs: this.kvs, tensors: this.tensors, alignment: this.source.alignment };
  }
}

/** Applies each substring rule in turn (first occurrence), as Ollama's clip renames do. */
export function renameBySubstring(name: string, rules: ReadonlyArray<readonly [string, string]>): string {
  let out = name;
  for (const [from, to] of rules) if (out.includes(from)) out = out.replace(from, to);
  return out;
}
