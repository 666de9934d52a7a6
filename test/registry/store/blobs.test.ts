import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidDigestError } from '../../../src/registry/digest.js';
import {
  fixBlobNames,
  hashFile,
  importFile,
  isTempBlobName,
  readBlob,
  writeBlob,
} from '../../../src/registry/store/blobs.js';
import {
  BlobNotFoundError,
  BlobTooLargeError,
  DigestMismatchError,
  InvalidSourceError,
} from '../../../src/registry/store/errors.js';
import { StorePaths } from '../../../src/registry/store/paths.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const sha = (b: string | Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

let tmp = '';
let paths: StorePaths;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'tollama-blobs-'));
  paths = new StorePaths(path.join(tmp, 'models'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const blobNames = async () => (existsSync(paths.blobsDir) ? (await readdir(paths.blobsDir)).sort() : []);

async function* slow(chunks: Buffer[], gate?: Promise<void>) {
  for (let i = 0; i < chunks.length; i++) {
    if (i === 1 && gate) await gate;
    yield chunks[i]!;
  }
}

describe('writeBlob', () => {
  it('writes bytes under their digest, 0644', async () => {
    const r = await writeBlob(paths, 'hello');
    expect(r).toEqual({ digest: sha('hello'), size: 5, existed: false });
    expect(await readFile(paths.blobPath(r.digest), 'utf8')).toBe('hello');
    expect(await blobNames()).toEqual([path.basename(paths.blobPath(r.digest))]);
  });

  it('is not visible until the bytes are complete (atomic write)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const data = [Buffer.from('part one, '), Buffer.from('part two')];
    const digest = sha(Buffer.concat(data));
    const p = writeBlob(paths, slow(data, gate), { expected: digest });
    // Mid-write: only a temp file exists, never the final name.
    await new Promise((r) => setTimeout(r, 20));
    const mid = await blobNames();
    expect(mid.every(isTempBlobName)).toBe(true);
    expect(existsSync(paths.blobPath(digest))).toBe(false);
    release();
    expect((await p).existed).toBe(false);
    expect(await blobNames()).toEqual([path.basename(paths.blobPath(digest))]);
  });

  it('rejects a digest mismatch and leaves nothing behind', async () => {
    const wrong = sha('something else');
    await expect(writeBlob(paths, 'hello', { expected: wrong })).rejects.toThrow(DigestMismatchError);
    await expect(writeBlob(paths, 'hello', { expected: wrong })).rejects.toThrow(
      `digest mismatch, expected "${wrong}", got "${sha('hello')}"`,
    );
    expect(await blobNames()).toEqual([]);
  });

  it('returns existed without reading when the expected blob is present', async () => {
    await writeBlob(paths, 'hello');
    let read = false;
    async function* src() {
      read = true;
      yield Buffer.from('hello');
    }
    const r = await writeBlob(paths, src(), { expected: sha('hello') });
    expect(r).toEqual({ digest: sha('hello'), size: 5, existed: true });
    expect(read).toBe(false);
  });

  it('enforces maxBytes and cleans up', async () => {
    await expect(writeBlob(paths, Buffer.alloc(100), { maxBytes: 99 })).rejects.toThrow(BlobTooLargeError);
    expect(await blobNames()).toEqual([]);
  });

  it('stops on abort and cleans up', async () => {
    const ac = new AbortController();
    async function* src() {
      yield Buffer.from('a');
      ac.abort();
      yield Buffer.from('b');
    }
    await expect(writeBlob(paths, src(), { signal: ac.signal })).rejects.toThrow();
    expect(await blobNames()).toEqual([]);
  });

  it('two concurrent writers of one blob both succeed with one blob', async () => {
    const big = Buffer.alloc(3 << 20, 7);
    const chunks = Array.from({ length: 12 }, (_, i) => big.subarray(i * (big.length / 12), (i + 1) * (big.length / 12)));
    const d = sha(big);
    const rs = await Promise.all([
      writeBlob(paths, slow(chunks), { expected: d }),
      writeBlob(paths, slow(chunks), { expected: d }),
      writeBlob(paths, slow(chunks)),
    ]);
    expect(rs.every((r) => r.digest === d && r.size === big.length)).toBe(true);
    expect(await blobNames()).toEqual([path.basename(paths.blobPath(d))]);
    expect((await readFile(paths.blobPath(d))).equals(big)).toBe(true);
  });

  it('validates the expected digest before building any path', async () => {
    for (const bad of ['sha256:../../etc/x', 'sha256:' + 'A'.repeat(64), '../../x']) {
      await expect(writeBlob(paths, 'x', { expected: bad })).rejects.toThrow(InvalidDigestError);
    }
    expect(existsSync(paths.root)).toBe(false);
  });
});

describe('importFile', () => {
  it('copies a file in, verifies, and never writes an existing blob again', async () => {
    const src = path.join(tmp, 'model.bin');
    await writeFile(src, 'weights');
    const r1 = await importFile(paths, src);
    expect(r1).toEqual({ digest: sha('weights'), size: 7, existed: false });
    expect(await readFile(paths.blobPath(r1.digest), 'utf8')).toBe('weights');
    const r2 = await importFile(paths, src, { expected: sha('weights') });
    expect(r2.existed).toBe(true);
    expect(await blobNames()).toEqual([path.basename(paths.blobPath(r1.digest))]);
  });
  it('follows symlinks to regular files', async () => {
    const src = path.join(tmp, 'real');
    await writeFile(src, 'abc');
    await symlink(src, path.join(tmp, 'link'));
    expect((await importFile(paths, path.join(tmp, 'link'))).digest).toBe(sha('abc'));
  });
  it('rejects directories, FIFOs and missing files without naming the path', async () => {
    await mkdir(path.join(tmp, 'dir'));
    const fifo = path.join(tmp, 'fifo');
    execFileSync('mkfifo', [fifo]);
    for (const p of [path.join(tmp, 'dir'), fifo, path.join(tmp, 'nope')]) {
      const err = await importFile(paths, p).catch((e: Error) => e);
      expect(err).toBeInstanceOf(InvalidSourceError);
      expect((err as Error).message).not.toContain(tmp);
    }
    expect(await blobNames()).toEqual([]);
  });
  it('checks the expected digest', async () => {
    const src = path.join(tmp, 'f');
    await writeFile(src, 'abc');
    await expect(importFile(paths, src, { expected: sha('abd') })).rejects.toThrow(DigestMismatchError);
  });
});

describe('other blob helpers', () => {
  it('hashFile, readBlob limits', async () => {
    const r = await writeBlob(paths, 'config');
    expect(await hashFile(paths.blobPath(r.digest))).toEqual({ digest: r.digest, size: 6 });
    expect((await readBlob(paths, r.digest, 6)).toString()).toBe('config');
    await expect(readBlob(paths, r.digest, 5)).rejects.toThrow(BlobTooLargeError);
    await expect(readBlob(paths, sha('none'), 5)).rejects.toThrow(BlobNotFoundError);
  });
  it('fixBlobNames renames sha256:<hex> to sha256-<hex> and nothing else', async () => {
    await mkdir(paths.blobsDir, { recursive: true });
    const d = sha('old');
    await writeFile(path.join(paths.blobsDir, d), 'old');
    await writeFile(path.join(paths.blobsDir, 'sha256:short'), 'x');
    expect(await fixBlobNames(paths)).toEqual([d]);
    expect(await blobNames()).toEqual(['sha256-' + d.slice(7), 'sha256:short'].sort());
  });
});

describe('kill -9 mid-write', () => {
  it('leaves no visible blob, only a temp file prune removes later', async () => {
    // Bundle the blob writer for a plain node child process.
    const bundle = path.join(tmp, 'writer.mjs');
    const entry = path.join(tmp, 'entry.ts');
    const blobsModule = path.resolve(here, '../../../src/registry/store/blobs.ts');
    const pathsModule = path.resolve(here, '../../../src/registry/store/paths.ts');
    await writeFile(
      entry,
      `import { writeBlob } from ${JSON.stringify(blobsModule)};
import { StorePaths } from ${JSON.stringify(pathsModule)};
const paths = new StorePaths(process.argv[2]);
async function* forever() {
  const chunk = Buffer.alloc(64 * 1024, 1);
  for (let i = 0; ; i++) {
    yield chunk;
    if (i === 4) process.stdout.write('writing\\n');
    await new Promise((r) => setTimeout(r, 5));
  }
}
await writeBlob(paths, forever());
`,
    );
    buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent' });
    const child = spawn(process.execPath, [bundle, paths.root], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => b.toString().includes('writing') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    const names = await blobNames();
    expect(names.length).toBe(1);
    expect(isTempBlobName(names[0]!)).toBe(true);
  });
});
