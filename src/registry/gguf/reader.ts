/**
 * GGUF (v2, v3; little-endian) header reader: metadata and tensor infos, never the weights.
 * Every count, length and offset is checked against the file size before anything is
 * allocated, so a hostile file costs at most one 64 KiB window plus what it really contains.
 */
import { constants as fsc } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { GGUFError, NOT_GGUF_MESSAGE } from './errors.js';
import { fileTypeOfValue, ggmlType, tensorTypeName } from './filetypes.js';
import { humanNumber } from './humannumber.js';
import { ByteSource } from './source.js';
import type { GGUFInfo, GGUFTensorInfo, GGUFValue, GGUFValueType, ReadGGUFOptions } from './types.js';
import { GGUFValueType as VT } from './types.js';
import { MAX_KEY_BYTES, readString, readValue } from './values.js';

const MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
const DEFAULT_ALIGNMENT = 32;
/** llama.cpp's GGML_MAX_DIMS and GGML_MAX_NAME. */
const MAX_DIMS = 4;
const MAX_TENSOR_NAME = 63;
/** Minimum encoded size of one kv (key length + type + 1 byte) and one tensor info. */
const MIN_KV_BYTES = 8 + 4 + 1;
const MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;
const INT64_MAX = (1n << 63n) - 1n;

/** Opens without blocking on FIFOs and refuses anything but a regular file. */
async function openRegularFile(path: string): Promise<{ fh: FileHandle; size: number }> {
  let fh: FileHandle;
  try {
    fh = await open(path, fsc.O_RDONLY | (fsc.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new GGUFError('not_a_file', NOT_GGUF_MESSAGE);
    throw new GGUFError('io', `could not open GGUF file: ${code ?? (err as Error).message}`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new GGUFError('not_a_file', NOT_GGUF_MESSAGE);
    return { fh, size: st.size };
  } catch (err) {
    await fh.close().catch(() => undefined);
    if (err instanceof GGUFError) throw err;
    throw new GGUFError('io', `could not read GGUF file: ${(err as Error).message}`);
  }
}

/** True when `path` is a regular file starting with the GGUF magic. Never throws. */
export async function isGGUFFile(path: string): Promise<boolean> {
  let fh: FileHandle | undefined;
  try {
    const opened = await openRegularFile(path);
    fh = opened.fh;
    if (opened.size < 4) return false;
    const b = Buffer.alloc(4);
    const { bytesRead } = await fh.read(b, 0, 4, 0);
    return bytesRead === 4 && b.readUInt32LE(0) === MAGIC;
  } catch {
    return false;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** Reads a GGUF file's header. Throws GGUFError (status 400) for anything malformed. */
export async function readGGUF(path: string, opts: ReadGGUFOptions = {}): Promise<GGUFInfo> {
  const { fh, size } = await openRegularFile(path);
  try {
    return await parse(new ByteSource(fh, size), opts);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

async function parse(src: ByteSource, opts: ReadGGUFOptions): Promise<GGUFInfo> {
  const maxArrayValues = opts.verbose ? Number.MAX_SAFE_INTEGER : (opts.maxArrayValues ?? 64);

  if (src.size < 4) throw new GGUFError('not_gguf', NOT_GGUF_MESSAGE);
  const magic = await src.u32('magic');
  if (magic !== MAGIC) throw new GGUFError('not_gguf', NOT_GGUF_MESSAGE);

  const version = await src.u32('version');
  if (version !== 2 && version !== 3) {
    if (version === 0x02000000 || version === 0x03000000) {
      throw new GGUFError('big_endian', 'big-endian GGUF files are not supported');
    }
    throw new GGUFError('unsupported_version', `unsupported GGUF version ${version} (only versions 2 and 3 are supported)`);
  }

  const tensorCount = await src.u64('tensor count');
  const kvCount = await src.u64('metadata count');
  if (kvCount * BigInt(MIN_KV_BYTES) > BigInt(src.remaining)) {
    throw new GGUFError('too_many_kv', `invalid GGUF file: ${kvCount} metadata entries cannot fit in a ${src.size}-byte file`);
  }
  if (tensorCount * BigInt(MIN_TENSOR_INFO_BYTES) > BigInt(src.remaining)) {
    throw new GGUFError('too_many_tensors', `invalid GGUF file: ${tensorCount} tensors cannot fit in a ${src.size}-byte file`);
  }

  // Metadata.
  const metadata = new Map<string, GGUFValue>();
  const metadataTypes = new Map<string, GGUFValueType>();
  const nkv = Number(kvCount);
  for (let i = 0; i < nkv; i++) {
    const key = await readString(src, `metadata key #${i}`, MAX_KEY_BYTES);
    if (metadata.has(key)) {
      throw new GGUFError('duplicate_key', `invalid GGUF file: duplicate metadata key ${JSON.stringify(key)}`);
    }
    const type = await src.u32(`type of ${JSON.stringify(key)}`);
    const start = src.pos;
    const value = await readValue(src, type, `value of ${JSON.stringify(key)}`, opts.keepArrays?.includes(key) ? Number.MAX_SAFE_INTEGER : maxArrayValues);
    opts.onValue?.(key, type as GGUFValueType, start, src.pos);
    metadata.set(key, value);
    metadataTypes.set(key, type as GGUFValueType);
  }

  let alignment = DEFAULT_ALIGNMENT;
  if (metadata.has('general.alignment')) {
    const a = metadata.get('general.alignment');
    if (metadataTypes.get('general.alignment') !== VT.UINT32 || typeof a !== 'number' || a <= 0 || (a & (a - 1)) !== 0) {
      throw new GGUFError('bad_alignment', `invalid GGUF file: general.alignment must be a non-zero power of two, got ${String(a)}`);
    }
    alignment = a;
  }

  // Tensor infos.
  const raw: Array<{ name: string; dims: number[]; type: number; offset: bigint; size: bigint; elements: bigint }> = [];
  const names = new Set<string>();
  const nt = Number(tensorCount);
  for (let i = 0; i < nt; i++) {
    const name = await readString(src, `tensor #${i} name`, MAX_KEY_BYTES);
    if (name.length === 0 || Buffer.byteLength(name) > MAX_TENSOR_NAME) {
      throw new GGUFError('bad_tensor_name', `invalid GGUF file: tensor #${i} has an empty or over-long name (limit ${MAX_TENSOR_NAME} bytes)`);
    }
    if (names.has(name)) throw new GGUFError('bad_tensor_name', `invalid GGUF file: duplicate tensor ${JSON.stringify(name)}`);
    names.add(name);
    const q = JSON.stringify(name);

    const ndims = await src.u32(`tensor ${q} dimension count`);
    if (ndims < 1 || ndims > MAX_DIMS) {
      throw new GGUFError('bad_tensor_dims', `invalid GGUF file: tensor ${q} has ${ndims} dimensions (must be 1 to ${MAX_DIMS})`);
    }
    const dims: bigint[] = [];
    let elements = 1n;
    for (let d = 0; d < ndims; d++) {
      const v = await src.u64(`tensor ${q} dimension`);
      if (v === 0n || v > INT64_MAX) {
        throw new GGUFError('bad_tensor_dims', `invalid GGUF file: tensor ${q} has an invalid dimension ${v}`);
      }
      elements *= v;
      if (elements > INT64_MAX) {
        throw new GGUFError('bad_tensor_dims', `invalid GGUF file: tensor ${q} dimensions overflow`);
      }
      dims.push(v);
    }
    const type = await src.u32(`tensor ${q} type`);
    const traits = ggmlType(type);
    if (!traits) throw new GGUFError('bad_tensor_type', `invalid GGUF file: tensor ${q} has unknown type ${type}`);
    if (dims[0]! % BigInt(traits.blockSize) !== 0n) {
      throw new GGUFError(
        'bad_tensor_dims',
        `invalid GGUF file: tensor ${q} has ${dims[0]} columns, not a multiple of the ${traits.name} block size ${traits.blockSize}`,
      );
    }
    const offset = await src.u64(`tensor ${q} offset`);
    if (offset % BigInt(alignment) !== 0n) {
      throw new GGUFError('bad_tensor_offset', `invalid GGUF file: tensor ${q} offset ${offset} is not aligned to ${alignment}`);
    }
    const size = (elements / BigInt(traits.blockSize)) * BigInt(traits.typeSize);
    // Bounded already by the file size below; checked here too so numbers stay exact.
    if (size > BigInt(src.size) || offset > BigInt(src.size)) {
      throw new GGUFError('bad_tensor_offset', `invalid GGUF file: tensor ${q} extends past the end of the file`);
    }
    raw.push({ name, dims: dims.map(Number), type, offset, size, elements });
  }

  const headerEnd = src.pos;
  // Tensor data starts at the next multiple of the alignment (it may lie past the end of a
  // file with no tensors, which is fine: nothing is read there).
  const dataOffset = headerEnd + ((alignment - (headerEnd % alignment)) % alignment);
  const tensors: GGUFTensorInfo[] = [];
  for (const t of raw) {
    const end = BigInt(dataOffset) + t.offset + t.size;
    if (end > BigInt(src.size)) {
      throw new GGUFError(
        'bad_tensor_offset',
        `invalid GGUF file: tensor ${JSON.stringify(t.name)} (offset ${t.offset}, ${t.size} bytes) extends past the end of the file`,
      );
    }
    tensors.push({
      name: t.name,
      dims: t.dims,
      type: t.type,
      typeName: tensorTypeName(t.type),
      offset: Number(t.offset),
      fileOffset: dataOffset + Number(t.offset),
      size: Number(t.size),
      elements: Number(t.elements),
    });
  }
  checkOverlaps(tensors);

  return derive({ version, fileSize: src.size, alignment, dataOffset, metadata, metadataTypes, tensors });
}

function checkOverlaps(tensors: GGUFTensorInfo[]): void {
  const sorted = [...tensors].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (prev.offset + prev.size > cur.offset) {
      throw new GGUFError(
        'bad_tensor_offset',
        `invalid GGUF file: tensors ${JSON.stringify(prev.name)} and ${JSON.stringify(cur.name)} overlap`,
      );
    }
  }
}

type Base = Pick<GGUFInfo, 'version' | 'fileSize' | 'alignment' | 'dataOffset' | 'metadata' | 'metadataTypes' | 'tensors'>;

function derive(b: Base): GGUFInfo {
  const str = (k: string): string | undefined => {
    const v = b.metadata.get(k);
    return typeof v === 'string' ? v : undefined;
  };
  const num = (k: string): number | undefined => {
    const v = b.metadata.get(k);
    return typeof v === 'number' ? v : undefined;
  };
  const architecture = str('general.architecture') ?? '';
  let parameterCount = 0;
  for (const t of b.tensors) parameterCount += t.elements;
  const ft = b.metadata.get('general.file_type');
  return {
    ...b,
    architecture,
    parameterCount,
    parameterSize: humanNumber(parameterCount),
    fileTypeId: typeof ft === 'number' && Number.isInteger(ft) ? ft : undefined,
    fileType: fileTypeOfValue(ft),
    contextLength: architecture ? num(`${architecture}.context_length`) : undefined,
    embeddingLength: architecture ? num(`${architecture}.embedding_length`) : undefined,
    chatTemplate: str('tokenizer.chat_template'),
    generalType: str('general.type'),
    hasPoolingType: architecture !== '' && b.metadata.has(`${architecture}.pooling_type`),
  };
}
