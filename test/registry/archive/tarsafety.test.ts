import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { UnsafeEntryError } from '../../../src/registry/archive/errors.js';
import { BLOCK, END_OF_ARCHIVE, tarEntrySize, tarHeader, tarPadding } from '../../../src/registry/archive/tarheader.js';
import { classifyEntry, safeSegments, type EntryKind } from '../../../src/registry/archive/tarsafety.js';

const hex = '0123456789abcdef'.repeat(4);

describe('classifyEntry', () => {
  const valid: Array<[string, string | undefined, EntryKind]> = [
    ['oci-layout', 'file', { kind: 'oci-layout' }],
    ['./oci-layout', 'file', { kind: 'oci-layout' }],
    ['index.json', undefined, { kind: 'index' }],
    [`blobs/sha256/${hex}`, 'file', { kind: 'oci-blob', digest: `sha256:${hex}` }],
    [`./blobs/sha256/${hex}`, 'contiguous-file', { kind: 'oci-blob', digest: `sha256:${hex}` }],
    [`blobs/sha256-${hex}`, 'file', { kind: 'store-blob', digest: `sha256:${hex}` }],
    [`models/blobs/sha256-${hex}`, 'file', { kind: 'store-blob', digest: `sha256:${hex}` }],
    [`.ollama/models/blobs/sha256:${hex}`, 'file', { kind: 'store-blob', digest: `sha256:${hex}` }],
    ['manifests/registry.ollama.ai/library/m/latest', 'file', { kind: 'store-manifest', parts: ['registry.ollama.ai', 'library', 'm', 'latest'] }],
    ['models/manifests/h/n/m/t', 'file', { kind: 'store-manifest', parts: ['h', 'n', 'm', 't'] }],
    ['blobs/', 'directory', { kind: 'directory' }],
    ['./', 'directory', { kind: 'directory' }],
    [`blobs/sha256-${hex}-partial`, 'file', { kind: 'ignored', reason: 'an unfinished download' }],
    [`blobs/sha256-${hex}-partial-3`, 'file', { kind: 'ignored', reason: 'an unfinished download' }],
    ['blobs/sha256-tmp-1-abc', 'file', { kind: 'ignored', reason: 'an unfinished download' }],
    ['manifests/h/n/m/.latest.tmp-123-abc', 'file', { kind: 'ignored', reason: 'an unfinished manifest write' }],
  ];
  for (const [name, type, want] of valid) {
    it(`${JSON.stringify(name)} (${type ?? 'no type'}) → ${want.kind}`, () => {
      expect(classifyEntry({ name, type, size: 1 })).toEqual(want);
    });
  }

  const ignored = ['README.md', `blobs/sha256/${hex.toUpperCase()}`, 'blobs/sha512/abc', 'blobs/sha256-abc', 'manifests/a/b/c', 'blobs/sha256/x/y'];
  for (const name of ignored) {
    it(`${JSON.stringify(name)} is ignored`, () => {
      expect(classifyEntry({ name, type: 'file', size: 1 }).kind).toBe('ignored');
    });
  }

  const unsafe: Array<[string, string, RegExp]> = [
    ['../x', 'file', /"\.\."/],
    ['a/../../x', 'file', /"\.\."/],
    ['a/..', 'directory', /"\.\."/],
    ['/etc/passwd', 'file', /absolute/],
    ['/', 'directory', /absolute/],
    ['C:\\x', 'file', /absolute/],
    ['a\\..\\x', 'file', /backslash/],
    ['a\0b', 'file', /NUL/],
    ['', 'file', /empty name/],
    ['./', 'file', /needs a name/],
    ['x', 'symlink', /symbolic links/],
    ['x', 'link', /hard links/],
    ['x', 'character-device', /device files/],
    ['x', 'block-device', /device files/],
    ['x', 'fifo', /FIFOs/],
    ['x', 'gnu-sparse', /not allowed/],
  ];
  for (const [name, type, msg] of unsafe) {
    it(`refuses ${JSON.stringify(name)} (${type})`, () => {
      expect(() => classifyEntry({ name, type, size: 0 })).toThrow(UnsafeEntryError);
      expect(() => classifyEntry({ name, type, size: 0 })).toThrow(msg);
    });
  }

  it('refuses invalid sizes', () => {
    for (const size of [-1, 1.5, Number.NaN, 2 ** 60]) {
      expect(() => classifyEntry({ name: 'oci-layout', type: 'file', size })).toThrow(/invalid size/);
    }
  });

  it('safeSegments drops "." and empty segments', () => {
    expect(safeSegments('./a//b/./c/')).toEqual(['a', 'b', 'c']);
  });
});

async function readBack(buf: Buffer): Promise<Array<{ name: string; size: number; type: string }>> {
  const ex = tar.extract();
  const out: Array<{ name: string; size: number; type: string }> = [];
  const feeding = new Promise<void>((resolve, reject) => {
    Readable.from([buf]).pipe(ex).on('error', reject).on('finish', resolve);
  });
  for await (const e of ex) {
    const h = (e as unknown as { header: tar.Header }).header;
    out.push({ name: h.name, size: h.size ?? 0, type: h.type ?? '' });
    (e as unknown as { resume(): void }).resume();
  }
  await feeding;
  return out;
}

describe('tarHeader', () => {
  it('writes headers tar-stream reads back, with base-256 sizes from 8 GiB', async () => {
    const sizes = [0, 1, 511, 512, 8 ** 11 - 1];
    const bufs: Buffer[] = [];
    for (const size of sizes) {
      // Only the header (the data is not needed to read a header back when it is the last entry) for huge sizes.
      bufs.push(tarHeader({ name: `f${size}`, size: size > 4096 ? 0 : size, type: 'file' }));
      if (size <= 4096) bufs.push(Buffer.alloc(size), tarPadding(size));
    }
    bufs.push(tarHeader({ name: 'd/', size: 0, type: 'directory' }), END_OF_ARCHIVE);
    const back = await readBack(Buffer.concat(bufs));
    expect(back.map((e) => e.name)).toEqual(['f0', 'f1', 'f511', 'f512', `f${8 ** 11 - 1}`, 'd/']);
    expect(back.at(-1)!.type).toBe('directory');
    // Big sizes: decode the header alone.
    for (const size of [8 ** 11, 2 ** 40, 2 ** 50]) {
      const h = tar.extract();
      const got = new Promise<number>((resolve) => h.on('entry', (hdr: tar.Header) => resolve(hdr.size ?? -1)));
      h.write(tarHeader({ name: 'big', size, type: 'file' }));
      expect(await got).toBe(size);
      h.destroy();
    }
  });

  it('refuses names over 100 bytes and bad sizes', () => {
    expect(() => tarHeader({ name: 'x'.repeat(101), size: 0, type: 'file' })).toThrow(/too long/);
    expect(() => tarHeader({ name: 'x', size: -1, type: 'file' })).toThrow(/invalid/);
  });

  it('pads to whole blocks', () => {
    expect(tarPadding(0).length).toBe(0);
    expect(tarPadding(1).length).toBe(511);
    expect(tarEntrySize(513)).toBe(3 * BLOCK);
  });
});
