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

export class HeaderEdit {
  readonly kvs: RawKV[];
  readonly tensors: RawTensor[];
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

  tensor(name: string): RawTensor | undefined {
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
}
