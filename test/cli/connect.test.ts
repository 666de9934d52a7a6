import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOllamaHost } from '../../src/api/host.js';
import { serverLogFile } from '../../src/cli/connect.js';

describe('the background server’s log file', () => {
  const logs = path.join('/home/u', '.ollama', 'logs');
  it.each([
    [undefined, 'server.log'],
    ['127.0.0.1:11434', 'server.log'],
    ['localhost', 'server.log'],
    ['127.0.0.1:11435', 'server-127.0.0.1-11435.log'],
    ['127.0.0.2', 'server-127.0.0.2-11434.log'],
    ['[::1]:11434', 'server-__1-11434.log'],
  ])('OLLAMA_HOST=%s → %s', (value, file) => {
    expect(serverLogFile(parseOllamaHost(value), '/home/u')).toBe(path.join(logs, file));
  });
});
