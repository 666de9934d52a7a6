/**
 * Split GGUF weights in `ollama create` (Ollama 0.33's split groups): stories260K cut into three
 * llama.cpp shards, created from their folder with the real CLI, becomes one weights layer, the
 * bytes llama-quantize COPY writes for the unsplit file; it answers exactly as the unsplit model;
 * the shards' blobs are gone; shards that do not agree get Ollama's messages and nothing is stored.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llamaQuantizePath } from '../../src/runtime/quantize.js';
import { splitGGUF } from '../helpers/gguf/split.js';
import { addModel, haveStories, repoRoot, STORIES } from '../helpers/models.js';
import { fileDigest, startServer, type TestServer } from '../helpers/server.js';

const exec = promisify(execFile);
const bin = llamaQuantizePath(path.join(repoRoot, 'node_modules', 'node-llama-cpp'));
const haveQuantize = fs.existsSync(bin);
if (!haveStories) console.warn(`e2e-create-split skipped: ${STORIES} is absent`);
if (!haveQuantize) console.warn(`e2e-create-split skipped: ${bin} is missing (npm run build:native)`);

const digestOf = fileDigest;

describe.skipIf(!haveStories || !haveQuantize)('create from split GGUF shards', () => {
  let server: TestServer;
  let dir: string;
  const ollama = (cwd: string, ...args: string[]) => exec(process.execPath, [path.join(repoRoot, 'bin', 'ollama'), ...args], { env: server.env(), cwd });
  const blobs = () => fs.readdirSync(path.join(server.models, 'blobs'));
  const generate = async (model: string) => {
    const r = await fetch(`${server.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model, prompt: 'Once upon a time', stream: false, options: { temperature: 0, num_predict: 40 } }) });
    return ((await r.json()) as { response: string }).response;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-split-'));
    server = await startServer();
    await addModel(server.models, 'whole', STORIES);
  });
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('three shards in a folder become one layer: llama-quantize COPY\'s bytes, the same answers, no shard left', async () => {
    const shards = path.join(dir, 'shards');
    fs.mkdirSync(shards);
    const parts = await splitGGUF(STORIES, shards, 'stories', 3);
    fs.writeFileSync(path.join(dir, 'Modelfile'), 'FROM ./shards\n');
    const before = new Set(blobs());
    const { stdout, stderr } = await ollama(dir, 'create', 'split-stories');
    expect(stderr + stdout).toMatch(/success/);

    // the layer is what llama-quantize COPY makes of the unsplit file (split keys dropped)
    const ref = path.join(dir, 'ref.gguf');
    expect(spawnSync(bin, ['--allow-requantize', STORIES, ref, 'COPY']).status).toBe(0);
    const show = (await (await fetch(`${server.url}/api/show`, { method: 'POST', body: JSON.stringify({ model: 'split-stories', verbose: true }) })).json()) as {
      model_info: Record<string, unknown>; details: { parameter_size: string };
    };
    expect(Object.keys(show.model_info).filter((k) => k.startsWith('split.'))).toEqual([]);
    const manifest = JSON.parse(fs.readFileSync(path.join(server.models, 'manifests', 'registry.ollama.ai', 'library', 'split-stories', 'latest'), 'utf8')) as {
      layers: Array<{ mediaType: string; digest: string; from?: string }>;
    };
    const weights = manifest.layers.filter((l) => l.mediaType === 'application/vnd.ollama.image.model');
    expect(weights).toHaveLength(1);
    expect(weights[0]!.digest).toBe(digestOf(ref));
    // the whole model's parameter count, not the first shard's
    const whole = (await (await fetch(`${server.url}/api/show`, { method: 'POST', body: JSON.stringify({ model: 'whole' }) })).json()) as { details: { parameter_size: string } };
    expect(show.details.parameter_size).toBe(whole.details.parameter_size);

    expect(await generate('split-stories')).toBe(await generate('whole'));
    // the shards were uploaded, then pruned; no temporary links remain
    const shardDigests = parts.map((p) => digestOf(p).replace(':', '-'));
    const after = blobs();
    for (const d of shardDigests) expect(after).not.toContain(d);
    expect(after.filter((n) => n.includes('tmp'))).toEqual([]);
    expect(after.filter((n) => !before.has(n)).length).toBeGreaterThan(0);
  });

  it('shards that do not agree are refused with Ollama\'s messages, and no model is written', async () => {
    const cases: Array<{ name: string; make: (d: string) => Promise<void>; error: RegExp }> = [
      {
        name: 'missing',
        make: async (d) => {
          const p = await splitGGUF(STORIES, d, 'm', 3);
          fs.rmSync(p[1]!);
        },
        error: /split GGUF "m-00001-of-00003\.gguf" has 2 shards, expected 3/,
      },
      {
        name: 'renamed',
        make: async (d) => void (await splitGGUF(STORIES, d, 'm', 2, ['a.gguf', 'b.gguf'])),
        error: /split GGUF "a\.gguf" must use llama\.cpp split filename pattern/,
      },
      {
        name: 'count',
        make: async (d) => void (await splitGGUF(STORIES, d, 'm', 2, ['m-00001-of-00003.gguf', 'm-00002-of-00003.gguf'])),
        error: /split GGUF "m-00001-of-00003\.gguf" filename count 3 does not match metadata count 2/,
      },
      {
        name: 'index',
        make: async (d) => void (await splitGGUF(STORIES, d, 'm', 2, ['m-00002-of-00002.gguf', 'm-00001-of-00002.gguf'])),
        error: /split GGUF "m-00001-of-00002\.gguf" filename index 0 does not match metadata index 1/,
      },
    ];
    for (const c of cases) {
      const d = path.join(dir, c.name);
      fs.mkdirSync(path.join(d, 'w'), { recursive: true });
      await c.make(path.join(d, 'w'));
      fs.writeFileSync(path.join(d, 'Modelfile'), 'FROM ./w\n');
      const err = await ollama(d, 'create', `bad-${c.name}`).then(() => null, (e: { stderr: string; code: number }) => e);
      expect(err, c.name).not.toBeNull();
      expect(err!.code).toBe(1);
      expect(err!.stderr, c.name).toMatch(c.error);
      expect(fs.existsSync(path.join(server.models, 'manifests', 'registry.ollama.ai', 'library', `bad-${c.name}`))).toBe(false);
    }
  });
});
