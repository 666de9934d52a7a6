import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createModel, prepareModel } from '../../src/modelfile/build.js';
import { validateCreateRequest } from '../../src/modelfile/build-request.js';
import { knownTemplate } from '../../src/modelfile/templates/known.js';
import { Store } from '../../src/registry/store/index.js';
import { MediaType } from '../../src/registry/store/types.js';
import { writeBrokenGGUF, writeGGUF, writeModel } from '../helpers/gguf.js';

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tollama-build-'));
  store = new Store(path.join(dir, 'models'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function blob(file: string): Promise<string> {
  return (await store.importFile(file)).digest;
}

async function create(body: Record<string, unknown>): Promise<string[]> {
  const out: string[] = [];
  await createModel(validateCreateRequest(body), { store, env: {} }, (p) => out.push(p.status));
  return out;
}

async function blobCount(): Promise<number> {
  try {
    return (await readdir(path.join(dir, 'models', 'blobs'))).length;
  } catch {
    return 0;
  }
}

describe('validateCreateRequest', () => {
  const d = 'sha256:' + 'a'.repeat(64);
  const bad: Array<[string, unknown, string]> = [
    ['not an object', [], 'request body must be a JSON object'],
    ['no name', { from: 'x' }, 'invalid model name'],
    ['bad name', { model: 'a/b/c/d', from: 'x' }, 'invalid model name'],
    ['no from or files', { model: 'm' }, "neither 'from' or 'files' was specified"],
    ['absolute file name', { model: 'm', files: { '/etc/passwd': d } }, 'file path must be relative'],
    ['dot-dot file name', { model: 'm', files: { '../x.gguf': d } }, 'file path must be relative'],
    ['backslash file name', { model: 'm', files: { '..\\x.gguf': d } }, 'file path must be relative'],
    ['empty digest', { model: 'm', files: { 'x.gguf': '' } }, 'invalid digest format'],
    ['digest with ../', { model: 'm', files: { 'x.gguf': 'sha256:../../etc/passwd' } }, 'invalid digest format'],
    ['upper-case digest', { model: 'm', files: { 'x.gguf': 'sha256:' + 'A'.repeat(64) } }, 'invalid digest format'],
    ['bad template', { model: 'm', from: 'x', template: '{{ .Prompt' }, 'template error: '],
    ['unknown template function', { model: 'm', from: 'x', template: '{{ nope }}' }, 'template error: '],
    ['two adapters', { model: 'm', from: 'x', adapters: { 'a.gguf': d, 'b.gguf': d } }, 'only one adapter is currently supported'],
    ['license not text', { model: 'm', from: 'x', license: 3 }, 'license must be a string or a list of strings'],
    ['parameters not an object', { model: 'm', from: 'x', parameters: [1] }, 'parameters must be an object'],
    ['bad messages', { model: 'm', from: 'x', messages: [{ content: 'x' }] }, 'each message needs a string role and content'],
    ['unknown quantize type', { model: 'm', from: 'x', quantize: 'q4_0' }, 'unsupported quantization type Q4_0 - supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0'],
    ['unknown quantization (deprecated field)', { model: 'm', from: 'x', quantization: 'x' }, 'unsupported quantization type X - '],
  ];
  it.each(bad)('%s → 400', (_n, body, msg) => {
    let err: unknown;
    try {
      validateCreateRequest(body);
    } catch (e) {
      err = e;
    }
    expect((err as { status: number }).status).toBe(400);
    expect((err as Error).message.startsWith(msg)).toBe(true);
  });

  it('normalizes valid requests', () => {
    const p = validateCreateRequest({ name: 'M', from: 'llama3', license: 'MIT', system: '', messages: [{ role: 'USER', content: 'hi' }] });
    expect(p.fromModel).toBe('llama3');
    expect(p.license).toEqual(['MIT']);
    expect(p.system).toBeUndefined();
    expect(p.messages).toEqual([{ role: 'user', content: 'hi' }]);
    expect(validateCreateRequest({ model: 'm', from: 'sha256-' + 'b'.repeat(64) }).fromBlob).toBe('sha256:' + 'b'.repeat(64));
    expect(validateCreateRequest({ model: 'm', files: { 'dir/x.gguf': 'sha256:' + 'c'.repeat(64) } }).files).toEqual([
      { name: 'dir/x.gguf', digest: 'sha256:' + 'c'.repeat(64) },
    ]);
  });
});

describe('createModel', () => {
  it('config blob of a bare GGUF equals Ollama\'s test vector', async () => {
    const f = path.join(dir, 'test.gguf');
    await writeGGUF(f, { metadata: { 'general.architecture': 'test' }, tensors: [] });
    await create({ model: 'test', files: { 'test.gguf': await blob(f) } });
    const m = await store.readModel('test');
    expect(m.manifest.config.digest).toBe('sha256:99759ad5b91e723db0393d698ffbb448b1b7df5ff6377a108c49254583b1bc8c');
  });

  it('template and params blobs hash as Ollama\'s', async () => {
    const f = path.join(dir, 'm.gguf');
    await writeModel(f);
    await create({
      model: 'm',
      files: { 'm.gguf': await blob(f) },
      template: '{{ .Prompt }}',
      parameters: { stop: ['USER:', 'ASSISTANT:'], temperature: 1, top_k: 10 },
    });
    const { manifest } = await store.readModel('m');
    const by = (t: string): string | undefined => manifest.layers.find((l) => l.mediaType === t)?.digest;
    expect(by(MediaType.template)!.slice(0, 15)).toBe('sha256:b507b9c2');
    expect(by(MediaType.params)!.slice(0, 15)).toBe('sha256:1d0ad712');
  });

  it('from a GGUF: progress, layers, config, autodetected template', async () => {
    const f = path.join(dir, 'm.gguf');
    await writeModel(f, { chatTemplate: knownTemplate('llama3-instruct')!.jinja[0]! });
    const d = await blob(f);
    const st = await create({ model: 'm', files: { 'm.gguf': d } });
    const tmpl = knownTemplate('llama3-instruct')!;
    const m = await store.readModel('m');
    expect(m.manifest.layers.map((l) => l.mediaType)).toEqual([MediaType.model, MediaType.template, MediaType.params]);
    expect(m.manifest.layers[0]).toMatchObject({ digest: d, from: 'm.gguf' });
    expect(st[0]).toBe('parsing GGUF');
    expect(st).toContain(`using existing layer ${d}`);
    expect(st).toContain('using autodetected template llama3-instruct');
    expect(st.slice(-2)).toEqual(['writing manifest', 'success']);
    expect((await store.readBlob(m.manifest.layers[1]!.digest)).toString()).toBe(tmpl.template);
    expect(JSON.parse((await store.readBlob(m.manifest.layers[2]!.digest)).toString())).toEqual({ stop: tmpl.stop });
    const cfg = await store.readConfig(m.manifest);
    expect(cfg).toMatchObject({ model_format: 'gguf', model_family: 'llama', model_families: ['llama'], file_type: 'unknown' });
    expect(cfg?.model_type).toMatch(/^\d+(\.\d+)?K$/);
  });

  it('autodetected template and params layers are the blobs Ollama writes', async () => {
    // Digests of Ollama's <name>.gotmpl and of the {"stop": […]} blob it encodes from <name>.json.
    const files = JSON.parse(await readFile(new URL('./testdata/template-files.json', import.meta.url), 'utf8')) as Record<string, { gotmpl: string; params: string }>;
    for (const name of ['mistral-instruct', 'gemma3-instruct', 'command-r']) {
      const f = path.join(dir, `${name}.gguf`);
      await writeModel(f, { chatTemplate: knownTemplate(name)!.jinja[0]! });
      const st = await create({ model: name, files: { 'm.gguf': await blob(f) } });
      expect(st).toContain(`using autodetected template ${name}`);
      const { manifest } = await store.readModel(name);
      expect(manifest.layers.slice(1).map((l) => [l.mediaType, l.digest])).toEqual([
        [MediaType.template, files[name]!.gotmpl],
        [MediaType.params, files[name]!.params],
      ]);
    }
  });

  it('files in name order, the autodetected template after them all (a projector\'s template counts)', async () => {
    const m = path.join(dir, 'z-model.gguf');
    const p = path.join(dir, 'a-proj.gguf');
    await writeModel(m);
    await writeModel(p, { generalType: 'projector', seed: 2, chatTemplate: knownTemplate('phi-3')!.jinja[0]! });
    const st = await create({ model: 'mp', files: { 'z-model.gguf': await blob(m), 'a-proj.gguf': await blob(p) } });
    const { manifest } = await store.readModel('mp');
    expect(manifest.layers.map((l) => [l.mediaType, l.from])).toEqual([
      [MediaType.projector, 'a-proj.gguf'],
      [MediaType.model, 'z-model.gguf'],
      [MediaType.template, undefined],
      [MediaType.params, undefined],
    ]);
    expect(st).toContain('using autodetected template phi-3');
  });

  it('a detected stop without PARAMETERs still ends up last, after SYSTEM (Ollama\'s setParameters)', async () => {
    const f = path.join(dir, 'm.gguf');
    await writeModel(f, { chatTemplate: knownTemplate('chatml')!.jinja[0]! });
    await create({ model: 'ms', files: { 'm.gguf': await blob(f) }, system: 'be brief' });
    const { manifest } = await store.readModel('ms');
    expect(manifest.layers.map((l) => l.mediaType)).toEqual([MediaType.model, MediaType.template, MediaType.system, MediaType.params]);
    expect(JSON.parse((await store.readBlob(manifest.layers[3]!.digest)).toString())).toEqual({ stop: ['<|im_start|>', '<|im_end|>'] });
  });

  it('an explicit TEMPLATE replaces the autodetected one; its stop params merge', async () => {
    const f = path.join(dir, 'm.gguf');
    await writeModel(f, { chatTemplate: knownTemplate('chatml')!.jinja[0]! });
    await create({ model: 'm', files: { 'm.gguf': await blob(f) }, template: '{{ .Prompt }}', parameters: { temperature: 0.5 } });
    const { manifest } = await store.readModel('m');
    expect(manifest.layers.map((l) => l.mediaType)).toEqual([MediaType.model, MediaType.template, MediaType.params]);
    expect(JSON.parse((await store.readBlob(manifest.layers[2]!.digest)).toString())).toEqual({
      stop: ['<|im_start|>', '<|im_end|>'],
      temperature: 0.5,
    });
  });

  it('FROM a model reuses its layers and applies Ollama\'s replacement rules', async () => {
    const f = path.join(dir, 'm.gguf');
    await writeModel(f);
    await create({
      model: 'base',
      files: { 'm.gguf': await blob(f) },
      system: 'old',
      license: 'L1',
      parameters: { stop: ['a', 'b'], top_k: 5 },
      messages: [{ role: 'user', content: 'q' }],
    });
    const st = await create({ model: 'ns/child:v1', from: 'base', system: 'new', license: ['L2'], parameters: { stop: ['c'] } });
    const base = await store.readModel('base');
    const child = await store.readModel('ns/child:v1');
    const types = child.manifest.layers.map((l) => l.mediaType);
    expect(types).toEqual([MediaType.model, MediaType.license, MediaType.messages, MediaType.system, MediaType.license, MediaType.params]);
    expect(child.manifest.layers[0]).toMatchObject({ digest: base.manifest.layers[0]!.digest, from: 'base:latest' });
    const params = child.manifest.layers.find((l) => l.mediaType === MediaType.params)!;
    expect(JSON.parse((await store.readBlob(params.digest)).toString())).toEqual({ stop: ['c'], top_k: 5 });
    expect(st.filter((s) => s.startsWith('using existing layer')).length).toBeGreaterThanOrEqual(3);
    expect(st).toContain(`creating new layer ${params.digest}`);
    // An empty system leaves the inherited one. The params are merged and written again even
    // without PARAMETERs (Ollama's setParameters always runs), so that layer moves last.
    await create({ model: 'child2', from: 'base', system: '' });
    const c2 = await store.readModel('child2');
    const baseTypes = base.manifest.layers.map((l) => l.mediaType);
    expect(baseTypes).toEqual([MediaType.model, MediaType.system, MediaType.license, MediaType.params, MediaType.messages]);
    const moved = [0, 1, 2, 4, 3].map((i) => base.manifest.layers[i]!.digest);
    expect(c2.manifest.layers.map((l) => l.digest)).toEqual(moved);
  });

  it('a missing base model is a 404 and writes nothing', async () => {
    const before = await blobCount();
    await expect(create({ model: 'x', from: 'nope' })).rejects.toMatchObject({ status: 404, message: "model 'nope' not found" });
    expect(await blobCount()).toBe(before);
  });

  it('the pull hook runs for a missing base', async () => {
    const f = path.join(dir, 'm.gguf');
    await writeModel(f);
    const d = await blob(f);
    const pulled: string[] = [];
    const plan = validateCreateRequest({ model: 'x', from: 'remote' });
    const prepared = await prepareModel(plan, {
      store,
      env: {},
      pullBase: async (name, emit) => {
        pulled.push(name);
        emit({ status: 'pulling manifest' });
        await createModel(validateCreateRequest({ model: 'remote', files: { 'm.gguf': d } }), { store, env: {} }, () => {});
      },
    });
    expect(pulled).toEqual(['registry.ollama.ai/library/remote:latest']);
    expect(prepared.progress[0]).toEqual({ status: 'pulling manifest' });
  });

  it.each(['magic-only', 'truncated-header', 'not-gguf', 'empty', 'alignment-0', 'tensor-past-eof'] as const)(
    'a broken GGUF (%s) is a clear 400 and no manifest',
    async (kind) => {
      const f = path.join(dir, `${kind}.gguf`);
      await writeBrokenGGUF(f, kind);
      const d = await blob(f);
      const before = await blobCount();
      const err = await create({ model: 'bad', files: { 'x.gguf': d } }).catch((e: unknown) => e);
      expect((err as { status: number }).status).toBe(400);
      expect((err as Error).message).not.toContain(dir);
      // The useless upload is dropped too: the store is as before the upload.
      expect(await blobCount()).toBe(before - 1);
      expect(await store.hasBlob(d)).toBe(false);
      expect(await store.findModel('bad')).toBeNull();
    },
  );

  it('a non-GGUF file gives Ollama\'s message', async () => {
    const f = path.join(dir, 'x.gguf');
    await writeFile(f, 'hello, world — not a model\n');
    await expect(create({ model: 'bad', files: { 'x.gguf': await blob(f) } })).rejects.toMatchObject({
      status: 400,
      message: 'supplied file was not in GGUF format',
    });
  });

  it('FROM sha256:<hex> verifies the blob first', async () => {
    const f = path.join(dir, 'm.gguf');
    await writeModel(f);
    const d = await blob(f);
    await create({ model: 'byblob', from: d });
    expect((await store.readModel('byblob')).manifest.layers[0]!.digest).toBe(d);
    // A blob whose bytes do not match its name is refused.
    const fake = 'sha256:' + 'e'.repeat(64);
    await writeFile(store.blobPath(fake), 'not the right bytes');
    await expect(create({ model: 'bad', from: fake })).rejects.toMatchObject({ status: 400 });
    await expect(create({ model: 'bad', from: 'sha256:' + 'f'.repeat(64) })).rejects.toMatchObject({ status: 400 });
    expect(await store.findModel('bad')).toBeNull();
  });

  it('re-creating a name prunes blobs only the old manifest used (unless OLLAMA_NOPRUNE)', async () => {
    const f = path.join(dir, 'm.gguf');
    await writeModel(f);
    const d = await blob(f);
    await create({ model: 'm', files: { 'm.gguf': d }, system: 'one' });
    const old = (await store.readModel('m')).manifest.layers.find((l) => l.mediaType === MediaType.system)!.digest;
    await create({ model: 'm', files: { 'm.gguf': d }, system: 'two' });
    expect(await store.hasBlob(old)).toBe(false);
    const plan = validateCreateRequest({ model: 'm', files: { 'm.gguf': d }, system: 'three' });
    const two = (await store.readModel('m')).manifest.layers.find((l) => l.mediaType === MediaType.system)!.digest;
    await createModel(plan, { store, env: { OLLAMA_NOPRUNE: '1' } }, () => {});
    expect(await store.hasBlob(two)).toBe(true);
  });

  it('adapters and projectors get their media types', async () => {
    const m = path.join(dir, 'm.gguf');
    const p = path.join(dir, 'p.gguf');
    const a = path.join(dir, 'a.gguf');
    await writeModel(m);
    await writeModel(p, { generalType: 'projector', seed: 2 });
    await writeModel(a, { generalType: 'adapter', seed: 3 });
    await create({ model: 'mm', files: { 'm.gguf': await blob(m), 'p.gguf': await blob(p) }, adapters: { 'a.gguf': await blob(a) } });
    const { manifest } = await store.readModel('mm');
    expect(manifest.layers.map((l) => l.mediaType)).toEqual([MediaType.model, MediaType.projector, MediaType.adapter]);
    expect(manifest.layers[2]!.from).toBe('a.gguf');
  });
});

describe('the real tiny model', () => {
  const real = path.resolve(__dirname, '../../../shared/models/stories260K.gguf');
  it('creates from stories260K.gguf (skipped when absent)', async () => {
    try {
      await readdir(path.dirname(real));
    } catch {
      console.log(`skipped: ${real} is absent`);
      return;
    }
    await create({ model: 'stories', files: { 'stories260K.gguf': await blob(real) } });
    const m = await store.readModel('stories');
    const cfg = await store.readConfig(m.manifest);
    expect(cfg).toMatchObject({ model_format: 'gguf', model_family: 'llama', file_type: 'unknown' });
  });
});
