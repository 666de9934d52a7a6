/**
 * Malformed GGUF files: the fuzz/regression corpus of peers.md §3 (CVE-2024-39720,
 * CVE-2024-12055, CVE-2025-0312/0315/0317, CVE-2026-7482 …). Each is tiny on disk but claims
 * huge sizes where a careless reader would allocate or read them.
 */
import { writeFile } from 'node:fs/promises';
import { Bytes, GGUFValueType as VT, u32, writeKV } from './writer.js';

export const BROKEN_KINDS = [
  'magic-only',
  'truncated-header',
  'truncated-kv',
  'huge-string',
  'huge-key',
  'huge-array',
  'huge-tensor-count',
  'huge-kv-count',
  'alignment-0',
  'alignment-3',
  'alignment-huge',
  'alignment-wrong-type',
  'tensor-past-eof',
  'tensor-offset-overflow',
  'zero-dim',
  'overflow-dims',
  'too-many-dims',
  'misaligned-offset',
  'overlapping-tensors',
  'duplicate-tensor',
  'unknown-value-type',
  'unknown-array-type',
  'nested-array',
  'duplicate-key',
  'unknown-tensor-type',
  'removed-tensor-type',
  'bad-version',
  'version-1',
  'big-endian',
  'not-gguf',
  'empty',
] as const;
export type BrokenKind = (typeof BROKEN_KINDS)[number];

function header(b: Bytes, tensors: number | bigint, kvs: number | bigint, version = 3): Bytes {
  return b.raw('GGUF').u32(version).u64(tensors).u64(kvs);
}

/** One tensor info (F32 by default) at data offset `offset`. */
function tensor(b: Bytes, name: string, dims: Array<number | bigint>, type = 0, offset: number | bigint = 0): Bytes {
  b.str(name).u32(dims.length);
  for (const d of dims) b.u64(d);
  return b.u32(type).u64(offset);
}

const alignTo = (b: Bytes, a = 32): Bytes => b.zeros((a - (b.length % a)) % a);

/** A small valid-looking file with one 8x8 F32 tensor and optional extra kvs. */
function withTensor(dims: Array<number | bigint>, type = 0, offset: number | bigint = 0, dataBytes = 256): Buffer {
  const b = header(new Bytes(), 1, 1);
  writeKV(b, 'general.architecture', 'llama');
  tensor(b, 'token_embd.weight', dims, type, offset);
  return alignTo(b).zeros(dataBytes).toBuffer();
}

export function brokenGGUFBytes(kind: BrokenKind): Buffer {
  const B = (): Bytes => new Bytes();
  switch (kind) {
    case 'magic-only':
      return B().raw('GGUF').toBuffer();
    case 'truncated-header':
      return B().raw('GGUF').u32(3).u32(0).toBuffer();
    case 'truncated-kv': {
      const b = header(B(), 0, 2);
      writeKV(b, 'general.architecture', 'llama');
      return b.str('general.name').u32(VT.STRING).u64(10).raw('abc').toBuffer();
    }
    case 'huge-string':
      return header(B(), 0, 1).str('general.name').u32(VT.STRING).u64(1n << 62n).raw('tiny').toBuffer();
    case 'huge-key':
      return header(B(), 0, 1).u64(0xffffffffffffn).raw('general.name').toBuffer();
    case 'huge-array':
      return header(B(), 0, 1).str('tokenizer.ggml.tokens').u32(VT.ARRAY).u32(VT.STRING).u64(1n << 60n).str('a').toBuffer();
    case 'huge-tensor-count':
      return header(B(), 1n << 63n, 0).zeros(64).toBuffer();
    case 'huge-kv-count':
      return header(B(), 0, 1n << 63n).zeros(64).toBuffer();
    case 'alignment-0':
    case 'alignment-3':
    case 'alignment-huge': {
      const a = kind === 'alignment-0' ? 0 : kind === 'alignment-3' ? 3 : 2 ** 31;
      const b = header(B(), 1, 1);
      writeKV(b, 'general.alignment', u32(a));
      tensor(b, 't.weight', [8], 0, 0);
      return b.zeros(64).toBuffer();
    }
    case 'alignment-wrong-type': {
      const b = header(B(), 0, 1);
      writeKV(b, 'general.alignment', 'thirty-two');
      return b.toBuffer();
    }
    case 'tensor-past-eof':
      return withTensor([64, 64], 0, 0, 256); // 16 KiB claimed, 256 bytes present
    case 'tensor-offset-overflow':
      return withTensor([8], 0, (1n << 64n) - 32n);
    case 'zero-dim':
      return withTensor([0, 256]);
    case 'overflow-dims':
      return withTensor([1n << 32n, 1n << 32n, 1n << 32n]);
    case 'too-many-dims':
      return withTensor([1, 1, 1, 1, 1]);
    case 'misaligned-offset':
      return withTensor([8], 0, 4);
    case 'overlapping-tensors':
    case 'duplicate-tensor': {
      const b = header(B(), 2, 0);
      tensor(b, 'a.weight', [16], 0, 0);
      tensor(b, kind === 'duplicate-tensor' ? 'a.weight' : 'b.weight', [16], 0, 32);
      return alignTo(b).zeros(256).toBuffer();
    }
    case 'unknown-value-type':
      return header(B(), 0, 1).str('general.name').u32(99).u64(0).zeros(16).toBuffer();
    case 'unknown-array-type':
      return header(B(), 0, 1).str('general.tags').u32(VT.ARRAY).u32(77).u64(1).zeros(16).toBuffer();
    case 'nested-array':
      return header(B(), 0, 1).str('general.tags').u32(VT.ARRAY).u32(VT.ARRAY).u64(1).zeros(32).toBuffer();
    case 'duplicate-key': {
      const b = header(B(), 0, 2);
      writeKV(b, 'general.architecture', 'llama');
      writeKV(b, 'general.architecture', 'qwen2');
      return b.toBuffer();
    }
    case 'unknown-tensor-type':
      return withTensor([8], 99);
    case 'removed-tensor-type':
      return withTensor([32], 4); // Q4_2, removed from ggml
    case 'bad-version':
      return header(B(), 0, 0, 99).toBuffer();
    case 'version-1':
      return B().raw('GGUF').u32(1).u32(0).u32(0).toBuffer();
    case 'big-endian':
      return B().raw('GGUF').raw(Buffer.from([0, 0, 0, 3])).zeros(16).toBuffer();
    case 'not-gguf':
      return Buffer.from('FROM llama3.2\nSYSTEM """this is a Modelfile, not a model"""\n');
    case 'empty':
      return Buffer.alloc(0);
  }
}

/** Writes the broken variant `kind` to `path`. */
export async function writeBrokenGGUF(path: string, kind: BrokenKind): Promise<void> {
  await writeFile(path, brokenGGUFBytes(kind));
}
