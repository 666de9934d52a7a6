/**
 * Tensor element conversions the tower translation needs: F16 / BF16 / Q8_0 to F32 (the types
 * Ollama's converters write vision towers in), and Q4_K / Q6_K (what a quantised text model's
 * embedding table usually is, for single rows), as ggml's dequantize_row_* compute them.
 * Anything else is a clear error, never a guess.
 */
import { CompatError } from '../edit.js';
import { tensorTypeName } from '../../gguf/filetypes.js';

export const GGML_F32 = 0;
export const GGML_F16 = 1;
export const GGML_Q8_0 = 8;
export const GGML_Q4_K = 12;
export const GGML_Q6_K = 14;
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
  return type === GGML_F32 || type === GGML_F16 || type === GGML_BF16 || type === GGML_Q8_0 || type === GGML_Q4_K || type === GGML_Q6_K;
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
    case GGML_Q4_K: {
      const f = Math.fround;
      for (let b = 0; b < count / 256; b++) {
        const at = 144 * b;
        const d = HALF[src.readUInt16LE(at)]!;
        const min = HALF[src.readUInt16LE(at + 2)]!;
        const sc = (j: number): [number, number] => {
          const q = (k: number) => src[at + 4 + k]!;
          return j < 4 ? [q(j) & 63, q(j + 4) & 63] : [(q(j + 4) & 0xf) | ((q(j - 4) >> 6) << 4), (q(j + 4) >> 4) | ((q(j) >> 6) << 4)];
        };
        let y = 256 * b;
        for (let j = 0, is = 0; j < 256; j += 64, is += 2) {
          const [s1, m1] = sc(is);
          const [s2, m2] = sc(is + 1);
          const d1 = f(d * s1), n1 = f(min * m1), d2 = f(d * s2), n2 = f(min * m2);
          const qs = at + 16 + j / 2;
          for (let l = 0; l < 32; l++) out[y++] = f(f(d1 * (src[qs + l]! & 0xf)) - n1);
          for (let l = 0; l < 32; l++) out[y++] = f(f(d2 * (src[qs + l]! >> 4)) - n2);
        }
      }
      return out;
    }
    case GGML_Q6_K: {
      const f = Math.fround;
      for (let b = 0; b < count / 256; b++) {
        const at = 210 * b;
        const d = HALF[src.readUInt16LE(at + 208)]!;
        for (let n = 0; n < 2; n++) {
          const ql = at + 64 * n, qh = at + 128 + 32 * n, sc = at + 192 + 8 * n, y = 256 * b + 128 * n;
          for (let l = 0; l < 32; l++) {
            const is = l >> 4;
            const h = src[qh + l]!;
            const q1 = ((src[ql + l]! & 0xf) | ((h & 3) << 4)) - 32;
            const q2 = ((src[ql + l + 32]! & 0xf) | (((h >> 2) & 3) << 4)) - 32;
            const q3 = ((src[ql + l]! >> 4) | (((h >> 4) & 3) << 4)) - 32;
            const q4 = ((src[ql + l + 32]! >> 4) | (((h >> 6) & 3) << 4)) - 32;
            out[y + l] = f(f(d * src.readInt8(sc + is)) * q1);
            out[y + l + 32] = f(f(d * src.readInt8(sc + is + 2)) * q2);
            out[y + l + 64] = f(f(d * src.readInt8(sc + is + 4)) * q3);
            out[y + l + 96] = f(f(d * src.readInt8(sc + is + 6)) * q4);
          }
        }
      }
      return out;
    }
    default:
      throw new CompatError(`cannot translate the vision tower: ${what} is ${tensorTypeName(type)}, which the translation cannot convert`);
  }
}

export function f32Bytes(values: Float32Array): Buffer {
  const b = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) b.writeFloatLE(values[i]!, 4 * i);
  return b;
}
