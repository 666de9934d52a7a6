/**
 * Translation of a published GGUF into llama.cpp's layout as a new file: the header is edited
 * by the family handler, then re-encoded, and each kept tensor's bytes are copied from the
 * source in order (8 MiB at a time, the next read overlapping the current write, so memory
 * stays flat whatever the model's size). The file
 * is written to a temporary name, synced, and renamed into place: a reader never sees half a
 * file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { encodeRawHeader, readRawHeader, type RawHeader } from '../gguf/rawheader.js';
import { HeaderEdit, type EditTensor } from './edit.js';
import { applyFamilies, type Family } from './families.js';
import { DerivedOutput } from './output.js';

/** Bumped whenever a handler's output changes: derived files of older versions are rebuilt. */
export const TRANSLATOR_VERSION = 1;

const CHUNK = 8 * 1024 * 1024;

interface Chunk {
  from: number;
  len: number;
  /** Where the chunk's (mapped) bytes go in the output. */
  at: number;
  name: string;
  map?: (b: Buffer) => Buffer;
}

function elementBytes(type: number): number {
  return type === 0 ? 4 : 2;
}
function sourceSize(t: EditTensor): number {
  return t.dims.reduce((a, b) => a * b, 1) * elementBytes(t.transform!.fromType);
}
/** Source F32 / F16 / BF16 values → F32 values + 1. */
function addOne(fromType: number): (b: Buffer) => Buffer {
  return (b) => {
    const n = b.length / elementBytes(fromType);
    const out = Buffer.allocUnsafe(n * 4);
    for (let i = 0; i < n; i++) {
      const v = fromType === 0 ? b.readFloatLE(4 * i) : fromType === 1 ? halfToFloat(b.readUInt16LE(2 * i)) : bf16ToFloat(b.readUInt16LE(2 * i));
      out.writeFloatLE(v + 1, 4 * i);
    }
    return out;
  };
}
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}
function bf16ToFloat(h: number): number {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(h << 16 >>> 0);
  return b.readFloatLE(0);
}

export interface TranslationPlan {
  family: Family;
  changes: string[];
  edit: HeaderEdit;
}

/** What the file needs, or null when it is already in llama.cpp's layout (or not a model we know). */
export async function planTranslation(source: string | RawHeader): Promise<TranslationPlan | null> {
  const raw = typeof source === 'string' ? await readRawHeader(source) : source;
  const edit = new HeaderEdit(raw);
  const family = applyFamilies(edit);
  if (!family) return null;
  return { family, changes: edit.changes, edit };
}

export interface TranslateResult {
  family: string;
  changes: string[];
  size: number;
  /** sha256 of the written file, hex. */
  sha256: string;
}

/**
 * Writes the translation of `src` to `dst` (atomically). Returns null, writing nothing, when
 * the file needs no translation. Throws GGUFError / CompatError (status 400) for bad files.
 */
export async function translateGGUF(src: string, dst: string, signal?: AbortSignal): Promise<TranslateResult | null> {
  const plan = await planTranslation(src);
  if (!plan) return null;
  const { edit } = plan;
  const enc = encodeRawHeader({ version: 3, alignment: edit.source.alignment, kvs: edit.kvs, tensors: edit.tensors });
  let input: FileHandle | undefined;
  let output: DerivedOutput | undefined;
  try {
    input = await open(src, 'r');
    output = await DerivedOutput.create(dst);
    const put = output.put.bind(output);
    await put(enc.header);
    // Reads run one chunk ahead of writes (two buffers), so the disk reads and writes overlap.
    // A tensor's data is its source range, or the pieces of a fused tensor, or a transform.
    const chunks: Chunk[] = [];
    for (let i = 0; i < edit.tensors.length; i++) {
      const t = edit.tensors[i]!;
      let at = enc.header.length + enc.offsets[i]!;
      const pieces = t.pieces ?? [{ offset: t.sourceOffset, size: t.transform ? sourceSize(t) : t.size }];
      for (const p of pieces) {
        for (let done = 0; done < p.size; done += CHUNK) {
          const len = Math.min(CHUNK, p.size - done);
          const map = t.transform ? addOne(t.transform.fromType) : undefined;
          chunks.push({ from: p.offset + done, len, at, name: t.name, map });
          at += map ? (len / elementBytes(t.transform!.fromType)) * 4 : len;
        }
      }
    }
    const bufs = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
    const readChunk = async (k: number): Promise<Buffer> => {
      const c = chunks[k]!;
      const b = bufs[k % 2]!;
      let got = 0;
      while (got < c.len) {
        const { bytesRead } = await input!.read(b, got, c.len - got, c.from + got);
        if (bytesRead === 0) throw new Error(`the model file ended inside tensor ${c.name}`);
        got += bytesRead;
      }
      return b.subarray(0, c.len);
    };
    let next = chunks.length ? readChunk(0) : null;
    for (let k = 0; k < chunks.length; k++) {
      signal?.throwIfAborted();
      const data = await next!;
      next = k + 1 < chunks.length ? readChunk(k + 1) : null;
      next?.catch(() => undefined); // awaited next round; never an unhandled rejection
      const c = chunks[k]!;
      await output.padTo(c.at);
      await put(c.map ? c.map(data) : data);
    }
    const { size, sha256 } = await output.commit(enc.totalSize, 'translated file');
    return { family: plan.family.name, changes: plan.changes, size, sha256 };
  } catch (err) {
    await output?.abort();
    throw err;
  } finally {
    await input?.close().catch(() => undefined);
  }
}
