/**
 * `create --quantize` end to end (#16 item 1): a real server, llama-quantize built at install,
 * generated F16 GGUFs (and stories260K converted to F16 for real text), the CLI before upload.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGGUF } from '../../src/registry/gguf/index.js';
import { llamaQuantizeArgs, llamaQuantizePath } from '../../src/runtime/quantize.js';
import { writeModel } from '../helpers/gguf.js';
import { haveStories, repoRoot, STORIES } from '../helpers/models.js';
import { fileDigest, postJson, startServer, uploadBlob, type TestServer } from '../helpers/server.js';

const exec = promisify(execFile);
const bin = llamaQuantizePath(path.join(repoRoot, 'node_modules', 'node-llama-cpp'));
if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build:native\` (npm ci builds it)`);

let server: TestServer;
let dir: string;
let f16: string;
let q8: string;
const digestOf = fileDigest;
const blobs = () => fs.readdirSync(path.join(server.models, 'blobs')).filter((n) => n.startsWith('sha256-'));

const post = (route: string, body: unknown) => postJson(server, route, body);

async function upload(file: string): Promise<string> {
  const { digest, status } = await uploadBlob(server, file);
  expect(status).toBeLessThan(300);
  return digest;
}

const lines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-quant-'));
  f16 = path.join(dir, 'tiny-f16.gguf');
  q8 = path.join(dir, 'tiny-q8.gguf');
  // 256-wide rows so that every K-quant applies without fallbacks.
  await writeModel(f16, { weightType: 'F16', embd: 256, ff: 512, heads: 4, kvHeads: 4, seed: 7 });
  await writeModel(q8, { weightType: 'Q8_0', embd: 256, ff: 512, heads: 4, kvHeads: 4, seed: 7 });
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('POST /api/create with quantize', () => {
  it('F16 → Q8_0: Ollama progress lines, the bytes llama-quantize writes, the source blob dropped', async () => {
    const src = await upload(f16);
    const r = await post('/api/create', { model: 'tiny:q8', files: { 'tiny-f16.gguf': src }, quantize: 'q8_0' });
    expect(r.status).toBe(200);
    const out = lines(r.text);
    const conv = out.filter((l) => l.status === 'quantizing F16 model to Q8_0');
    expect(conv.length).toBeGreaterThan(1);
    for (const l of conv) expect(l.digest).toBe('0000000000000000000');
    expect(conv.at(-1)!.completed).toBe(conv.at(-1)!.total);
    const statuses = out.map((l) => l.status);
    expect(statuses).toContain('verifying conversion');
    expect(statuses.at(-1)).toBe('success');

    // The same conversion run by hand (Ollama's arguments) gives the same bytes.
    const ref = path.join(dir, 'ref-q8.gguf');
    const run = spawnSync(bin, llamaQuantizeArgs('llama', 'Q8_0', f16, ref), { encoding: 'utf8' });
    expect(run.status).toBe(0);
    const want = digestOf(ref);
    expect(statuses).toContain(`creating new layer ${want}`);
    const show = JSON.parse((await post('/api/show', { model: 'tiny:q8' })).text) as { details: { quantization_level: string } };
    expect(show.details.quantization_level).toBe('Q8_0');
    expect((await readGGUF(path.join(server.models, 'blobs', want.replace(':', '-')))).fileType).toBe('Q8_0');
    expect(blobs()).not.toContain(src.replace(':', '-'));
  });

  it('q4_k is Q4_K_M (the status keeps the name asked for)', async () => {
    const src = await upload(f16);
    const r = await post('/api/create', { model: 'tiny:q4', files: { 'tiny-f16.gguf': src }, quantize: 'q4_k', stream: false });
    expect(r.status).toBe(200);
    const show = JSON.parse((await post('/api/show', { model: 'tiny:q4' })).text) as { details: { quantization_level: string } };
    expect(show.details.quantization_level).toBe('Q4_K_M');
  });

  it('the same type as the source converts nothing', async () => {
    const src = await upload(f16);
    const r = await post('/api/create', { model: 'tiny:f16', files: { 'tiny-f16.gguf': src }, quantize: 'F16' });
    expect(r.status).toBe(200);
    expect(r.text).not.toContain('quantizing');
    expect(r.text).toContain(`using existing layer ${src}`);
  });

  it.each([
    ['q9', 'unsupported quantization type Q9 - supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0'],
    ['q4_0', 'unsupported quantization type Q4_0 - supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0'],
  ])('an unknown type (%s) is a 400 before anything is read', async (q, msg) => {
    const r = await post('/api/create', { model: 'bad', files: { 'x.gguf': `sha256:${'0'.repeat(64)}` }, quantize: q });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toEqual({ error: msg });
  });

  it('an already quantized source is a 400 and no model appears', async () => {
    const src = await upload(q8);
    const r = await post('/api/create', { model: 'requant', files: { 'tiny-q8.gguf': src }, quantize: 'q4_K_M' });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toEqual({ error: 'quantization is only supported for F16, BF16 and F32 models' });
    expect((await post('/api/show', { model: 'requant' })).status).toBe(404);
  });
});

describe.skipIf(!haveStories)('stories260K in F16, quantized by create, still writes its story', () => {
  it('generates after Q8_0 quantization', async () => {
    const storiesF16 = path.join(dir, 'stories-f16.gguf');
    expect(spawnSync(bin, llamaQuantizeArgs('llama', 'F16', STORIES, storiesF16)).status).toBe(0);
    const src = await upload(storiesF16);
    const c = await post('/api/create', { model: 'stories:q8', files: { 's.gguf': src }, quantize: 'Q8_0', stream: false });
    expect(c.status).toBe(200);
    const g = await post('/api/generate', { model: 'stories:q8', prompt: 'Once upon a time', raw: true, stream: false, options: { temperature: 0, num_predict: 12 } });
    expect(g.status).toBe(200);
    const body = JSON.parse(g.text) as { response: string; eval_count: number };
    expect(body.eval_count).toBeGreaterThan(0);
    expect(body.response.trim().length).toBeGreaterThan(0);
  });
});
if (!haveStories) console.warn('e2e-quantize: ../shared/models/stories260K.gguf is absent: the real-text case is skipped');

describe('ollama create -q (the CLI)', () => {
  const cli = (args: string[], cwd: string) =>
    exec(process.execPath, [path.join(repoRoot, 'bin', 'ollama'), ...args], { env: server.env(), cwd }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it('refuses an unknown type and a quantized source before uploading anything', async () => {
    const work = fs.mkdtempSync(path.join(dir, 'cli-'));
    fs.copyFileSync(q8, path.join(work, 'm.gguf'));
    fs.writeFileSync(path.join(work, 'Modelfile'), 'FROM ./m.gguf\n');
    const before = blobs().length;
    const a = await cli(['create', 'cli-bad', '-q', 'q9'], work);
    expect(a.code).toBe(1);
    expect(a.stderr).toContain('Error: unsupported quantization type Q9 - supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0');
    const b = await cli(['create', 'cli-bad', '--quantize', 'q4_K_M'], work);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain('Error: quantization is only supported for F16, BF16 and F32 models');
    expect(blobs().length).toBe(before);
  });

  it('quantizes with a progress line', async () => {
    const work = fs.mkdtempSync(path.join(dir, 'cli-'));
    fs.copyFileSync(f16, path.join(work, 'm.gguf'));
    fs.writeFileSync(path.join(work, 'Modelfile'), 'FROM ./m.gguf\n');
    const r = await cli(['create', 'cli-q8', '-q', 'Q8_0'], work);
    expect(r.stderr).toContain('quantizing F16 model to Q8_0 100%');
    expect(r.code).toBe(0);
    const ls = await cli(['show', 'cli-q8'], work);
    expect(ls.stdout).toMatch(/quantization\s+Q8_0/);
  });
});
