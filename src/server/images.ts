/**
 * Checks on image input, before any model is loaded (#15 item 4, docs/vision.md "Bad input").
 *
 * - Base64 as Go's encoding/json decodes `[]byte` (base64.StdEncoding): standard alphabet,
 *   `=` padding required, `\r` and `\n` ignored anywhere, nothing but newlines after the padding,
 *   non-zero trailing bits accepted. The error offset is Go's (`illegal base64 data at input
 *   byte N`).
 * - The format from the magic bytes, and the declared width and height read from the header
 *   only: pixels are never decoded here, so memory stays bounded by the request body.
 *   libmtmd decodes with stb_image and is built without ffmpeg, so PNG, JPEG (baseline and
 *   progressive), GIF and BMP work; WebP and the rest are refused with a message.
 * - Limits: pixels per image (the same as the native bridge, tollama-mtmd.h
 *   TOLLAMA_MTMD_MAX_PIXELS; a test keeps them equal), bytes per image, images per request and
 *   pixels per request.
 */
import { BadRequestError } from '../api/errors.js';

/** Pixels per image (8192×8192): the native bridge's TOLLAMA_MTMD_MAX_PIXELS. */
export const MAX_IMAGE_PIXELS = 8192 * 8192;
/** Decoded bytes per image. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
/** Images in one request, counting every message (history included). */
export const MAX_IMAGES_PER_REQUEST = 32;
/** Declared pixels of all images of one request: what the runner may hold decoded at once. */
export const MAX_REQUEST_PIXELS = 4 * MAX_IMAGE_PIXELS;

// ---------------------------------------------------------------------------------------------
// Base64, as Go's base64.StdEncoding.Decode

const B64 = new Int16Array(128).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) B64[c.charCodeAt(0)] = i;
const isNL = (c: number) => c === 10 || c === 13;

/**
 * Where Go's base64.StdEncoding rejects `s` (its CorruptInputError offset), or -1 when Go
 * accepts it. Offsets count bytes; every byte before an error is ASCII, so they equal string
 * indexes.
 */
export function goBase64ErrorOffset(s: string): number {
  const n = s.length;
  let si = 0;
  for (;;) {
    // One quantum of four symbols (newlines skipped).
    let j = 0;
    for (; j < 4; j++) {
      if (si === n) {
        if (j === 0) return -1;
        return si - j; // padding required: a partial quantum at the end
      }
      const c = s.charCodeAt(si++);
      if (c < 128 && B64[c]! >= 0) continue;
      if (isNL(c)) {
        j--;
        continue;
      }
      if (c !== 61 /* = */) return si - 1;
      // Padding.
      if (j < 2) return si - 1;
      if (j === 2) {
        while (si < n && isNL(s.charCodeAt(si))) si++;
        if (si === n) return n; // "==" expected
        if (s.charCodeAt(si) !== 61) return si - 1;
        si++;
      }
      while (si < n && isNL(s.charCodeAt(si))) si++;
      return si < n ? si : -1; // trailing garbage after the padding
    }
  }
}

/** Go's text for a rejected base64 string. */
export function goBase64Message(offset: number): string {
  return `illegal base64 data at input byte ${offset}`;
}

/** Decodes base64 that Go accepts; throws BadRequestError(`prefix` + Go's message) otherwise. */
export function decodeGoBase64(s: string, prefix = ''): Buffer {
  const off = goBase64ErrorOffset(s);
  if (off >= 0) throw new BadRequestError(prefix + goBase64Message(off));
  return Buffer.from(s.includes('\n') || s.includes('\r') ? s.replace(/[\r\n]/g, '') : s, 'base64');
}

/**
 * `images` of /api/generate and of each /api/chat message, checked where Go's JSON decoder would
 * fail (before the model is looked up): Go's message, and where the bad image is.
 */
export function checkImagesBase64(body: unknown): void {
  if (typeof body !== 'object' || body === null) return;
  const b = body as { images?: unknown; messages?: unknown };
  const check = (images: unknown, where: string) => {
    if (!Array.isArray(images)) return;
    images.forEach((img, i) => {
      if (typeof img !== 'string') return;
      const off = goBase64ErrorOffset(img);
      if (off >= 0) throw new BadRequestError(`${goBase64Message(off)} (${where}[${i}] is not valid base64: send the image file's bytes base64-encoded, standard alphabet, "=" padding)`);
    });
  };
  check(b.images, 'images');
  if (Array.isArray(b.messages)) {
    b.messages.forEach((m, i) => {
      if (typeof m === 'object' && m !== null) check((m as { images?: unknown }).images, `messages[${i}].images`);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Formats, from the header only

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'bmp';

export interface ImageInfo {
  format: ImageFormat;
  width: number;
  height: number;
  bytes: number;
}

/** A refused image: the reason, without the image's number. */
export class ImageError extends Error {}

const be16 = (b: Uint8Array, p: number) => (b[p]! << 8) | b[p + 1]!;
const be32 = (b: Uint8Array, p: number) => ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
const le16 = (b: Uint8Array, p: number) => b[p]! | (b[p + 1]! << 8);
const le32s = (b: Uint8Array, p: number) => b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
const ascii = (b: Uint8Array, p: number, n: number) => String.fromCharCode(...b.subarray(p, p + n));
const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function truncated(format: string, why: string): ImageError {
  return new ImageError(`truncated or corrupt ${format} image (${why})`);
}

function png(b: Uint8Array): [number, number] {
  if (b.length < 33) throw truncated('PNG', 'the header ends early');
  if (be32(b, 8) !== 13 || ascii(b, 12, 4) !== 'IHDR') throw truncated('PNG', 'no IHDR chunk first');
  const dims: [number, number] = [be32(b, 16), be32(b, 20)];
  // Walk the chunks to IEND (lengths and types only, no inflating): a cut file is caught here.
  let p = 8;
  let idat = false;
  for (;;) {
    if (p + 12 > b.length) throw truncated('PNG', 'it ends before the IEND chunk');
    const len = be32(b, p);
    const type = ascii(b, p + 4, 4);
    if (len > 0x7fffffff || p + 12 + len > b.length) throw truncated('PNG', `the ${type.replace(/[^ -~]/g, '?')} chunk goes past the end of the data`);
    if (type === 'IDAT') idat = true;
    if (type === 'IEND') break;
    p += 12 + len;
  }
  if (!idat) throw truncated('PNG', 'no IDAT chunk');
  return dims;
}

function jpeg(b: Uint8Array): [number, number] {
  // The segments up to the first start-of-frame, as the native bridge walks them.
  let p = 2;
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) throw truncated('JPEG', 'bad segment marker');
    const m = b[p + 1]!;
    if (m === 0xff) {
      p++;
      continue;
    }
    if (m === 0xd8 || (m >= 0xd0 && m <= 0xd7) || m === 0x01) {
      p += 2;
      continue;
    }
    const seg = be16(b, p + 2);
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      if (p + 9 > b.length) throw truncated('JPEG', 'the frame header ends early');
      // stb_image decodes baseline (SOF0, SOF1) and progressive (SOF2) JPEG only.
      if (m > 0xc2) throw new ImageError('unsupported JPEG coding (lossless, hierarchical or arithmetic-coded JPEG); baseline and progressive JPEG are supported');
      return [be16(b, p + 7), be16(b, p + 5)];
    }
    if (m === 0xd9 || m === 0xda) throw truncated('JPEG', 'no frame header before the image data');
    if (seg < 2) throw truncated('JPEG', 'bad segment length');
    p += 2 + seg;
  }
  throw truncated('JPEG', 'it ends before the frame header');
}

function gif(b: Uint8Array): [number, number] {
  if (b.length < 13) throw truncated('GIF', 'the header ends early');
  return [le16(b, 6), le16(b, 8)];
}

/** BITMAPCOREHEADER … BITMAPV5HEADER sizes that stb_image reads. */
const BMP_HEADERS = [12, 40, 56, 108, 124];

function bmp(b: Uint8Array): [number, number] {
  if (b.length < 26) throw truncated('BMP', 'the header ends early');
  const hsz = le32s(b, 14);
  if (!BMP_HEADERS.includes(hsz)) throw new ImageError(`unsupported BMP variant (header size ${hsz})`);
  const offset = le32s(b, 10);
  if (offset < 14 + hsz || offset >= b.length) throw truncated('BMP', 'the pixel data offset is outside the file');
  // As the native bridge reads them (32-bit fields; a negative height means top-down rows).
  return [Math.abs(le32s(b, 18)), Math.abs(le32s(b, 22))];
}

/** What an unsupported file looks like, for the message. */
function otherFormat(b: Uint8Array): string | null {
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'WebP';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WAVE') return 'WAV audio';
  if (b.length >= 12 && ascii(b, 4, 4) === 'ftyp') {
    const brand = ascii(b, 8, 4);
    if (brand.startsWith('avi')) return 'AVIF';
    if (brand.startsWith('hei') || brand.startsWith('mif') || brand.startsWith('hev')) return 'HEIF/HEIC';
    return 'an ISO media (MP4-like) file';
  }
  if (b.length >= 4 && (ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*')) return 'TIFF';
  if (b.length >= 4 && ascii(b, 0, 4) === '%PDF') return 'PDF';
  return null;
}

export const SUPPORTED_FORMATS = 'PNG, JPEG, GIF and BMP';

/** The format and declared size of one image; throws ImageError with the reason. */
export function inspectImage(b: Uint8Array): ImageInfo {
  if (b.length === 0) throw new ImageError('empty image data');
  if (b.length > MAX_IMAGE_BYTES) {
    throw new ImageError(`${(b.length / 1048576).toFixed(1)} MiB is too large (at most ${MAX_IMAGE_BYTES / 1048576} MiB per image)`);
  }
  let format: ImageFormat;
  let dims: [number, number];
  if (b.length >= 8 && PNG_SIG.every((x, i) => b[i] === x)) [format, dims] = ['png', png(b)];
  else if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) [format, dims] = ['jpeg', jpeg(b)];
  else if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) [format, dims] = ['gif', gif(b)];
  else if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) [format, dims] = ['bmp', bmp(b)];
  else {
    const what = otherFormat(b);
    throw new ImageError(`${what ? `${what} is not a supported image format` : 'unsupported image format'} (${SUPPORTED_FORMATS} are)`);
  }
  const [width, height] = dims;
  if (width === 0 || height === 0) throw truncated(format.toUpperCase(), `${width}x${height} pixels`);
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new ImageError(`${width}x${height} pixels is too large (at most ${MAX_IMAGE_PIXELS} pixels, such as 8192x8192)`);
  }
  return { format, width, height, bytes: b.length };
}

/**
 * Every image of one request (base64 strings, in prompt order), checked for a vision model
 * before it loads. Throws BadRequestError naming the image (`image 2 of 3: …`).
 */
export function checkImages(images: readonly string[]): ImageInfo[] {
  if (images.length > MAX_IMAGES_PER_REQUEST) {
    throw new BadRequestError(`too many images: ${images.length} in one request (at most ${MAX_IMAGES_PER_REQUEST}, counting the images of earlier messages)`);
  }
  const infos: ImageInfo[] = [];
  let pixels = 0;
  images.forEach((img, i) => {
    const name = `image ${i + 1} of ${images.length}`;
    let info: ImageInfo;
    try {
      info = inspectImage(decodeGoBase64(img, 'not valid base64: '));
    } catch (err) {
      if (err instanceof ImageError || err instanceof BadRequestError) throw new BadRequestError(`${name}: ${err.message}`);
      throw err;
    }
    pixels += info.width * info.height;
    infos.push(info);
  });
  if (pixels > MAX_REQUEST_PIXELS) {
    throw new BadRequestError(`the ${images.length} images of this request have ${pixels} pixels in all (at most ${MAX_REQUEST_PIXELS}): send fewer or smaller images`);
  }
  return infos;
}

/** A request's images in prompt order: every message's, then nothing else. */
export function requestImages(messages: readonly { images?: readonly string[] | null }[]): string[] {
  return messages.flatMap((m) => m.images ?? []);
}
