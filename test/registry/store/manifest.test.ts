import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidDigestError } from '../../../src/registry/digest.js';
import { parseModelName } from '../../../src/registry/name.js';
import { InvalidManifestError } from '../../../src/registry/store/errors.js';
import {
  manifestDigests,
  manifestSize,
  parseManifest,
  writeFileAtomic,
} from '../../../src/registry/store/manifest.js';
import { StorePaths, defaultStoreRoot } from '../../../src/registry/store/paths.js';

const D = (c: string) => 'sha256:' + c.repeat(64);
const cfg = { mediaType: 'application/vnd.docker.container.image.v1+json', digest: D('a'), size: 10 };
const model = { mediaType: 'application/vnd.ollama.image.model', digest: D('b'), size: 20 };
const good = { schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: cfg, layers: [model] };
const j = (v: unknown) => JSON.stringify(v);

describe('parseManifest', () => {
  it('parses a valid manifest and keeps from/name', () => {
    const m = parseManifest(j({ ...good, layers: [{ ...model, from: 'x', name: 'n' }] }));
    expect(m.layers[0]).toEqual({ ...model, from: 'x', name: 'n' });
    expect(manifestDigests(m)).toEqual([D('a'), D('b')]);
    expect(manifestSize(m)).toBe(30);
  });
  it('de-duplicates digests', () => {
    expect(manifestDigests(parseManifest(j({ ...good, layers: [model, model] })))).toEqual([D('a'), D('b')]);
  });

  const bad: Array<[string, string | Buffer]> = [
    ['not JSON', '{'],
    ['array', '[]'],
    ['null', 'null'],
    ['schemaVersion 1', j({ ...good, schemaVersion: 1 })],
    ['no config', j({ ...good, config: undefined })],
    ['layers not array', j({ ...good, layers: {} })],
    ['traversal digest', j({ ...good, layers: [{ ...model, digest: 'sha256:../../etc/passwd' }] })],
    ['traversal config digest', j({ ...good, config: { ...cfg, digest: 'sha256:../x' } })],
    ['upper-case hex', j({ ...good, layers: [{ ...model, digest: 'sha256:' + 'A'.repeat(64) }] })],
    ['sha512', j({ ...good, layers: [{ ...model, digest: 'sha512:' + 'a'.repeat(128) }] })],
    ['63 hex', j({ ...good, layers: [{ ...model, digest: 'sha256:' + 'a'.repeat(63) }] })],
    ['65 hex', j({ ...good, layers: [{ ...model, digest: 'sha256:' + 'a'.repeat(65) }] })],
    ['dash form', j({ ...good, layers: [{ ...model, digest: 'sha256-' + 'a'.repeat(64) }] })],
    ['negative size', j({ ...good, layers: [{ ...model, size: -1 }] })],
    ['fractional size', j({ ...good, layers: [{ ...model, size: 1.5 }] })],
    ['string size', j({ ...good, layers: [{ ...model, size: '1' }] })],
    ['huge size', j({ ...good, layers: [{ ...model, size: 2 ** 60 }] })],
    ['missing mediaType', j({ ...good, layers: [{ ...model, mediaType: '' }] })],
    ['layer null', j({ ...good, layers: [null] })],
    ['from not string', j({ ...good, layers: [{ ...model, from: 1 }] })],
    ['too large', Buffer.alloc(5 << 20, 0x20)],
  ];
  it.each(bad)('rejects %s', (_label, raw) => {
    expect(() => parseManifest(raw)).toThrow(InvalidManifestError);
  });

  it('strict options for registry manifests', () => {
    expect(() => parseManifest(j({ ...good, layers: [] }), { requireLayers: true })).toThrow(/no layers/);
    expect(parseManifest(j({ ...good, layers: [] })).layers).toEqual([]);
    const odd = j({ ...good, layers: [{ ...model, mediaType: 'application/x-evil' }] });
    expect(() => parseManifest(odd, { strictMediaTypes: true })).toThrow(/unknown media type/);
    expect(parseManifest(odd).layers[0]!.mediaType).toBe('application/x-evil');
  });

  it('error carries status 400', () => {
    try {
      parseManifest('{');
    } catch (e) {
      expect((e as InvalidManifestError).status).toBe(400);
    }
  });
});

describe('paths', () => {
  it('builds blob paths only from valid digests', () => {
    const p = new StorePaths('/s');
    expect(p.blobPath(D('c'))).toBe('/s/blobs/sha256-' + 'c'.repeat(64));
    for (const d of ['sha256:../../etc/x', 'sha256-' + 'c'.repeat(64), '../x', '', 'sha256:' + 'c'.repeat(63) + '/']) {
      expect(() => p.blobPath(d)).toThrow(InvalidDigestError);
    }
  });
  it('builds manifest paths from names', () => {
    const p = new StorePaths('/s');
    expect(p.manifestPath(parseModelName('alice/m:v1'))).toBe('/s/manifests/registry.ollama.ai/alice/m/v1');
  });
  it('default root honours OLLAMA_MODELS', () => {
    expect(defaultStoreRoot({ OLLAMA_MODELS: '/x/models' })).toBe('/x/models');
    expect(defaultStoreRoot({ OLLAMA_MODELS: ' "/q" ' })).toBe('/q');
    expect(defaultStoreRoot({})).toBe(path.join(os.homedir(), '.ollama', 'models'));
  });
});

describe('writeFileAtomic', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  it('writes 0644 in 0755 directories and leaves no temp file', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tollama-atomic-'));
    const f = path.join(dir, 'a', 'b', 'tag');
    await writeFileAtomic(f, Buffer.from('one'));
    await writeFileAtomic(f, Buffer.from('two'));
    expect(await readFile(f, 'utf8')).toBe('two');
    expect((await stat(f)).mode & 0o777).toBe(0o644 & ~process.umask());
    expect((await stat(path.dirname(f))).mode & 0o777).toBe(0o755 & ~process.umask());
    expect(await readdir(path.dirname(f))).toEqual(['tag']);
  });
});
