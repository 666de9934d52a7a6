import { describe, expect, it } from 'vitest';
import { InvalidNameError } from '../../../src/registry/name.js';
import { addressClass, blobURL, hostClass, refusal, isOllamaHost, manifestURL, remoteRef, uploadStartURL, hostnameOf } from '../../../src/registry/remote/url.js';

const D = 'sha256:' + 'ab'.repeat(32);

describe('remoteRef', () => {
  it.each([
    ['llama3', false, 'https://registry.ollama.ai', 'library/llama3', 'latest'],
    ['alice/m:v1', false, 'https://registry.ollama.ai', 'alice/m', 'v1'],
    ['127.0.0.1:5000/alice/stories:v1', true, 'http://127.0.0.1:5000', 'alice/stories', 'v1'],
    ['127.0.0.1:5000/alice/stories:v1', false, 'https://127.0.0.1:5000', 'alice/stories', 'v1'],
    ['https://reg.example.com/ns/m:t', false, 'https://reg.example.com', 'ns/m', 't'],
    ['https://reg.example.com/ns/m:t', true, 'http://reg.example.com', 'ns/m', 't'],
    ['http://reg.example.com/ns/m:t', true, 'http://reg.example.com', 'ns/m', 't'],
  ])('%s (insecure=%s) → %s/v2/%s', (name, insecure, base, repo, tag) => {
    const r = remoteRef(name, insecure);
    expect([r.base, r.repo, r.tag]).toEqual([base, repo, tag]);
  });

  it('refuses http:// without insecure, with Ollama\'s message', () => {
    expect(() => remoteRef('http://reg.example.com/ns/m:t')).toThrow('insecure protocol http');
  });

  it.each(['../x', 'a/b/c/d/e', 'ftp://h/n/m:t', 'h/n/m@sha256:' + 'a'.repeat(64), ''])('invalid name %j', (n) => {
    expect(() => remoteRef(n)).toThrow(InvalidNameError);
  });

  it('builds URLs only from validated digests', () => {
    const r = remoteRef('h.example/n/m:t');
    expect(manifestURL(r)).toBe('https://h.example/v2/n/m/manifests/t');
    expect(blobURL(r, D)).toBe(`https://h.example/v2/n/m/blobs/${D}`);
    expect(uploadStartURL(r)).toBe('https://h.example/v2/n/m/blobs/uploads/');
    expect(uploadStartURL(r, { digest: D, from: 'library/base' })).toBe(`https://h.example/v2/n/m/blobs/uploads/?mount=${D}&from=library/base`);
    expect(() => blobURL(r, 'sha256:../../x')).toThrow('invalid digest format');
    expect(() => uploadStartURL(r, { digest: 'sha256:AB', from: 'x/y' })).toThrow('invalid digest format');
  });
});

describe('host classification (SSRF guard)', () => {
  it.each([
    ['localhost', 'loopback'],
    ['foo.localhost', 'loopback'],
    ['127.0.0.1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0.0.0.0', 'never'],
    ['169.254.169.254', 'never'],
    ['[fe80::1]', 'never'],
    ['10.0.0.1', 'private'],
    ['8.8.8.8', 'public'],
    ['registry.ollama.ai', null],
    ['localhost.example', null],
  ])('hostClass(%s) = %s', (h, c) => expect(hostClass(h)).toBe(c));
  it('addressClass ignores names', () => expect(addressClass('localhost')).toBe('public'));
  it.each([
    ['169.254.169.254', 'never'],
    ['169.254.0.1', 'never'],
    ['0.0.0.0', 'never'],
    ['224.0.0.1', 'never'],
    ['255.255.255.255', 'never'],
    ['100.100.100.200', 'never'],
    ['fe80::1', 'never'],
    ['::', 'never'],
    ['ff02::1', 'never'],
    ['fd00:ec2::254', 'never'],
    ['::ffff:169.254.169.254', 'never'],
    ['127.0.0.1', 'loopback'],
    ['127.9.9.9', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12::1', 'private'],
    ['fc00::1', 'private'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['8.8.8.8', 'public'],
    ['2001:db8::1', 'public'],
  ])('addressClass(%s) = %s', (a, c) => expect(addressClass(a)).toBe(c));
  it.each([
    // registry class, target class, allowed
    ['public', 'public', true],
    ['public', 'private', false],
    ['public', 'loopback', false],
    ['public', 'never', false],
    ['private', 'private', true],
    ['private', 'loopback', false],
    ['private', 'never', false],
    ['loopback', 'loopback', true],
    ['loopback', 'private', true],
    ['loopback', 'never', false],
    ['never', 'never', false],
  ] as const)('a %s registry may send us to a %s address: %s', (r, t, ok) => {
    expect(refusal(r, t) === null).toBe(ok);
  });
  it.each([
    ['h:5000', 'h'],
    ['h', 'h'],
    ['[::1]:5000', '::1'],
  ])('hostnameOf(%s) = %s', (a, b) => expect(hostnameOf(a)).toBe(b));
  it.each([
    ['registry.ollama.ai', true],
    ['ollama.com', true],
    ['www.ollama.com:443', true],
    ['notollama.com', false],
    ['ollama.com.evil.io', false],
  ])('isOllamaHost(%s) = %s', (h, v) => expect(isOllamaHost(h)).toBe(v));
});
