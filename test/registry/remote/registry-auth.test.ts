import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullModel, pushModel, type ProgressEvent } from '../../../src/registry/remote/index.js';
import { hasHtpasswd, corruptBlobs, fakeModel, hasRegistry, manifestPath, SKIP_MESSAGE, startRegistry, tempStore, writeModel, type RunningRegistry, collectProgress as drain } from '../../helpers/registry.js';
import { startTokenServer, type TokenServer } from '../../helpers/tokenserver.js';

const available = hasRegistry() && hasHtpasswd();
if (!available) console.warn(SKIP_MESSAGE);

const roots: string[] = [];
function store(): string {
  const r = tempStore();
  roots.push(r);
  return r;
}
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

describe.skipIf(!available)('HTTP Basic (htpasswd, bcrypt) against the real registry', () => {
  let reg: RunningRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ users: { alice: 's3cret:with:colons' } });
  });
  afterAll(async () => reg?.stop());

  it('pushes and pulls with credentials from ~/.docker/config.json (HOME injected)', async () => {
    const home = store();
    mkdirSync(join(home, '.docker'));
    const auth = Buffer.from('alice:s3cret:with:colons').toString('base64');
    writeFileSync(join(home, '.docker', 'config.json'), JSON.stringify({ auths: { [`http://${reg.host}`]: { auth } } }));
    const name = `${reg.host}/alice/basic:v1`;
    const m = fakeModel({ modelSize: 20_000 });
    const src = store();
    writeModel(src, name, m);
    const env = {};
    await drain(pushModel(src, name, { insecure: true, home, env }));
    const dst = store();
    await drain(pullModel(dst, name, { insecure: true, home, env, partSize: 8000 }));
    expect(readFileSync(manifestPath(dst, name)).equals(m.manifest)).toBe(true);
    expect(corruptBlobs(dst)).toEqual([]);
  });

  it('uses OLLAMA_REGISTRY_AUTH', async () => {
    const name = `${reg.host}/alice/basic:v1`;
    const dst = store();
    await drain(pullModel(dst, name, { insecure: true, home: store(), env: { OLLAMA_REGISTRY_AUTH: `${reg.host}=alice:s3cret:with:colons` } }));
    expect(readFileSync(manifestPath(dst, name)).length).toBeGreaterThan(0);
  });

  it('no or wrong credentials → a clear unauthorized error, nothing written', async () => {
    const name = `${reg.host}/alice/basic:v1`;
    const dst = store();
    await expect(drain(pullModel(dst, name, { insecure: true, home: store(), env: {} }))).rejects.toThrow(/needs a user name and password/);
    await expect(drain(pullModel(dst, name, { insecure: true, env: { OLLAMA_REGISTRY_AUTH: `${reg.host}=alice:nope` } }))).rejects.toThrow(
      /^pull model manifest: unauthorized: access denied/,
    );
  });
});

describe.skipIf(!available)('Bearer tokens (Docker token auth) against the real registry', () => {
  let reg: RunningRegistry;
  let tok: TokenServer;
  beforeAll(async () => {
    tok = await startTokenServer({ users: { alice: 'pw' }, anonymousPull: true });
    reg = await startRegistry({ token: { realm: tok.realm, service: tok.service, issuer: tok.issuer, certPath: tok.certPath } });
    tok.setUpstream(reg.port);
  });
  afterAll(async () => {
    await reg?.stop();
    await tok?.stop();
  });

  it('pushes with a user token, pulls anonymously with a repo-scoped pull token, and mounts', async () => {
    const name = `${tok.host}/alice/tok:v1`;
    const m = fakeModel({ modelSize: 30_000 });
    const src = store();
    writeModel(src, name, m);
    const env = { OLLAMA_REGISTRY_AUTH: `${tok.host}=alice:pw` };
    await drain(pushModel(src, name, { insecure: true, env, uploadChunkSize: 10_000 }));
    expect(tok.tokenRequests.some((r) => r.user === 'alice' && r.scopes.some((s) => s.includes('alice/tok') && s.includes('push')))).toBe(true);

    tok.tokenRequests.length = 0;
    const dst = store();
    await drain(pullModel(dst, name, { insecure: true, env: {}, home: store(), partSize: 10_000 }));
    expect(readFileSync(manifestPath(dst, name)).equals(m.manifest)).toBe(true);
    expect(tok.tokenRequests.length).toBeGreaterThan(0);
    for (const r of tok.tokenRequests) {
      expect(r.user).toBeNull();
      expect(r.scopes).toEqual(['repository:alice/tok:pull']);
    }
    // the token is cached: far fewer token requests than registry requests
    expect(tok.tokenRequests.length).toBeLessThan(3);

    // cross-repo mount (the challenge asks for two scopes)
    const derived = `${tok.host}/bob/derived:v1`;
    const man = JSON.parse(m.manifest.toString()) as { layers: { from?: string }[] };
    man.layers[0]!.from = name;
    const raw = Buffer.from(JSON.stringify(man));
    writeModel(src, derived, { ...m, manifest: raw });
    tok.forwarded.length = 0;
    await drain(pushModel(src, derived, { insecure: true, env }));
    expect(tok.forwarded.some((f) => f.method === 'POST' && f.url.includes('mount=') && f.url.includes('from=alice/tok'))).toBe(true);
    expect(tok.forwarded.filter((f) => f.method === 'PATCH' || (f.method === 'PUT' && f.url.includes(m.digests[0]!.slice(7))))).toEqual([]);
  });

  it('an anonymous push is refused with a clear error', async () => {
    const name = `${tok.host}/eve/anon:v1`;
    const src = store();
    writeModel(src, name, fakeModel({ modelSize: 100 }));
    await expect(drain(pushModel(src, name, { insecure: true, env: {}, home: store() }))).rejects.toThrow(/unauthorized: access denied/);
  });
});
