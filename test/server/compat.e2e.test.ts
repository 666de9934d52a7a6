/**
 * A model stored in Ollama's published layout, through a real `ollama serve`: `show` reports
 * the published architecture as Ollama does, generation runs from the derived llama.cpp-layout
 * file and answers exactly as the llama.cpp-layout model of the same weights; an inconsistent
 * published file is a clear 500 and the server keeps serving.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGGUF } from '../helpers/gguf.js';
import { gemma3Pair, gptossPair } from '../helpers/gguf/families.js';
import { addModel } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';

async function post(server: TestServer, p: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(server.url + p, { method: 'POST', body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}
const gen = (server: TestServer, model: string) =>
  post(server, '/api/generate', { model, prompt: 'hello there', raw: true, stream: false, options: { temperature: 0, num_predict: 8, seed: 1 } });

describe('published-layout models through the server', () => {
  let server: TestServer;
  let tmp: string;
  beforeAll(async () => {
    server = await startServer();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-compat-e2e-'));
    const oss = gptossPair();
    const add = async (name: string, spec: Parameters<typeof writeGGUF>[1]) => {
      const f = path.join(tmp, `${name}.gguf`);
      await writeGGUF(f, spec);
      await addModel(server.models, name, f);
    };
    await add('oss-published', oss.ollama);
    await add('oss-llamacpp', oss.llamacpp);
    await add('gemma-published', gemma3Pair().ollama);
    await add('oss-broken', { ...oss.ollama, tensors: oss.ollama.tensors.filter((t) => !t.name.includes('_exps')) });
  });
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('show reports the published architecture', async () => {
    const r = await post(server, '/api/show', { model: 'oss-published' });
    expect(r.status).toBe(200);
    expect((r.json.model_info as Record<string, unknown>)['general.architecture']).toBe('gptoss');
    expect((r.json.details as Record<string, unknown>).family).toBe('gptoss');
    expect((r.json.model_info as Record<string, unknown>)['gptoss.block_count']).toBe(2);
  });

  it('generates from the translation exactly as the llama.cpp-layout model does', async () => {
    const want = await gen(server, 'oss-llamacpp');
    expect(want.status).toBe(200);
    const got = await gen(server, 'oss-published');
    expect(got.status).toBe(200);
    expect(got.json.response).toBe(want.json.response);
    expect(want.json.eval_count).toBeGreaterThan(0);
    expect(got.json.eval_count).toBe(want.json.eval_count);
    const files = fs.readdirSync(path.join(server.models, 'compat'));
    expect(files.filter((f) => f.endsWith('.gguf'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(1);
    const g = await gen(server, 'gemma-published');
    expect(g.status).toBe(200);
    expect(fs.readdirSync(path.join(server.models, 'compat')).filter((f) => f.endsWith('.gguf'))).toHaveLength(2);
  });

  it('an inconsistent published file is a clear error and the server keeps serving', async () => {
    const r = await gen(server, 'oss-broken');
    expect(r.status).toBe(500);
    expect(r.json.error).toMatch(/^unable to load model oss-broken:latest: inconsistent gpt-oss model file: blk\.0\.ffn_gate_exps\.weight is missing/);
    expect(server.proc.exitCode).toBeNull();
    expect((await gen(server, 'oss-published')).status).toBe(200);
  });
});
