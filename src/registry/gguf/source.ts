/**
 * A bounded, buffered little-endian reader over an open file handle. It never reads more than
 * one window (64 KiB) at a time except for a single string whose length was already checked
 * against the bytes left in the file; running past the end is a `truncated` GGUFError.
 */
import type { FileHandle } from 'node:fs/promises';
import { GGUFError } from './errors.js';

const WINDOW = 64 * 1024;

export class ByteSource {
  private buf = Buffer.alloc(0);
  /** File offset of buf[0]. */
  private bufStart = 0;
  /** Current file offset. */
  pos = 0;

  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
  ) {}

  /** Bytes between the current position and the end of the file. */
  get remaining(): number {
    return this.size - this.pos;
  }

  /** Makes n bytes (n ≤ WINDOW) at pos available in buf; returns their index in buf. */
  private async ensure(n: number, what: string): Promise<number> {
    if (n > this.remaining) {
      throw new GGUFError('truncated', `invalid GGUF file: unexpected end of file while reading ${what}`);
    }
    const end = this.bufStart + this.buf.length;
    if (this.pos >= this.bufStart && this.pos + n <= end) return this.pos - this.bufStart;
    const len = Math.min(Math.max(n, WINDOW), this.remaining);
    const next = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      let r: number;
      try {
        ({ bytesRead: r } = await this.fh.read(next, got, len - got, this.pos + got));
      } catch (err) {
        throw new GGUFError('io', `could not read GGUF file: ${(err as Error).message}`);
      }
      if (r === 0) break;
      got += r;
    }
    if (got < n) {
      throw new GGUFError('truncated', `invalid GGUF file: unexpected end of file while reading ${what}`);
    }
    this.buf = next.subarray(0, got);
    this.bufStart = this.pos;
    return 0;
  }

  async u8(what: string): Promise<number> {
    const i = await this.ensure(1, what);
    this.pos += 1;
    return this.buf[i]!;
  }
  async i8(what: string): Promise<number> {
    const i = await this.ensure(1, what);
    this.pos += 1;
    return this.buf.readInt8(i);
  }
  async u16(what: string): Promise<number> {
    const i = await this.ensure(2, what);
    this.pos += 2;
    return this.buf.readUInt16LE(i);
  }
  async i16(what: string): Promise<number> {
    const i = await this.ensure(2, what);
    this.pos += 2;
    return this.buf.readInt16LE(i);
  }
  async u32(what: string): Promise<number> {
    const i = await this.ensure(4, what);
    this.pos += 4;
    return this.buf.readUInt32LE(i);
  }
  async i32(what: string): Promise<number> {
    const i = await this.ensure(4, what);
    this.pos += 4;
    return this.buf.readInt32LE(i);
  }
  async u64(what: string): Promise<bigint> {
    const i = await this.ensure(8, what);
    this.pos += 8;
    return this.buf.readBigUInt64LE(i);
  }
  async i64(what: string): Promise<bigint> {
    const i = await this.ensure(8, what);
    this.pos += 8;
    return this.buf.readBigInt64LE(i);
  }
  async f32(what: string): Promise<number> {
    const i = await this.ensure(4, what);
    this.pos += 4;
    return this.buf.readFloatLE(i);
  }
  async f64(what: string): Promise<number> {
    const i = await this.ensure(8, what);
    this.pos += 8;
    return this.buf.readDoubleLE(i);
  }

  /** Reads `len` bytes as UTF-8; the caller has already bounded len. */
  async utf8(len: number, what: string): Promise<string> {
    if (len > this.remaining) {
      throw new GGUFError('truncated', `invalid GGUF file: unexpected end of file while reading ${what}`);
    }
    if (len <= WINDOW) {
      const i = await this.ensure(len, what);
      this.pos += len;
      return this.buf.toString('utf8', i, i + len);
    }
    const out = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      let r: number;
      try {
        ({ bytesRead: r } = await this.fh.read(out, got, len - got, this.pos + got));
      } catch (err) {
        throw new GGUFError('io', `could not read GGUF file: ${(err as Error).message}`);
      }
      if (r === 0) {
        throw new GGUFError('truncated', `invalid GGUF file: unexpected end of file while reading ${what}`);
      }
      got += r;
    }
    this.pos += len;
    return out.toString('utf8');
  }

  /** Moves forward n bytes without reading them (n already bounded by the caller). */
  skip(n: number, what: string): void {
    if (n > this.remaining) {
      throw new GGUFError('truncated', `invalid GGUF file: unexpected end of file while reading ${what}`);
    }
    this.pos += n;
  }
}
