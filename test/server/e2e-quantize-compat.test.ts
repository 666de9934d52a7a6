/**
 * `create --quantize` of a file in Ollama's published layout (#17), as Ollama 0.33 does it
 * (server/create.go, server/quantization.go): a file with embedded towers is translated,
 * llama-quantize quantizes the text model, and the stored layer has the published metadata, the
 * quantized text tensors and the towers unchanged — it loads (translated again) and generates.
 * A text-only published file is quantized as is, as Ollama does with its compatibility layer
 * off: where llama.cpp cannot read it, llama-quantize fails and nothing is created.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translateGGUF } from '../../src/registry/compat/translate.js';
import { rawScalar, readRawHeader } from '../../src/registry/gguf/rawheader.js';
import { llamaQuantizeArgs, llamaQuantizePath } from '../../src/runtime/quantize.js';
import { u32, writeGGUF, type GGUFSpec } from '../helpers/gguf.js';
import { gemma3Pair, gptossPair } from '../helpers/gguf/families.js';
import { repoRoot } from '../helpers/models.js';
import { fileDigest, postJson, startServer, uploadBlob, type TestServer } from '../helpers/server.js';

const bin = llamaQuantizePath(path.join(repoRoot, 'node_modules', 'node-llama-cpp'));
if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build:native\` (npm ci builds it)`);

let server: TestServer;
let dir: string;
const digestOf = fileDigest;

const post = (route: string, body: unknown) => postJson(server, route, body);
async function upload(file: string): Promise<string> {
  const { digest, status } = await uploadBlob(server, file);
  expect(status).toBeLessThan(300);
  return digest;
}
/** The spec with every matrix in F16 and general.file_type F16. */
function f16(spec: GGUFSpec): GGUFSpec {
  const md = (spec.metadata as Array<[string, unknown]>).filter(([k]) => k !== 'general.file_type') as Extract<GGUFSpec['metadata'], unknown[]>;
  return { ...spec, metadata: [...md, ['general.file_type', u32(1)]], tensors: spec.tensors.map((t) => (t.dims.length >= 2 ? { ...t, type: 'F16' as const } : t)) };
}
async function tensors(file: string): Promise<Map<string, { type: number; bytes: Buffer }>> {
  const h = await readRawHeader(file);
  const all = fs.readFileSync(file);
  return new Map(h.tensors.map((t) => [t.name, { type: t.type, bytes: all.subarray(t.sourceOffset, t.sourceOffset + t.size) }]));
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-quant-compat-'));
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('create -q of a published gemma3 F16 file with its vision tower', () => {
  it('stores the published layout: text quantized from the translation, the tower unchanged; it loads and generates', async () => {
    const src = path.join(dir, 'gemma3-f16.gguf');
    await writeGGUF(src, f16(gemma3Pair().ollama));
    const c = await post('/api/create', { model: 'g3:q8', files: { 'g3.gguf': await upload(src) }, quantize: 'q8_0', stream: false });
    expect(c.status, c.text).toBe(200);

    const manifest = JSON.parse(fs.readFileSync(path.join(server.models, 'manifests', 'registry.ollama.ai', 'library', 'g3', 'q8'), 'utf8')) as { layers: Array<{ mediaType: string; digest: string }> };
    const blob = path.join(server.models, 'blobs', manifest.layers.find((l) => l.mediaType === 'application/vnd.ollama.image.model')!.digest.replace(':', '-'));
    const h = await readRawHeader(blob);
    const kv = (k: string) => rawScalar(h.kvs.find((x) => x.key === k)!);
    expect(kv('general.architecture')).toBe('gemma3');
    expect(kv('general.file_type')).toBe(7); // Q8_0
    expect(h.kvs.some((x) => x.key === 'gemma3.rope.global.freq_base')).toBe(true); // published keys kept
    expect(h.kvs.some((x) => x.key === 'gemma3.attention.layer_norm_rms_epsilon')).toBe(false);

    // The text tensors are what llama-quantize makes of the translation; the tower is the original's.
    const translated = path.join(dir, 'gemma3-translated.gguf');
    expect(await translateGGUF(src, translated)).not.toBeNull();
    const ref = path.join(dir, 'gemma3-ref-q8.gguf');
    expect(spawnSync(bin, llamaQuantizeArgs('gemma3', 'Q8_0', translated, ref)).status).toBe(0);
    const want = await tensors(ref);
    const orig = await tensors(src);
    const got = await tensors(blob);
    for (const [name, t] of want) expect(got.get(name)?.bytes.equals(t.bytes), name).toBe(true);
    for (const name of ['v.blk.0.attn_q.weight', 'v.post_layernorm.weight', 'mm.mm_input_projection.weight']) {
      expect(got.get(name)?.type, name).toBe(orig.get(name)!.type);
      expect(got.get(name)!.bytes.equals(orig.get(name)!.bytes), name).toBe(true);
    }
    expect(got.get('blk.0.attn_q.weight')?.type).toBe(8); // Q8_0
    expect(got.size).toBe(want.size + 3);

    const g = await post('/api/generate', { model: 'g3:q8', prompt: 'hello', raw: true, stream: false, options: { temperature: 0, num_predict: 4 } });
    expect(g.status, g.text).toBe(200);
    expect((JSON.parse(g.text) as { eval_count: number }).eval_count).toBeGreaterThan(0);
  });
});

describe('create -q of a text-only published file', () => {
  it('is quantized as is, like Ollama with its compatibility layer off: llama.cpp cannot read gptoss, nothing is created', async () => {
    const src = path.join(dir, 'gptoss-f16.gguf');
    await writeGGUF(src, f16(gptossPair().ollama));
    const c = await post('/api/create', { model: 'oss:q8', files: { 'oss.gguf': await upload(src) }, quantize: 'q8_0', stream: false });
    expect(c.status).toBeGreaterThanOrEqual(400);
    expect(c.text).toMatch(/llama-quantize failed/);
    expect((await post('/api/show', { model: 'oss:q8' })).status).toBe(404);
  });
});
