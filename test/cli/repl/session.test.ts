import { describe, expect, it } from 'vitest';
import { Session, type ApiClient } from '../../../src/cli/repl/session.js';
import { USAGE_PARAMETERS, USAGE_SET, USAGE_SHORTCUTS, USAGE_SHOW, usage } from '../../../src/cli/repl/help.js';
import type { ShowResponse } from '../../../src/api/types.js';

class FakeClient implements ApiClient {
  calls: { method: string; path: string; body: unknown }[] = [];
  constructor(public handlers: Record<string, (body: any) => unknown> = {}) {}
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    this.calls.push({ method, path, body });
    const h = this.handlers[path];
    if (!h) throw Object.assign(new Error('not found'), { status: 404 });
    return h(body) as T;
  }
  async *stream<T>(path: string, body: unknown): AsyncGenerator<T> {
    this.calls.push({ method: 'POST', path, body });
    const h = this.handlers[path];
    if (!h) throw Object.assign(new Error('not found'), { status: 404 });
    for (const x of (h(body) as T[]) ?? []) yield x;
  }
}

const info: ShowResponse = {
  capabilities: ['completion'],
  parameters: 'stop "<s>"\ntemperature 0.5',
  template: '{{ .Prompt }}',
  details: { parent_model: '', format: 'gguf', family: 'llama', families: null, parameter_size: '260K', quantization_level: 'F32' },
  messages: [{ role: 'user', content: 'hi' }],
};

function setup(handlers: Record<string, (b: any) => unknown> = {}) {
  let out = '';
  let err = '';
  const client = new FakeClient({ '/api/show': () => info, '/api/generate': () => [], ...handlers });
  const s = new Session(client, { out: (t) => (out += t), err: (t) => (err += t) }, { model: 'm', info });
  return {
    s,
    client,
    take: () => {
      const r = { out, err };
      out = '';
      err = '';
      return r;
    },
  };
}

describe('REPL slash commands', () => {
  it.each([
    ['/?', '', usage(false)],
    ['/help', '', usage(false)],
    ['/? set', '', USAGE_SET],
    ['/? /show', '', USAGE_SHOW],
    ['/? shortcuts', '', USAGE_SHORTCUTS],
    ['/? nothing', '', ''],
    ['/set', '', USAGE_SET],
    ['/set system', '', USAGE_SET],
    ['/set parameter', '', USAGE_PARAMETERS],
    ['/set parameter seed', '', USAGE_PARAMETERS],
    ['/show', '', USAGE_SHOW],
    ['/set wordwrap', "Set 'wordwrap' mode.\n", ''],
    ['/set nowordwrap', "Set 'nowordwrap' mode.\n", ''],
    ['/set verbose', "Set 'verbose' mode.\n", ''],
    ['/set quiet', "Set 'quiet' mode.\n", ''],
    ['/set format json', "Set format to 'json' mode.\n", ''],
    ['/set format yaml', "Invalid or missing format. For 'json' mode use '/set format json'\n", ''],
    ['/set noformat', 'Disabled format.\n', ''],
    ['/set history', '', ''],
    ['/set nohistory', '', ''],
    ['/set bogus', "Unknown command '/set bogus'. Type /? for help\n", ''],
    ['/set parameter num_ctx 2048', "Set parameter 'num_ctx' to '2048'\n", ''],
    ['/set parameter stop a b', "Set parameter 'stop' to 'a, b'\n", ''],
    ['/set parameter num_ctx abc', 'Couldn\'t set parameter: "invalid int value [abc]"\n', ''],
    ['/set parameter nosuch 1', 'Couldn\'t set parameter: "unknown parameter \'nosuch\'"\n', ''],
    ['/set think', "Set 'think' mode.\n", 'warning: model "m" does not support thinking output\n'],
    ['/set think high', "Set 'think' mode to 'high'.\n", 'warning: model "m" does not support thinking output\n'],
    ['/set nothink', "Set 'nothink' mode.\n", 'warning: model "m" does not support thinking output\n'],
    ['/set system You are terse.', 'Set system message.\n', ''],
    ['/clear', 'Cleared session context\n', ''],
    ['/xyz a', "Unknown command '/xyz'. Type /? for help\n", ''],
    ['/load', 'Usage:\n  /load <modelname>\n', ''],
    ['/save', 'Usage:\n  /save <modelname>\n', ''],
    ['/show license', 'No license was specified for this model.\n', ''],
    ['/show template', '{{ .Prompt }}\n', ''],
    ['/show system', 'No system message was specified for this model.\n', ''],
    ['/show nope', "Unknown command '/show nope'. Type /? for help\n", ''],
    ['/show parameters', 'Model defined parameters:\n  stop "<s>"\n  temperature 0.5\n\n', ''],
  ])('%s', async (line, out, err) => {
    const t = setup();
    const a = await t.s.submit(line);
    expect(a).toEqual({ kind: 'none' });
    expect(t.take()).toEqual({ out, err });
  });

  it('/bye and /exit exit 0', async () => {
    const t = setup();
    expect(await t.s.submit('/bye')).toEqual({ kind: 'exit', code: 0 });
    expect(await t.s.submit('/exit')).toEqual({ kind: 'exit', code: 0 });
  });

  it('/show parameters lists user parameters', async () => {
    const t = setup();
    await t.s.submit('/set parameter temperature 0.7');
    await t.s.submit('/set parameter stop x y');
    t.take();
    await t.s.submit('/show parameters');
    expect(t.take().out).toBe(
      'Model defined parameters:\n  stop "<s>"\n  temperature 0.5\n\nUser defined parameters:\n' +
        `  ${'temperature'.padEnd(30)} 0.7\n  ${'stop'.padEnd(30)} [x y]\n\n`,
    );
    expect(t.client.calls.at(-1)!.body).toEqual({ model: 'm', options: { temperature: 0.7, stop: ['x', 'y'] } });
  });

  it('/show system prefers the session system', async () => {
    const t = setup();
    await t.s.submit('/set system be brief');
    t.take();
    await t.s.submit('/show system');
    expect(t.take().out).toBe('be brief\n\n');
  });

  it('/show info goes to stderr', async () => {
    const t = setup();
    await t.s.submit('/show info');
    expect(t.take().err).toContain('quantization');
  });

  it('/show info lists a vision model\'s projector (#15)', async () => {
    const vision: ShowResponse = {
      ...info,
      capabilities: ['completion', 'vision'],
      projector_info: { 'general.architecture': 'clip', 'general.parameter_count': 30336, 'clip.vision.embedding_length': 32, 'clip.vision.projection_dim': 64 },
    };
    const t = setup({ '/api/show': () => vision });
    await t.s.submit('/show info');
    expect(t.take().err).toMatch(/ {2}Projector\s*\n {4}architecture\s+clip\s*\n {4}parameters\s+30K\s*\n {4}embedding length\s+32\s*\n {4}dimensions\s+64\s*\n/);
  });

  it('system single-line replaces a trailing system message; /clear keeps it', async () => {
    const t = setup();
    await t.s.submit('/set system one');
    await t.s.submit('/set system two');
    expect(t.s.messages).toEqual([{ role: 'system', content: 'two' }]);
    await t.s.submit('/set system """three"""');
    expect(t.s.messages).toEqual([{ role: 'system', content: 'three' }]);
    t.s.messages.push({ role: 'user', content: 'x' });
    await t.s.submit('/clear');
    expect(t.s.messages).toEqual([{ role: 'system', content: 'three' }]);
  });

  it('multi-line system prompt', async () => {
    const t = setup();
    await t.s.submit('/set system """You are');
    expect(t.s.continuation).toBe(true);
    await t.s.submit('a pirate."""');
    expect(t.s.system).toBe('You are\na pirate.');
    expect(t.take().out).toBe('Set system message.\n');
  });

  it('"""…""" multi-line messages', async () => {
    const t = setup();
    expect(await t.s.submit('"""Hello,')).toEqual({ kind: 'none' });
    expect(await t.s.submit('world!')).toEqual({ kind: 'none' });
    expect(await t.s.submit('"""')).toEqual({ kind: 'send', content: 'Hello,\nworld!\n' });
    expect(await t.s.submit('"""abc"""')).toEqual({ kind: 'send', content: 'abc' });
  });

  it('pasted lines are collected and sent with the final Enter', async () => {
    const t = setup();
    expect(await t.s.submit('/not a command', true)).toEqual({ kind: 'none' });
    expect(await t.s.submit('b', true)).toEqual({ kind: 'none' });
    expect(await t.s.submit('c')).toEqual({ kind: 'send', content: '/not a command\nb\nc' });
  });

  it('chat request carries messages, format, options, think, keep_alive', async () => {
    const t = setup();
    t.s.keepAlive = '5m0s';
    await t.s.submit('/set format json');
    await t.s.submit('/set parameter seed 42');
    await t.s.submit('/set nothink');
    t.s.messages.push({ role: 'user', content: 'hi' });
    expect(t.s.chatRequest()).toEqual({ model: 'm', messages: [{ role: 'user', content: 'hi' }], format: 'json', options: { seed: 42 }, think: false, keep_alive: '5m0s' });
  });

  it('/load switches model, resets conversation, restores when missing', async () => {
    const t = setup({ '/api/show': (b) => (b.model === 'other' ? { capabilities: ['completion', 'thinking'] } : (() => { throw Object.assign(new Error('model "missing" not found'), { status: 404 }); })()) });
    t.s.messages.push({ role: 'user', content: 'x' });
    await t.s.submit('/load missing');
    expect(t.take().out).toBe("Loading model 'missing'\nCouldn't find model 'missing'\n");
    expect(t.s.model).toBe('m');
    expect(t.s.messages).toHaveLength(1);
    await t.s.submit('/load other');
    expect(t.take().out).toBe("Loading model 'other'\n");
    expect(t.s.model).toBe('other');
    expect(t.s.messages).toEqual([]);
    expect(t.s.think).toBe(true);
    expect(t.client.calls.at(-1)).toEqual({ method: 'POST', path: '/api/generate', body: { model: 'other', think: true } });
  });

  it('/save sends the session to /api/create', async () => {
    const t = setup({ '/api/create': () => [{ status: 'success' }] });
    await t.s.submit('/set system sys');
    await t.s.submit('/set parameter top_k 10');
    t.s.messages.push({ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' });
    t.take();
    await t.s.submit('/save mine');
    expect(t.take().out).toBe("Created new model 'mine'\n");
    expect(t.client.calls.at(-1)!.body).toEqual({
      model: 'mine',
      from: 'm',
      system: 'sys',
      parameters: { top_k: 10 },
      messages: [{ role: 'user', content: 'hi' }, { role: 'system', content: 'sys' }, { role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }],
    });
  });

  it.each([
    ['stories260K.gguf', false, 'm'],
    ['base:latest', true, 'base:latest'],
    ['', true, 'm'],
    ['bad:name:x', true, 'm'],
  ])('/save bases the new model on parent %j only when the server has it', async (parent, exists, from) => {
    const withParent = { ...info, details: { ...info.details!, parent_model: parent } };
    const t = setup({
      '/api/create': () => [{ status: 'success' }],
      '/api/show': (b: { model: string }) => {
        if (b.model === 'm') return withParent;
        if (exists && b.model === parent) return withParent;
        throw Object.assign(new Error(`model '${b.model}' not found`), { status: 404 });
      },
    });
    t.s.info = withParent;
    await t.s.submit('/save mine');
    expect(t.take().out).toBe("Created new model 'mine'\n");
    expect((t.client.calls.at(-1)!.body as { from: string }).from).toBe(from);
  });

  it('/save with an invalid name', async () => {
    const t = setup();
    await t.s.submit('/save bad:name:x');
    expect(t.take().out).toBe("error: The model name 'bad:name:x' is invalid\n");
  });

  it('/show failure prints error and rethrows', async () => {
    const t = setup({ '/api/show': () => { throw new Error('boom'); } });
    await expect(t.s.submit('/show info')).rejects.toThrow('boom');
    expect(t.take().out).toBe("error: couldn't get model\n");
  });
});
