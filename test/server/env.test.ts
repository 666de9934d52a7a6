import { describe, expect, it } from 'vitest';
import { MAX_DURATION, MINUTE, SECOND } from '../../src/api/duration.js';
import { debugLevel, envBool, envUint, loadTimeoutFromEnv, readServerConfig, shutdownTimeoutFromEnv } from '../../src/server/env.js';
import { allowedOrigins, allowedHostName, apiKeyMatches, hostHeaderAllowed, originAllowed, parseApiKeys } from '../../src/server/security.js';

describe('envBool (Go ParseBool, unparseable → true)', () => {
  it.each([
    ['', false],
    ['true', true],
    ['false', false],
    ['1', true],
    ['0', false],
    ['T', true],
    ['FALSE', false],
    [' "false" ', false],
    ['random', true],
    ['something', true],
  ])('%j → %s', (v, out) => {
    expect(envBool({ X: v }, 'X')).toBe(out);
  });
  it('default when unset', () => {
    expect(envBool({}, 'X', true)).toBe(true);
  });
});

describe('envUint', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['1337', 1337],
    ['', 11434],
    ['-1', 11434],
    ['0o10', 11434],
    ['0x10', 11434],
    ['string', 11434],
  ])('%j → %d', (v, out) => {
    const warnings: string[] = [];
    expect(envUint({ X: v }, 'X', 11434, warnings)).toBe(out);
    expect(warnings.length).toBe(out === 11434 && v !== '' ? 1 : 0);
  });
});

describe('OLLAMA_LOAD_TIMEOUT', () => {
  it.each([
    ['', 5n * MINUTE],
    ['1s', SECOND],
    ['1h2m3s', 3723n * SECOND],
    ['0', MAX_DURATION],
    ['60', 60n * SECOND],
    ['-0', MAX_DURATION],
    ['-1', MAX_DURATION],
    ['-1m', MAX_DURATION],
    [' ', 5n * MINUTE],
    ['???', 5n * MINUTE],
    ['1d', 5n * MINUTE],
  ])('%j', (v, out) => {
    expect(loadTimeoutFromEnv(v)).toBe(out);
  });
});

describe('OLLAMA_SHUTDOWN_TIMEOUT (Tollama only): Go duration or seconds, ≥ 0, else 5s', () => {
  it.each([
    ['', 5000, false],
    ['0', 0, false],
    ['30', 30_000, false],
    ['1m30s', 90_000, false],
    ['250ms', 250, false],
    ['"10s"', 10_000, false],
    ['-1s', 5000, true],
    ['soon', 5000, true],
  ])('%j → %d ms', (v, ms, warned) => {
    const warnings: string[] = [];
    expect(shutdownTimeoutFromEnv(v, warnings)).toBe(ms);
    expect(warnings.length > 0).toBe(warned);
  });
  it('is read into the config', () => {
    expect(readServerConfig({ OLLAMA_SHUTDOWN_TIMEOUT: '2s' }).shutdownTimeoutMs).toBe(2000);
  });
});

describe('OLLAMA_DEBUG', () => {
  it.each([
    ['', 0],
    ['0', 0],
    ['false', 0],
    ['1', 1],
    ['true', 1],
    ['2', 2],
  ])('%j → %d', (v, out) => {
    expect(debugLevel(v)).toBe(out);
  });
});

describe('readServerConfig', () => {
  it('defaults', () => {
    const c = readServerConfig({ HOME: '/home/u' });
    expect(c.host.url).toBe('http://127.0.0.1:11434');
    expect(c.models).toMatch(/\.ollama[/\\]models$/);
    expect(c.keepAlive).toBe(5n * MINUTE);
    expect(c).toMatchObject({ maxLoadedModels: 0, numParallel: 1, maxQueue: 512, contextLength: 0, noPrune: false, noHistory: false, goTemplate: true, debug: 0, apiKeys: [], warnings: [] });
    expect(c.origins).toEqual(allowedOrigins(''));
  });

  it('reads values, warns on bad numbers', () => {
    const c = readServerConfig({
      OLLAMA_HOST: '0.0.0.0:8080',
      OLLAMA_MODELS: '"/data/models"',
      OLLAMA_KEEP_ALIVE: '-1',
      OLLAMA_NUM_PARALLEL: 'four',
      OLLAMA_MAX_QUEUE: '9',
      OLLAMA_NOPRUNE: '1',
      OLLAMA_API_KEYS: ' a , b ,, ',
      OLLAMA_ORIGINS: 'https://x.example',
    });
    expect(c.host).toMatchObject({ host: '0.0.0.0', port: 8080 });
    expect(c.models).toBe('/data/models');
    expect(c.keepAlive).toBe(MAX_DURATION);
    expect(c.numParallel).toBe(1);
    expect(c.maxQueue).toBe(9);
    expect(c.noPrune).toBe(true);
    expect(c.apiKeys).toEqual(['a', 'b']);
    expect(c.origins[0]).toBe('https://x.example');
    expect(c.warnings).toHaveLength(1);
    expect(readServerConfig({ OLLAMA_KEEP_ALIVE: '1d' }).warnings[0]).toMatch(/OLLAMA_KEEP_ALIVE/);
  });

  it('OLLAMA_FLASH_ATTENTION: unset = auto (undefined), else Ollama\'s BoolWithDefault (unparseable = true)', () => {
    expect(readServerConfig({}).flashAttention).toBeUndefined();
    expect(readServerConfig({ OLLAMA_FLASH_ATTENTION: '' }).flashAttention).toBeUndefined();
    expect(readServerConfig({ OLLAMA_FLASH_ATTENTION: '1' }).flashAttention).toBe(true);
    expect(readServerConfig({ OLLAMA_FLASH_ATTENTION: 'false' }).flashAttention).toBe(false);
    expect(readServerConfig({ OLLAMA_FLASH_ATTENTION: 'yes please' }).flashAttention).toBe(true);
  });

  it('Ollama settings with no effect here are start-up warnings saying why, never silent', () => {
    expect(readServerConfig({}).warnings).toEqual([]);
    const w = readServerConfig({ OLLAMA_SCHED_SPREAD: '1', LLAMA_ARG_FIT: 'off', OLLAMA_MAX_TRANSFER_STREAMS: '8', OLLAMA_IGPU_ENABLE: '1', LLAMA_ARG_FIT_TARGET: '512' }).warnings;
    expect(w).toHaveLength(5);
    expect(w[0]).toBe('OLLAMA_SCHED_SPREAD is set but has no effect in Tollama: node-llama-cpp always spreads a model over every GPU it offloads to');
    for (const k of ['OLLAMA_IGPU_ENABLE', 'LLAMA_ARG_FIT ', 'LLAMA_ARG_FIT_TARGET', 'OLLAMA_MAX_TRANSFER_STREAMS']) expect(w.some((x) => x.startsWith(k)), k).toBe(true);
  });

  it('OLLAMA_KV_CACHE_TYPE: lower-cased; an unknown or unusable one warns at start', () => {
    expect(readServerConfig({ OLLAMA_KV_CACHE_TYPE: ' Q8_0 ' })).toMatchObject({ kvCacheType: 'q8_0', warnings: [] });
    expect(readServerConfig({ OLLAMA_KV_CACHE_TYPE: 'q9' }).warnings).toEqual([
      'OLLAMA_KV_CACHE_TYPE="q9" is not a K/V cache type llama.cpp knows (f32, f16, bf16, q8_0, q4_0, q4_1, iq4_nl, q5_0, q5_1): loading a model will fail',
    ]);
    expect(readServerConfig({ OLLAMA_KV_CACHE_TYPE: 'q4_0', OLLAMA_FLASH_ATTENTION: '0' }).warnings[0]).toMatch(/needs flash attention/);
    expect(readServerConfig({ OLLAMA_KV_CACHE_TYPE: 'f16', OLLAMA_FLASH_ATTENTION: '0' }).warnings).toEqual([]);
  });
});

describe('security helpers', () => {
  it('default origin list', () => {
    expect(allowedOrigins('http://172.16.0.1, https://192.168.0.1')).toEqual([
      'http://172.16.0.1',
      'https://192.168.0.1',
      'http://localhost',
      'https://localhost',
      'http://localhost:*',
      'https://localhost:*',
      'http://127.0.0.1',
      'https://127.0.0.1',
      'http://127.0.0.1:*',
      'https://127.0.0.1:*',
      'http://0.0.0.0',
      'https://0.0.0.0',
      'http://0.0.0.0:*',
      'https://0.0.0.0:*',
      'app://*',
      'file://*',
      'tauri://*',
      'vscode-webview://*',
      'vscode-file://*',
    ]);
  });

  it.each([
    ['http://a.example', ['*'], true],
    ['https://sub.a.example', ['https://*.a.example'], true],
    ['https://a.example', ['https://*.a.example'], false],
    ['moz-extension://abc', ['moz-extension://*'], true],
  ])('originAllowed(%s, %j) = %s', (o, list, ok) => {
    expect(originAllowed(o, list)).toBe(ok);
  });

  it.each([
    ['', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['myhost', true],
    ['a.b.localhost', true],
    ['x.local', true],
    ['x.internal', true],
    ['evil.com', false],
    ['local', false],
  ])('allowedHostName(%j) = %s', (h, ok) => {
    expect(allowedHostName(h, 'MyHost')).toBe(ok);
  });

  it.each([
    ['127.0.0.1:1', true],
    ['[::1]:1', true],
    ['[::1]', false],
    ['172.20.0.1', true],
    ['172.32.0.1', false],
    ['[fd00::1]:80', true],
    ['0.0.0.0', true],
    ['1.1.1.1', false],
  ])('hostHeaderAllowed(%j) = %s', (h, ok) => {
    expect(hostHeaderAllowed(h, 'nohost')).toBe(ok);
  });

  it('API keys', () => {
    expect(parseApiKeys(undefined)).toEqual([]);
    expect(parseApiKeys('x,,y ')).toEqual(['x', 'y']);
    expect(apiKeyMatches('y', ['x', 'y'])).toBe(true);
    expect(apiKeyMatches('z', ['x', 'y'])).toBe(false);
    expect(apiKeyMatches('', ['x'])).toBe(false);
    expect(apiKeyMatches('x', [])).toBe(false);
  });
});
