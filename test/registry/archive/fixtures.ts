/** Shared set-up for the archive tests: temp stores holding small generated models. */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { exportTar, planExport } from '../../../src/registry/archive/export.js';
import { Store } from '../../../src/registry/store/index.js';
import { writeModel } from '../../helpers/gguf.js';
import { addModel } from '../../helpers/models.js';

export interface Fixture {
  dir: string;
  /** A store with `stories`, and `a`, `b`, `c` sharing the weights of one GGUF. */
  src: Store;
  gguf: string;
  /** A fresh empty store each call. */
  emptyStore(): Promise<Store>;
  cleanup(): Promise<void>;
}

export async function makeFixture(): Promise<Fixture> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tollama-archive-'));
  const gguf = path.join(dir, 'tiny.gguf');
  await writeModel(gguf);
  const srcRoot = path.join(dir, 'src');
  await addModel(srcRoot, 'stories', gguf, { template: '{{ .Prompt }}', params: { temperature: 0.5 } });
  await addModel(srcRoot, 'a', gguf, { system: 'You are A.' });
  await addModel(srcRoot, 'b', gguf, { system: 'You are B.' });
  await addModel(srcRoot, 'someone/c:v1', gguf, { system: 'You are C.' });
  let n = 0;
  return {
    dir,
    src: new Store(srcRoot),
    gguf,
    emptyStore: async () => new Store(path.join(dir, `dst-${n++}`)),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The whole archive for some models, in memory (tests use small models). */
export async function exportToBuffer(store: Store, names: string[]): Promise<Buffer> {
  const plan = await planExport(store, names);
  const chunks: Buffer[] = [];
  for await (const c of exportTar(store, plan)) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Feeds a buffer as a stream in uneven chunks (exercises chunk boundaries). */
export function chunked(buf: Buffer, size = 7001): AsyncIterable<Uint8Array> {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

/** Every file under a directory, relative, sorted. */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  await walk(root, '');
  return out.sort();
}

export { readFile };

import tar from 'tar-stream';

export interface RawEntry {
  name: string;
  data?: Buffer | string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  linkname?: string;
}

/** Builds a tar in memory with tar-stream (any entry type, any name: for bad-input tests). */
export async function buildTar(entries: RawEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const out: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) out.push(c as Buffer);
  })();
  for (const e of entries) {
    const data = e.data === undefined ? undefined : Buffer.from(e.data);
    await new Promise<void>((resolve, reject) => {
      pack.entry(
        { name: e.name, type: e.type ?? 'file', linkname: e.linkname, size: data?.length ?? 0, devmajor: 1, devminor: 3 },
        data ?? '',
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(out);
}
