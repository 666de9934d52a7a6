// The vision bridge core (scripts/native/mtmd/tollama-mtmd.cpp) against the libmtmd built at
// install: compiled here with a small harness (test/runtime/mtmd/harness.cpp) that loads
// stories260K and the tiny projector with llama.cpp's C API, evaluates a prompt with images
// through the bridge and decodes greedily. The addon patch that will call the same functions
// from node-llama-cpp's context is not written yet (docs/vision.md).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libmtmdPath, mtmdToolsDir } from '../../src/runtime/mtmd.js';
import { writeProjector } from '../helpers/gguf/projector.js';
import { haveStories, repoRoot, STORIES } from '../helpers/models.js';
import { makePNG, pngHeaderOnly, testImages } from '../helpers/png.js';

const nlc = path.join(repoRoot, 'node_modules', 'node-llama-cpp');
const tools = mtmdToolsDir(nlc);
const libDir = path.join(repoRoot, 'node_modules', '@node-llama-cpp', `${process.platform}-${process.arch}`, 'bins', `${process.platform}-${process.arch}`);
const haveGpp = spawnSync('g++', ['--version']).status === 0;
const skip = !haveStories ? 'stories260K.gguf is absent'
  : !fs.existsSync(libmtmdPath(tools)) ? 'libmtmd was not built (npm run build:native)'
  : !haveGpp ? 'g++ is absent' : '';
if (skip) console.warn(`mtmd-bridge tests skipped: ${skip}`);

let dir = '';
let harness = '';
const MARK = '<__media__>';

beforeAll(async () => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-mtmd-bridge-'));
  const src = path.join(dir, 'src');
  const git = (...a: string[]) => {
    const r = spawnSync('git', a, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${a.join(' ')}: ${r.stderr}`);
  };
  git('clone', '-q', '--no-checkout', path.join(nlc, 'llama', 'gitRelease.bundle'), src);
  git('-C', src, 'sparse-checkout', 'set', '--no-cone', '/include/', '/ggml/include/', '/tools/mtmd/*.h');
  git('-C', src, 'checkout', '-q', 'HEAD');
  const lib = (prefix: string) => fs.readdirSync(libDir).find((f) => f.startsWith(prefix) && f.endsWith('.so'))!;
  harness = path.join(dir, 'harness');
  const bridge = path.join(repoRoot, 'scripts', 'native', 'mtmd');
  const r = spawnSync('g++', [
    '-std=c++17', '-O1', `-I${bridge}`, `-I${path.join(src, 'tools', 'mtmd')}`, `-I${path.join(src, 'include')}`, `-I${path.join(src, 'ggml', 'include')}`,
    path.join(bridge, 'tollama-mtmd.cpp'), path.join(repoRoot, 'test', 'runtime', 'mtmd', 'harness.cpp'), '-o', harness,
    `-L${tools}`, '-l:libmtmd.so', `-L${libDir}`, `-l:${lib('libllama.')}`, `-l:${lib('libggml.')}`, '-l:libggml-base.so', `-Wl,-rpath,${tools}:${libDir}`,
  ], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`harness did not compile:\n${r.stderr}`);
  await writeProjector(path.join(dir, 'proj.gguf'));
  await writeProjector(path.join(dir, 'proj-wide.gguf'), { outputWidth: 96 });
  for (const [name, make] of Object.entries(testImages)) fs.writeFileSync(path.join(dir, `${name}.png`), make());
}, 300_000);
afterAll(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

interface Out { rc?: number; error?: string; n_tokens?: number; n_image_tokens?: number; new_n_past?: number; text?: string }
function run(prompt: string, images: string[], nPredict = 16, projector = 'proj.gguf', holdLast = false): Out {
  const env = { ...process.env, ...(holdLast ? { TOLLAMA_HOLD_LAST: '1' } : {}) };
  const r = spawnSync(harness, [libDir, STORIES, path.join(dir, projector), prompt, String(nPredict), ...images.map((i) => path.join(dir, i))], { encoding: 'utf8', timeout: 60_000, env });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim()) as Out;
}
function file(name: string, bytes: Buffer): string {
  fs.writeFileSync(path.join(dir, name), bytes);
  return name;
}

describe.skipIf(!!skip)('vision bridge core (tollama-mtmd.cpp) on libmtmd', () => {
  it('text only: the same greedy text as without vision; one position per token', () => {
    const r = run('Once upon a time', []);
    expect(r).toMatchObject({ rc: 0, n_tokens: 5, n_image_tokens: 0, new_n_past: 5 });
    expect(r.text).toMatch(/^, there was a little girl named Lily/);
  });

  it('one image is 16 tokens at 16 positions; same image same text, different images different text', () => {
    const red1 = run(`${MARK}Once upon a time`, ['red.png']);
    const red2 = run(`${MARK}Once upon a time`, ['red.png']);
    const gradient = run(`${MARK}Once upon a time`, ['gradient.png']);
    const checker = run(`${MARK}Once upon a time`, ['checker.png']);
    for (const r of [red1, red2, gradient, checker]) expect(r).toMatchObject({ rc: 0, n_tokens: 21, n_image_tokens: 16, new_n_past: 21 });
    expect(red2.text).toBe(red1.text);
    expect(new Set([red1.text, gradient.text, checker.text]).size).toBe(3);
    expect(red1.text).not.toMatch(/^, there was a little girl named Lily/);
  });

  it('holding back the last token (for node-llama-cpp to evaluate it) gives the same text', () => {
    for (const [prompt, images] of [['Once upon a time', []], [`${MARK}Once upon a time`, ['checker.png']], [`${MARK} and ${MARK}: once upon a time`, ['red.png', 'gradient.png']]] as Array<[string, string[]]>) {
      const all = run(prompt, images);
      const held = run(prompt, images, 16, 'proj.gguf', true);
      expect(held).toMatchObject({ rc: 0, n_tokens: all.n_tokens, n_image_tokens: all.n_image_tokens, new_n_past: all.new_n_past! - 1 });
      expect(held.text).toBe(all.text);
    }
  });

  it('several images in one prompt', () => {
    const r = run(`${MARK} and ${MARK}: once upon a time`, ['red.png', 'checker.png']);
    expect(r).toMatchObject({ rc: 0, n_image_tokens: 32 });
    expect(r.new_n_past).toBe(r.n_tokens);
  });

  it.each<[string, () => [string, string[]], RegExp]>([
    ['more images than markers', () => [`${MARK} x`, ['red.png', 'red.png']], /number of images \(2\) does not match the number of image markers in the prompt \(1\)/],
    ['a prompt ending with an image', () => [`Look: ${MARK}`, ['red.png']], /must end with text/],
    ['not an image', () => [`${MARK} x`, [file('text.png', Buffer.from('hello, not an image at all'))]], /unsupported image format/],
    ['a truncated PNG', () => [`${MARK} x`, [file('trunc.png', testImages.gradient().subarray(0, 60))]], /truncated or corrupt/],
    ['a PNG with a corrupt body', () => {
      const b = Buffer.from(testImages.gradient());
      b.fill(0x55, 45, b.length - 20);
      return [`${MARK} x`, [file('corrupt.png', b)]];
    }, /truncated or corrupt/],
    ['a 20000×20000 PNG header (decompression bomb)', () => [`${MARK} x`, [file('bomb.png', pngHeaderOnly(20000, 20000))]], /20000x20000 pixels is too large/],
  ])('refused with a message: %s', (_name, make, message) => {
    const [prompt, images] = make();
    const r = run(prompt, images);
    expect(r.rc).not.toBe(0);
    expect(r.error).toMatch(message);
  });

  it('a projector made for another model (output width 96, not 64) is refused when loading', () => {
    const r = run(`${MARK} x`, ['red.png'], 4, 'proj-wide.gguf');
    expect(r.rc).toBe(3);
    expect(r.error).toMatch(/cannot load the projector/);
  });

  it('libtollama-mtmd.so, built at install, exports the bridge', () => {
    const so = path.join(tools, 'libtollama-mtmd.so');
    expect(fs.existsSync(so), 'run node scripts/native/build-mtmd.mjs').toBe(true);
    const nm = spawnSync('nm', ['-D', '--defined-only', so], { encoding: 'utf8' });
    for (const f of ['tollama_mtmd_init', 'tollama_mtmd_free', 'tollama_mtmd_eval', 'tollama_image_dims']) expect(nm.stdout).toMatch(new RegExp(`\\bT ${f}\\b`));
  });

  it('reads declared dimensions from PNG, GIF, BMP and JPEG headers', () => {
    const dims = (bytes: Buffer) => {
      const r = spawnSync(harness, ['--dims', path.join(dir, file('dims.bin', bytes))], { encoding: 'utf8' });
      return JSON.parse(r.stdout) as { status: number; width: number; height: number };
    };
    expect(dims(makePNG(7, 3, () => [0, 0, 0]))).toEqual({ status: 0, width: 7, height: 3 });
    const gif = Buffer.from('GIF89a\x05\x00\x09\x00\x00\x00\x00', 'latin1');
    expect(dims(gif)).toEqual({ status: 0, width: 5, height: 9 });
    const bmp = Buffer.alloc(54);
    bmp.write('BM', 0, 'latin1');
    bmp.writeInt32LE(640, 18);
    bmp.writeInt32LE(-480, 22);
    expect(dims(bmp)).toEqual({ status: 0, width: 640, height: 480 });
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0x2c, 0x02, 0x58, 0x03]);
    expect(dims(jpeg)).toEqual({ status: 0, width: 600, height: 300 });
    expect(dims(Buffer.from('nope')).status).toBe(1);
  });
});
