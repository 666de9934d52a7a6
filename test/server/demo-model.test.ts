/**
 * The built-in demo model's installer with a real Store on a temporary folder: the package's
 * file becomes a verified model with a license layer and bounded parameters; a damaged or
 * incomplete copy of the assets (given as `assetsDir`) installs nothing at all.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProgressResponse } from '../../src/api/types.js';
import { DEMO_MODEL } from '../../src/registry/demo.js';
import { parseModelName } from '../../src/registry/name.js';
import { MediaType, Store } from '../../src/registry/store/index.js';
import { DEMO_ASSETS_DIR, DEMO_GGUF_DIGEST, DEMO_GGUF_FILE, DEMO_GGUF_SIZE, installDemoModel } from '../../src/server/demo-model.js';

let dir: string;
let store: Store;
const demo = parseModelName(DEMO_MODEL);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-demo-'));
  store = new Store(path.join(dir, 'models'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A copy of assets/demo that a test may damage. */
function assetsCopy(): string {
  const copy = path.join(dir, 'assets');
  fs.cpSync(DEMO_ASSETS_DIR, copy, { recursive: true });
  return copy;
}

async function install(assetsDir?: string): Promise<ProgressResponse[]> {
  const seen: ProgressResponse[] = [];
  await installDemoModel(store, demo, (p) => seen.push(p), { assetsDir, env: {} });
  return seen;
}

/** Every file under blobs/ (none may be left behind by a failed install). */
function blobFiles(): string[] {
  const blobs = path.join(dir, 'models', 'blobs');
  return fs.existsSync(blobs) ? fs.readdirSync(blobs) : [];
}

describe('the embedded file', () => {
  it('is the stories260K file the package documents', () => {
    const bytes = fs.readFileSync(path.join(DEMO_ASSETS_DIR, DEMO_GGUF_FILE));
    expect(bytes.length).toBe(DEMO_GGUF_SIZE);
    expect('sha256:' + createHash('sha256').update(bytes).digest('hex')).toBe(DEMO_GGUF_DIGEST);
    expect(fs.readFileSync(path.join(DEMO_ASSETS_DIR, 'LICENSE'), 'utf8')).toContain('Copyright (c) 2023 Andrej');
  });
});

describe('installDemoModel', () => {
  it('installs weights, license and parameters with a pull’s progress lines', async () => {
    const seen = await install();
    expect(seen.map((p) => p.status)).toEqual([
      'pulling manifest',
      'pulling 270cba1bd510',
      'pulling 270cba1bd510',
      'verifying sha256 digest',
      'writing manifest',
      'success',
    ]);
    expect(seen[2]).toMatchObject({ digest: DEMO_GGUF_DIGEST, total: DEMO_GGUF_SIZE, completed: DEMO_GGUF_SIZE });
    const m = await store.readModel(demo);
    const types = m.manifest.layers.map((l) => l.mediaType);
    expect(types).toEqual([MediaType.model, MediaType.license, MediaType.params]);
    const license = (await store.readBlob(m.manifest.layers[1]!.digest)).toString('utf8');
    expect(license).toContain('llama2.c');
    expect(license).toContain('Copyright (c) 2023 Andrej');
    const params = JSON.parse((await store.readBlob(m.manifest.layers[2]!.digest)).toString('utf8')) as Record<string, unknown>;
    expect(params.num_predict).toBeGreaterThan(0);
  });

  it('is the same model every time (same manifest digest), and reuses the blob', async () => {
    await install();
    const first = (await store.list())[0]!.digest;
    await install();
    const models = await store.list();
    expect(models).toHaveLength(1);
    expect(models[0]!.digest).toBe(first);
  });

  it('a damaged copy of its weights already in the store is replaced from the package', async () => {
    await install();
    const blob = store.blobPath(DEMO_GGUF_DIGEST);
    const bytes = fs.readFileSync(blob);
    bytes[100] ^= 0xff;
    fs.chmodSync(blob, 0o644);
    fs.writeFileSync(blob, bytes);
    const seen = await install();
    expect(seen[1]).toMatchObject({ digest: DEMO_GGUF_DIGEST, completed: 0 });
    const again = fs.readFileSync(blob);
    expect('sha256:' + createHash('sha256').update(again).digest('hex')).toBe(DEMO_GGUF_DIGEST);
  });

  it('a damaged file gives a clear error and leaves no model and no blob', async () => {
    const copy = assetsCopy();
    const file = path.join(copy, DEMO_GGUF_FILE);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff;
    fs.writeFileSync(file, bytes);
    await expect(install(copy)).rejects.toThrow(
      /built-in demo model's file assets\/demo\/stories260K\.gguf is damaged .*sha256.*; reinstall Tollama/,
    );
    expect(await store.list()).toEqual([]);
    expect(blobFiles()).toEqual([]);
  });

  it('a missing file or license is named, and nothing is installed', async () => {
    const copy = assetsCopy();
    fs.rmSync(path.join(copy, DEMO_GGUF_FILE));
    await expect(install(copy)).rejects.toThrow(/stories260K\.gguf is missing or unreadable; reinstall Tollama/);
    fs.rmSync(path.join(copy, 'LICENSE'));
    await expect(install(copy)).rejects.toThrow(/has no LICENSE beside it/);
    expect(await store.list()).toEqual([]);
    expect(blobFiles()).toEqual([]);
  });

  it('other names on the demo host do not exist (404), and nothing is installed', async () => {
    const other = parseModelName('tollama.invalid/demo/other');
    await expect(installDemoModel(store, other, () => {})).rejects.toMatchObject({
      status: 404,
      message: expect.stringContaining('it holds only Tollama\'s built-in demo model tollama.invalid/demo/stories260k'),
    });
    expect(await store.list()).toEqual([]);
  });
});
