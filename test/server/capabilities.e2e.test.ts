/**
 * Issue #14 item 4 end to end: a real server reports capabilities per model in /api/tags (the
 * field after `details`, as Ollama 0.33), in /api/show and `ollama show`, and `show --modelfile`
 * prints the RENDERER / PARSER lines where Ollama puts them (after TEMPLATE and SYSTEM).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelSpec, tinyLlama, u32, writeGGUF, writeModel, type WriteValue } from '../helpers/gguf.js';
import { repoRoot } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';

const exec = promisify(execFile);
const bin = path.join(repoRoot, 'bin', 'ollama');

const MODELS: Record<string, string> = {
  agent: 'FROM ./tiny.gguf\nSYSTEM be brief\nRENDERER qwen3-coder\nPARSER qwen3-thinking\nPARAMETER temperature 0\n',
  coder: 'FROM ./tiny.gguf\nTEMPLATE """{{ if .Tools }}{{ .Tools }}{{ end }}<PRE>{{ .Prompt }}<SUF>{{ .Suffix }}<MID>"""\n',
  plain: 'FROM ./tiny.gguf\n',
  seer: 'FROM ./seer.gguf\n',
  embed: 'FROM ./embed.gguf\n',
};
const EXPECTED: Record<string, string[]> = {
  agent: ['completion', 'tools', 'thinking'],
  coder: ['completion', 'tools', 'insert'],
  plain: ['completion'],
  seer: ['completion', 'vision'],
  embed: ['embedding'],
};
/** Ollama's list reads the header's vision key before it decides completion/embedding. */
const LISTED: Record<string, string[]> = { ...EXPECTED, seer: ['vision', 'completion'] };

describe('capabilities on a real server', () => {
  let server: TestServer;
  let work: string;
  const ollama = (...args: string[]) => exec(process.execPath, [bin, ...args], { env: server.env(), cwd: work });
  const show = async (model: string) => {
    const r = await fetch(`${server.url}/api/show`, { method: 'POST', body: JSON.stringify({ model }) });
    return (await r.json()) as { capabilities?: string[]; modelfile: string };
  };

  beforeAll(async () => {
    server = await startServer();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-caps-e2e-'));
    await writeModel(path.join(work, 'tiny.gguf'));
    // A vision model's header: `<arch>.vision.block_count` among the architecture's keys,
    // before the tokenizer's (where converters write it, and where Ollama's list looks).
    const spec = modelSpec(tinyLlama);
    const md: Record<string, WriteValue> = {};
    for (const [k, v] of Object.entries(spec.metadata as Record<string, WriteValue>)) {
      md[k] = v;
      if (k === 'llama.block_count') md['llama.vision.block_count'] = u32(1);
    }
    await writeGGUF(path.join(work, 'seer.gguf'), { ...spec, metadata: md });
    await writeModel(path.join(work, 'embed.gguf'), { poolingType: 1 });
    for (const [name, text] of Object.entries(MODELS)) {
      fs.writeFileSync(path.join(work, `${name}.Modelfile`), text);
      await ollama('create', name, '-f', `${name}.Modelfile`);
    }
  });
  afterAll(async () => {
    await server?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('/api/tags lists each model’s capabilities right after its details', async () => {
    const raw = await (await fetch(`${server.url}/api/tags`)).text();
    for (const [name, caps] of Object.entries(LISTED)) {
      const entry = new RegExp(`\\{"name":"${name}:latest","model":"${name}:latest","modified_at":"[^"]+","size":\\d+,"digest":"[0-9a-f]{64}","details":\\{[^{}]*\\},"capabilities":(\\[[^\\]]*\\])\\}`).exec(raw);
      expect(entry, `${name} in ${raw}`).not.toBeNull();
      expect(JSON.parse(entry![1]!)).toEqual(caps);
    }
  });

  it('/api/tags completes details from the header as Ollama’s list does', async () => {
    const raw = await (await fetch(`${server.url}/api/tags`)).text();
    // parent_model: the model layer's `from`, as /api/show reports it
    const parent = ((await (await fetch(`${server.url}/api/show`, { method: 'POST', body: '{"model":"plain"}' })).json()) as { details: { parent_model: string } }).details.parent_model;
    expect(parent).not.toBe('');
    expect(raw).toContain(
      `"details":{"parent_model":${JSON.stringify(parent)},"format":"gguf",` +
        '"family":"llama","families":["llama"],"parameter_size":"115K",' +
        '"quantization_level":"F32","context_length":512,"embedding_length":64},"capabilities":["completion"]}',
    );
  });

  it('/api/show reports the same capabilities', async () => {
    for (const [name, caps] of Object.entries(EXPECTED)) expect((await show(name)).capabilities, name).toEqual(caps);
  });

  it('ollama show prints them in its Capabilities section', async () => {
    const r = await ollama('show', 'agent');
    expect(r.stdout).toContain('  Capabilities\n    completion    \n    tools         \n    thinking      \n\n');
  });

  it('show --modelfile prints RENDERER and PARSER after TEMPLATE and SYSTEM, before the parameters', async () => {
    const { modelfile } = await show('agent');
    expect(modelfile).toMatch(
      /^# Modelfile generated by "ollama show"\n# To build a new Modelfile based on this, replace FROM with:\n# FROM agent:latest\n\nFROM \S+sha256-[0-9a-f]{64}\nTEMPLATE \{\{ \.Prompt \}\}\nSYSTEM be brief\nRENDERER qwen3-coder\nPARSER qwen3-thinking\nPARAMETER temperature 0\n$/,
    );
    const cli = await ollama('show', 'agent', '--modelfile');
    expect(cli.stdout).toBe(`${modelfile}\n`);
  });
});
