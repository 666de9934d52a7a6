import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/api/client.js';
import { run } from '../../src/cli/create.js';
import { hashLocalFile } from '../../src/cli/create-files.js';
import { knownTemplate } from '../../src/modelfile/templates/known.js';
import { Store } from '../../src/registry/store/index.js';
import { MediaType as MT } from '../../src/registry/store/types.js';
import { createHttpServer, Router } from '../../src/server/http.js';
import { registerCreateRoutes } from '../../src/server/routes/create.js';
import { writeBrokenGGUF, writeModel } from '../helpers/gguf.js';

interface Srv {
  store: Store;
  client: Client;
  uploads: number;
  close: () => Promise<void>;
}

let dir: string;
let srv: Srv;
const servers: Srv[] = [];

async function startServer(root: string): Promise<Srv> {
  const store = new Store(root);
  const router = new Router();
  registerCreateRoutes(router, { store, env: {} });
  const s: Srv = { store, client: undefined as unknown as Client, uploads: 0, close: async () => {} };
  const server = createHttpServer(router, {
    middleware: [
      (ctx) => {
        if (ctx.method === 'POST' && ctx.path.startsWith('/api/blobs/') && Number(ctx.req.headers['content-length'] ?? 1) > 0) s.uploads++;
        return false;
      },
    ],
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  s.client = new Client({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  s.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  servers.push(s);
  return s;
}

class Sink {
  text = '';
  isTTY = false;
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

async function create(name: string, modelfile: string | null, opts: { server?: Srv; sub?: string } = {}): Promise<{ err: string; out: string }> {
  const s = opts.server ?? srv;
  const wd = path.join(dir, opts.sub ?? 'work');
  await mkdir(wd, { recursive: true });
  if (modelfile !== null) await writeFile(path.join(wd, 'Modelfile'), modelfile);
  const err = new Sink();
  const out = new Sink();
  await run([name], { file: modelfile === null ? undefined : 'Modelfile' }, { client: s.client, cwd: wd, stderr: err, stdout: out, env: {} });
  return { err: err.text, out: out.text };
}

async function types(name: string, s = srv): Promise<string[]> {
  return (await s.store.readModel(name)).manifest.layers.map((l) => l.mediaType);
}

async function blobBytes(root = path.join(dir, 'models')): Promise<number> {
  let n = 0;
  for (const f of await readdir(path.join(root, 'blobs')).catch(() => [] as string[])) n += (await stat(path.join(root, 'blobs', f))).size;
  return n;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tollama-create-cli-'));
  srv = await startServer(path.join(dir, 'models'));
  const w = path.join(dir, 'work');
  await mkdir(path.join(w, 'models', 'zephyr-models'), { recursive: true });
  await writeModel(path.join(w, 'models', 'zephyr-models', 'zephyr-7b-beta.Q5_K_M.gguf'));
  await writeModel(path.join(w, 'model.gguf'), { seed: 2 });
  await writeModel(path.join(w, 'mmproj.gguf'), { seed: 3, generalType: 'projector' });
  await writeModel(path.join(w, 'lora.gguf'), { seed: 4, generalType: 'adapter' });
  await writeModel(path.join(w, 'chat.gguf'), { seed: 5, chatTemplate: knownTemplate('gemma-instruct')!.jinja[0]! });
});
afterAll(async () => {
  for (const s of servers) await s.close();
  await rm(dir, { recursive: true, force: true });
});

const ZEPHYR = `FROM models/zephyr-models/zephyr-7b-beta.Q5_K_M.gguf
PARAMETER num_ctx 3900
PARAMETER temperature 0.7
PARAMETER top_k 50
PARAMETER top_p 0.95
PARAMETER stop "<|system|>"
PARAMETER stop "<|user|>"
PARAMETER stop "<|assistant|>"
PARAMETER stop "</s>"
TEMPLATE """
<|system|>\\n system
{{ .System }}</s>
<|user|>\\n user
{{ .Prompt }}</s>
<|assistant|>\\n 
"""
SYSTEM """You are an assistant for PhD researchers, you help them find infos from research papers at ease."""
`;

describe('ollama create', () => {
  it('the zephyr Modelfile from the issue', async () => {
    const { err } = await create('zephyr-phd', ZEPHYR);
    expect(err.split('\n')[0]).toBe('gathering model components');
    expect(err).toMatch(/^copying file sha256:[0-9a-f]{64} 100%$/m);
    expect(err).toContain('parsing GGUF\n');
    expect(err.trimEnd().split('\n').slice(-2)).toEqual(['writing manifest', 'success']);
    expect(err).not.toContain(dir);
    expect(await types('zephyr-phd')).toEqual([MT.model, MT.template, MT.system, MT.params]);
    const m = await srv.store.readModel('zephyr-phd');
    const params = m.manifest.layers.find((l) => l.mediaType === MT.params)!;
    expect((await srv.store.readBlob(params.digest)).toString()).toBe(
      '{"num_ctx":3900,"stop":["\\u003c|system|\\u003e","\\u003c|user|\\u003e","\\u003c|assistant|\\u003e","\\u003c/s\\u003e"],"temperature":0.7,"top_k":50,"top_p":0.95}\n',
    );
    const tmpl = m.manifest.layers.find((l) => l.mediaType === MT.template)!;
    expect((await srv.store.readBlob(tmpl.digest)).toString()).toBe(
      // Triple-quoted values keep their inner newlines and spaces (only the line is trimmed).
      '\n<|system|>\\n system\n{{ .System }}</s>\n<|user|>\\n user\n{{ .Prompt }}</s>\n<|assistant|>\\n \n',
    );
    expect(m.manifest.layers[0]!.from).toBe('zephyr-7b-beta.Q5_K_M.gguf');
  });

  const LIBRARY: Array<[string, string, string[]]> = [
    ['llama3', 'FROM ./model.gguf\nTEMPLATE """{{ if .System }}<|start_header_id|>system<|end_header_id|>\n\n{{ .System }}<|eot_id|>{{ end }}<|start_header_id|>user<|end_header_id|>\n\n{{ .Prompt }}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n{{ .Response }}<|eot_id|>"""\nPARAMETER stop "<|start_header_id|>"\nPARAMETER stop "<|end_header_id|>"\nPARAMETER stop "<|eot_id|>"\nPARAMETER num_keep 24\n', [MT.model, MT.template, MT.params]],
    ['mistral', 'FROM ./model.gguf\nTEMPLATE "[INST] {{ .System }} {{ .Prompt }} [/INST]"\nPARAMETER stop [INST]\nPARAMETER stop [/INST]\n', [MT.model, MT.template, MT.params]],
    ['gemma', 'FROM ./model.gguf\nTEMPLATE """<start_of_turn>user\n{{ if .System }}{{ .System }} {{ end }}{{ .Prompt }}<end_of_turn>\n<start_of_turn>model\n{{ .Response }}<end_of_turn>\n"""\nPARAMETER repeat_penalty 1\nPARAMETER stop "<start_of_turn>"\nPARAMETER stop "<end_of_turn>"\n', [MT.model, MT.template, MT.params]],
    ['phi3', 'FROM ./model.gguf\nTEMPLATE "{{ if .System }}<|system|>\n{{ .System }}<|end|>\n{{ end }}{{ if .Prompt }}<|user|>\n{{ .Prompt }}<|end|>\n{{ end }}<|assistant|>\n{{ .Response }}<|end|>"\nPARAMETER stop <|end|>\nPARAMETER stop <|user|>\nPARAMETER stop <|assistant|>\n', [MT.model, MT.template, MT.params]],
    ['qwen2', 'FROM ./model.gguf\nTEMPLATE """{{ range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n"""\nSYSTEM You are a helpful assistant.\nPARAMETER stop <|im_start|>\nPARAMETER stop <|im_end|>\n', [MT.model, MT.template, MT.system, MT.params]],
    ['codellama', '# comment\nFROM ./model.gguf\nTEMPLATE "[INST] <<SYS>>{{ .System }}<</SYS>>\n\n{{ .Prompt }} [/INST]"\nSYSTEM "You are an expert programmer."\nPARAMETER num_ctx 16384\nPARAMETER rope_frequency_base 1e6\n', []],
    ['licensed', 'FROM ./model.gguf\nLICENSE """MIT License\n\nCopyright"""\nLICENSE "Apache-2.0"\n', [MT.model, MT.license, MT.license]],
    ['messages', 'FROM ./model.gguf\nSYSTEM You are a pirate.\nMESSAGE user Is Toronto in Canada?\nMESSAGE assistant yes\nMESSAGE user Is Sacramento in Canada?\nMESSAGE assistant no\n', [MT.model, MT.system, MT.messages]],
    // Files in name order, as Ollama sorts them: mmproj.gguf before model.gguf.
    ['llava-like', 'FROM ./model.gguf\nFROM ./mmproj.gguf\nADAPTER ./lora.gguf\nPARAMETER num_ctx 4096\n', [MT.projector, MT.model, MT.params, MT.adapter]],
    ['derived', 'FROM llama3\nSYSTEM """You are Mario from Super Mario Bros."""\nPARAMETER temperature 1\n', [MT.model, MT.template, MT.system, MT.params]],
  ];

  it.each(LIBRARY)('library-style Modelfile: %s', async (name, mf, want) => {
    if (name === 'codellama') {
      // rope_frequency_base is not a parameter Ollama knows.
      await expect(create(name, mf)).rejects.toThrow("unknown parameter 'rope_frequency_base'");
      await create(name, mf.replace('PARAMETER rope_frequency_base 1e6\n', ''));
      want = [MT.model, MT.template, MT.system, MT.params];
    } else {
      await create(name, mf);
    }
    expect(await types(name)).toEqual(want);
  });

  it('messages and derived models carry the right content', async () => {
    const msgs = (await srv.store.readModel('messages')).manifest.layers.find((l) => l.mediaType === MT.messages)!;
    expect(JSON.parse((await srv.store.readBlob(msgs.digest)).toString())).toHaveLength(4);
    const d = await srv.store.readModel('derived');
    expect(d.manifest.layers[0]!.from).toBe('llama3:latest');
    const p = d.manifest.layers.find((l) => l.mediaType === MT.params)!;
    expect(JSON.parse((await srv.store.readBlob(p.digest)).toString())).toEqual({
      num_keep: 24,
      stop: ['<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'],
      temperature: 1,
    });
  });

  it('autodetects the template of a GGUF without TEMPLATE', async () => {
    const { err } = await create('auto', 'FROM ./chat.gguf\n');
    expect(err).toContain('using autodetected template gemma-instruct\n');
    expect(await types('auto')).toEqual([MT.model, MT.template, MT.params]);
  });

  it('the Modelfile fallback: no Modelfile means FROM . (the folder\'s GGUF files)', async () => {
    const sub = path.join(dir, 'only-gguf');
    await mkdir(sub, { recursive: true });
    await writeModel(path.join(sub, 'x.gguf'), { seed: 2 });
    await create('fallback', null, { sub: 'only-gguf' });
    expect(await types('fallback')).toEqual([MT.model]);
    await mkdir(path.join(dir, 'empty'), { recursive: true });
    await expect(create('nothing', null, { sub: 'empty' })).rejects.toThrow('no Modelfile or safetensors files found');
  });

  it('invalid model name', async () => {
    await expect(create('bad/name/x/y', 'FROM ./model.gguf\n')).rejects.toThrow('invalid model name: bad/name/x/y');
  });

  describe('bad input → clear errors, nothing written', () => {
    beforeAll(async () => {
      const w = path.join(dir, 'work');
      await writeBrokenGGUF(path.join(w, 'four.gguf'), 'magic-only');
      await writeBrokenGGUF(path.join(w, 'trunc.gguf'), 'truncated-kv');
      await writeFile(path.join(w, 'text.gguf'), 'just some text\n');
      try {
        execFileSync('mkfifo', [path.join(w, 'fifo.gguf')]);
      } catch {
        /* no mkfifo: that case is skipped below */
      }
    });
    const cases: Array<[string, string, RegExp]> = [
      ['no FROM', 'SYSTEM hi\n', /no FROM line/],
      ['FROM a missing path', 'FROM ./missing.gguf\n', /^FROM \.\/missing\.gguf: not found, or not a readable regular file$/],
      ['FROM /dev/zero', 'FROM /dev/zero\n', /^FROM \/dev\/zero: not found, or not a readable regular file$/],
      ['FROM a FIFO', 'FROM ./fifo.gguf\n', /^FROM \.\/fifo\.gguf: not found, or not a readable regular file$/],
      ['a 4-byte GGUF', 'FROM ./four.gguf\n', /GGUF|truncated|ends/i],
      ['a truncated GGUF', 'FROM ./trunc.gguf\n', /truncated|ends|GGUF/i],
      ['a non-GGUF file', 'FROM ./text.gguf\n', /^400 Bad Request: supplied file was not in GGUF format$/],
      ['an unknown instruction', 'FROM ./model.gguf\nFOO bar\n', /command must be one of/],
      ['a bad PARAMETER', 'FROM ./model.gguf\nPARAMETER top_k many\n', /invalid int value \[many\]/],
      ['a TEMPLATE that does not parse', 'FROM ./model.gguf\nTEMPLATE "{{ .Prompt "\n', /^400 Bad Request: template error: /],
      ['ADAPTER that is not a file', 'FROM ./model.gguf\nADAPTER ./nope.gguf\n', /ADAPTER \.\/nope\.gguf: not found/],
    ];
    it.each(cases)('%s', async (label, mf, msg) => {
      if (label === 'FROM a FIFO') {
        try {
          await stat(path.join(dir, 'work', 'fifo.gguf'));
        } catch {
          console.log('skipped: mkfifo is not available');
          return;
        }
      }
      const before = await blobBytes();
      const err = await create('broken', mf).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(Error);
      expect(err!.message).toMatch(msg);
      expect(err!.message).not.toContain(dir);
      expect(await srv.store.findModel('broken')).toBeNull();
      expect(await blobBytes()).toBe(before);
    });
  });

  describe('offline import paths', () => {
    it('FROM ./model.gguf twice (any name) adds 0 bytes; the file is cloned, not uploaded', async () => {
      const mf = 'FROM ./model.gguf\nSYSTEM same\n';
      await create('twice-a', mf);
      const uploads = srv.uploads;
      const bytes = await blobBytes();
      await create('twice-b', mf);
      await create('library/twice-c:v2', mf);
      expect(await blobBytes()).toBe(bytes);
      expect(srv.uploads).toBe(uploads);
    });

    it('a non-loopback address falls back to uploading bytes', async () => {
      const root = path.join(dir, 'upload-store');
      const s = await startServer(root);
      // Same server, reached through a name the CLI does not treat as loopback.
      const port = new URL(s.client.baseUrl).port;
      s.client = new Client({ baseUrl: `http://[::ffff:127.0.0.1]:${port}` });
      await create('uploaded', 'FROM ./model.gguf\n', { server: s });
      expect(s.uploads).toBe(1);
      expect(await types('uploaded', s)).toEqual([MT.model]);
    });

    it('a blob copied into blobs/ by hand, used as FROM sha256:<hex>', async () => {
      const src = path.join(dir, 'work', 'hand.gguf');
      await writeModel(src, { seed: 42 });
      const digest = await hashLocalFile(src);
      await cp(src, path.join(dir, 'models', 'blobs', digest.replace(':', '-')));
      await create('by-hand', `FROM ${digest}\nSYSTEM from a copied blob\n`);
      const m = await srv.store.readModel('by-hand');
      expect(m.manifest.layers[0]!.digest).toBe(digest);
    });

    it('a whole models/ folder copied to another machine works', async () => {
      const copy = path.join(dir, 'copied-models');
      await cp(path.join(dir, 'models'), copy, { recursive: true });
      const s = await startServer(copy);
      expect((await s.store.list()).map((m) => m.shortName)).toContain('zephyr-phd:latest');
      const before = await blobBytes(copy);
      await create('zephyr-tuned', 'FROM zephyr-phd\nPARAMETER temperature 0.2\n', { server: s });
      expect(await types('zephyr-tuned', s)).toEqual([MT.model, MT.template, MT.system, MT.params]);
      const report = await s.store.verify(['zephyr-tuned']);
      expect(JSON.stringify(report)).not.toMatch(/mismatch|missing/i);
      expect((await blobBytes(copy)) - before).toBeLessThan(1024);
    });
  });
});
