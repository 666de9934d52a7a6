/** GGUF value types and the shapes the reader returns. */

/** GGUF metadata value types (gguf.md; the numbering is part of the file format). */
export enum GGUFValueType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

/**
 * Fixed byte size of a scalar value type; strings are variable (8-byte length + bytes) and
 * arrays are variable, so they map to their *minimum* encoded size, used for bounds checks.
 */
export const VALUE_TYPE_MIN_SIZE: Readonly<Record<GGUFValueType, number>> = {
  [GGUFValueType.UINT8]: 1,
  [GGUFValueType.INT8]: 1,
  [GGUFValueType.UINT16]: 2,
  [GGUFValueType.INT16]: 2,
  [GGUFValueType.UINT32]: 4,
  [GGUFValueType.INT32]: 4,
  [GGUFValueType.FLOAT32]: 4,
  [GGUFValueType.BOOL]: 1,
  [GGUFValueType.STRING]: 8,
  [GGUFValueType.ARRAY]: 12,
  [GGUFValueType.UINT64]: 8,
  [GGUFValueType.INT64]: 8,
  [GGUFValueType.FLOAT64]: 8,
};

export function isValueType(t: number): t is GGUFValueType {
  return Number.isInteger(t) && t >= 0 && t <= 12;
}

/**
 * A scalar. 64-bit integers are numbers when they fit in a double exactly, otherwise bigint.
 * FLOAT32 values are returned as the shortest double that rounds back to the same float32
 * (so 1e-5 reads as 0.00001, not 0.000009999999747378752), matching what Go's JSON prints.
 */
export type GGUFScalar = number | bigint | boolean | string;

/** An array value. `values` is null when the array was skipped (longer than the read limit). */
export interface GGUFArray {
  readonly kind: 'array';
  readonly itemType: GGUFValueType;
  /** The element count in the file, whether or not the values were kept. */
  readonly count: number;
  readonly values: GGUFScalar[] | null;
}

export type GGUFValue = GGUFScalar | GGUFArray;

export function isGGUFArray(v: unknown): v is GGUFArray {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'array';
}

export interface GGUFTensorInfo {
  readonly name: string;
  /** Dimensions as stored (ne[0] first, the fastest-moving one). */
  readonly dims: number[];
  /** ggml type id (GGML_TYPE_*). */
  readonly type: number;
  /** Ollama's name for the type (`F32`, `Q4_K`, … or `unknown`), used by `show -v`. */
  readonly typeName: string;
  /** Offset relative to the start of the tensor data section. */
  readonly offset: number;
  /** Offset from the start of the file. */
  readonly fileOffset: number;
  /** Bytes occupied by the tensor's data. */
  readonly size: number;
  /** Number of elements (product of dims). */
  readonly elements: number;
}

export interface GGUFInfo {
  /** GGUF container version (2 or 3). */
  readonly version: number;
  /** Size of the file in bytes. */
  readonly fileSize: number;
  /** Data alignment (`general.alignment`, default 32). */
  readonly alignment: number;
  /** Absolute offset of the tensor data section. */
  readonly dataOffset: number;
  /** Every metadata key/value in file order (Map: keys such as `__proto__` are harmless). */
  readonly metadata: ReadonlyMap<string, GGUFValue>;
  /** Value type of every metadata key. */
  readonly metadataTypes: ReadonlyMap<string, GGUFValueType>;
  readonly tensors: readonly GGUFTensorInfo[];

  // Derived.
  /** `general.architecture`, or '' when absent. */
  readonly architecture: string;
  /** Σ elements of all tensors (Ollama patches this into `general.parameter_count`). */
  readonly parameterCount: number;
  /** Ollama's HumanNumber of parameterCount (the config's `model_type`, e.g. `8.0B`, `0`). */
  readonly parameterSize: string;
  /** `general.file_type` raw value, if present and an integer. */
  readonly fileTypeId: number | undefined;
  /**
   * Ollama's quantization name for the file: `Q4_K_M`, `F16`, … and `unknown` when the key is
   * missing **or 0 (F32)** — Ollama's KV.FileType() only trusts values > 0.
   */
  readonly fileType: string;
  /** `<arch>.context_length`. */
  readonly contextLength: number | undefined;
  /** `<arch>.embedding_length`. */
  readonly embeddingLength: number | undefined;
  /** `tokenizer.chat_template`. */
  readonly chatTemplate: string | undefined;
  /** `general.type` (`model`, `adapter`, `projector`, `mmproj`, …). */
  readonly generalType: string | undefined;
  /** Whether `<arch>.pooling_type` is present (Ollama: the `embedding` capability). */
  readonly hasPoolingType: boolean;
}

export interface ReadGGUFOptions {
  /**
   * Keep every array's values (Ollama's `show --verbose`). Without it arrays longer than
   * `maxArrayValues` are skipped: only their count and type are kept.
   */
  verbose?: boolean;
  /** Largest array whose values are kept when not verbose (default 64). */
  maxArrayValues?: number;
  /** Keys whose arrays are kept whatever their length (e.g. `tokenizer.ggml.tokens`). */
  keepArrays?: readonly string[];
  /**
   * Called for each metadata entry, in file order, with the file offsets of its encoded value
   * (after the key and type; `end` exclusive): rawheader.ts keeps those bytes as they are.
   */
  onValue?: (key: string, type: GGUFValueType, start: number, end: number) => void;
}
