// Projector GGUFs in create (#15): Ollama's isProjectorGGUF, the projector layer, and the
// `clip.projector_type = mlp` it writes into LLaVA projectors that lack one.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createModel } from '../../src/modelfile/build.js';
import { validateCreateRequest } from '../../src/modelfile/build-request.js';
import { isProjectorGGUF, needsDefaultLlavaProjectorType } from '../../src/modelfile/build-gguf.js';
import { readGGUF } from '../../src/registry/gguf/index.js';
import { addStringMetadata } from '../../src/registry/gguf/rewrite.js';
import { Store } from '../../src/registry/store/index.js';
import { MediaType } from '../../src/registry/store/types.js';
import { writeGGUF, writeModel, type WriteValue } from '../helpers/gguf.js';
import { writeProjector } from '../helpers/gguf/projector.js';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tollama-projector-'));
  store = new Store(path.join(dir, 'models'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const blob = async (file: string) => (await store.importFile(file)).digest;

async function header(metadata: Record<string, WriteValue>) {
  const f = path.join(dir, `h${Math.random().toString(36).slice(2)}.gguf`);
  await writeGGUF(f, { metadata, tensors: [{ name: 'mm.0.weight', dims: [32, 1], type: 'F32' }] });
  return readGGUF(f);
}

describe('isProjectorGGUF (the cases of Ollama\'s server/create.go)', () => {
  it.each<[string, Record<string, WriteValue>, boolean, boolean]>([
    ['general.type mmproj', { 'general.architecture': 'clip', 'general.type': 'mmproj' }, true, false],
    ['general.type projector', { 'general.architecture': 'llama', 'general.type': 'projector' }, true, false],
    ['LLaVA clip with a vision encoder, no projector type', { 'general.architecture': 'clip', 'clip.has_vision_encoder': true, 'clip.vision.block_count': 1 }, true, true],
    ['clip with projector_type', { 'general.architecture': 'clip', 'clip.has_vision_encoder': true, 'clip.projector_type': 'mlp' }, true, false],
    ['clip with vision.projector_type', { 'general.architecture': 'clip', 'clip.has_vision_encoder': true, 'clip.vision.projector_type': 'gemma3' }, true, false],
    ['clip audio encoder only', { 'general.architecture': 'clip', 'clip.has_audio_encoder': true }, true, false],
    ['standalone vision model (vision.block_count, no block_count)', { 'general.architecture': 'mllama', 'mllama.vision.block_count': 8 }, true, false],
    ['clip without any encoder', { 'general.architecture': 'clip' }, false, false],
    ['clip with block_count', { 'general.architecture': 'clip', 'clip.block_count': 2, 'clip.has_vision_encoder': true }, false, true],
    ['a text model', { 'general.architecture': 'llama', 'llama.block_count': 2 }, false, false],
    ['a text model with a vision tower', { 'general.architecture': 'gemma3', 'gemma3.block_count': 2, 'gemma3.vision.block_count': 2 }, false, false],
  ])('%s', async (_name, md, projector, needsType) => {
    const info = await header(md);
    expect(isProjectorGGUF(info)).toBe(projector);
    expect(needsDefaultLlavaProjectorType(info)).toBe(needsType);
  });
});

describe('create with FROM ./model.gguf and FROM ./mmproj.gguf', () => {
  async function create(files: Record<string, string>): Promise<string[]> {
    const out: string[] = [];
    await createModel(validateCreateRequest({ model: 'llava-tiny', files }), { store, env: {} }, (p) => out.push(p.status));
    return out;
  }

  it('a LLaVA projector without clip.projector_type gets `mlp` written in, as a new blob', async () => {
    const m = path.join(dir, 'model.gguf');
    const p = path.join(dir, 'mmproj.gguf');
    await writeModel(m);
    await writeProjector(p, { projectorType: false });
    const uploaded = await blob(p);
    const status = await create({ 'model.gguf': await blob(m), 'mmproj.gguf': uploaded });
    expect(status).toContain('updating GGUF projector metadata');
    const { manifest } = await store.readModel('llava-tiny');
    // Files are taken in name order, as Ollama does: mmproj.gguf before model.gguf.
    expect(manifest.layers.map((l) => l.mediaType)).toEqual([MediaType.projector, MediaType.model]);
    const proj = manifest.layers[0]!;
    expect(proj.digest).not.toBe(uploaded);
    expect(await store.hasBlob(uploaded)).toBe(false); // pruned: nothing uses it
    expect(status).toContain(`creating new layer ${proj.digest}`);
    const before = await readGGUF(p);
    const after = await readGGUF(store.blobPath(proj.digest));
    expect(after.metadata.get('clip.projector_type')).toBe('mlp');
    expect(after.metadata.size).toBe(before.metadata.size + 1);
    for (const [k, v] of before.metadata) expect(after.metadata.get(k)).toEqual(v);
    expect(after.tensors.map((t) => [t.name, t.dims, t.offset])).toEqual(before.tensors.map((t) => [t.name, t.dims, t.offset]));
    const [a, b] = await Promise.all([readFile(p), readFile(store.blobPath(proj.digest))]);
    expect(b.subarray(after.dataOffset).equals(a.subarray(before.dataOffset))).toBe(true);
    const cfg = await store.readConfig(manifest);
    expect(cfg?.model_families).toEqual(['llama']); // a projector adds no family
  });

  it('a projector that has its type is stored as uploaded', async () => {
    const m = path.join(dir, 'model.gguf');
    const p = path.join(dir, 'mmproj.gguf');
    await writeModel(m);
    await writeProjector(p);
    const uploaded = await blob(p);
    const status = await create({ 'model.gguf': await blob(m), 'mmproj.gguf': uploaded });
    expect(status).not.toContain('updating GGUF projector metadata');
    const { manifest } = await store.readModel('llava-tiny');
    expect(manifest.layers.find((l) => l.mediaType === MediaType.projector)).toMatchObject({ digest: uploaded });
  });

  it('only projectors: 400, nothing written', async () => {
    const p = path.join(dir, 'mmproj.gguf');
    await writeProjector(p);
    await expect(create({ 'mmproj.gguf': await blob(p) })).rejects.toMatchObject({ status: 400 });
    expect(await store.findModel('llava-tiny')).toBeNull();
  });
});

describe('addStringMetadata', () => {
  it('refuses a key that is already set', async () => {
    const p = path.join(dir, 'p.gguf');
    await writeProjector(p);
    await expect(addStringMetadata(p, path.join(dir, 'out.gguf'), 'clip.projector_type', 'mlp')).rejects.toThrow(/already set/);
  });
});
