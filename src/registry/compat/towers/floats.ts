/**
 * Tensor element conversions the tower translation needs: F16 / BF16 / Q8_0 to F32 (the types
 * Ollama's converters write vision towers in). Anything else is a clear error, never a guess.
 */
import { CompatError } from '../edit.js';
import { tensorTypeName } from '../../gguf/filetypes.js';

export const GGML_F32 = 0;
export const GGML_F16 = 1;
export const GGML_Q8_0 = 8;
export const GGML_BF16 = 30;

const HALF = new Float32Array(65536);
{
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    HALF[h] = exp === 0 ? sign * mant * 2 ** -24 : exp === 31 ? (mant ? NaN : sign * Infinity) : sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
}

export function halfToFloat(h: number): number {
  return HALF[h & 0xffff]!;
}

/** Whether `toF32` can read this type. */
export function canDequantize(type: number): boolean {
  return type === GGML_F32 || type === GGML_F16 || type === GGML_BF16 || type === GGML_Q8_0;
}

/** The `count` elements of `src` (in `type`) as F32. */
export function toF32(src: Buffer, type: number, count: number, what: string): Float32Array {
  const out = new Float32Array(count);
  switch (type) {
    case GGML_F32:
      for (let i = 0; i < count; i++) out[i] = src.readFloatLE(4 * i);
      return out;
    case GGML_F16:
      for (let i = 0; i < count; i++) out[i] = HALF[src.readUInt16LE(2 * i)]!;
      return out;
    case GGML_BF16: {
      const u = new Uint32Array(1);
      const f = new Float32Array(u.buffer);
      for (let i = 0; i < count; i++) {
        u[0] = src.readUInt16LE(2 * i) << 16;
        out[i] = f[0]!;
      }
      return out;
    }
    case GGML_Q8_0:
      for (let b = 0; b < count / 32; b++) {
        const d = HALF[src.readUInt16LE(34 * b)]!;
        for (let j = 0; j < 32; j++) out[32 * b + j] = d * src.readInt8(34 * b + 2 + j);
      }
      return out;
    default:
      throw new CompatError(`cannot translate the vision tower: ${what} is ${tensorTypeName(type)}, which the translation cannot convert`);
  }
}

export function f32Bytes(values: Float32Array): Buffer {
  const b = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) b.writeFloatLE(values[i]!, 4 * i);
  return b;
}
