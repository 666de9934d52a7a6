/**
 * Writing tar headers (POSIX ustar). Export writes its own headers so it controls every byte:
 * plain files and directories only, fixed owner and mtime (the same models export to the same
 * bytes), and sizes of 8 GiB and more in GNU base-256 form, which GNU tar, bsdtar, Go's
 * archive/tar (skopeo) and tar-stream all read.
 */

export const BLOCK = 512;
/** Two zero blocks end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

/** Largest size the 11 octal digits of a ustar size field hold. */
const MAX_OCTAL_SIZE = 8 ** 11 - 1;

export interface TarHeaderInput {
  /** At most 100 bytes (export only writes short, fixed-shape names). */
  name: string;
  size: number;
  type: 'file' | 'directory';
  /** Seconds since the epoch (default 0). */
  mtime?: number;
}

function writeOctal(buf: Buffer, off: number, len: number, value: number): void {
  const s = value.toString(8).padStart(len - 1, '0');
  if (s.length > len - 1) throw new RangeError(`value ${value} does not fit a ${len}-byte tar field`);
  buf.write(s, off, 'ascii');
  buf[off + len - 1] = 0;
}

function writeBase256(buf: Buffer, off: number, len: number, value: number): void {
  let v = BigInt(value);
  for (let i = off + len - 1; i > off; i--) {
    buf[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  buf[off] = 0x80;
}

/** One 512-byte ustar header block. */
export function tarHeader(h: TarHeaderInput): Buffer {
  if (!Number.isSafeInteger(h.size) || h.size < 0) throw new RangeError(`invalid tar entry size ${h.size}`);
  const name = Buffer.from(h.name, 'utf8');
  if (name.length > 100) throw new RangeError(`tar entry name too long: ${h.name}`);
  const b = Buffer.alloc(BLOCK);
  name.copy(b, 0);
  writeOctal(b, 100, 8, h.type === 'directory' ? 0o755 : 0o644);
  writeOctal(b, 108, 8, 0); // uid
  writeOctal(b, 116, 8, 0); // gid
  if (h.size <= MAX_OCTAL_SIZE) writeOctal(b, 124, 12, h.size);
  else writeBase256(b, 124, 12, h.size);
  writeOctal(b, 136, 12, h.mtime ?? 0);
  b.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  b[156] = h.type === 'directory' ? 0x35 /* '5' */ : 0x30; /* '0' */
  b.write('ustar\u000000', 257, 'binary');
  writeOctal(b, 329, 8, 0); // devmajor
  writeOctal(b, 337, 8, 0); // devminor
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(sum.toString(8).padStart(6, '0'), 148, 'ascii');
  b[154] = 0;
  b[155] = 0x20;
  return b;
}

/** Zero bytes that pad `size` bytes of data to a whole block. */
export function tarPadding(size: number): Buffer {
  const r = size % BLOCK;
  return r === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - r);
}

/** Bytes an entry takes in the archive: header + data + padding. */
export function tarEntrySize(size: number): number {
  return BLOCK + Math.ceil(size / BLOCK) * BLOCK;
}
