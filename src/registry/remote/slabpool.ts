/**
 * Reusable receive slabs for one download. The socket reads into a slab (fastget.ts), the
 * bytes travel on as views of it to the disk write and to the hash thread, and the slab comes
 * back for the next reads once every holder has let go. Two costs go away with it: fresh
 * memory per 4 MiB (page faults and garbage collection of ~256 slabs per GiB inside the
 * receive loop), and reading every byte back from the page cache to hash it, since the slabs
 * are SharedArrayBuffers the hash thread reads in place.
 *
 * Every holder counts: `take()` hands out a slab held once, `retain(view)` / `release(view)`
 * add and drop a hold on the slab under a view. A view that is never released (an error path
 * dropping its bytes) only means its slab is left to the garbage collector. `takeAligned()`
 * hands out the same slabs as page-aligned views, for O_DIRECT writes (directwrite.ts).
 */

/** Bytes per slab. */
export const SLAB_BYTES = 4 * 1024 * 1024;
/** Free slabs kept for reuse; more are left to the garbage collector. */
const KEEP_FREE = 12;
/** Memory alignment of the views `takeAligned()` hands out (O_DIRECT wants the page size). */
export const ALIGN = 4096;

export class SlabPool {
  private readonly free: SharedArrayBuffer[] = [];
  private readonly holds = new WeakMap<ArrayBufferLike, number>();
  /** Per slab, where in it memory is ALIGN-aligned (-1: not found), once asked. */
  private readonly alignedAt = new WeakMap<SharedArrayBuffer, number>();

  constructor(readonly slabBytes = SLAB_BYTES) {
    if (!Number.isSafeInteger(slabBytes) || slabBytes <= 0) throw new RangeError(`slab size must be a positive integer, not ${slabBytes}`);
  }

  /** A slab (free or new), held once by the caller. */
  take(): Buffer {
    const sab = this.grab();
    this.holds.set(sab, 1);
    return Buffer.from(sab, 0, this.slabBytes);
  }

  /**
   * A slab's `slabBytes` as a view starting at an ALIGN-aligned address, held once by the
   * caller, or null when `findAligned` cannot tell where that is. JavaScript cannot see
   * addresses, so `findAligned(sab)` answers (it probes, e.g. with an O_DIRECT read, and
   * returns the offset of an aligned address in `sab`, or null); asked once per slab.
   */
  takeAligned(findAligned: (sab: SharedArrayBuffer) => number | null): Buffer | null {
    const sab = this.grab();
    let at = this.alignedAt.get(sab);
    if (at === undefined) {
      at = findAligned(sab) ?? -1;
      if (at < 0 || at + this.slabBytes > sab.byteLength) at = -1;
      this.alignedAt.set(sab, at);
    }
    if (at < 0) {
      if (this.free.length < KEEP_FREE) this.free.push(sab);
      return null;
    }
    this.holds.set(sab, 1);
    return Buffer.from(sab, at, this.slabBytes);
  }

  /** A free slab or a new one, with room for an aligned view of `slabBytes`. */
  private grab(): SharedArrayBuffer {
    return this.free.pop() ?? new SharedArrayBuffer(this.slabBytes + ALIGN);
  }

  /** Whether `view` lies in a slab of this pool that is held. */
  owns(view: Uint8Array): boolean {
    return (this.holds.get(view.buffer) ?? 0) > 0;
  }

  /** One more hold on the slab under `view` (ignored for memory not from this pool). */
  retain(view: Uint8Array): void {
    const n = this.holds.get(view.buffer);
    if (n) this.holds.set(view.buffer, n + 1);
  }

  /** Drops one hold on the slab under `view`; the last one frees the slab for reuse. */
  release(view: Uint8Array): void {
    const n = this.holds.get(view.buffer);
    if (!n) return;
    if (n > 1) return void this.holds.set(view.buffer, n - 1);
    this.holds.set(view.buffer, 0);
    if (this.free.length < KEEP_FREE) this.free.push(view.buffer as SharedArrayBuffer);
  }

  /** Free slabs waiting for reuse (for tests). */
  get freeCount(): number {
    return this.free.length;
  }
}
