/**
 * Capabilities computed as Ollama 0.33 computes them (server/images.go Capabilities() for
 * /api/show, server/model_list_cache.go for /api/tags), from real GGUF headers written by the
 * test writer and real parsed templates.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCapabilities, modelCapabilities, type CapabilityInput } from '../../src/server/capabilities.js';
import { parserSupport, PARSER_NAMES } from '../../src/prompt/capabilities.js';
import { readGGUF, type GGUFInfo } from '../../src/registry/gguf/index.js';
import type { ConfigV2 } from '../../src/registry/store/index.js';
import { parseOllamaTemplate } from '../../src/template/index.js';
import { u32, writeGGUF, type WriteValue } from '../helpers/gguf.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-caps-'));
let n = 0;
async function header(metadata: Array<[string, WriteValue]>): Promise<GGUFInfo> {
  const file = path.join(dir, `m${n++}.gguf`);
  await writeGGUF(file, { metadata, tensors: [] });
  return readGGUF(file);
}
const llama = (...extra: Array<[string, WriteValue]>) => header([['general.architecture', 'llama'], ['llama.block_count', u32(1)], ...extra]);

const TOOLS = '{{ if .Tools }}{{ .Tools }}{{ end }}{{ .Prompt }}';
const SUFFIX = '<PRE>{{ .Prompt }}<SUF>{{ .Suffix }}<MID>';
const THINK = '{{ range .Messages }}{{ if .Thinking }}<think>{{ .Thinking }}</think>{{ end }}{{ .Content }}{{ end }}';
const JINJA_TOOLS_THINK = "{% for m in messages %}{% if tools %}{{ tools }}{% endif %}<think>{{ m.reasoning }}</think>{% endfor %}";
const HARMONY = '<|start|>system<|message|>{{ .System }}<|end|>{{ .Prompt }}';

interface Case {
  name: string;
  gguf?: () => Promise<GGUFInfo>;
  config?: ConfigV2;
  template?: string;
  projectors?: Array<() => Promise<GGUFInfo>>;
  jinja?: boolean;
  show: string[];
  tags?: string[];
}

const cases: Case[] = [
  { name: 'plain weights, no template', gguf: () => llama(), show: ['completion'] },
  { name: 'pooling_type → embedding instead of completion', gguf: () => llama(['llama.pooling_type', u32(1)]), show: ['embedding'] },
  { name: 'vision.block_count (show: after completion, tags: before)', gguf: () => llama(['llama.vision.block_count', u32(2)]), show: ['completion', 'vision'], tags: ['vision', 'completion'] },
  { name: 'audio.block_count', gguf: () => llama(['llama.audio.block_count', u32(2)]), show: ['completion', 'audio'], tags: ['audio', 'completion'] },
  {
    name: 'tags stop reading at the tokenizer keys',
    gguf: () => llama(['tokenizer.ggml.model', 'gpt2'], ['llama.vision.block_count', u32(2)]),
    show: ['completion', 'vision'],
    tags: ['completion'],
  },
  { name: 'template .Tools → tools', gguf: () => llama(), template: TOOLS, show: ['completion', 'tools'] },
  { name: 'template .Suffix → insert', gguf: () => llama(), template: SUFFIX, show: ['completion', 'insert'] },
  { name: 'think tags around .Thinking in the Messages range → thinking', gguf: () => llama(), template: THINK, show: ['completion', 'thinking'] },
  { name: 'PARSER qwen3-thinking → tools, thinking', gguf: () => llama(), config: { parser: 'qwen3-thinking' }, show: ['completion', 'tools', 'thinking'] },
  { name: 'PARSER qwen3-coder → tools', gguf: () => llama(), config: { parser: 'qwen3-coder', renderer: 'qwen3-coder' }, show: ['completion', 'tools'] },
  { name: 'PARSER olmo3-think → thinking only', gguf: () => llama(), config: { parser: 'olmo3-think' }, show: ['completion', 'thinking'] },
  { name: 'PARSER harmony → tools, thinking', gguf: () => llama(), config: { parser: 'harmony' }, show: ['completion', 'tools', 'thinking'] },
  { name: 'PARSER lfm2 → tools', gguf: () => llama(), config: { parser: 'lfm2' }, show: ['completion', 'tools'] },
  { name: 'PARSER lfm2-thinking → tools, thinking', gguf: () => llama(), config: { parser: 'lfm2-thinking' }, show: ['completion', 'tools', 'thinking'] },
  { name: 'PARSER laguna → tools, thinking', gguf: () => llama(), config: { parser: 'laguna' }, show: ['completion', 'tools', 'thinking'] },
  { name: 'PARSER poolside-v1 → tools, thinking', gguf: () => llama(), config: { parser: 'poolside-v1' }, show: ['completion', 'tools', 'thinking'] },
  { name: 'PARSER glimmer → tools, thinking', gguf: () => llama(), config: { parser: 'glimmer' }, show: ['completion', 'tools', 'thinking'] },
  { name: 'an unknown PARSER name adds nothing', gguf: () => llama(), config: { parser: 'no-such-parser' }, show: ['completion'] },
  { name: 'a RENDERER alone adds nothing', gguf: () => llama(), config: { renderer: 'qwen3-coder' }, show: ['completion'] },
  { name: 'the config’s capabilities come first', gguf: () => llama(), config: { capabilities: ['vision'] }, show: ['vision', 'completion'], tags: ['completion', 'vision'] },
  { name: 'gpt-oss family → thinking', gguf: () => llama(), config: { model_family: 'gptoss' }, template: HARMONY, show: ['completion', 'thinking'] },
  {
    name: 'a projector → vision; one with an audio encoder → audio (show only)',
    gguf: () => llama(),
    projectors: [() => header([['general.architecture', 'clip'], ['clip.has_audio_encoder', true]])],
    show: ['completion', 'vision', 'audio'],
    tags: ['completion', 'vision'],
  },
  {
    name: 'a gemma3nv projector’s audio encoder is not counted',
    gguf: () => llama(),
    projectors: [() => header([['general.architecture', 'clip'], ['clip.has_audio_encoder', true], ['clip.vision.projector_type', 'gemma3nv']])],
    show: ['completion', 'vision'],
  },
  { name: 'nemotron_h_omni never reports audio', gguf: () => header([['general.architecture', 'nemotron_h_omni'], ['nemotron_h_omni.audio.block_count', u32(1)]]), show: ['completion'], tags: ['audio', 'completion'] },
  {
    name: 'safetensors with a Gemma 4 renderer: no vision',
    config: { model_format: 'safetensors', renderer: 'gemma4', parser: 'gemma4', capabilities: ['completion', 'vision'] },
    show: ['completion', 'tools', 'thinking'],
  },
  { name: 'a remote model: nothing read from weights for tags', gguf: () => llama(), config: { remote_host: 'https://ollama.com:443', remote_model: 'x' }, show: ['completion'], tags: [] },
  // The GGUF's own Jinja chat template: counted as Ollama counts it when Jinja rendering is on.
  { name: 'Jinja off: the GGUF chat template adds nothing', gguf: () => llama(['tokenizer.chat_template', JINJA_TOOLS_THINK]), show: ['completion'] },
  { name: 'Jinja on, no Go template: the chat template’s tools and thinking', gguf: () => llama(['tokenizer.chat_template', JINJA_TOOLS_THINK]), jinja: true, show: ['tools', 'thinking', 'completion'], tags: ['completion'] },
  {
    name: 'Jinja on, a weaker Go template: the chat template is preferred',
    gguf: () => llama(['tokenizer.chat_template', JINJA_TOOLS_THINK]),
    template: TOOLS,
    jinja: true,
    show: ['tools', 'thinking', 'completion'],
    tags: ['completion', 'tools'],
  },
  {
    name: 'Jinja on, a PARSER: the Go side is used, not the chat template',
    gguf: () => llama(['tokenizer.chat_template', JINJA_TOOLS_THINK]),
    config: { parser: 'qwen3-coder' },
    jinja: true,
    show: ['completion', 'tools'],
  },
];

describe('capabilities as Ollama 0.33 computes them', () => {
  const inputs = new Map<string, CapabilityInput>();
  beforeAll(async () => {
    for (const c of cases) {
      const projectors = await Promise.all((c.projectors ?? []).map((p) => p()));
      inputs.set(c.name, {
        config: c.config ?? null,
        gguf: c.gguf ? await c.gguf() : null,
        projectors,
        projectorCount: projectors.length,
        template: c.template === undefined ? null : parseOllamaTemplate(c.template),
        jinja: c.jinja ?? false,
      });
    }
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const c of cases) {
    it(`/api/show: ${c.name}`, () => {
      expect(modelCapabilities(inputs.get(c.name)!)).toEqual(c.show);
    });
    it(`/api/tags: ${c.name}`, () => {
      const { projectors: _p, jinja: _j, ...rest } = inputs.get(c.name)!;
      expect(listCapabilities(rest)).toEqual(c.tags ?? c.show);
    });
  }

  it('every parser Ollama 0.33 names is in the table', () => {
    const ollama = [
      'qwen3', 'qwen3-thinking', 'qwen3.5', 'ornith', 'qwen3-coder', 'qwen3-vl-instruct', 'qwen3-vl-thinking', 'ministral',
      'passthrough', 'harmony', 'cogito', 'deepseek3', 'olmo3', 'olmo3-think', 'nemotron-3-nano', 'nemotron-3.5-nano',
      'functiongemma', 'glm-4.7', 'gemma4', 'gemma4-no-thinking', 'glm-ocr', 'lfm2', 'lfm2-thinking', 'laguna',
      'poolside-v1', 'cohere', 'glimmer',
    ];
    expect([...PARSER_NAMES].sort()).toEqual([...ollama].sort());
    expect(parserSupport('passthrough')).toEqual({ tools: false, thinking: false });
    expect(parserSupport('toString')).toBeUndefined();
  });
});
