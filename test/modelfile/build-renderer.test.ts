/**
 * The renderer (and parser) Ollama implies from the weights' GGUF architecture at create: set
 * when the create names none, never over an explicit RENDERER, and not from an adapter.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createModel } from '../../src/modelfile/build.js';
import { validateCreateRequest } from '../../src/modelfile/build-request.js';
import { parseModelName } from '../../src/registry/name.js';
import { Store } from '../../src/registry/store/index.js';
import { MediaType } from '../../src/registry/store/types.js';
import { writeGGUF } from '../helpers/gguf.js';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tollama-build-renderer-'));
  store = new Store(path.join(dir, 'models'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configAfterCreate(arch: string, extra: Record<string, unknown> = {}) {
  const f = path.join(dir, `${arch}.gguf`);
  await writeGGUF(f, { metadata: { 'general.architecture': arch }, tensors: [] });
  const digest = (await store.importFile(f)).digest;
  await createModel(validateCreateRequest({ model: 'm', files: { 'm.gguf': digest }, ...extra }), { store, env: {} }, () => {});
  const stored = await store.findModel(parseModelName('m'));
  return store.readConfig(stored!.manifest);
}

async function paramsLayer() {
  const stored = await store.findModel(parseModelName('m'));
  return stored!.manifest.layers.find((l) => l.mediaType === MediaType.params);
}

async function params(): Promise<unknown> {
  const l = await paramsLayer();
  return l ? JSON.parse((await store.readBlob(l.digest)).toString()) : undefined;
}

describe('renderer implied by the GGUF architecture', () => {
  it('gemma4 implies renderer and parser gemma4 and a <turn|> stop, unless the request names a stop', async () => {
    const c = await configAfterCreate('gemma4');
    expect(c?.renderer).toBe('gemma4');
    expect(c?.parser).toBe('gemma4');
    expect(await params()).toEqual({ stop: ['<turn|>'] });
    // The params blob is the one Ollama writes (json.Encoder: HTML-escaped, a newline).
    expect((await store.readBlob((await paramsLayer())!.digest)).toString()).toBe('{"stop":["\\u003cturn|\\u003e"]}\n');
    await configAfterCreate('gemma4', { parameters: { stop: ['END'], temperature: 0.5 } });
    expect(await params()).toEqual({ stop: ['END'], temperature: 0.5 });
    await configAfterCreate('gemma4', { parameters: { temperature: 0.5 } });
    expect(await params()).toEqual({ stop: ['<turn|>'], temperature: 0.5 });
  });

  it('gemma4 with RENDERER and PARSER given implies no stop; FROM such a model neither', async () => {
    const c = await configAfterCreate('gemma4', { renderer: 'gemma4-large', parser: 'gemma4-no-thinking' });
    expect(c).toMatchObject({ renderer: 'gemma4-large', parser: 'gemma4-no-thinking' });
    expect(await params()).toBeUndefined();
    await createModel(validateCreateRequest({ model: 'child', from: 'm' }), { store, env: {} }, () => {});
    const child = await store.findModel(parseModelName('child'));
    expect(await store.readConfig(child!.manifest)).toMatchObject({ renderer: 'gemma4-large', parser: 'gemma4-no-thinking' });
    expect(child!.manifest.layers.some((l) => l.mediaType === MediaType.params)).toBe(false);
  });

  it.each([
    ['laguna', 'laguna'],
    ['nemotron_h', 'nemotron-3-nano'],
    ['nemotron_h_moe', 'nemotron-3-nano'],
    ['nemotron_h_omni', 'nemotron-3-nano'],
  ])('%s → %s', async (arch, name) => {
    const c = await configAfterCreate(arch);
    expect(c?.renderer).toBe(name);
    expect(c?.parser).toBe(name);
  });

  it('other architectures get none', async () => {
    const c = await configAfterCreate('llama');
    expect(c?.renderer).toBeUndefined();
    expect(c?.parser).toBeUndefined();
  });

  it('an explicit RENDERER wins; the parser still comes from the architecture', async () => {
    const c = await configAfterCreate('laguna', { renderer: 'qwen3-coder' });
    expect(c?.renderer).toBe('qwen3-coder');
    expect(c?.parser).toBe('laguna');
  });
});
