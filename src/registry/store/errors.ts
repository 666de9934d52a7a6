/** Typed store errors. Each carries the HTTP status the server should answer with. */

export class StoreError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** `model '<name>' not found` (404), as Ollama words it for show/delete/generate. */
export class ModelNotFoundError extends StoreError {
  constructor(
    readonly model: string,
    quote: "'" | '"' = "'",
  ) {
    super(`model ${quote}${model}${quote} not found`, 404);
    this.name = 'ModelNotFoundError';
  }
}

/** `blob "<digest>" not found` (404). */
export class BlobNotFoundError extends StoreError {
  constructor(readonly digest: string) {
    super(`blob "${digest}" not found`, 404);
    this.name = 'BlobNotFoundError';
  }
}

/** `digest mismatch, expected "<d>", got "<actual>"` (400). */
export class DigestMismatchError extends StoreError {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`digest mismatch, expected "${expected}", got "${actual}"`, 400);
    this.name = 'DigestMismatchError';
  }
}

/** A manifest names blobs that are not in the store (nothing is written). */
export class MissingBlobsError extends StoreError {
  constructor(readonly digests: string[]) {
    super(
      `manifest refers to ${digests.length === 1 ? 'a blob' : `${digests.length} blobs`} not in the store: ${digests
        .slice(0, 3)
        .join(', ')}${digests.length > 3 ? ', …' : ''}`,
      400,
    );
    this.name = 'MissingBlobsError';
  }
}

/** A manifest that is not a valid schema-2 Ollama manifest. */
export class InvalidManifestError extends StoreError {
  constructor(reason: string, status = 400) {
    super(`invalid manifest: ${reason}`, status);
    this.name = 'InvalidManifestError';
  }
}

/** A source for a blob that is not something we can import (directory, FIFO, device, …). */
export class InvalidSourceError extends StoreError {
  constructor(reason: string) {
    super(reason, 400);
    this.name = 'InvalidSourceError';
  }
}

/** A blob body larger than the caller's limit. */
export class BlobTooLargeError extends StoreError {
  constructor(limit: number) {
    super(`blob is larger than the limit of ${limit} bytes`, 413);
    this.name = 'BlobTooLargeError';
  }
}

/**
 * 403: the store is read-only (`OLLAMA_READONLY`, or a read-only mount) and `action` would write
 * to it. The reason says which.
 */
export class ReadOnlyStoreError extends StoreError {
  constructor(
    readonly action: string,
    readonly reason: string,
  ) {
    super(`${action} is not allowed: this server's model store is read-only (${reason})`, 403);
    this.name = 'ReadOnlyStoreError';
  }
}
