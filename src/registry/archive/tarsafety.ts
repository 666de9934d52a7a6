/**
 * Deciding what a tar entry is before a single byte of it is used (CVE-2024-45436 and friends).
 * Entry names never become paths: an entry is either refused, skipped, or classified as one of
 * the few things an archive may hold, and only a digest (through the shared validator) or a
 * validated model name is ever turned into a store path, by the store.
 *
 * Refused outright: absolute names (`/x`, `C:\x`), any `..` segment, backslashes, NUL, symbolic
 * and hard links, character and block devices, FIFOs, unknown entry types, negative or
 * non-integer sizes.
 */
import { assertDigest } from '../digest.js';
import { UnsafeEntryError } from './errors.js';

/** The fields of a tar header this module looks at (tar-stream's `Headers` fits). */
export interface EntryHeader {
  name: string;
  type?: string | null;
  size?: number;
}

export type EntryKind =
  | { kind: 'directory' }
  /** OCI image layout: `oci-layout`. */
  | { kind: 'oci-layout' }
  /** OCI image layout: `index.json`. */
  | { kind: 'index' }
  /** OCI image layout: `blobs/sha256/<hex>`. */
  | { kind: 'oci-blob'; digest: string }
  /** A copied Ollama `models/` folder: `blobs/sha256-<hex>`. */
  | { kind: 'store-blob'; digest: string }
  /** A copied Ollama `models/` folder: `manifests/<host>/<namespace>/<model>/<tag>`. */
  | { kind: 'store-manifest'; parts: [string, string, string, string] }
  /** Something harmless that is not imported (partial downloads, temp files, other files). */
  | { kind: 'ignored'; reason: string };

const HEX64 = /^[0-9a-f]{64}$/;
const STORE_BLOB = /^sha256[-:]([0-9a-f]{64})$/;
const STALE_BLOB = /^sha256-(?:[0-9a-f]{64}-partial(?:-\d+)?|tmp-.*)$/;
const MANIFEST_TEMP = /^\..+\.tmp-[0-9a-f][0-9a-f-]*$/;
const ROOTS = new Set(['blobs', 'manifests', 'oci-layout', 'index.json']);

/**
 * The entry's name split into clean segments, or UnsafeEntryError. `./` segments and a trailing
 * `/` are dropped (so `./` itself gives no segments).
 */
export function safeSegments(name: string): string[] {
  if (typeof name !== 'string' || name === '') throw new UnsafeEntryError(String(name), 'empty name');
  if (name.includes('\0')) throw new UnsafeEntryError(name, 'the name contains a NUL byte');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw new UnsafeEntryError(name, 'absolute paths are not allowed');
  if (name.includes('\\')) throw new UnsafeEntryError(name, 'the name contains a backslash');
  const segs = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segs.includes('..')) throw new UnsafeEntryError(name, '".." is not allowed in entry names');
  return segs;
}

/** Checks an entry's type and size; throws UnsafeEntryError for anything but files and directories. */
export function checkEntryType(h: EntryHeader): 'file' | 'directory' {
  const type = h.type ?? 'file';
  switch (type) {
    case 'file':
    case 'contiguous-file':
      break;
    case 'directory':
      return 'directory';
    case 'symlink':
      throw new UnsafeEntryError(h.name, 'symbolic links are not allowed');
    case 'link':
      throw new UnsafeEntryError(h.name, 'hard links are not allowed');
    case 'character-device':
    case 'block-device':
      throw new UnsafeEntryError(h.name, 'device files are not allowed');
    case 'fifo':
      throw new UnsafeEntryError(h.name, 'FIFOs are not allowed');
    default:
      throw new UnsafeEntryError(h.name, `entries of type ${JSON.stringify(type)} are not allowed`);
  }
  const size = h.size ?? 0;
  if (!Number.isSafeInteger(size) || size < 0) throw new UnsafeEntryError(h.name, 'invalid size');
  return 'file';
}

/** Classifies a checked entry (see EntryKind). Throws UnsafeEntryError for unsafe entries. */
export function classifyEntry(h: EntryHeader): EntryKind {
  const segs = safeSegments(h.name);
  if (checkEntryType(h) === 'directory') return { kind: 'directory' };
  if (segs.length === 0) throw new UnsafeEntryError(h.name, 'a file needs a name');
  const at = segs.findIndex((s) => ROOTS.has(s));
  if (at < 0) return { kind: 'ignored', reason: 'not part of an OCI image layout or a models folder' };
  const rest = segs.slice(at);
  const [root, a, b] = rest;
  if (rest.length === 1 && root === 'oci-layout') return { kind: 'oci-layout' };
  if (rest.length === 1 && root === 'index.json') return { kind: 'index' };
  if (root === 'blobs' && rest.length === 3 && a === 'sha256' && HEX64.test(b!)) {
    return { kind: 'oci-blob', digest: assertDigest(`sha256:${b}`) };
  }
  if (root === 'blobs' && rest.length === 2) {
    const m = STORE_BLOB.exec(a!);
    if (m) return { kind: 'store-blob', digest: assertDigest(`sha256:${m[1]}`) };
    if (STALE_BLOB.test(a!)) return { kind: 'ignored', reason: 'an unfinished download' };
  }
  if (root === 'manifests' && rest.length === 5) {
    if (MANIFEST_TEMP.test(rest[4]!)) return { kind: 'ignored', reason: 'an unfinished manifest write' };
    return { kind: 'store-manifest', parts: [rest[1]!, rest[2]!, rest[3]!, rest[4]!] };
  }
  return { kind: 'ignored', reason: 'not part of an OCI image layout or a models folder' };
}
