/** Which CLI errors get a hint line (the e2e tests in pullpush.e2e.test.ts show them printed). */
import { describe, expect, it } from 'vitest';
import { hintFor, INSECURE_HINT, OFFLINE_HINT } from '../../src/cli/hints.js';

const dns = 'pull model manifest: Get "https://registry.ollama.ai/v2/library/qwen2/manifests/0.5b": dial tcp: lookup registry.ollama.ai: no such host';
const plain = 'pull model manifest: Get "https://127.0.0.1:5000/v2/a/b/manifests/latest": http: server gave HTTP response to HTTPS client';

describe('hintFor', () => {
  it.each([
    ['run', dns, OFFLINE_HINT],
    ['pull', dns, OFFLINE_HINT],
    ['pull', 'pull model manifest: Get "https://r.io/v2/a/b/manifests/c": dial tcp: lookup r.io: temporary failure in name resolution', OFFLINE_HINT],
    ['pull', 'pull model manifest: Get "https://r.io/v2/a/b/manifests/c": dial tcp 1.2.3.4:443: connect: network is unreachable', OFFLINE_HINT],
    ['push', 'Post "https://r.io/v2/a/b/blobs/uploads/": dial tcp: lookup r.io: no such host', null],
    ['pull', 'pull model manifest: file does not exist', null],
    ['pull', plain, INSECURE_HINT],
    ['run', plain, INSECURE_HINT],
    ['push', 'Head "https://127.0.0.1:5000/v2/a/b/blobs/sha256:x": http: server gave HTTP response to HTTPS client', INSECURE_HINT],
    ['list', plain, null],
  ])('%s: %s', (cmd, msg, want) => expect(hintFor(cmd, msg)).toBe(want));
});
