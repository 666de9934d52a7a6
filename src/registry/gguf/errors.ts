/**
 * The one error type the GGUF reader throws. Every malformed, truncated or hostile file ends
 * here with a machine-readable `code`, an HTTP `status` of 400 (the server passes it through
 * as a client error) and a message a person can act on. Messages never contain the file path,
 * so they are safe to return over HTTP (blob paths reveal the user's home directory).
 */

export type GGUFErrorCode =
  | 'not_gguf' // magic is not "GGUF" (or the file is empty / not a regular file)
  | 'not_a_file' // a directory, FIFO, device … was given
  | 'unsupported_version' // version other than 2 or 3
  | 'big_endian' // a byte-swapped (big-endian) GGUF
  | 'truncated' // the file ends inside the header
  | 'too_many_kv' // kv count cannot fit in the file
  | 'too_many_tensors' // tensor count cannot fit in the file
  | 'string_too_long' // a string length runs past the end of the file or past the sanity cap
  | 'array_too_long' // an array count cannot fit in the file
  | 'bad_value_type' // unknown GGUF value type, or a nested array
  | 'duplicate_key' // the same metadata key twice
  | 'bad_alignment' // general.alignment not a non-zero power of two (or not a uint32)
  | 'bad_tensor_name' // empty, over-long or duplicate tensor name
  | 'bad_tensor_dims' // zero / too many dimensions, a zero dimension, an overflowing product
  | 'bad_tensor_type' // unknown or removed ggml type
  | 'bad_tensor_offset' // misaligned, past the end of the file, or overlapping another tensor
  | 'io'; // the file could not be read

export class GGUFError extends Error {
  readonly status = 400;
  constructor(
    readonly code: GGUFErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'GGUFError';
  }
}

/** Ollama's wording for a file that is not GGUF at all. */
export const NOT_GGUF_MESSAGE = 'supplied file was not in GGUF format';
