/** Errors of `ollama export` / `ollama import`. Each carries the HTTP status the server answers with. */

export class ArchiveError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'ArchiveError';
  }
}

/** An entry that could write outside the store or is not a plain file (zip-slip and friends). */
export class UnsafeEntryError extends ArchiveError {
  constructor(
    readonly entry: string,
    reason: string,
  ) {
    super(`refusing archive entry ${JSON.stringify(entry.length > 120 ? entry.slice(0, 120) + '…' : entry)}: ${reason}`);
    this.name = 'UnsafeEntryError';
  }
}

/** The bytes are not a tar archive, or the archive ends early. */
export class CorruptArchiveError extends ArchiveError {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptArchiveError';
  }
}
