/**
 * The built-in demo model (`tollama.invalid/demo/stories260k`, src/registry/demo.ts): a pull of
 * that host never touches the network. It installs the package's own file
 * (assets/demo/stories260K.gguf, MIT, llama2.c) as a model with a license layer and bounded
 * parameters, through the same create path every model takes: the weights are verified by
 * sha256 before they become a blob, and the manifest is written only once every blob exists.
 * The progress lines look like a pull's, so `ollama run` and `ollama pull` show what they
 * always show.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commitModel, prepareModel, type Emit } from '../modelfile/build.js';
import { DEMO_HOST, DEMO_MODEL, isDemoHost, isDemoModel } from '../registry/demo.js';
import { displayShortest, parseModelName, type ModelName } from '../registry/name.js';
import { NotFoundError, RegistryError, pull, type PullOptions } from '../registry/remote/index.js';
import { blobReporter } from '../registry/remote/progress.js';
import { DigestMismatchError, InvalidSourceError, hashFile, type Store } from '../registry/store/index.js';

/** The package's assets/demo folder (dist/server/ and src/server/ are both two levels down). */
export const DEMO_ASSETS_DIR = fileURLToPath(new URL('../../assets/demo/', import.meta.url));
export const DEMO_GGUF_FILE = 'stories260K.gguf';
export const DEMO_GGUF_DIGEST = 'sha256:270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d';
export const DEMO_GGUF_SIZE = 1_185_376;

/** The first lines of the license layer; assets/demo/LICENSE (verbatim from llama2.c) follows. */
const ATTRIBUTION =
  'stories260K: Andrej Karpathy\'s "tinyllamas" model from llama2.c\n' +
  '(https://github.com/karpathy/llama2.c), trained on the TinyStories data set and converted to\n' +
  'GGUF; built into Tollama as its demo model (assets/demo/README.md). License of the model:\n\n';

/**
 * The model never emits an end-of-text token (it starts the next story instead), so without a
 * bound a one-shot run would write until the context is exhausted, ever less coherently past
 * its trained 512 positions: one story's worth of tokens, in the context it was trained with.
 */
export const DEMO_PARAMETERS = { num_ctx: 512, num_predict: 256 };

export interface DemoOptions {
  /** Where stories260K.gguf and LICENSE are (default: the package's assets/demo). */
  assetsDir?: string;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/** The package's demo file failed its check: nothing was installed. */
export class DemoAssetError extends RegistryError {
  constructor(detail: string) {
    super(`the built-in demo model's file assets/demo/${DEMO_GGUF_FILE} ${detail}; reinstall Tollama`, 500, 'DEMO_ASSET');
    this.name = 'DemoAssetError';
  }
}

/**
 * Whether the store already holds the demo's weights intact. A damaged copy (which `ollama
 * verify` would report) is removed, so the package's file replaces it.
 */
async function intactBlob(store: Store, signal?: AbortSignal): Promise<boolean> {
  if (!(await store.hasBlob(DEMO_GGUF_DIGEST))) return false;
  if ((await hashFile(store.blobPath(DEMO_GGUF_DIGEST), signal)).digest === DEMO_GGUF_DIGEST) return true;
  await rm(store.blobPath(DEMO_GGUF_DIGEST), { force: true });
  return false;
}

/** Installs the demo model under `name` (which must be the demo's name) from the package's file. */
export async function installDemoModel(store: Store, name: ModelName, emit: Emit, opts: DemoOptions = {}): Promise<void> {
  emit({ status: 'pulling manifest' });
  if (!isDemoModel(name)) {
    throw new NotFoundError(`pull model manifest: ${displayShortest(name)} does not exist: ${DEMO_HOST} is not a registry; it holds only Tollama's built-in demo model ${DEMO_MODEL}`);
  }
  const dir = opts.assetsDir ?? DEMO_ASSETS_DIR;
  let license: string;
  try {
    license = ATTRIBUTION + (await readFile(path.join(dir, 'LICENSE'), 'utf8'));
  } catch {
    throw new DemoAssetError('has no LICENSE beside it');
  }
  const bar = blobReporter('pulling', DEMO_GGUF_DIGEST, DEMO_GGUF_SIZE, emit);
  if (await intactBlob(store, opts.signal)) {
    bar.update(DEMO_GGUF_SIZE, true);
  } else {
    bar.update(0, true);
    try {
      await store.importFile(path.join(dir, DEMO_GGUF_FILE), { expected: DEMO_GGUF_DIGEST, signal: opts.signal });
    } catch (e) {
      if (e instanceof DigestMismatchError) throw new DemoAssetError(`is damaged (${e.message})`);
      if (e instanceof InvalidSourceError) throw new DemoAssetError('is missing or unreadable');
      throw e;
    }
    bar.update(DEMO_GGUF_SIZE, true);
  }
  emit({ status: 'verifying sha256 digest' });
  const prepared = await prepareModel(
    { name, fromBlob: DEMO_GGUF_DIGEST, files: [], adapters: [], license: [license], parameters: { ...DEMO_PARAMETERS } },
    { store, env: opts.env },
    opts.signal,
  );
  // The create path's own lines (`using existing layer …`) would not look like a pull.
  await commitModel(prepared, { store, env: opts.env }, (p) => {
    if (p.status === 'writing manifest' || p.status === 'success') emit(p);
  }, opts.signal);
}

/** A pull as the server does it: the demo's host from the package, every other from its registry. */
export async function pullOrInstall(store: Store, name: string, opts: PullOptions, emit: Emit): Promise<void> {
  const parsed = parseModelName(name);
  if (isDemoHost(parsed)) return installDemoModel(store, parsed, emit, { signal: opts.signal, env: opts.noPrune ? { ...process.env, OLLAMA_NOPRUNE: '1' } : undefined });
  return pull(store, name, opts, emit);
}
