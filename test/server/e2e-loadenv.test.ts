/**
 * The load settings of a real `ollama serve`: OLLAMA_KV_CACHE_TYPE / OLLAMA_FLASH_ATTENTION (a bad
 * combination is a warning when the server starts and a clear error when a model loads, never a
 * silent f16; a type the model's heads cannot hold is said so; a good one serves requests) and
 * OLLAMA_LOAD_TIMEOUT (a load that stalls past it fails with Ollama's words; the server goes on).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeModel } from '../helpers/gguf.js';
import { addModel, haveStories, STORIES } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';

const servers: TestServer[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-kv-e2e-'));
afterAll(async () => {
  for (const s of servers) await s.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function serve(env: Record<string, string>): Promise<TestServer> {
  const s = await startServer({ env });
  servers.push(s);
  const tiny = path.join(dir, 'tiny.gguf');
  if (!fs.existsSync(tiny)) await writeModel(tiny, { heads: 2, kvHeads: 2 });
  await addModel(s.models, 'tiny', tiny);
  if (haveStories) await addModel(s.models, 'stories', STORIES);
  return s;
}

async function generate(s: TestServer, model: string, options: Record<string, unknown> = {}): Promise<{ status: number; json: any }> {
  const r = await fetch(`${s.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model, prompt: 'hello', stream: false, options: { num_predict: 4, ...options } }) });
  return { status: r.status, json: await r.json() };
}

describe('OLLAMA_KV_CACHE_TYPE through the server', () => {
  it('q8_0 serves a model whose heads hold it; stories260K (heads of 8) gets the reason', async () => {
    const s = await serve({ OLLAMA_KV_CACHE_TYPE: 'q8_0' });
    expect(s.log()).not.toMatch(/OLLAMA_KV_CACHE_TYPE/);
    const ok = await generate(s, 'tiny');
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    if (haveStories) {
      const bad = await generate(s, 'stories');
      expect(bad.status).toBe(500);
      expect(bad.json.error).toMatch(/OLLAMA_KV_CACHE_TYPE=q8_0 stores attention heads in blocks of 32, and this model's key heads hold 8 values/);
    }
  });

  it('an unknown type, or a quantized one with flash attention off: a warning at start, an error at load', async () => {
    for (const env of [{ OLLAMA_KV_CACHE_TYPE: 'q9' }, { OLLAMA_KV_CACHE_TYPE: 'q4_0', OLLAMA_FLASH_ATTENTION: '0' }] as Array<Record<string, string>>) {
      const s = await serve(env);
      const reason = env.OLLAMA_KV_CACHE_TYPE === 'q9' ? /OLLAMA_KV_CACHE_TYPE="q9" is not a K\/V cache type llama\.cpp knows/ : /needs flash attention, and OLLAMA_FLASH_ATTENTION turns it off/;
      // (the log is logfmt: quotes come escaped)
      expect(s.log().replaceAll('\\"', '"')).toMatch(reason);
      const bad = await generate(s, 'tiny');
      expect(bad.status).toBe(500);
      expect(bad.json.error).toMatch(reason);
    }
  });
});

describe('OLLAMA_LOAD_TIMEOUT through the server', () => {
  it('a load with no progress for the window fails with the stall error; nothing stays loaded, the server keeps serving', async () => {
    const s = await serve({ OLLAMA_LOAD_TIMEOUT: '1us' });
    const big = path.join(dir, 'big.gguf');
    await writeModel(big, { embd: 512, ff: 2048, blocks: 8, heads: 8, kvHeads: 8 });
    await addModel(s.models, 'big', big);
    const bad = await generate(s, 'big', { use_mmap: false });
    expect(bad.status).toBe(500);
    expect(bad.json.error).toMatch(/timed out waiting for llama runner to start - progress \d\.\d\d - no load progress for 0\.001ms \(OLLAMA_LOAD_TIMEOUT\)/);
    const ps = (await (await fetch(`${s.url}/api/ps`)).json()) as { models: unknown[] };
    expect(ps.models).toEqual([]);
    expect((await fetch(`${s.url}/api/version`)).status).toBe(200);
  });
});
