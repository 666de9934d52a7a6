/** Reading GGUF metadata values (scalars, strings, arrays) with every length bounded. */
import { GGUFError } from './errors.js';
import type { ByteSource } from './source.js';
import { GGUFValueType, VALUE_TYPE_MIN_SIZE, isValueType, type GGUFScalar, type GGUFValue } from './types.js';

/** No metadata string (chat templates included) is anywhere near this; larger is hostile. */
export const MAX_STRING_BYTES = 64 * 1024 * 1024;
/** GGUF keys are at most 65535 bytes (gguf.md). */
export const MAX_KEY_BYTES = 65_535;

/** A 64-bit integer as a number when exact, else a bigint. */
export function int64Value(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

/** The shortest double that rounds to the same float32 (what Go prints for a float32). */
export function shortestFloat32(f: number): number {
  if (!Number.isFinite(f) || f === 0) return f;
  for (let p = 1; p <= 9; p++) {
    const v = Number(f.toPrecision(p));
    if (Math.fround(v) === f) return v;
  }
  return f;
}

export async function readString(src: ByteSource, what: string, max = MAX_STRING_BYTES): Promise<string> {
  const len = await src.u64(`${what} length`);
  if (len > BigInt(src.remaining)) {
    throw new GGUFError(
      'string_too_long',
      `invalid GGUF file: ${what} claims ${len} bytes but only ${src.remaining} remain in the file`,
    );
  }
  if (len > BigInt(max)) {
    throw new GGUFError('string_too_long', `invalid GGUF file: ${what} is ${len} bytes long (limit ${max})`);
  }
  return src.utf8(Number(len), what);
}

async function skipString(src: ByteSource, what: string): Promise<void> {
  const len = await src.u64(`${what} length`);
  if (len > BigInt(src.remaining)) {
    throw new GGUFError(
      'string_too_long',
      `invalid GGUF file: ${what} claims ${len} bytes but only ${src.remaining} remain in the file`,
    );
  }
  src.skip(Number(len), what);
}

async function readScalar(src: ByteSource, t: GGUFValueType, what: string): Promise<GGUFScalar> {
  switch (t) {
    case GGUFValueType.UINT8:
      return src.u8(what);
    case GGUFValueType.INT8:
      return src.i8(what);
    case GGUFValueType.UINT16:
      return src.u16(what);
    case GGUFValueType.INT16:
      return src.i16(what);
    case GGUFValueType.UINT32:
      return src.u32(what);
    case GGUFValueType.INT32:
      return src.i32(what);
    case GGUFValueType.FLOAT32:
      return shortestFloat32(await src.f32(what));
    case GGUFValueType.BOOL: {
      const b = await src.u8(what);
      return b !== 0;
    }
    case GGUFValueType.STRING:
      return readString(src, what);
    case GGUFValueType.UINT64:
      return int64Value(await src.u64(what));
    case GGUFValueType.INT64:
      return int64Value(await src.i64(what));
    case GGUFValueType.FLOAT64:
      return src.f64(what);
    default:
      throw new GGUFError('bad_value_type', `invalid GGUF file: ${what} has unknown value type ${t}`);
  }
}

/**
 * Reads one value of type `t`. Arrays longer than `maxArrayValues` are skipped (values null)
 * after their bytes were checked to fit; nested arrays are rejected as llama.cpp does.
 */
export async function readValue(
  src: ByteSource,
  t: number,
  what: string,
  maxArrayValues: number,
): Promise<GGUFValue> {
  if (!isValueType(t)) {
    throw new GGUFError('bad_value_type', `invalid GGUF file: ${what} has unknown value type ${t}`);
  }
  if (t !== GGUFValueType.ARRAY) return readScalar(src, t, what);

  const itemType = await src.u32(`${what} array type`);
  if (!isValueType(itemType)) {
    throw new GGUFError('bad_value_type', `invalid GGUF file: ${what} is an array of unknown value type ${itemType}`);
  }
  if (itemType === GGUFValueType.ARRAY) {
    throw new GGUFError('bad_value_type', `invalid GGUF file: ${what} is a nested array, which is not supported`);
  }
  const count = await src.u64(`${what} array length`);
  const minSize = VALUE_TYPE_MIN_SIZE[itemType];
  if (count * BigInt(minSize) > BigInt(src.remaining)) {
    throw new GGUFError(
      'array_too_long',
      `invalid GGUF file: ${what} claims ${count} elements but only ${src.remaining} bytes remain in the file`,
    );
  }
  const n = Number(count);
  const keep = n <= maxArrayValues;
  if (!keep) {
    if (itemType === GGUFValueType.STRING) {
      for (let i = 0; i < n; i++) await skipString(src, `${what}[${i}]`);
    } else {
      src.skip(n * minSize, what);
    }
    return { kind: 'array', itemType, count: n, values: null };
  }
  const values: GGUFScalar[] = new Array<GGUFScalar>(n);
  for (let i = 0; i < n; i++) values[i] = await readScalar(src, itemType, `${what}[${i}]`);
  return { kind: 'array', itemType, count: n, values };
}
