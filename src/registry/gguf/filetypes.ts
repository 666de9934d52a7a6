/**
 * ggml tensor types (block size and bytes per block, from ggml's type traits) and the names
 * Ollama prints for tensor types and for `general.file_type` (llama.cpp's `llama_ftype`).
 */

export interface GGMLTypeInfo {
  readonly id: number;
  /** llama.cpp's upper-case name (F32, Q4_K, IQ2_XXS, …). */
  readonly name: string;
  /** Elements per block. */
  readonly blockSize: number;
  /** Bytes per block. */
  readonly typeSize: number;
}

// [id, name, elements per block, bytes per block]. Ids 4, 5 and 31–33, 36–38 were removed
// from ggml and are rejected by the reader.
const GGML_TYPES: ReadonlyArray<readonly [number, string, number, number]> = [
  [0, 'F32', 1, 4],
  [1, 'F16', 1, 2],
  [2, 'Q4_0', 32, 18],
  [3, 'Q4_1', 32, 20],
  [6, 'Q5_0', 32, 22],
  [7, 'Q5_1', 32, 24],
  [8, 'Q8_0', 32, 34],
  [9, 'Q8_1', 32, 36],
  [10, 'Q2_K', 256, 84],
  [11, 'Q3_K', 256, 110],
  [12, 'Q4_K', 256, 144],
  [13, 'Q5_K', 256, 176],
  [14, 'Q6_K', 256, 210],
  [15, 'Q8_K', 256, 292],
  [16, 'IQ2_XXS', 256, 66],
  [17, 'IQ2_XS', 256, 74],
  [18, 'IQ3_XXS', 256, 98],
  [19, 'IQ1_S', 256, 50],
  [20, 'IQ4_NL', 32, 18],
  [21, 'IQ3_S', 256, 110],
  [22, 'IQ2_S', 256, 82],
  [23, 'IQ4_XS', 256, 136],
  [24, 'I8', 1, 1],
  [25, 'I16', 1, 2],
  [26, 'I32', 1, 4],
  [27, 'I64', 1, 8],
  [28, 'F64', 1, 8],
  [29, 'IQ1_M', 256, 56],
  [30, 'BF16', 1, 2],
  [34, 'TQ1_0', 256, 54],
  [35, 'TQ2_0', 256, 66],
  [39, 'MXFP4', 32, 17],
  [40, 'NVFP4', 64, 36],
  [41, 'Q1_0', 128, 18],
  [42, 'Q2_0', 64, 18],
];

const BY_ID = new Map<number, GGMLTypeInfo>(
  GGML_TYPES.map(([id, name, blockSize, typeSize]) => [id, { id, name, blockSize, typeSize }]),
);
const BY_NAME = new Map<string, GGMLTypeInfo>([...BY_ID.values()].map((t) => [t.name, t]));

/** Type traits for a ggml type id, or undefined for unknown/removed ids. */
export function ggmlType(id: number): GGMLTypeInfo | undefined {
  return BY_ID.get(id);
}

/** Type traits by llama.cpp name (`Q8_0`, `F16`, …), or undefined. */
export function ggmlTypeByName(name: string): GGMLTypeInfo | undefined {
  return BY_NAME.get(name.toUpperCase());
}

// Tensor type names Ollama prints (fs/ggml TensorType.String): the types it supports, else
// `unknown`. Id 4 is an old MXFP4 alias in Ollama.
const OLLAMA_TENSOR_TYPE_NAMES = new Map<number, string>([
  [0, 'F32'], [1, 'F16'], [2, 'Q4_0'], [3, 'Q4_1'], [4, 'MXFP4'], [6, 'Q5_0'], [7, 'Q5_1'],
  [8, 'Q8_0'], [9, 'Q8_1'], [10, 'Q2_K'], [11, 'Q3_K'], [12, 'Q4_K'], [13, 'Q5_K'],
  [14, 'Q6_K'], [15, 'Q8_K'], [28, 'F64'], [30, 'BF16'], [39, 'MXFP4'],
]);

/** Ollama's name for a tensor's ggml type (`show -v` Tensors section); `unknown` otherwise. */
export function tensorTypeName(id: number): string {
  return OLLAMA_TENSOR_TYPE_NAMES.get(id) ?? 'unknown';
}

// Ollama's FileType.String (fs/ggml/type.go) — llama_ftype numbering, except that Ollama
// names 4 `MXFP4` and prints only the types it knows; every other value is `unknown`.
const FILE_TYPE_NAMES = new Map<number, string>([
  [0, 'F32'], [1, 'F16'], [2, 'Q4_0'], [3, 'Q4_1'], [4, 'MXFP4'], [7, 'Q8_0'], [8, 'Q5_0'],
  [9, 'Q5_1'], [10, 'Q2_K'], [11, 'Q3_K_S'], [12, 'Q3_K_M'], [13, 'Q3_K_L'], [14, 'Q4_K_S'],
  [15, 'Q4_K_M'], [16, 'Q5_K_S'], [17, 'Q5_K_M'], [18, 'Q6_K'], [21, 'Q2_K_S'], [32, 'BF16'],
]);

/**
 * Ollama's name for a `general.file_type` value: `F32`, `F16`, `Q4_0`, … `Q4_K_M`, `BF16`;
 * `unknown` for anything else (including the IQ types, which Ollama does not name).
 * Note: for a *file*, Ollama reports `unknown` when the value is 0 — see `fileTypeOfValue`.
 */
export function fileTypeName(n: number): string {
  return FILE_TYPE_NAMES.get(n) ?? 'unknown';
}

/**
 * The quantization Ollama reports for a file given its raw `general.file_type` value:
 * a missing, non-integer or zero value gives `unknown` (Ollama's KV.FileType only trusts > 0).
 */
export function fileTypeOfValue(v: unknown): string {
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return fileTypeName(v);
  return 'unknown';
}

/** Ollama's `general.file_type` number for a quantization name (inverse of fileTypeName). */
export function fileTypeId(name: string): number | undefined {
  for (const [id, n] of FILE_TYPE_NAMES) if (n === name) return id;
  return undefined;
}

/** Ollama's error for a `--quantize` it cannot produce. */
export class QuantizeTypeError extends Error {
  constructor(readonly requested: string) {
    super(`unsupported quantization type ${requested} - supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0`);
    this.name = 'QuantizeTypeError';
  }
}

/** The source file types Ollama quantizes from. */
export const QUANTIZE_SOURCE_TYPES: readonly string[] = ['F16', 'BF16', 'F32'];

/**
 * `create --quantize` names, as Ollama's ParseFileType reads them after upper-casing: F32, F16,
 * BF16, Q8_0, Q4_K_S, Q4_K_M and its alias Q4_K. Returns the canonical file-type name;
 * anything else is a QuantizeTypeError with Ollama's message.
 */
export function parseQuantizeType(input: string): string {
  const s = input.toUpperCase();
  switch (s) {
    case 'F32':
    case 'F16':
    case 'BF16':
    case 'Q8_0':
    case 'Q4_K_S':
    case 'Q4_K_M':
      return s;
    case 'Q4_K':
      return 'Q4_K_M';
    default:
      throw new QuantizeTypeError(s);
  }
}
