import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseChallenge, tokenSigningString, tokenURL } from '../../../src/registry/remote/auth.js';

describe('parseChallenge', () => {
  it.each([
    [
      'Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull"',
      { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'reg', scope: 'repository:a/b:pull' } },
    ],
    [
      'Bearer realm="http://127.0.0.1:1/token",service="s",scope="repository:a/b:push,pull repository:c/d:pull",error="insufficient_scope"',
      { scheme: 'bearer', params: { realm: 'http://127.0.0.1:1/token', service: 's', scope: 'repository:a/b:push,pull repository:c/d:pull', error: 'insufficient_scope' } },
    ],
    ['Basic realm="test-realm"', { scheme: 'basic', params: { realm: 'test-realm' } }],
    ['bearer Realm=https://x/t, Service=s', { scheme: 'bearer', params: { realm: 'https://x/t', service: 's' } }],
    ['Bearer realm="a\\"b"', { scheme: 'bearer', params: { realm: 'a"b' } }],
    ['Bearer', { scheme: 'bearer', params: {} }],
  ])('%s', (v, want) => expect(parseChallenge(v)).toEqual(want));
  it('returns null for garbage', () => expect(parseChallenge('  ,,, ')).toBeNull());
});

describe('tokenURL', () => {
  const ch = (realm: string, scope = 'repository:a/b:pull') => ({ scheme: 'bearer', params: { realm, service: 'svc', scope } });
  it('keeps Ollama\'s query order: nonce, scope(s), service, ts', () => {
    const u = new URL(tokenURL(ch('https://reg.example/token', 'repository:a/b:push,pull repository:c/d:pull'), { registryHost: 'reg.example' }));
    expect([...u.searchParams.keys()]).toEqual(['nonce', 'scope', 'scope', 'service', 'ts']);
    expect(u.searchParams.getAll('scope')).toEqual(['repository:a/b:push,pull', 'repository:c/d:pull']);
    expect(u.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
  it.each([
    ['https://evil.example/token', 'reg.example', /realm host "evil.example" does not match original host "reg.example"/],
    ['https://reg.example:444/token', 'reg.example', /does not match/],
    ['http://reg.example/token', 'reg.example', /only https/],
    ['file:///etc/passwd', 'reg.example', /only https/],
    ['not a url', 'reg.example', /invalid token realm/],
    ['', 'reg.example', /without a realm/],
  ])('refuses realm %j for %s', (realm, host, re) => {
    expect(() => tokenURL(ch(realm), { registryHost: host })).toThrow(re);
  });
  it('accepts an allow-listed realm host and http with insecure', () => {
    expect(tokenURL(ch('https://auth.docker.io/token'), { registryHost: 'registry-1.docker.io', allowedRealmHosts: ['auth.docker.io'] })).toMatch(/^https:\/\/auth\.docker\.io\/token\?/);
    expect(tokenURL(ch('http://127.0.0.1:5000/token'), { registryHost: '127.0.0.1:5000', insecure: true })).toMatch(/^http:/);
  });
});

it('signing string is GET,<url>,<base64 of hex sha256 of empty body>', () => {
  const hex = createHash('sha256').update('').digest('hex');
  expect(tokenSigningString('https://x/t?a=1')).toBe(`GET,https://x/t?a=1,${Buffer.from(hex).toString('base64')}`);
  expect(tokenSigningString('u').endsWith('ZTNiMGM0NDI5OGZjMWMxNDlhZmJmNGM4OTk2ZmI5MjQyN2FlNDFlNDY0OWI5MzRjYTQ5NTk5MWI3ODUyYjg1NQ==')).toBe(true);
});
