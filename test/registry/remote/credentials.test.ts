import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { basicHeader, findCredentials, normalizeHostKey, parseAuthEnv, readDockerAuths } from '../../../src/registry/remote/credentials.js';

const home = mkdtempSync(join(tmpdir(), 'tollama-home-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('OLLAMA_REGISTRY_AUTH', () => {
  it('parses host=user:password entries (password may hold ":")', () => {
    const m = parseAuthEnv('reg.example.com=alice:s3:cret, 127.0.0.1:5000=bob:pw\nhttps://Other.io/v1/=c:d');
    expect(m.get('reg.example.com')).toEqual({ username: 'alice', password: 's3:cret' });
    expect(m.get('127.0.0.1:5000')).toEqual({ username: 'bob', password: 'pw' });
    expect(m.get('other.io')).toEqual({ username: 'c', password: 'd' });
  });
  it.each(['justhost', '=u:p', 'h=nocolon', 'h=:pw'])('refuses %j with a clear message', (v) => {
    expect(() => parseAuthEnv(v)).toThrow(/must look like host=user:password/);
  });
  it('never echoes the secret in the error', () => {
    expect(() => parseAuthEnv('h=topsecret')).toThrow(/^(?!.*topsecret)/);
  });
});

describe('docker config.json', () => {
  mkdirSync(join(home, '.docker'));
  writeFileSync(
    join(home, '.docker', 'config.json'),
    JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('d:1').toString('base64') },
        'reg.example.com:5000': { auth: Buffer.from('alice:pa:ss').toString('base64') },
        'plain.example.com': { username: 'u', password: 'p' },
        'broken.example.com': { auth: 42 },
      },
    }),
  );
  it('reads auths with every key shape', async () => {
    const m = await readDockerAuths({ home, env: {} });
    expect(m.get('index.docker.io')).toEqual({ username: 'd', password: '1' });
    expect(m.get('reg.example.com:5000')).toEqual({ username: 'alice', password: 'pa:ss' });
    expect(m.get('plain.example.com')).toEqual({ username: 'u', password: 'p' });
    expect(m.has('broken.example.com')).toBe(false);
  });
  it('env wins over docker config; unknown hosts get nothing', async () => {
    expect(await findCredentials('reg.example.com:5000', { home, env: {} })).toEqual({ username: 'alice', password: 'pa:ss' });
    expect(await findCredentials('reg.example.com:5000', { home, env: { OLLAMA_REGISTRY_AUTH: 'reg.example.com:5000=x:y' } })).toEqual({ username: 'x', password: 'y' });
    expect(await findCredentials('reg.example.com', { home, env: {} })).toBeNull();
  });
  it('DOCKER_CONFIG overrides the directory; a missing or broken file means no credentials', async () => {
    expect((await readDockerAuths({ env: { DOCKER_CONFIG: join(home, 'nope') } })).size).toBe(0);
    const bad = join(home, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'config.json'), '{not json');
    expect((await readDockerAuths({ env: { DOCKER_CONFIG: bad } })).size).toBe(0);
  });
  it('normalizes keys and builds Basic headers', () => {
    expect(normalizeHostKey('HTTPS://Reg.Example.com:5000/v2/')).toBe('reg.example.com:5000');
    expect(basicHeader({ username: 'alice', password: 's3cret' })).toBe('Basic YWxpY2U6czNjcmV0');
  });
});
