// Image input checks (src/server/images.ts): Go's base64 rules, format sniffing, header sizes and
// limits, as tables. Go's cases are ported as data from encoding/base64's tests
// (TestDecodeCorrupt, TestNewLineCharacters, the RFC pairs).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkImages,
  checkImagesBase64,
  decodeGoBase64,
  goBase64ErrorOffset,
  inspectImage,
  MAX_IMAGE_BYTES,
  MAX_IMAGE_PIXELS,
  MAX_IMAGES_PER_REQUEST,
} from '../../src/server/images.js';
import { repoRoot } from '../helpers/models.js';
import { makePNG, pngHeaderOnly, testImages } from '../helpers/png.js';

// Go: encoding/base64 TestDecodeCorrupt (StdEncoding; -1 = accepted).
const GO_CORRUPT: [string, number][] = [
  ['', -1], ['\n', -1], ['AAA=\n', -1], ['AAAA\n', -1], ['!!!!', 0], ['====', 0], ['x===', 1], ['=AAA', 0],
  ['A=AA', 1], ['AA=A', 2], ['AA==A', 4], ['AAA=AAAA', 4], ['AAAAA', 4], ['AAAAAA', 4], ['A=', 1], ['A==', 1],
  ['AA=', 3], ['AA==', -1], ['AAA=', -1], ['AAAA', -1], ['AAAAAA=', 7], ['YWJjZA=====', 8], ['A!\n', 1], ['A=\n', 1],
];
// Go: TestNewLineCharacters — all decode to "sure".
const GO_NEWLINES = ['c3VyZQ==', 'c3VyZQ==\r', 'c3VyZQ==\n', 'c3VyZQ==\r\n', 'c3VyZ\r\nQ==', 'c3V\ryZ\nQ==', 'c3V\nyZ\rQ==', 'c3VyZ\nQ==', 'c3VyZQ\n==', 'c3VyZQ=\n=', 'c3VyZQ=\r\n\r\n='];
// Go: the RFC 4648 / 3548 pairs.
const GO_PAIRS: [string, string][] = [
  ['\x14\xfb\x9c\x03\xd9\x7e', 'FPucA9l+'], ['\x14\xfb\x9c\x03\xd9', 'FPucA9k='], ['\x14\xfb\x9c\x03', 'FPucAw=='], ['', ''],
  ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy'],
];

describe('base64 as Go decodes []byte', () => {
  it.each(GO_CORRUPT)('%j → offset %i', (input, offset) => {
    expect(goBase64ErrorOffset(input)).toBe(offset);
  });
  it.each(GO_NEWLINES)('%j decodes to "sure" (newlines ignored)', (input) => {
    expect(decodeGoBase64(input).toString('latin1')).toBe('sure');
  });
  it.each(GO_PAIRS)('%j ↔ %j', (decoded, encoded) => {
    expect(decodeGoBase64(encoded).toString('latin1')).toBe(decoded);
  });
  it('accepts non-zero trailing bits (Go is not strict) and refuses the URL alphabet and spaces', () => {
    expect(goBase64ErrorOffset('WvLTlMrX9NpYDQlEIFlnDB==')).toBe(-1);
    expect(goBase64ErrorOffset('ab-_')).toBe(2);
    expect(goBase64ErrorOffset('ab c')).toBe(2);
    expect(goBase64ErrorOffset('abc\u00e9')).toBe(3);
  });
  it('names the bad image with Go\'s text (/api/generate, /api/chat)', () => {
    expect(() => checkImagesBase64({ images: ['AAAA', 'A==='] })).toThrow(
      'illegal base64 data at input byte 1 (images[1] is not valid base64: send the image file\'s bytes base64-encoded, standard alphabet, "=" padding)',
    );
    expect(() => checkImagesBase64({ messages: [{ role: 'user' }, { role: 'user', images: ['AAAAA'] }] })).toThrow(/^illegal base64 data at input byte 4 \(messages\[1\]\.images\[0\] is not valid/);
    expect(() => checkImagesBase64({ images: ['AAAA\n'], messages: [{ images: [] }] })).not.toThrow();
  });
});

// Small hand-made headers for the other formats.
const be16 = (n: number) => [(n >> 8) & 255, n & 255];
const le16 = (n: number) => [n & 255, (n >> 8) & 255];
const le32 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];
function jpeg(w: number, h: number, sof = 0xc0, extra: number[] = []): Buffer {
  const app0 = [0xff, 0xe0, ...be16(16), ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const frame = [0xff, sof, ...be16(17), 8, ...be16(h), ...be16(w), 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return Buffer.from([0xff, 0xd8, ...extra, ...app0, ...frame, 0xff, 0xd9]);
}
const gif = (w: number, h: number) => Buffer.from([...Buffer.from('GIF89a'), ...le16(w), ...le16(h), 0, 0, 0, 0x3b]);
function bmp(w: number, h: number, hsz = 40): Buffer {
  const head = [...Buffer.from('BM'), ...le32(14 + 40 + 4), 0, 0, 0, 0, ...le32(14 + 40), ...le32(hsz), ...le32(w), ...le32(h), 1, 0, 24, 0];
  return Buffer.concat([Buffer.from(head), Buffer.alloc(14 + 40 + 4 - head.length)]);
}
const riff = (kind: string) => Buffer.concat([Buffer.from('RIFF'), Buffer.from(le32(100)), Buffer.from(kind), Buffer.alloc(40)]);

describe('inspectImage: format and declared size from the header', () => {
  const png = testImages.red();
  const ok: [string, Buffer, string, number, number][] = [
    ['PNG', png, 'png', 32, 32],
    ['PNG 8192x8192 (header only)', pngHeaderOnly(8192, 8192), 'png', 8192, 8192],
    ['JPEG baseline', jpeg(640, 480), 'jpeg', 640, 480],
    ['JPEG progressive, fill bytes first', jpeg(3, 5, 0xc2, []), 'jpeg', 3, 5],
    ['GIF', gif(7, 9), 'gif', 7, 9],
    ['BMP', bmp(10, 20), 'bmp', 10, 20],
    ['BMP top-down (negative height)', bmp(10, -20), 'bmp', 10, 20],
  ];
  it.each(ok)('%s', (_name, buf, format, width, height) => {
    expect(inspectImage(buf)).toEqual({ format, width, height, bytes: buf.length });
  });

  const bad: [string, Buffer, string][] = [
    ['empty', Buffer.alloc(0), 'empty image data'],
    ['text', Buffer.from('hello, this is not an image'), 'unsupported image format (PNG, JPEG, GIF and BMP are)'],
    ['WebP', riff('WEBP'), 'WebP is not a supported image format (PNG, JPEG, GIF and BMP are)'],
    ['WAV', riff('WAVE'), 'WAV audio is not a supported image format (PNG, JPEG, GIF and BMP are)'],
    ['TIFF', Buffer.from('II*\0xxxxxxxxxxxx'), 'TIFF is not a supported image format'],
    ['HEIC', Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic'), Buffer.alloc(16)]), 'HEIF/HEIC is not a supported image format'],
    ['PNG signature only', png.subarray(0, 8), 'truncated or corrupt PNG image (the header ends early)'],
    ['PNG cut in the IDAT', png.subarray(0, png.length - 20), 'truncated or corrupt PNG image (the IDAT chunk goes past the end of the data)'],
    ['PNG without IEND', png.subarray(0, png.length - 12), 'truncated or corrupt PNG image (it ends before the IEND chunk)'],
    ['PNG 0x5', pngHeaderOnly(0, 5), 'truncated or corrupt PNG image (0x5 pixels)'],
    ['PNG bomb 20000x20000', pngHeaderOnly(20000, 20000), `20000x20000 pixels is too large (at most ${MAX_IMAGE_PIXELS} pixels, such as 8192x8192)`],
    ['PNG 8193x8192', pngHeaderOnly(8193, 8192), '8193x8192 pixels is too large'],
    ['PNG 4294967295 wide', pngHeaderOnly(0xffffffff, 1), '4294967295x1 pixels is too large'],
    ['JPEG bomb 65535x65535', jpeg(65535, 65535), '65535x65535 pixels is too large'],
    ['JPEG cut before the frame', jpeg(4, 4).subarray(0, 22), 'truncated or corrupt JPEG image (it ends before the frame header)'],
    ['JPEG lossless', jpeg(4, 4, 0xc3), 'unsupported JPEG coding'],
    ['JPEG arithmetic', jpeg(4, 4, 0xc9), 'unsupported JPEG coding'],
    ['JPEG garbage segment', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0x12, 0x34, 0, 0]), 'truncated or corrupt JPEG image (bad segment marker)'],
    ['GIF header only', gif(5, 5).subarray(0, 10), 'truncated or corrupt GIF image (the header ends early)'],
    ['GIF bomb', gif(65535, 65535), '65535x65535 pixels is too large'],
    ['BMP bomb', bmp(100000, 100000), '100000x100000 pixels is too large'],
    ['BMP cut', bmp(2, 2).subarray(0, 20), 'truncated or corrupt BMP image (the header ends early)'],
    ['BMP unknown header', bmp(2, 2, 64), 'unsupported BMP variant (header size 64)'],
    ['too many bytes', Buffer.concat([png, Buffer.alloc(MAX_IMAGE_BYTES)]), 'MiB is too large (at most 20 MiB per image)'],
  ];
  it.each(bad)('%s → refused', (_name, buf, message) => {
    expect(() => inspectImage(buf)).toThrow(message);
  });
});

describe('checkImages: one request', () => {
  const b64 = (b: Buffer) => b.toString('base64');
  it('accepts good images and reports them', () => {
    expect(checkImages([b64(testImages.red()), b64(gif(2, 3))]).map((i) => i.format)).toEqual(['png', 'gif']);
  });
  it('names the image: "image N of M: …"', () => {
    expect(() => checkImages([b64(testImages.red()), b64(pngHeaderOnly(20000, 20000))])).toThrow(/^image 2 of 2: 20000x20000 pixels is too large/);
    expect(() => checkImages([b64(testImages.red()), '!!!!'])).toThrow('image 2 of 2: not valid base64: illegal base64 data at input byte 0');
  });
  it('limits the count and the total pixels', () => {
    const one = b64(testImages.red());
    expect(() => checkImages(Array(MAX_IMAGES_PER_REQUEST).fill(one))).not.toThrow();
    expect(() => checkImages(Array(MAX_IMAGES_PER_REQUEST + 1).fill(one))).toThrow(`too many images: ${MAX_IMAGES_PER_REQUEST + 1} in one request (at most ${MAX_IMAGES_PER_REQUEST}`);
    const big = b64(pngHeaderOnly(8192, 8192));
    expect(() => checkImages([big, big, big, big])).not.toThrow();
    expect(() => checkImages([big, big, big, big, one])).toThrow(/^the 5 images of this request have 268436480 pixels in all \(at most 268435456\)/);
  });
  it('a real 64x64 PNG decodes fine', () => {
    expect(inspectImage(makePNG(64, 48, () => [1, 2, 3]))).toMatchObject({ width: 64, height: 48 });
  });
});

describe('one pixel limit', () => {
  it('equals the native bridge\'s TOLLAMA_MTMD_MAX_PIXELS', () => {
    const h = fs.readFileSync(path.join(repoRoot, 'scripts', 'native', 'mtmd', 'tollama-mtmd.h'), 'utf8');
    const m = /#define TOLLAMA_MTMD_MAX_PIXELS \((\d+)u \* (\d+)u\)/.exec(h);
    expect(m).not.toBeNull();
    expect(Number(m![1]) * Number(m![2])).toBe(MAX_IMAGE_PIXELS);
  });
});
