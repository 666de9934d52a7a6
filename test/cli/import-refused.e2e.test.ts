/**
 * `ollama import` of an archive the server refuses early (a `../` entry, `--name` on a two-model
 * archive) against a real `ollama serve`: the server answers 400 and stops reading the rest of
 * the upload, and the CLI must still print the server's reason, every time. The archives are
 * large (tens of MB) so most of the body is still unsent when the answer comes; each case runs
 * 20 times.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sizedModelShape, writeModel } from '../helpers/gguf.js';
import { addModel, repoRoot } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { buildTar } from '../registry/archive/fixtures.js';

const exec = promisify(execFile);
const RUNS = 20;

describe('ollama import of an archive the server refuses', () => {
  let server: TestServer;
  let dir: string;
  const ollama = async (...args: string[]): Promise<{ code: number; stderr: string }> => {
    try {
      const r = await exec(process.execPath, [path.join(repoRoot, 'bin', 'ollama'), ...args], { env: server.env(), cwd: dir });
      return { code: 0, stderr: r.stderr };
    } catch (e) {
      const err = e as { code: number; stderr: string };
      return { code: err.code, stderr: err.stderr };
    }
  };

  beforeAll(async () => {
    server = await startServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-refused-'));
    const gguf = path.join(dir, 'big.gguf');
    await writeModel(gguf, sizedModelShape(24 << 20));
    await addModel(server.models, 'one', gguf, { system: 'One.' });
    await addModel(server.models, 'two', gguf, { system: 'Two.' });
    expect((await ollama('export', 'one', 'two', '-o', 'two.tar')).code).toBe(0);
    fs.writeFileSync(path.join(dir, 'evil.tar'), await buildTar([{ name: '../evil', data: 'x' }, { name: 'pad', data: Buffer.alloc(24 << 20) }]));
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`a ../ entry: the server's reason, ${RUNS} times out of ${RUNS}`, async () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < RUNS; i++) {
      const r = await ollama('import', 'evil.tar');
      expect(r.code).toBe(1);
      const err = r.stderr.split('\n').find((l) => l.startsWith('Error: ')) ?? r.stderr;
      seen.set(err, (seen.get(err) ?? 0) + 1);
    }
    expect([...seen.keys()]).toHaveLength(1);
    expect([...seen.keys()][0]).toMatch(/^Error: refusing archive entry "\.\.\/evil": /);
    expect([...seen.keys()][0]).not.toContain('could not connect');
  });

  it(`--name on a two-model archive: the server's reason, ${RUNS} times out of ${RUNS}`, async () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < RUNS; i++) {
      const r = await ollama('import', 'two.tar', '--name', 'renamed');
      expect(r.code).toBe(1);
      const err = r.stderr.split('\n').find((l) => l.startsWith('Error: ')) ?? r.stderr;
      seen.set(err, (seen.get(err) ?? 0) + 1);
    }
    expect(Object.fromEntries(seen)).toEqual({ 'Error: --name needs an archive with exactly one model; this one has 2': RUNS });
  });
});
