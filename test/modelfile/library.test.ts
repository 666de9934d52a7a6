/**
 * Library-style Modelfiles (testdata/*.Modelfile): each parses, round-trips through
 * Modelfile.toString(), turns into the create request in testdata/<name>.request.json, and the
 * model the server would build from it prints as testdata/<name>.show.golden, which parses
 * back to the same content. Regenerate the goldens with UPDATE_GOLDEN=1 (then review the diff).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type ShowModelfileInput,
  formatModelfile,
  modelfileToCreateRequest,
  parseModelfile,
  showCommands,
} from '../../src/modelfile/index.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const update = process.env.UPDATE_GOLDEN === '1';
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.Modelfile'))
  .map((f) => f.slice(0, -'.Modelfile'.length))
  .sort();

function golden(file: string, actual: string): void {
  const p = path.join(dir, file);
  if (update || !existsSync(p)) writeFileSync(p, actual);
  expect(actual).toBe(readFileSync(p, 'utf8'));
}

const blob = (s: string) => `/home/user/.ollama/models/blobs/sha256-${createHash('sha256').update(s).digest('hex')}`;

/** What a server would hold after creating the model from this Modelfile. */
function showInputFor(name: string): ShowModelfileInput {
  const mf = parseModelfile(readFileSync(path.join(dir, `${name}.Modelfile`)));
  const { request, sources } = modelfileToCreateRequest(mf);
  const models = sources.filter((s) => s.kind === 'model');
  return {
    name: `${name}:latest`,
    modelPath: blob(models[0]!.ref),
    projectorPaths: models.slice(1).map((s) => blob(s.ref)),
    adapterPaths: sources.filter((s) => s.kind === 'adapter').map((s) => blob(s.ref)),
    draftPaths: sources.filter((s) => s.kind === 'draft').map((s) => blob(s.ref)),
    template: request.template,
    system: request.system,
    renderer: request.renderer,
    parser: request.parser,
    // as read back from the params layer's JSON
    parameters: request.parameters ? JSON.parse(JSON.stringify(request.parameters)) : undefined,
    licenses: request.license,
    messages: request.messages,
  };
}

it('has the zephyr Modelfile and ten library-style ones', () => {
  expect(names).toHaveLength(11);
  expect(names).toContain('zephyr');
});

describe.each(names)('%s', (name) => {
  const bytes = readFileSync(path.join(dir, `${name}.Modelfile`));

  it('parses and round-trips through toString()', () => {
    const mf = parseModelfile(bytes);
    expect(mf.froms.length).toBeGreaterThan(0);
    expect(parseModelfile(mf.toString()).commands).toEqual(mf.commands);
  });

  it('becomes the expected create request', () => {
    const draft = modelfileToCreateRequest(parseModelfile(bytes));
    golden(`${name}.request.json`, JSON.stringify(draft, null, 2) + '\n');
  });

  it('prints as `ollama show --modelfile` and parses back to the same model', () => {
    const input = showInputFor(name);
    const text = formatModelfile(input);
    golden(`${name}.show.golden`, text);

    const reparsed = parseModelfile(text);
    expect(reparsed.commands).toEqual(showCommands(input));
    const again = modelfileToCreateRequest(reparsed).request;
    expect(again.parameters).toEqual(input.parameters);
    expect(again.template).toBe(input.template ?? '{{ .Prompt }}');
    expect(again.system).toEqual(input.system || undefined);
    expect(again.license).toEqual(input.licenses);
    expect(again.messages).toEqual(input.messages);
    expect(again.renderer).toEqual(input.renderer);
    expect(again.parser).toEqual(input.parser);
  });
});

describe('zephyr', () => {
  it('keeps the literal \\n text and the trailing space of the template', () => {
    const mf = parseModelfile(readFileSync(path.join(dir, 'zephyr.Modelfile')));
    expect(mf.template).toBe(
      '\n<|system|>\\n system\n{{ .System }}</s>\n<|user|>\\n user\n{{ .Prompt }}</s>\n<|assistant|>\\n \n',
    );
    expect(mf.system).toBe(
      'You are an assistant for PhD researchers, you help them find infos from research papers at ease.',
    );
    const { request, sources, warnings } = modelfileToCreateRequest(mf);
    expect(sources).toEqual([{ kind: 'model', ref: 'models/zephyr-models/zephyr-7b-beta.Q5_K_M.gguf' }]);
    expect(warnings).toEqual([]);
    expect(request.parameters).toEqual({
      num_ctx: 3900,
      temperature: 0.7,
      top_k: 50,
      top_p: 0.95,
      stop: ['<|system|>', '<|user|>', '<|assistant|>', '</s>'],
    });
  });
});
