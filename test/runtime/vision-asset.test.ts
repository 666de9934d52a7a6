// The tiny LLaVA-style projector (test/helpers/gguf/projector.ts) checked with llama.cpp's own
// llama-mtmd-cli, built at install by scripts/native/build-mtmd.mjs from the same source as the
// prebuilt libraries: it loads with stories260K, and images steer the greedy text.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStringMetadata } from '../../src/registry/gguf/rewrite.js';
import { mtmdCliPath, mtmdToolsDir } from '../../src/runtime/mtmd.js';
import { writeProjector } from '../helpers/gguf/projector.js';
import { haveStories, repoRoot, STORIES } from '../helpers/models.js';
import { testImages } from '../helpers/png.js';

const cli = mtmdCliPath(mtmdToolsDir(path.join(repoRoot, 'node_modules', 'node-llama-cpp')));
const haveCli = fs.existsSync(cli);
const skip = !haveStories ? 'stories260K.gguf is absent' : !haveCli ? `llama-mtmd-cli was not built (${cli}): run npm run build:native` : '';
if (skip) console.warn(`vision-asset tests skipped: ${skip}`);

let dir = '';
beforeAll(async () => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-vision-asset-'));
  await writeProjector(path.join(dir, 'proj.gguf'));
  await writeProjector(path.join(dir, 'proj-notype.gguf'), { projectorType: false });
  for (const [name, make] of Object.entries(testImages)) fs.writeFileSync(path.join(dir, `${name}.png`), make());
});
afterAll(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

function mtmdCli(image: string, projector = 'proj.gguf'): { text: string; log: string; status: number | null } {
  const r = spawnSync(cli, [
    '-m', STORIES, '--mmproj', path.join(dir, projector), '--image', path.join(dir, image),
    '-p', 'Once upon a time', '-n', '24', '--temp', '0', '-t', '1', '--chat-template', 'vicuna',
  ], { encoding: 'utf8', timeout: 60_000 });
  return { text: r.stdout.trim(), log: r.stderr, status: r.status };
}

/**
 * llama-mtmd-cli prints tokens through llama.cpp's asynchronous logger and can exit before the last
 * few are flushed, so two runs of the same input agree on a prefix, not always on the tail.
 */
const head = (s: string) => s.slice(0, 16);

describe.skipIf(!!skip)('tiny projector under llama-mtmd-cli', () => {
  it('the same image gives the same greedy text; different images give different text', () => {
    const red1 = mtmdCli('red.png');
    const red2 = mtmdCli('red.png');
    const gradient = mtmdCli('gradient.png');
    const checker = mtmdCli('checker.png');
    for (const r of [red1, red2, gradient, checker]) {
      expect(r.status, r.log.slice(-2000)).toBe(0);
      expect(r.text.length).toBeGreaterThanOrEqual(16);
    }
    expect(head(red1.text)).toBe(head(red2.text));
    expect(new Set([head(red1.text), head(gradient.text), head(checker.text)]).size).toBe(3);
  });

  it('libmtmd refuses a LLaVA projector without clip.projector_type; the one create rewrites works', async () => {
    // the error goes through the same asynchronous logger (see `head`): a run can exit before it
    // is flushed (seen once under load), so up to three runs, every one of them failing
    let r = mtmdCli('red.png', 'proj-notype.gguf');
    for (let i = 0; i < 2 && !/unknown projector type/.test(r.log); i++) {
      expect(r.status).not.toBe(0);
      r = mtmdCli('red.png', 'proj-notype.gguf');
    }
    expect(r.status).not.toBe(0);
    expect(r.log).toMatch(/unknown projector type/);
    await addStringMetadata(path.join(dir, 'proj-notype.gguf'), path.join(dir, 'proj-fixed.gguf'), 'clip.projector_type', 'mlp');
    const fixed = mtmdCli('red.png', 'proj-fixed.gguf');
    expect(fixed.status, fixed.log.slice(-2000)).toBe(0);
    expect(head(fixed.text)).toBe(head(mtmdCli('red.png').text)); // same weights, same text
  });
});
