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

describe('renderer implied by the GGUF architecture', () => {
  it('gemma4 implies nothing while its renderer is not ported (Ollama implies gemma4)', async () => {
    const c = await configAfterCreate('gemma4');
    expect(c?.renderer).toBeUndefined();
    expect(c?.parser).toBeUndefined();
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
