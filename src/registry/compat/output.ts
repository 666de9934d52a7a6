/**
 * How a derived file (a translation, a projector) is written: to a temporary name beside its
 * destination, hashed as the bytes go out, synced, then renamed, so a reader never sees half a
 * file; on any failure the temporary file is removed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export class DerivedOutput {
  /** Bytes written so far (the next write's offset). */
  pos = 0;
  private readonly hash = createHash('sha256');

  private constructor(private fh: FileHandle | undefined, private readonly tmp: string, private readonly dst: string) {}

  static async create(dst: string): Promise<DerivedOutput> {
    const tmp = path.join(path.dirname(dst), `.${path.basename(dst)}.${randomBytes(6).toString('hex')}.tmp`);
    return new DerivedOutput(await open(tmp, 'wx', 0o644), tmp, dst);
  }

  /** Appends `b`; the hash runs while the write is in flight. */
  async put(b: Buffer): Promise<void> {
    const at = this.pos;
    this.pos += b.length;
    const first = this.fh!.write(b, 0, b.length, at);
    this.hash.update(b);
    let done = (await first).bytesWritten;
    while (done < b.length) done += (await this.fh!.write(b, done, b.length - done, at + done)).bytesWritten;
  }

  /** Zero bytes up to offset `at` (alignment padding). */
  async padTo(at: number): Promise<void> {
    if (this.pos < at) await this.put(Buffer.alloc(at - this.pos));
  }

  /** Checks the size, syncs and renames into place; returns the size and sha256 (hex). */
  async commit(expectedSize: number, what: string): Promise<{ size: number; sha256: string }> {
    if (this.pos !== expectedSize) throw new Error(`${what} is ${this.pos} bytes, expected ${expectedSize}`);
    const fh = this.fh!;
    await fh.sync();
    await fh.close();
    this.fh = undefined;
    await rename(this.tmp, this.dst);
    return { size: this.pos, sha256: this.hash.digest('hex') };
  }

  /** After a failure: closes and removes the temporary file (never throws). */
  async abort(): Promise<void> {
    await this.fh?.close().catch(() => undefined);
    this.fh = undefined;
    await unlink(this.tmp).catch(() => undefined);
  }
}
