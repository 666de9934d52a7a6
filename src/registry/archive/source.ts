/**
 * The byte stream an import reads: gzip is undone transparently (`tar.gz` works), an empty
 * input is refused, and the last 1 KiB is kept so the importer can tell a complete archive
 * (which ends in two zero blocks) from one cut off between two entries.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CorruptArchiveError } from './errors.js';

export class TarInput {
  /** Bytes of tar data seen (after gunzip). */
  total = 0;
  private tail: Buffer = Buffer.alloc(0);
  gzip = false;

  constructor(private readonly source: AsyncIterable<Uint8Array>) {}

  /** True when the data seen so far ends with the end-of-archive marker. */
  get ended(): boolean {
    return this.tail.length === 1024 && this.tail.every((b) => b === 0);
  }

  private keep(c: Buffer): void {
    this.total += c.length;
    this.tail = c.length >= 1024 ? c.subarray(c.length - 1024) : Buffer.concat([this.tail, c]).subarray(-1024);
  }

  async *chunks(): AsyncGenerator<Buffer> {
    const it = this.source[Symbol.asyncIterator]();
    let first: Buffer | undefined;
    for (;;) {
      const n = await it.next();
      if (n.done) break;
      if (n.value.byteLength > 0) {
        first = Buffer.from(n.value.buffer, n.value.byteOffset, n.value.byteLength);
        break;
      }
    }
    if (!first) throw new CorruptArchiveError('the archive is empty');
    const head = first;
    const raw = async function* (): AsyncGenerator<Buffer> {
      yield head;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield Buffer.from(n.value.buffer, n.value.byteOffset, n.value.byteLength);
      }
    };
    let data: AsyncIterable<Buffer> = raw();
    if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
      this.gzip = true;
      const src = Readable.from(raw(), { objectMode: false });
      const gz = createGunzip();
      src.on('error', (e) => gz.destroy(e));
      gz.on('error', () => src.destroy());
      data = src.pipe(gz);
    }
    try {
      for await (const c of data) {
        this.keep(c as Buffer);
        yield c as Buffer;
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code?.startsWith('Z_')) throw new CorruptArchiveError('the gzip stream is damaged or truncated');
      throw e;
    } finally {
      await it.return?.();
    }
  }
}
