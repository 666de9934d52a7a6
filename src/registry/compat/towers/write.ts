/**
 * Writes a projector file from a tower plan: the encoded header, then each tensor's bytes (plain
 * copies streamed 8 MiB at a time; conversions one tensor at a time — tower tensors are at most
 * tens of MiB). Written to a temporary name, synced and renamed, as the text translation is.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { encodeRawHeader, readRawHeader, type RawTensor } from '../../gguf/rawheader.js';
import { GGML_F32, f32Bytes, halfToFloat, toF32 } from './floats.js';
import { planTower } from './families.js';
import { DerivedOutput } from '../output.js';
import type { TowerPlan, TowerTensor } from './tower.js';

const CHUNK = 8 * 1024 * 1024;

export interface TowerResult {
  family: string;
  projector: string;
  changes: string[];
  size: number;
  sha256: string;
}

async function readAt(fh: FileHandle, at: number, len: number, what: string): Promise<Buffer> {
  const b = Buffer.allocUnsafe(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(b, got, len - got, at + got);
    if (bytesRead === 0) throw new Error(`the model file ended inside tensor ${what}`);
    got += bytesRead;
  }
  return b;
}

const elements = (t: Pick<RawTensor, 'dims'>): number => t.dims.reduce((a, b) => a * b, 1);

/** The bytes of a converted tensor (not used for plain copies). */
async function converted(fh: FileHandle, t: TowerTensor): Promise<Buffer> {
  const s = t.source;
  switch (s.kind) {
    case 'zeros':
      return Buffer.alloc(t.size);
    case 'to-f32': {
      const src = await readAt(fh, s.from.sourceOffset, s.from.size, s.from.name);
      return f32Bytes(toF32(src, s.from.type, elements(s.from), s.from.name));
    }
    case 'rows': {
      const src = await readAt(fh, s.from.sourceOffset, s.from.size, s.from.name);
      const rowBytes = s.from.size / s.perm.length;
      const out = Buffer.allocUnsafe(t.size);
      s.perm.forEach((from, i) => src.copy(out, i * rowBytes, from * rowBytes, (from + 1) * rowBytes));
      return out;
    }
    case 'row-f32': {
      const rowBytes = s.from.size / (s.from.dims[1] ?? 1);
      const src = await readAt(fh, s.from.sourceOffset + s.row * rowBytes, rowBytes, s.from.name);
      return f32Bytes(toF32(src, s.from.type, s.from.dims[0]!, s.from.name));
    }
    case 'concat-f32': {
      const parts: Buffer[] = [];
      for (const p of s.parts) {
        const src = await readAt(fh, p.sourceOffset, p.size, p.name);
        parts.push(p.type === GGML_F32 ? src : f32Bytes(toF32(src, p.type, elements(p), p.name)));
      }
      return Buffer.concat(parts);
    }
    case 'concat': {
      const parts: Buffer[] = [];
      for (const p of s.parts) parts.push(await readAt(fh, p.sourceOffset, p.size, p.name));
      return Buffer.concat(parts);
    }
    case 'patch-slice': {
      const src = await readAt(fh, s.from.sourceOffset, s.from.size, s.from.name);
      const [w, h, frames, packed] = s.from.dims as [number, number, number, number];
      const hw = w * h;
      const out = Buffer.allocUnsafe(t.size);
      for (let p = 0; p < packed; p++) {
        // packed index p = c_out · channels + c_in; the output keeps [.., c_in, c_out] order.
        const cOut = Math.floor(p / s.channels);
        const cIn = p % s.channels;
        const from = hw * (s.slice + frames * p);
        const to = hw * (cIn + s.channels * cOut);
        for (let i = 0; i < hw; i++) out.writeFloatLE(halfToFloat(src.readUInt16LE(2 * (from + i))), 4 * (to + i));
      }
      return out;
    }
    case 'bytes':
      return readAt(fh, s.from.sourceOffset + s.offset, s.length, s.from.name);
    case 'copy':
      throw new Error('copies are streamed');
  }
}

/** Writes `plan` (built from `src`) to `dst` atomically. */
export async function writeTower(src: string, plan: TowerPlan, dst: string, signal?: AbortSignal): Promise<TowerResult> {
  const enc = encodeRawHeader({
    version: 3,
    alignment: plan.alignment,
    kvs: plan.kvs,
    tensors: plan.tensors.map((t) => ({ name: t.name, dims: t.dims, type: t.type, size: t.size, sourceOffset: 0 })),
  });
  let input: FileHandle | undefined;
  let output: DerivedOutput | undefined;
  try {
    input = await open(src, 'r');
    output = await DerivedOutput.create(dst);
    const put = output.put.bind(output);
    await put(enc.header);
    for (let i = 0; i < plan.tensors.length; i++) {
      signal?.throwIfAborted();
      const t = plan.tensors[i]!;
      const at = enc.header.length + enc.offsets[i]!;
      await output.padTo(at);
      if (t.source.kind === 'copy') {
        const from = t.source.from;
        for (let done = 0; done < t.size; done += CHUNK) await put(await readAt(input, from.sourceOffset + done, Math.min(CHUNK, t.size - done), from.name));
      } else {
        const b = await converted(input, t);
        if (b.length !== t.size) throw new Error(`vision tensor ${t.name}: built ${b.length} bytes, expected ${t.size}`);
        await put(b);
      }
    }
    const { size, sha256 } = await output.commit(enc.totalSize, 'projector file');
    return { family: plan.family, projector: plan.projector, changes: plan.changes, size, sha256 };
  } catch (err) {
    await output?.abort();
    throw err;
  } finally {
    await input?.close().catch(() => undefined);
  }
}

/**
 * Writes the projector file for the vision tower embedded in `src` to `dst`. Returns null,
 * writing nothing, when the file has no tower a handler recognises.
 */
export async function translateTower(src: string, dst: string, signal?: AbortSignal): Promise<TowerResult | null> {
  const plan = planTower(await readRawHeader(src));
  if (!plan) return null;
  return writeTower(src, plan, dst, signal);
}
