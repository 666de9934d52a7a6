/**
 * `ollama import`: reads an archive written by export (an OCI image layout) or a tar of an
 * Ollama `models/` folder (`manifests/…` + `blobs/sha256-…`, under any leading folder), as one
 * stream, and puts its models into the store:
 *
 *  - every entry is classified by tarsafety.ts before its bytes are used; unsafe entries abort;
 *  - every blob streams into the store through Store#writeBlob (hashed while written, renamed
 *    only when it matches its name); blobs already in the store are skipped;
 *  - an entry claiming more bytes than the store's disk has free is refused before it is read;
 *  - manifests are written last, and only when the archive was complete and every blob each
 *    model names is in the store. A failed import writes no manifest; blobs that were verified
 *    stay (a re-run skips them; `ollama prune` removes them).
 */
import { statfs } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import tar from 'tar-stream';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { displayShortest, fullName, nameFromRelPath, parseModelName, type ModelName } from '../name.js';
import { DigestMismatchError, MAX_MANIFEST_BYTES, manifestDigests, parseManifest, type Store } from '../store/index.js';
import { ArchiveError, CorruptArchiveError } from './errors.js';
import { MAX_INDEX_BYTES, parseIndex, parseOciLayout, type IndexEntry } from './layout.js';
import { TarInput } from './source.js';
import { classifyEntry } from './tarsafety.js';

/** Small OCI blobs are kept in memory until index.json says what they are (when it comes late). */
const MAX_BUFFERED = 64 << 20;
const MAX_ENTRIES = 200_000;

export interface ImportProgress {
  digest: string;
  completed: number;
  total: number;
  /** The blob was already in the store. */
  skipped?: boolean;
}

export interface ImportOptions {
  /** Import the archive's only model under this name. */
  name?: string | ModelName;
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  warn?: (message: string) => void;
  /** Free bytes on the store's disk (tests inject this); default from statfs. */
  freeBytes?: () => Promise<number>;
}

export interface ImportedModel {
  /** Shortest display name and full name. */
  name: string;
  fullName: string;
  /** Hex sha256 of the manifest (the model's ID is its first 12). */
  digest: string;
  /** True when it replaced a model of the same name. */
  replaced: boolean;
}

export interface ImportResult {
  format: 'oci' | 'models-folder';
  models: ImportedModel[];
  blobsWritten: number;
  blobsSkipped: number;
  bytesWritten: number;
}

type TarEntry = AsyncIterable<Buffer> & { header: tar.Header };

interface Pending {
  name: ModelName;
  raw: Buffer;
}

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function readSmall(entry: AsyncIterable<Buffer>, size: number, limit: number, what: string): Promise<Buffer> {
  if (size > limit) throw new ArchiveError(`${what} is too large (${size} bytes; the limit is ${limit})`);
  const parts: Buffer[] = [];
  for await (const c of entry) parts.push(c);
  return Buffer.concat(parts);
}

async function drain(entry: AsyncIterable<Buffer>): Promise<void> {
  for await (const _ of entry) void _;
}

function mapTarError(e: unknown): unknown {
  const msg = (e as Error)?.message ?? '';
  if (/Invalid tar header|unknown format/i.test(msg)) return new CorruptArchiveError('not a tar archive (or a damaged one)');
  if (/Unexpected end of data/i.test(msg)) return new CorruptArchiveError('the archive is truncated');
  if (/Header exceeds max size|Invalid header/i.test(msg)) return new CorruptArchiveError('the archive has a damaged header');
  return e;
}

async function defaultFree(store: Store): Promise<number> {
  try {
    const s = await statfs(store.root);
    return s.bavail * s.bsize;
  } catch {
    try {
      const s = await statfs(store.paths.root.replace(/[/\\][^/\\]*$/, '') || '/');
      return s.bavail * s.bsize;
    } catch {
      return Number.MAX_SAFE_INTEGER;
    }
  }
}

/** Imports an archive from a byte stream. See the module comment for the guarantees. */
export async function importArchive(store: Store, source: AsyncIterable<Uint8Array>, opts: ImportOptions = {}): Promise<ImportResult> {
  const { signal, onProgress } = opts;
  const warn = opts.warn ?? (() => {});
  const rename = opts.name === undefined ? undefined : typeof opts.name === 'string' ? parseModelName(opts.name) : opts.name;
  const freeBytes = opts.freeBytes ?? (() => defaultFree(store));
  signal?.throwIfAborted();

  const input = new TarInput(source);
  const extract = tar.extract();
  const feeding = pipeline(Readable.from(input.chunks()), extract);
  feeding.catch(() => undefined); // reported through the iterator below

  let index: IndexEntry[] | null = null;
  let manifestSet = new Set<string>();
  const small = new Map<string, Buffer>();
  let buffered = 0;
  const folder: Pending[] = [];
  let blobsWritten = 0;
  let blobsSkipped = 0;
  let bytesWritten = 0;
  let entries = 0;

  const checkRename = (n: number): void => {
    if (rename && n !== 1) throw new ArchiveError(`--name needs an archive with exactly one model; this one has ${n}`);
  };

  const streamBlob = async (digest: string, entry: TarEntry, size: number): Promise<void> => {
    const have = await store.statBlob(digest);
    if (have && have.size === size) {
      await drain(entry);
      blobsSkipped++;
      onProgress?.({ digest, completed: size, total: size, skipped: true });
      return;
    }
    const free = await freeBytes();
    if (size > free) {
      throw new ArchiveError(`blob ${digest} claims ${size} bytes, more than the ${free} bytes free on the store's disk`, 507);
    }
    let done = 0;
    async function* counted(): AsyncGenerator<Buffer> {
      onProgress?.({ digest, completed: 0, total: size });
      for await (const c of entry) {
        done += c.length;
        yield c;
        onProgress?.({ digest, completed: done, total: size });
      }
    }
    const r = await store.writeBlob(counted(), { expected: digest, maxBytes: size, signal });
    await drain(entry);
    if (r.existed) blobsSkipped++;
    else {
      blobsWritten++;
      bytesWritten += size;
    }
  };

  try {
    for await (const raw of extract) {
      const entry = raw as unknown as TarEntry;
      signal?.throwIfAborted();
      if (++entries > MAX_ENTRIES) throw new ArchiveError(`the archive has more than ${MAX_ENTRIES} entries`);
      const h = entry.header;
      const kind = classifyEntry({ name: h.name, type: h.type, size: h.size });
      const size = h.size ?? 0;
      switch (kind.kind) {
        case 'directory':
          await drain(entry);
          break;
        case 'ignored':
          warn(`skipping ${h.name}: ${kind.reason}`);
          await drain(entry);
          break;
        case 'oci-layout':
          parseOciLayout(await readSmall(entry, size, 4096, 'oci-layout'));
          break;
        case 'index': {
          if (index) throw new ArchiveError('the archive has two index.json entries');
          index = parseIndex(await readSmall(entry, size, MAX_INDEX_BYTES, 'index.json'));
          checkRename(index.length);
          manifestSet = new Set(index.flatMap((e) => [e.digest, e.ollamaDigest]));
          break;
        }
        case 'oci-blob': {
          const d = kind.digest;
          const isManifest = manifestSet.has(d);
          if (isManifest || (!index && size <= MAX_MANIFEST_BYTES && buffered + size <= MAX_BUFFERED)) {
            const buf = await readSmall(entry, size, MAX_MANIFEST_BYTES, `manifest ${d}`);
            const actual = sha256(buf);
            if (actual !== d) throw new DigestMismatchError(d, actual);
            if (!small.has(d)) buffered += size;
            small.set(d, buf);
          } else {
            await streamBlob(d, entry, size);
          }
          break;
        }
        case 'store-blob':
          await streamBlob(kind.digest, entry, size);
          break;
        case 'store-manifest': {
          const name = nameFromRelPath(kind.parts);
          if (!name) throw new ArchiveError(`manifests/${kind.parts.join('/')} is not a valid model name`);
          const raw = await readSmall(entry, size, MAX_MANIFEST_BYTES, `manifest of ${displayShortest(name)}`);
          parseManifest(raw);
          folder.push({ name, raw });
          checkRename(folder.length);
          break;
        }
      }
    }
    await feeding;
  } catch (e) {
    extract.destroy();
    throw mapTarError(e);
  }
  if (!input.ended) throw new CorruptArchiveError('the archive is truncated (it has no end-of-archive marker)');

  // Resolve the models: nothing has been written under a model name yet.
  let format: ImportResult['format'];
  let pending: Pending[];
  if (index) {
    if (folder.length) throw new ArchiveError('the archive mixes an OCI image layout and a models folder');
    format = 'oci';
    pending = index.map((e) => {
      const raw = small.get(e.ollamaDigest);
      if (!raw) throw new ArchiveError(`the manifest of ${fullName(e.name)} (${e.ollamaDigest}) is not in the archive`);
      parseManifest(raw);
      return { name: e.name, raw };
    });
  } else if (folder.length) {
    format = 'models-folder';
    pending = folder;
  } else {
    throw new ArchiveError('the archive holds no models (no index.json and no manifests/ folder)');
  }
  checkRename(pending.length);
  if (rename) pending = [{ name: rename, raw: pending[0]!.raw }];
  const seen = new Set<string>();
  for (const p of pending) {
    const key = fullName(p.name).toLowerCase();
    if (seen.has(key)) throw new ArchiveError(`the archive names ${displayShortest(p.name)} twice`);
    seen.add(key);
  }

  // Blobs that were small enough to wait in memory, then a check that every blob is there.
  for (const p of pending) {
    const m = parseManifest(p.raw);
    for (const d of manifestDigests(m)) {
      const buf = small.get(d);
      if (buf && !(await store.hasBlob(d))) {
        await store.writeBlob(buf, { expected: d, signal });
        blobsWritten++;
        bytesWritten += buf.length;
      } else if (!buf && !(await store.hasBlob(d))) {
        throw new ArchiveError(
          `model ${displayShortest(p.name)} needs blob ${d}, which is neither in the archive nor in the store`,
        );
      }
    }
  }

  const models: ImportedModel[] = [];
  for (const p of pending) {
    const r = await store.writeManifest(p.name, p.raw);
    models.push({ name: displayShortest(r.name), fullName: fullName(r.name), digest: r.digest, replaced: r.previous !== null });
  }
  return { format, models, blobsWritten, blobsSkipped, bytesWritten };
}
