// Images through libmtmd in a real `ollama serve` (#15), with the real clients (ollama-js, openai,
// @anthropic-ai/sdk): stories260K plus the tiny seeded LLaVA projector (test/helpers/gguf/projector.ts),
// whose 32 px images are 16 tokens each, as llama-mtmd-cli and the bridge harness count them.
// Greedy answers: the same image gives the same text, different images different texts; images in
// history give the same answer whether the sequence's cache is reused or not; prompt_eval_count
// includes the image tokens; on the prebuilt addon an image is a clear 501, text still works.
import Anthropic from '@anthropic-ai/sdk';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { libmtmdPath, libtollamaMtmdPath, mtmdToolsDir } from '../../src/runtime/mtmd.js';
import { hasPatchMarker, patchedAddonPath } from '../../src/runtime/native.js';
import { writeProjector } from '../helpers/gguf/projector.js';
import { haveStories, repoRoot, STORIES } from '../helpers/models.js';
import { testImages } from '../helpers/png.js';
import { startServer, type TestServer } from '../helpers/server.js';

const exec = promisify(execFile);
const nlc = path.join(repoRoot, 'node_modules', 'node-llama-cpp');
const tools = mtmdToolsDir(nlc);
const skip = !haveStories
  ? `${STORIES} is absent`
  : !fs.existsSync(libmtmdPath(tools)) || !fs.existsSync(libtollamaMtmdPath(tools))
    ? 'libmtmd / libtollama-mtmd.so were not built (npm run build:native)'
    : !hasPatchMarker(patchedAddonPath(nlc)) ? 'the patched addon is not built (npm run build:native)' : '';
if (skip) console.warn(`vision image tests skipped: ${skip}`);

const red = testImages.red().toString('base64');
const checker = testImages.checker().toString('base64');
const gradient = testImages.gradient().toString('base64');
const greedy = { temperature: 0, num_predict: 12 };
const PROMPT = 'Once upon a time';

async function createVisionModel(server: TestServer, dir: string): Promise<void> {
  fs.copyFileSync(STORIES, path.join(dir, 'model.gguf'));
  await writeProjector(path.join(dir, 'mmproj.gguf'));
  fs.writeFileSync(path.join(dir, 'Modelfile'), 'FROM ./model.gguf\nFROM ./mmproj.gguf\n');
  await exec(process.execPath, [path.join(repoRoot, 'bin', 'ollama'), 'create', 'tiny-llava', '-f', 'Modelfile'], { env: server.env(), cwd: dir });
}

describe.skipIf(!!skip)('images through libmtmd (patched addon)', () => {
  let server: TestServer;
  let dir: string;
  let ollama: Ollama;

  beforeAll(async () => {
    server = await startServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-vision-img-'));
    await createVisionModel(server, dir);
    ollama = new Ollama({ host: server.url });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    expect(server.proc.exitCode).toBeNull();
  });

  const generate = (images: string[], prompt = PROMPT) => ollama.generate({ model: 'tiny-llava', prompt, images, stream: false, options: greedy });

  it('/api/generate: same image → same greedy text, different images → different texts; 16 tokens per image', async () => {
    const text = await generate([]);
    const a = await generate([red]);
    const b = await generate([red]);
    expect(b.response).toBe(a.response);
    expect(a.response).not.toBe(text.response);
    const others = [(await generate([checker])).response, (await generate([gradient])).response];
    expect(new Set([a.response, ...others]).size).toBe(3);
    // the C++ harness's greedy text for the red image (test/runtime/mtmd-bridge.test.ts)
    expect(a.response).toMatch(/^, there were were the grely/);
    expect(a.prompt_eval_count).toBe(text.prompt_eval_count + 16);
    const two = await generate([red, checker]);
    expect(two.prompt_eval_count).toBe(text.prompt_eval_count + 32);
    // image encoding is inside the prompt's time, as in Ollama (llama-server's prompt_ms)
    for (const r of [a, b, two]) {
      expect(r.prompt_eval_duration).toBeGreaterThan(0);
      expect(r.total_duration).toBeGreaterThanOrEqual(r.prompt_eval_duration);
      expect(r.eval_count).toBeGreaterThan(0);
      expect(r.context.length).toBeGreaterThan(0);
    }
  });

  it('logprobs, stop sequences and JSON format work with an image (node-llama-cpp samples the held token)', async () => {
    const post = async (body: object) => (await fetch(`${server.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: 'tiny-llava', prompt: PROMPT, images: [red], stream: false, ...body }) })).json() as Promise<Record<string, unknown>>;
    const lp = await post({ options: greedy, logprobs: true, top_logprobs: 2 });
    expect(lp.response).toMatch(/^, there were were the grely/);
    const entries = lp.logprobs as Array<{ token: string; logprob: number; top_logprobs: unknown[] }>;
    expect(entries.map((e) => e.token).join('')).toBe(lp.response);
    expect(entries.every((e) => e.logprob <= 0 && e.top_logprobs.length === 2)).toBe(true);
    const stopped = await post({ options: { ...greedy, stop: ['were the'] } });
    expect(stopped.response).toBe(', there were '); // cut before the second "were the"
    expect(stopped.done_reason).toBe('stop');
    const json = await post({ options: { ...greedy, num_predict: 24 }, format: 'json' });
    expect(String(json.response).trimStart().startsWith('{') || String(json.response).trimStart().startsWith('[')).toBe(true);
  });

  it('/api/chat: several images in a message, `[img]` placement, and a follow-up turn with images in history', async () => {
    const chat = (messages: Array<{ role: string; content: string; images?: string[] }>) => ollama.chat({ model: 'tiny-llava', messages, stream: false, options: greedy });
    const plain = await chat([{ role: 'user', content: PROMPT }]);
    const one = await chat([{ role: 'user', content: PROMPT, images: [red] }]);
    expect(one.prompt_eval_count).toBe(plain.prompt_eval_count + 16);
    const two = await chat([{ role: 'user', content: PROMPT, images: [red, checker] }]);
    expect(two.prompt_eval_count).toBe(plain.prompt_eval_count + 32);

    const r = await fetch(`${server.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'tiny-llava', messages: [{ role: 'user', content: 'Once [img] upon a time', images: [red, checker] }], _debug_render_only: true }),
    });
    const debug = (await r.json()) as { _debug_info: { rendered_template: string; image_count: number } };
    expect(debug._debug_info.rendered_template).toContain('[img-1]Once [img-0] upon a time');
    expect(debug._debug_info.image_count).toBe(2);

    const history = [
      { role: 'user', content: PROMPT, images: [red] },
      { role: 'assistant', content: one.message.content },
      { role: 'user', content: 'The end.' },
    ];
    await chat([{ role: 'user', content: 'Something else', images: [gradient] }]); // the sequence holds another image now
    const fresh = await chat(history);
    const cached = await chat(history); // the same prompt again: its cache is reused
    expect(cached.message.content).toBe(fresh.message.content);
    expect(fresh.prompt_eval_count).toBe(cached.prompt_eval_count);
    const withoutImage = await chat(history.map(({ images: _drop, ...m }) => m));
    expect(fresh.prompt_eval_count).toBe(withoutImage.prompt_eval_count + 16);
    // the same history with another image at the same place is evaluated anew (not the red one's cache)
    const swapped = await chat(history.map((m) => (m.images ? { ...m, images: [checker] } : m)));
    expect(swapped.prompt_eval_count).toBe(fresh.prompt_eval_count);
    const again = await chat(history);
    expect(again.message.content).toBe(fresh.message.content);
  });

  it('history truncation counts 768 tokens per image, as Ollama: an old image message is dropped when it does not fit', async () => {
    const history = [
      { role: 'user', content: PROMPT, images: [red] },
      { role: 'assistant', content: 'there was a girl.' },
      { role: 'user', content: 'The end.' },
    ];
    const small = { ...greedy, num_ctx: 700 };
    const cut = await ollama.chat({ model: 'tiny-llava', messages: history, stream: false, options: small });
    const rest = await ollama.chat({ model: 'tiny-llava', messages: history.slice(1), stream: false, options: small });
    expect(cut.prompt_eval_count).toBe(rest.prompt_eval_count);
    expect(cut.message.content).toBe(rest.message.content);
    const whole = await ollama.chat({ model: 'tiny-llava', messages: history, stream: false, options: greedy });
    expect(whole.prompt_eval_count).toBeGreaterThan(rest.prompt_eval_count + 16);
  });

  it('/v1/chat/completions: image_url data URLs (openai client)', async () => {
    const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x' });
    const ask = (parts: OpenAI.Chat.Completions.ChatCompletionContentPart[]) =>
      openai.chat.completions.create({ model: 'tiny-llava', messages: [{ role: 'user', content: parts }], temperature: 0, max_tokens: 12, seed: 1 });
    const image = (b64: string): OpenAI.Chat.Completions.ChatCompletionContentPart => ({ type: 'image_url', image_url: { url: `data:image/png;base64,${b64}` } });
    const a = await ask([image(red), { type: 'text', text: PROMPT }]);
    const b = await ask([image(red), { type: 'text', text: PROMPT }]);
    const c = await ask([image(checker), { type: 'text', text: PROMPT }]);
    expect(a.choices[0]!.message.content).toBe(b.choices[0]!.message.content);
    expect(c.choices[0]!.message.content).not.toBe(a.choices[0]!.message.content);
    // each part is a message of its own, as in Ollama: the same count as /api/chat with those messages
    // (image first: a prompt must end with text, image batches compute no logits)
    const same = await ollama.chat({ model: 'tiny-llava', stream: false, options: greedy, messages: [{ role: 'user', content: '', images: [red] }, { role: 'user', content: PROMPT }] });
    expect(a.usage!.prompt_tokens).toBe(same.prompt_eval_count);
    expect(a.choices[0]!.message.content).toBe(same.message.content);
    const two = await ask([image(red), image(checker), { type: 'text', text: PROMPT }]);
    const twoChat = await ollama.chat({ model: 'tiny-llava', stream: false, options: greedy, messages: [{ role: 'user', content: '', images: [red] }, { role: 'user', content: '', images: [checker] }, { role: 'user', content: PROMPT }] });
    expect(two.usage!.prompt_tokens).toBe(twoChat.prompt_eval_count);
    expect(two.usage!.prompt_tokens).toBeGreaterThan(a.usage!.prompt_tokens + 16);
  });

  it('/v1/responses: input_image data URLs (openai client)', async () => {
    const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x' });
    const ask = (b64: string) => openai.responses.create({
      model: 'tiny-llava', temperature: 0, max_output_tokens: 12,
      input: [{ role: 'user', content: [{ type: 'input_image', detail: 'auto', image_url: `data:image/png;base64,${b64}` }, { type: 'input_text', text: PROMPT }] }],
    });
    const a = await ask(red);
    const b = await ask(red);
    const c = await ask(checker);
    expect(b.output_text).toBe(a.output_text);
    expect(c.output_text).not.toBe(a.output_text);
    const same = await ollama.chat({ model: 'tiny-llava', stream: false, options: greedy, messages: [{ role: 'user', content: PROMPT, images: [red] }] });
    expect(a.usage!.input_tokens).toBe(same.prompt_eval_count);
  });

  it('/v1/messages: Anthropic base64 image blocks (anthropic client)', async () => {
    const anthropic = new Anthropic({ baseURL: server.url, apiKey: 'x' });
    const ask = (data: string) => anthropic.messages.create({
      model: 'tiny-llava', max_tokens: 12, ...({ temperature: 0 } as object), // honoured; the SDK's types no longer list it
      messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data } }, { type: 'text', text: PROMPT }] }],
    });
    const a = await ask(red);
    const b = await ask(red);
    const c = await ask(checker);
    const text = (m: Anthropic.Message) => m.content.map((x) => (x.type === 'text' ? x.text : '')).join('');
    expect(text(b)).toBe(text(a));
    expect(text(c)).not.toBe(text(a));
    expect(a.usage.input_tokens).toBeGreaterThanOrEqual(16);
  });

  it('a prompt whose text holds libmtmd\'s default marker is not miscounted (the marker is random per process)', async () => {
    const r = await generate([red], 'What is <__media__>? Once upon a time');
    expect(r.prompt_eval_count).toBeGreaterThan(16);
    expect((r.response ?? '').length).toBeGreaterThan(0);
  });

  it('an image that is not one: 400 with the reason; the server serves on', async () => {
    const r = await fetch(`${server.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: 'tiny-llava', prompt: PROMPT, images: [Buffer.from('hello').toString('base64')] }) });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toContain('unsupported image format');
    expect((await generate([red])).response).toMatch(/^, there were were the grely/);
  });
});

describe.skipIf(!haveStories)('images on the prebuilt addon (no vision)', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startServer({ env: { TOLLAMA_NO_THREADPOOL: '1' } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-vision-prebuilt-'));
    await createVisionModel(server, dir);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an image is a 501 saying why and how to fix it; text works', async () => {
    const post = (body: unknown) => fetch(`${server.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'tiny-llava', stream: false, options: greedy, ...(body as object) }) });
    const r = await post({ messages: [{ role: 'user', content: PROMPT, images: [red] }] });
    expect(r.status).toBe(501);
    const error = ((await r.json()) as { error: string }).error;
    expect(error).toContain('image input is unavailable');
    expect(error).toContain('npm run build:native');
    const t = await post({ messages: [{ role: 'user', content: PROMPT }] });
    expect(t.status).toBe(200);
    expect(((await t.json()) as { message: { content: string } }).message.content.length).toBeGreaterThan(0);
    expect(server.proc.exitCode).toBeNull();
  });
});

describe.skipIf(!!skip)('images with parallel sequences (OLLAMA_NUM_PARALLEL=2)', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startServer({ env: { OLLAMA_NUM_PARALLEL: '2' } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-vision-par-'));
    await createVisionModel(server, dir);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('concurrent image and text requests give the answers they give one at a time', async () => {
    const ollama = new Ollama({ host: server.url });
    const ask = (images: string[]) => ollama.generate({ model: 'tiny-llava', prompt: PROMPT, images, stream: false, options: greedy }).then((r) => r.response);
    const cases: string[][] = [[red], [checker], [], [gradient], [red, checker], []];
    const alone: Array<string | undefined> = [];
    for (const c of cases) alone.push(await ask(c));
    const together = await Promise.all(cases.map((c) => ask(c)));
    expect(together).toEqual(alone);
    expect(server.proc.exitCode).toBeNull();
  });
});
