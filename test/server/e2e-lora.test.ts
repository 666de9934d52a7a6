/**
 * A Modelfile's ADAPTER (LoRA) applied at run time, through `ollama create` and a real server on
 * stories260K with generated, seeded adapters (test/helpers/gguf/lora.ts): the output changes,
 * deterministically; an adapter whose B is zero changes nothing; embeddings get the adapter too;
 * an adapter that does not fit the base is stored (as Ollama) and refused at load time with
 * llama.cpp's reason, and the server keeps serving.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLora, type LoraSpec } from '../helpers/gguf.js';
import { haveStories, repoRoot, STORIES } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';

const exec = promisify(execFile);
const bin = path.join(repoRoot, 'bin', 'ollama');

describe.skipIf(!haveStories)('ADAPTER (LoRA) through ollama create and a real server', () => {
  let server: TestServer;
  let work: string;

  async function create(name: string, lora: LoraSpec | null): Promise<void> {
    const lines = [`FROM ${STORIES}`];
    if (lora) {
      await writeLora(path.join(work, `${name}.gguf`), STORIES, lora);
      lines.push(`ADAPTER ./${name}.gguf`);
    }
    fs.writeFileSync(path.join(work, `${name}.Modelfile`), lines.join('\n') + '\n');
    await exec(process.execPath, [bin, 'create', name, '-f', `${name}.Modelfile`], { env: server.env(), cwd: work });
  }

  async function generate(model: string): Promise<{ status: number; body: any }> {
    const r = await fetch(`${server.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model, prompt: 'Once upon a time', raw: true, stream: false, options: { temperature: 0, num_predict: 24 } }),
    });
    return { status: r.status, body: await r.json() };
  }

  async function embed(model: string): Promise<number[]> {
    const r = await fetch(`${server.url}/api/embed`, { method: 'POST', body: JSON.stringify({ model, input: 'a little girl' }) });
    expect(r.status).toBe(200);
    return ((await r.json()) as { embeddings: number[][] }).embeddings[0]!;
  }

  beforeAll(async () => {
    server = await startServer();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-lora-'));
    await create('base', null);
    await create('lora1', { seed: 1 });
    await create('lora1again', { seed: 1 });
    await create('lora2', { seed: 2 });
    await create('lorazero', { seed: 3, zeroB: true });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('create stores the adapter as an adapter layer (show --modelfile lists it)', async () => {
    const { stdout } = await exec(process.execPath, [bin, 'show', 'lora1', '--modelfile'], { env: server.env() });
    expect(stdout).toMatch(/^ADAPTER .*sha256-[0-9a-f]{64}$/m);
    const show = await (await fetch(`${server.url}/api/show`, { method: 'POST', body: JSON.stringify({ model: 'lora1' }) })).json() as { modelfile: string };
    expect(show.modelfile).toContain('ADAPTER ');
  });

  it('the adapter changes the output, deterministically; the same adapter bytes give the same text', async () => {
    const base = await generate('base');
    const a = await generate('lora1');
    const again = await generate('lora1');
    const same = await generate('lora1again');
    const other = await generate('lora2');
    expect(base.status).toBe(200);
    expect(a.status).toBe(200);
    expect(a.body.response).not.toBe(base.body.response);
    expect(again.body.response).toBe(a.body.response);
    expect(same.body.response).toBe(a.body.response);
    expect(other.body.response).not.toBe(a.body.response);
    expect(server.log()).toMatch(/model loaded.*adapters=1|model loaded.*"adapters":1/);
  });

  it('an adapter whose B is zero leaves the output as the base\'s (W + B·A = W)', async () => {
    const base = await generate('base');
    const zero = await generate('lorazero');
    expect(zero.body.response).toBe(base.body.response);
  });

  it('embeddings get the adapter too', async () => {
    const base = await embed('base');
    const zero = await embed('lorazero');
    const lora = await embed('lora1');
    expect(zero).toEqual(base);
    expect(lora).not.toEqual(base);
  });

  it.each([
    ['another architecture', { architecture: 'qwen2' }, 'model arch and LoRA arch mismatch'],
    ['a tensor of the wrong shape', { badShape: true }, "tensor 'blk.0.attn_q.weight' has incorrect shape (hint: maybe wrong base model?)"],
    ['a tensor the base lacks', { extraTensor: 'blk.99.attn_q.weight' }, "LoRA tensor 'blk.99.attn_q.weight' does not exist in base model (hint: maybe wrong base model?)"],
  ] as const)('an adapter with %s is stored, then refused at load with llama.cpp\'s reason (500)', async (_what, spec, reason) => {
    const name = `bad${_what.length}`;
    await create(name, spec);
    const r = await generate(name);
    expect(r.status).toBe(500);
    expect(r.body.error).toMatch(new RegExp(`^unable to load model ${name}:latest: failed to apply lora adapter sha256-[0-9a-f]{64}: `));
    expect(r.body.error.endsWith(reason)).toBe(true);
    // a request that loads nothing still works, as in Ollama
    const dbg = await fetch(`${server.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: name, prompt: 'x', _debug_render_only: true }) });
    expect(dbg.status).toBe(200);
    // the server keeps serving
    expect((await generate('lora1')).status).toBe(200);
  });
});
