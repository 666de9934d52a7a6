/**
 * An editable view of a GGUF header for the family handlers: metadata reads and writes, tensor
 * renames and hiding, each recorded as a short human-readable change so `show`-like tooling and
 * the docs can say what was translated. Nothing here touches tensor data.
 */
import {
  rawArrayInfo,
  rawScalar,
  rawStringItems,
  rawValue,
  tensorDataSize,
  truncateRawArray,
  type RawHeader,
  type RawKV,
  type RawTensor,
} from '../gguf/rawheader.js';
import { GGUFValueType as VT } from '../gguf/types.js';

/** A published file the translator recognises but cannot make loadable. */
export class CompatError extends Error {
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = 'CompatError';
  }
}

/** Where a translated tensor's bytes come from when they are not its one source range. */
export interface EditTensor extends RawTensor {
  /** Source ranges (absolute offsets) concatenated in order: fused or interleaved tensors. */
  pieces?: Array<{ offset: number; size: number }>;
  /** `add-one`: the source values (F32, F16 or BF16) plus 1, written as F32 (norm-weight shift). */
  transform?: { kind: 'add-one'; fromType: number };
}

const F32 = 0;
const F16 = 1;
const BF16 = 30;

export class HeaderEdit {
  readonly kvs: RawKV[];
  readonly tensors: EditTensor[];
  readonly changes: string[] = [];

  constructor(readonly source: RawHeader) {
    this.kvs = source.kvs.map((kv) => ({ ...kv }));
    this.tensors = source.tensors.map((t) => ({ ...t, dims: [...t.dims] }));
  }

  get changed(): boolean {
    return this.changes.length > 0;
  }

  private index(key: string): number {
    return this.kvs.findIndex((kv) => kv.key === key);
  }
  has(key: string): boolean {
    return this.index(key) >= 0;
  }
  kv(key: string): RawKV | undefined {
    return this.kvs[this.index(key)];
  }
  str(key: string): string | undefined {
    const kv = this.kv(key);
    return kv?.type === VT.STRING ? (rawScalar(kv) as string) : undefined;
  }
  /** A non-negative integer value (u8…u64, i8…i64 ≥ 0) as a number. */
  uint(key: string): number | undefined {
    const kv = this.kv(key);
    if (!kv || kv.type === VT.ARRAY || kv.type === VT.STRING || kv.type === VT.FLOAT32 || kv.type === VT.FLOAT64 || kv.type === VT.BOOL) return undefined;
    const v = Number(rawScalar(kv));
    return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  }
  /** Item i of a string array, as UTF-8. */
  tokenAt(key: string, i: number): string | undefined {
    const kv = this.kv(key);
    if (!kv) return undefined;
    const info = rawArrayInfo(kv);
    if (!info || info.itemType !== VT.STRING || i >= info.count) return undefined;
    return rawStringItems(kv)[i]?.toString('utf8');
  }
  arrayInfo(key: string): { itemType: VT; count: number } | null {
    const kv = this.kv(key);
    return kv ? rawArrayInfo(kv) : null;
  }

  /** Sets (replacing in place, or appending) a value. */
  set(key: string, v: { type: VT; value: Buffer }, why: string): void {
    const i = this.index(key);
    if (i >= 0) this.kvs[i] = { key, ...v };
    else this.kvs.push({ key, ...v });
    this.changes.push(`${key}: ${why}`);
  }
  setString(key: string, s: string, why = `set to ${JSON.stringify(s)}`): void {
    this.set(key, rawValue.string(s), why);
  }
  setU32(key: string, n: number, why = `set to ${n}`): void {
    this.set(key, rawValue.u32(n), why);
  }
  setF32IfMissing(key: string, n: number): void {
    if (!this.has(key)) this.set(key, rawValue.f32(n), `added (default ${n})`);
  }
  setStringIfMissing(key: string, s: string, why?: string): void {
    if (!this.has(key)) this.setString(key, s, why ?? `added (default ${JSON.stringify(s)})`);
  }
  /** Copies a value to a new key unless the key already exists (Ollama's copy_kv). */
  copy(from: string, to: string): void {
    const kv = this.kv(from);
    if (!kv || this.has(to)) return;
    this.kvs.push({ key: to, type: kv.type, value: kv.value });
    this.changes.push(`${to}: copied from ${from}`);
  }
  /** Renames every key with `from` as its prefix (an existing target key wins; the old key goes). */
  renamePrefix(from: string, to: string): void {
    let n = 0;
    for (let i = 0; i < this.kvs.length; i++) {
      const kv = this.kvs[i]!;
      if (!kv.key.startsWith(from)) continue;
      const key = to + kv.key.slice(from.length);
      if (this.has(key)) {
        this.kvs.splice(i--, 1);
      } else {
        this.kvs[i] = { ...kv, key };
      }
      n++;
    }
    if (n) this.changes.push(`${from}* → ${to}* (${n} keys)`);
  }
  remove(key: string): void {
    const i = this.index(key);
    if (i < 0) return;
    this.kvs.splice(i, 1);
    this.changes.push(`${key}: removed`);
  }
  truncateArray(key: string, n: number): void {
    const i = this.index(key);
    if (i < 0) return;
    const before = rawArrayInfo(this.kvs[i]!)?.count ?? 0;
    if (n >= before) return;
    this.kvs[i] = truncateRawArray(this.kvs[i]!, n);
    this.changes.push(`${key}: truncated from ${before} to ${n} entries`);
  }

  tensor(name: string): EditTensor | undefined {
    return this.tensors.find((t) => t.name === name);
  }
  anyTensorWithPrefix(prefix: string): boolean {
    return this.tensors.some((t) => t.name.startsWith(prefix));
  }
  /** Renames every tensor whose name matches `re` (replacement as in String.replace). */
  renameTensors(re: RegExp, to: string, label: string): void {
    let n = 0;
    for (const t of this.tensors) {
      const next = t.name.replace(re, to);
      if (next === t.name) continue;
      if (this.tensor(next)) throw new CompatError(`inconsistent model file: both ${t.name} and ${next} are present`);
      if (Buffer.byteLength(next) > 63) throw new CompatError(`cannot rename tensor ${t.name}: ${next} is longer than 63 bytes`);
      t.name = next;
      n++;
    }
    if (n) this.changes.push(`tensors ${label} (${n})`);
  }
  /** Keeps only the first `rows` rows (last dimension) of a tensor: a prefix of its data. */
  truncateRows(name: string, rows: number): void {
    const t = this.tensor(name);
    if (!t) return;
    const last = t.dims.length - 1;
    if (rows >= t.dims[last]!) return;
    const before = t.dims[last]!;
    t.dims[last] = rows;
    t.size = tensorDataSize(t.type, t.dims);
    this.changes.push(`${name}: cut from ${before} to ${rows} rows`);
  }
  /** Leaves out every tensor whose name starts with one of the prefixes. */
  hideTensors(prefixes: readonly string[], label: string): void {
    const before = this.tensors.length;
    for (let i = this.tensors.length - 1; i >= 0; i--) {
      if (prefixes.some((p) => this.tensors[i]!.name.startsWith(p))) this.tensors.splice(i, 1);
    }
    const n = before - this.tensors.length;
    if (n) this.changes.push(`${n} ${label} tensors (${prefixes.join(', ')}) left out of the text model`);
  }

  /** Data ranges of a tensor in the source file, in order. */
  piecesOf(t: EditTensor): Array<{ offset: number; size: number }> {
    if (t.transform) throw new CompatError(`cannot fuse ${t.name}: its data is already transformed`);
    return t.pieces ?? [{ offset: t.sourceOffset, size: t.size }];
  }
  /**
   * Replaces tensor `into` by the concatenation of `names` (same type; dims given), in their
   * data order; the other source tensors are left out. The fused tensor takes `into`'s place.
   */
  fuse(names: readonly string[], into: string, dims: number[], why: string): void {
    const parts = names.map((n) => {
      const t = this.tensor(n);
      if (!t) throw new CompatError(`inconsistent model file: ${n} is missing`);
      return t;
    });
    const type = parts[0]!.type;
    if (parts.some((t) => t.type !== type)) throw new CompatError(`inconsistent model file: ${names.join(', ')} have different types`);
    const pieces = parts.flatMap((t) => this.piecesOf(t));
    const size = tensorDataSize(type, dims);
    if (pieces.reduce((a, p) => a + p.size, 0) !== size) throw new CompatError(`inconsistent model file: ${names.join(' + ')} do not make ${into} [${dims.join(', ')}]`);
    const first = parts[0]!;
    const at = this.tensors.indexOf(first);
    for (const t of parts) this.tensors.splice(this.tensors.indexOf(t), 1);
    if (this.tensor(into)) throw new CompatError(`inconsistent model file: both ${into} and its parts are present`);
    this.tensors.splice(Math.min(at, this.tensors.length), 0, { name: into, dims, type, sourceOffset: first.sourceOffset, size, pieces });
    this.changes.push(`${into}: ${why}`);
  }
  /** Sets a tensor's data source to explicit pieces (same total size). */
  setPieces(name: string, pieces: Array<{ offset: number; size: number }>, dims: number[], why: string): void {
    const t = this.tensor(name);
    if (!t) return;
    const size = tensorDataSize(t.type, dims);
    if (pieces.reduce((a, p) => a + p.size, 0) !== size) throw new CompatError(`inconsistent model file: ${name} cannot be rebuilt as [${dims.join(', ')}]`);
    t.pieces = pieces;
    t.dims = dims;
    t.size = size;
    this.changes.push(`${name}: ${why}`);
  }
  /** Norm weights stored as w - 1 by one converter: written as F32 w + 1. */
  addOne(name: string): void {
    const t = this.tensor(name);
    if (!t) return;
    if (t.pieces || t.transform) throw new CompatError(`cannot shift ${name}: its data is already rebuilt`);
    if (t.type !== F32 && t.type !== F16 && t.type !== BF16) throw new CompatError(`cannot shift norm tensor ${name}: type ${t.type} is not F32, F16 or BF16`);
    t.transform = { kind: 'add-one', fromType: t.type };
    t.type = F32;
    t.size = tensorDataSize(F32, t.dims);
    this.changes.push(`${name}: values + 1 (F32)`);
  }
}
