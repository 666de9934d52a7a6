/**
 * The one digest validator. Every code path that turns a digest into a file name or a URL goes
 * through here first: a digest is `sha256:` followed by exactly 64 lowercase hex characters.
 * On disk the colon becomes a dash (`sha256-<hex>`), as Ollama stores blobs.
 */

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
const BLOB_FILE_RE = /^sha256-[0-9a-f]{64}$/;

export class InvalidDigestError extends Error {
  readonly status = 400;
  constructor(readonly digest: string) {
    super(`invalid digest format`);
    this.name = 'InvalidDigestError';
  }
}

/** True when `d` is a well-formed `sha256:<64 lowercase hex>` digest. */
export function isValidDigest(d: unknown): d is string {
  return typeof d === 'string' && DIGEST_RE.test(d);
}

/** Returns `d` unchanged when valid; throws InvalidDigestError otherwise. */
export function assertDigest(d: unknown): string {
  if (!isValidDigest(d)) throw new InvalidDigestError(String(d));
  return d;
}

/**
 * Accepts the forms users and older Ollama versions write (`sha256:<hex>`, `sha256-<hex>`) and
 * returns the canonical `sha256:<hex>`; throws InvalidDigestError for anything else.
 */
export function normalizeDigest(d: string): string {
  if (typeof d === 'string' && BLOB_FILE_RE.test(d)) return 'sha256:' + d.slice(7);
  return assertDigest(d);
}

/** `sha256:<hex>` → `sha256-<hex>` (the blob's file name). Validates first. */
export function digestToFileName(d: string): string {
  return assertDigest(d).replace(':', '-');
}

/** `sha256-<hex>` → `sha256:<hex>`, or null when the file name is not a blob name. */
export function fileNameToDigest(name: string): string | null {
  return BLOB_FILE_RE.test(name) ? 'sha256:' + name.slice(7) : null;
}

/** The 64 hex characters of a valid digest. */
export function digestHex(d: string): string {
  return assertDigest(d).slice(7);
}
