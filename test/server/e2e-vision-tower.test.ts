// A vision model in Ollama's published layout (#17 item 3 with #15): the tower is inside the model
// blob, with no projector layer. The server derives a llama.cpp projector from it
// (docs/compat.md#towers) and images go through libmtmd like a projector layer's; a vision model
// whose tower no handler knows is a 501, not a silent 200.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ollama } from 'ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libmtmdPath, libtollamaMtmdPath, mtmdToolsDir } from '../../src/runtime/mtmd.js';
import { hasPatchMarker, patchedAddonPath } from '../../src/runtime/native.js';
import { writeGGUF, type GGUFSpec } from '../helpers/gguf.js';
import { gemma3TowerPair } from '../helpers/gguf/towers.js';
import { repoRoot } from '../helpers/models.js';
import { testImages } from '../helpers/png.js';
import { startServer, type TestServer } from '../helpers/server.js';

const nlc = path.join(repoRoot, 'node_modules', 'node-llama-cpp');
const tools = mtmdToolsDir(nlc);
const skip = !fs.existsSync(libmtmdPath(tools)) || !fs.existsSync(libtollamaMtmdPath(tools))
  ? 'libmtmd / libtollama-mtmd.so were not built (npm run build:native)'
  : !hasPatchMarker(patchedAddonPath(nlc)) ? 'the patched addon is not built (npm run build:native)' : '';
if (skip) console.warn(`published-tower vision tests skipped: ${skip}`);

const greedy = { temperature: 0, num_predict: 6 };

describe.skipIf(!!skip)('images to a published vision model (tower inside the weights)', () => {
  let server: TestServer;
  let dir: string;
  let ollama: Ollama;

  async function create(name: string, spec: GGUFSpec): Promise<void> {
    const file = path.join(dir, `${name}.gguf`);
    await writeGGUF(file, spec);
    const r = await fetch(`${server.url}/api/create`, {
      method: 'POST',
      body: JSON.stringify({ model: name, files: { [`${name}.gguf`]: await upload(file) }, stream: false }),
    });
    expect(r.status, await r.text()).toBe(200);
  }
  async function upload(file: string): Promise<string> {
    const { createHash } = await import('node:crypto');
    const bytes = fs.readFileSync(file);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const r = await fetch(`${server.url}/api/blobs/${digest}`, { method: 'POST', body: bytes });
    expect(r.status).toBeLessThan(300);
    return digest;
  }

  beforeAll(async () => {
    server = await startServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-vision-tower-'));
    await create('g3v', gemma3TowerPair().published);
    ollama = new Ollama({ host: server.url });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the derived projector is built and used: image tokens counted, same image → same text', async () => {
    const show = await ollama.show({ model: 'g3v' });
    expect(show.capabilities).toContain('vision');
    const red = testImages.red().toString('base64');
    const gen = (images: string[]) => ollama.generate({ model: 'g3v', prompt: 'hi', images, stream: false, options: greedy });
    const text = await gen([]);
    const a = await gen([red]);
    const b = await gen([red]);
    expect(a.prompt_eval_count).toBeGreaterThan(text.prompt_eval_count);
    expect(b.response).toBe(a.response);
    expect(b.prompt_eval_count).toBe(a.prompt_eval_count);
    const compat = fs.readdirSync(path.join(server.models, 'compat'));
    expect(compat.some((f) => f.endsWith('.mmproj.gguf'))).toBe(true);
  });

  it('a vision model whose tower no handler knows: 501 naming the reason, text still works', async () => {
    const pair = gemma3TowerPair().published;
    // the vision key says "vision", but the tower tensors are gone: nothing to build a projector from
    const spec: GGUFSpec = { ...pair, tensors: pair.tensors.filter((t) => !t.name.startsWith('v.') && !t.name.startsWith('mm.')) };
    await create('g3-notower', spec);
    const r = await fetch(`${server.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'g3-notower', prompt: 'hi', images: [testImages.red().toString('base64')], stream: false }),
    });
    const body = await r.text();
    if (r.status === 200) throw new Error(`an image was accepted by a model that cannot see it: ${body}`);
    expect(r.status, body).toBe(501);
    expect(body).toContain("cannot translate for libmtmd");
    const t = await ollama.generate({ model: 'g3-notower', prompt: 'hi', stream: false, options: greedy });
    expect(t.done).toBe(true);
  });
});
