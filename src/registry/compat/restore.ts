/**
 * `create --quantize` of a published file that embeds towers (Ollama 0.33's
 * server/quantization.go): llama-quantize works on the translated text model, then the stored
 * file gets the published metadata back (with the new file type), the quantized text tensors,
 * and the embedded tower / MTP tensors copied unchanged from the original. It stays in the
 * published layout, so loading it translates it again, as Ollama's load-time layer does.
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { encodeRawHeader, rawScalar, readRawHeader, type RawHeader, type RawKV } from '../gguf/rawheader.js';
import { planTranslation } from './translate.js';

/** Tensors Ollama keeps out of llama-quantize and copies back (isEmbeddedCompatibilityTensor). */
export const EMBEDDED_PREFIXES = ['a.', 'mm.', 'mtp.', 's.', 'v.'] as const;

export const isEmbedded = (name: string): boolean => EMBEDDED_PREFIXES.some((p) => name.startsWith(p));

/**
 * Whether quantizing this file needs the translate → quantize → restore path: a published
 * layout the translator recognises, with embedded tensors. (A text-only published file is
 * quantized as is, as Ollama does with its compatibility layer off.)
 */
export async function needsCompatQuantize(file: string): Promise<boolean> {
  const raw = await readRawHeader(file);
  if (!raw.tensors.some((t) => isEmbedded(t.name))) return false;
  return (await planTranslation(raw)) !== null;
}

const CHUNK = 8 * 1024 * 1024;

/**
 * Writes `out`: the original's metadata (general.file_type from the quantized file), the
 * quantized file's tensors, then the original's embedded tensors the quantized file lacks.
 */
export async function restoreEmbedded(original: string, quantized: string, out: string): Promise<void> {
  const orig = await readRawHeader(original);
  const q = await readRawHeader(quantized);
  const fileType = q.kvs.find((kv) => kv.key === 'general.file_type');
  const kvs: RawKV[] = orig.kvs.filter((kv) => kv.key !== 'general.file_type' && kv.key !== 'general.alignment');
  if (fileType) kvs.splice(Math.min(kvs.length, 1), 0, fileType);
  const present = new Set(q.tensors.map((t) => t.name));
  // Blocks the translation added (qwen3.5's MTP layers) go: their originals are restored below.
  const arch = orig.kvs.find((kv) => kv.key === 'general.architecture');
  const blocksKV = arch ? orig.kvs.find((kv) => kv.key === `${rawScalar(arch)}.block_count`) : undefined;
  const blocks = blocksKV ? Number(rawScalar(blocksKV)) : Infinity;
  const added = (name: string): boolean => {
    const m = /^blk\.(\d+)\./.exec(name);
    return !!m && Number(m[1]) >= blocks;
  };
  const parts: Array<{ from: RawHeader; t: RawHeader['tensors'][number] }> = [
    ...q.tensors.filter((t) => !isEmbedded(t.name) && !added(t.name)).map((t) => ({ from: q, t })),
    ...orig.tensors.filter((t) => isEmbedded(t.name) && !present.has(t.name)).map((t) => ({ from: orig, t })),
  ];
  const enc = encodeRawHeader({ version: 3, alignment: 32, kvs, tensors: parts.map((p) => p.t) });
  const tmp = `${out}.restore.tmp`;
  let fo: FileHandle | undefined;
  const inputs = new Map<RawHeader, FileHandle>();
  try {
    inputs.set(orig, await open(original, 'r'));
    inputs.set(q, await open(quantized, 'r'));
    fo = await open(tmp, 'w', 0o644);
    await fo.write(enc.header, 0, enc.header.length, 0);
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let i = 0; i < parts.length; i++) {
      const { from, t } = parts[i]!;
      const fin = inputs.get(from)!;
      const at = enc.header.length + enc.offsets[i]!;
      for (let done = 0; done < t.size; ) {
        const len = Math.min(CHUNK, t.size - done);
        const { bytesRead } = await fin.read(buf, 0, len, t.sourceOffset + done);
        if (bytesRead === 0) throw new Error(`the model file ended inside tensor ${t.name}`);
        await fo.write(buf, 0, bytesRead, at + done);
        done += bytesRead;
      }
    }
    // The last tensor's padding is not part of the file; make the size exact.
    await fo.truncate(enc.totalSize);
    await fo.sync();
    await fo.close();
    fo = undefined;
    await rename(tmp, out);
  } catch (err) {
    await fo?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  } finally {
    for (const f of inputs.values()) await f.close().catch(() => undefined);
  }
}
