/**
 * Projector files built from embedded vision towers, loaded by libmtmd (docs/compat.md,
 * "Towers"): per family, the published file's text translation plus its projector file load in
 * llama.cpp's own llama-mtmd-cli with an image, and — through a small harness on libmtmd's C
 * API (towers-harness.cpp), which unlike the CLI prints its output synchronously — give exactly
 * the image embeddings and greedy tokens of the projector file llama.cpp's converter writes from
 * the same weights. The same image gives the same output; different images different output.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translateGGUF } from '../../../src/registry/compat/translate.js';
import { translateTower } from '../../../src/registry/compat/towers/write.js';
import { libmtmdPath, mtmdCliPath, mtmdToolsDir } from '../../../src/runtime/mtmd.js';
import { writeGGUF } from '../../helpers/gguf.js';
import { TOWER_PAIRS } from '../../helpers/gguf/towers.js';
import { repoRoot } from '../../helpers/models.js';
import { testImages } from '../../helpers/png.js';

const nlc = path.join(repoRoot, 'node_modules', 'node-llama-cpp');
const tools = mtmdToolsDir(nlc);
const libDir = path.join(repoRoot, 'node_modules', '@node-llama-cpp', `${process.platform}-${process.arch}`, 'bins', `${process.platform}-${process.arch}`);
const cli = mtmdCliPath(tools);
const haveGpp = spawnSync('g++', ['--version']).status === 0;
const skip = !fs.existsSync(cli) ? `llama-mtmd-cli was not built (${cli}): run npm run build:native`
  : !fs.existsSync(libmtmdPath(tools)) ? 'libmtmd was not built (npm run build:native)'
  : !haveGpp ? 'g++ is absent' : '';
if (skip) console.warn(`towers-mtmd tests skipped: ${skip}`);

let dir = '';
let harness = '';
beforeAll(async () => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-towers-mtmd-'));
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
  const r = spawnSync('g++', [
    '-std=c++17', '-O1', `-I${path.join(src, 'tools', 'mtmd')}`, `-I${path.join(src, 'include')}`, `-I${path.join(src, 'ggml', 'include')}`,
    path.join(repoRoot, 'test', 'registry', 'compat', 'towers-harness.cpp'), '-o', harness,
    `-L${tools}`, '-l:libmtmd.so', `-L${libDir}`, `-l:${lib('libllama.')}`, `-l:${lib('libggml.')}`, '-l:libggml-base.so', `-Wl,-rpath,${tools}:${libDir}`,
  ], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`harness did not compile:\n${r.stderr}`);
  for (const [name, make] of Object.entries(testImages)) fs.writeFileSync(path.join(dir, `${name}.png`), make());
}, 300_000);
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface Out { error?: string; n_image_tokens: number; embd: string; tokens: number[] }
function run(model: string, mmproj: string, image: string): Out {
  const r = spawnSync(harness, [libDir, model, mmproj, '12', path.join(dir, `${image}.png`)], { encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr + r.stdout).toBe(0);
  const out = JSON.parse(r.stdout.trim()) as Out;
  expect(out.error).toBeUndefined();
  return out;
}

describe.skipIf(!!skip).each(TOWER_PAIRS)('%s tower under libmtmd', (label, make) => {
  const f = { text: '', mmproj: '', reference: '' };
  const pair = make();
  beforeAll(async () => {
    const published = path.join(dir, `${label}-published.gguf`);
    f.text = path.join(dir, `${label}-text.gguf`);
    f.mmproj = path.join(dir, `${label}-mmproj.gguf`);
    f.reference = path.join(dir, `${label}-mmproj-llamacpp.gguf`);
    await writeGGUF(published, pair.published);
    await writeGGUF(f.reference, pair.mmproj);
    if (pair.standInText) await writeGGUF(f.text, pair.standInText);
    else await translateGGUF(published, f.text);
    await translateTower(published, f.mmproj);
  }, 120_000);

  it('llama-mtmd-cli loads the text translation and the projector file and answers about an image', () => {
    const cliRun = (mmproj: string) =>
      spawnSync(cli, ['-m', f.text, '--mmproj', mmproj, '--image', path.join(dir, 'red.png'), '-p', 'describe', '-n', '8', '--temp', '0', '-t', '1', ...(pair.chatTemplate ? ['--chat-template', pair.chatTemplate] : [])], { encoding: 'utf8', timeout: 120_000 });
    const ok = cliRun(f.mmproj);
    expect(ok.status, ok.stderr.slice(-2000)).toBe(0);
    // The exit status is meaningful: a projector type libmtmd does not know fails the run.
    const bytes = fs.readFileSync(f.mmproj);
    const key = [Buffer.from('clip.projector_type'), Buffer.from('clip.vision.projector_type')].find((k) => bytes.includes(k))!;
    const at = bytes.indexOf(key) + key.length + 4; // then the value: u64 length, bytes
    bytes.fill('x'.charCodeAt(0), at + 8, at + 8 + Number(bytes.readBigUInt64LE(at)));
    const bad = path.join(dir, `${label}-mmproj-badtype.gguf`);
    fs.writeFileSync(bad, bytes);
    expect(cliRun(bad).status).not.toBe(0);
  });

  it("gives the image embeddings and greedy tokens of llama.cpp's own projector file; images steer the text", () => {
    const outs: Record<string, Out> = {};
    for (const img of ['red', 'gradient', 'checker']) {
      outs[img] = run(f.text, f.mmproj, img);
      const ref = run(f.text, f.reference, img);
      expect(outs[img]!.n_image_tokens).toBeGreaterThan(0);
      expect(outs[img]!.embd.length).toBeGreaterThan(0);
      expect(outs[img]!.embd).toBe(ref.embd); // bit for bit
      expect(outs[img]!.tokens).toEqual(ref.tokens);
      expect(outs[img]!.tokens).toHaveLength(12);
    }
    const again = run(f.text, f.mmproj, 'red');
    expect(again.embd).toBe(outs.red!.embd);
    expect(again.tokens).toEqual(outs.red!.tokens);
    expect(new Set(Object.values(outs).map((o) => o.embd)).size).toBe(3);
    // Random tiny models: not every pair of images changes the greedy text, but the images do.
    expect(new Set(Object.values(outs).map((o) => o.tokens.join())).size).toBeGreaterThan(1);
  });
});
