import { describe, expect, it } from 'vitest';
import { isLoopbackHost, joinHostPort, parseOllamaHost, splitHostPort, trimEnvValue } from '../../src/api/host.js';

// Ollama's envconfig TestHost vectors (reference §3.12), plus a few of our own.
const cases: [name: string, value: string | undefined, url: string][] = [
  ['empty', '', 'http://127.0.0.1:11434'],
  ['unset', undefined, 'http://127.0.0.1:11434'],
  ['only address', '1.2.3.4', 'http://1.2.3.4:11434'],
  ['only port', ':1234', 'http://:1234'],
  ['address and port', '1.2.3.4:1234', 'http://1.2.3.4:1234'],
  ['hostname', 'example.com', 'http://example.com:11434'],
  ['hostname and port', 'example.com:1234', 'http://example.com:1234'],
  ['zero port', ':0', 'http://:0'],
  ['too large port', ':66000', 'http://:11434'],
  ['too small port', ':-1', 'http://:11434'],
  ['non-numeric port', 'example.com:abc', 'http://example.com:11434'],
  ['empty port', '1.2.3.4:', 'http://1.2.3.4:11434'],
  ['ipv6 localhost', '[::1]', 'http://[::1]:11434'],
  ['ipv6 world open', '[::]', 'http://[::]:11434'],
  ['ipv6 no brackets', '::1', 'http://[::1]:11434'],
  ['ipv6 + port', '[::1]:1337', 'http://[::1]:1337'],
  ['extra space', ' 1.2.3.4 ', 'http://1.2.3.4:11434'],
  ['extra quotes', '"1.2.3.4"', 'http://1.2.3.4:11434'],
  ['extra space+quotes', ' " 1.2.3.4 " ', 'http://1.2.3.4:11434'],
  ['extra single quotes', "'1.2.3.4'", 'http://1.2.3.4:11434'],
  ['http', 'http://1.2.3.4', 'http://1.2.3.4:80'],
  ['http port', 'http://1.2.3.4:4321', 'http://1.2.3.4:4321'],
  ['https', 'https://1.2.3.4', 'https://1.2.3.4:443'],
  ['https port', 'https://1.2.3.4:4321', 'https://1.2.3.4:4321'],
  ['proxy path', 'https://example.com/ollama', 'https://example.com:443/ollama'],
  ['trailing slash only', 'https://example.com/', 'https://example.com:443'],
  ['ollama.com', 'ollama.com', 'https://ollama.com:443'],
  ['0.0.0.0', '0.0.0.0', 'http://0.0.0.0:11434'],
  ['0.0.0.0 with port', '0.0.0.0:8080', 'http://0.0.0.0:8080'],
  ['unix socket', 'unix:///tmp/ollama.sock', 'unix://%2Ftmp%2Follama.sock'],
];

describe('parseOllamaHost', () => {
  it.each(cases)('%s: %j → %s', (_name, value, url) => {
    expect(parseOllamaHost(value ?? '').url).toBe(url);
  });

  it('reads OLLAMA_HOST when no argument is given', () => {
    const saved = process.env.OLLAMA_HOST;
    try {
      process.env.OLLAMA_HOST = '10.1.2.3:99';
      expect(parseOllamaHost().url).toBe('http://10.1.2.3:99');
      delete process.env.OLLAMA_HOST;
      expect(parseOllamaHost().url).toBe('http://127.0.0.1:11434');
    } finally {
      if (saved === undefined) delete process.env.OLLAMA_HOST;
      else process.env.OLLAMA_HOST = saved;
    }
  });

  it('splits into parts', () => {
    expect(parseOllamaHost('https://example.com:8443/ollama')).toEqual({
      scheme: 'https',
      host: 'example.com',
      port: 8443,
      path: '/ollama',
      url: 'https://example.com:8443/ollama',
      connectUrl: 'https://example.com:8443/ollama',
    });
    expect(parseOllamaHost('[::1]:1337')).toMatchObject({ host: '::1', port: 1337, path: '' });
  });

  it.each([
    ['', 'http://127.0.0.1:11434'],
    [':1234', 'http://127.0.0.1:1234'],
    ['0.0.0.0', 'http://127.0.0.1:11434'],
    ['[::]:5', 'http://[::1]:5'],
    ['example.com/ollama/', 'http://example.com:11434/ollama'],
  ])('connectUrl of %j is %s', (value, url) => {
    expect(parseOllamaHost(value).connectUrl).toBe(url);
  });
});

describe('splitHostPort (Go net.SplitHostPort)', () => {
  it.each([
    ['1.2.3.4:80', { host: '1.2.3.4', port: '80' }],
    [':80', { host: '', port: '80' }],
    ['[::1]:80', { host: '::1', port: '80' }],
    ['host:', { host: 'host', port: '' }],
    ['1.2.3.4', null],
    ['::1', null],
    ['[::1]', null],
    ['[::1]x:80', null],
    ['a]:80', null],
    ['[a:80', null],
  ])('%j', (input, expected) => {
    expect(splitHostPort(input)).toEqual(expected);
  });
});

describe('helpers', () => {
  it('joinHostPort brackets IPv6', () => {
    expect(joinHostPort('::1', 1)).toBe('[::1]:1');
    expect(joinHostPort('a', '2')).toBe('a:2');
  });
  it.each([
    ['value', 'value'],
    [' value ', 'value'],
    [" 'value' ", 'value'],
    [' "value" ', 'value'],
    [" ' value ' ", ' value '],
    [' " value " ', ' value '],
  ])('trimEnvValue(%j) = %j', (input, out) => {
    expect(trimEnvValue(input)).toBe(out);
  });
  it.each([
    ['localhost', true],
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['10.0.0.1', false],
    ['example.com', false],
  ])('isLoopbackHost(%j) = %s', (h, out) => {
    expect(isLoopbackHost(h)).toBe(out);
  });
});
