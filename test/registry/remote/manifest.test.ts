import { describe, expect, it } from 'vitest';
import { MANIFEST_ACCEPT, parseRemoteManifest } from '../../../src/registry/remote/manifest.js';

const d = (c: string) => 'sha256:' + c.repeat(64);
const cfg = { mediaType: 'application/vnd.docker.container.image.v1+json', digest: d('c'), size: 10 };
const lay = (o: Record<string, unknown> = {}) => ({ mediaType: 'application/vnd.ollama.image.model', digest: d('a'), size: 5, ...o });
const m = (o: Record<string, unknown>) => Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: cfg, layers: [lay()], ...o }));

describe('parseRemoteManifest', () => {
  it('accepts Docker v2 and OCI manifests, keeping from', () => {
    expect(parseRemoteManifest(m({ layers: [lay({ from: 'x/y:z' })] })).layers[0]).toEqual({ ...lay(), from: 'x/y:z' });
    expect(parseRemoteManifest(m({ mediaType: 'application/vnd.oci.image.manifest.v1+json' })).mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(parseRemoteManifest(m({ mediaType: undefined }), 'application/vnd.oci.image.manifest.v1+json; x=y').mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
  });
  it.each([
    ['digest traversal', m({ layers: [lay({ digest: 'sha256:../../etc/passwd' })] }), /layer 0 has an invalid digest/],
    ['config digest', m({ config: { ...cfg, digest: 'sha256:xyz' } }), /config has an invalid digest/],
    ['size float', m({ layers: [lay({ size: 1.5 })] }), /invalid size/],
    ['size string', m({ layers: [lay({ size: '5' })] }), /invalid size/],
    ['size huge', m({ layers: [lay({ size: 2 ** 60 })] }), /invalid size/],
    ['no mediaType', m({ layers: [lay({ mediaType: undefined })] }), /has no mediaType/],
    ['unknown type', m({ layers: [lay({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip' })] }), /unsupported media type/],
    ['unknown manifest type', m({ mediaType: 'application/vnd.evil+json' }), /unsupported manifest media type/],
    ['docker list', m({ mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json' }), /manifest list/],
    ['array', Buffer.from('[]'), /not a JSON object/],
    ['null', Buffer.from('null'), /not a JSON object/],
    ['no config', m({ config: undefined }), /config is not an object/],
  ])('%s → invalid manifest', (_l, raw, re) => {
    expect(() => parseRemoteManifest(raw)).toThrow(re);
    expect(() => parseRemoteManifest(raw)).toThrow(/^invalid manifest: /);
  });
  it('Accept lists Docker v2, OCI and both index types', () => {
    expect(MANIFEST_ACCEPT.split(', ')).toEqual([
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.oci.image.index.v1+json',
    ]);
  });
});
