#!/usr/bin/env node
// `npm start [-- MODEL [PROMPT...]]`: the main job, `ollama run qwen2:0.5b`, on any machine.
// A model already in the store runs as it is. Otherwise, when its registry cannot be reached
// (no network, no DNS), this says so in one line and runs the built-in demo model instead,
// which needs neither (docs/run.md). Everything else is plain `ollama run`.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'ollama');
const [model = 'qwen2:0.5b', ...prompt] = process.argv.slice(2);

async function load() {
  try {
    return {
      name: await import('../dist/registry/name.js'),
      demo: await import('../dist/registry/demo.js'),
      http: await import('../dist/registry/remote/http.js'),
    };
  } catch {
    process.stderr.write('Error: tollama is not built; run `npm run build` in its folder\n');
    process.exit(1);
  }
}

/** Null when the registry answers at all (any HTTP status), else why it cannot be reached. */
async function unreachable(http, base) {
  try {
    const res = await http.rawRequest({ method: 'GET', url: `${base}/v2/`, headersTimeoutMs: 15_000 });
    res.body.resume();
    return null;
  } catch (e) {
    if (e && (e.code === 'NETWORK' || e.code === 'TIMEOUT')) return e.message.replace(/^[A-Z][a-z]+ "[^"]*": /, ''); // Go's `Get "URL": ` prefix: the host is named already
    return null; // anything else is for `ollama run` to report
  }
}

function ollama(args) {
  // Ctrl+C reaches the child through the terminal; this process waits for it to finish.
  process.on('SIGINT', () => {});
  const child = spawn(process.execPath, [bin, ...args], { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const { name, demo, http } = await load();
let run = model;
const parsed = name.tryParseModelName(model);
// `ollama show` also starts the background server when none answers.
const local = spawnSync(process.execPath, [bin, 'show', model], { stdio: 'ignore' }).status === 0;
if (parsed && !local && !demo.isDemoHost(parsed)) {
  const why = await unreachable(http, name.registryBaseURL(parsed));
  if (why) {
    process.stderr.write(`${parsed.host} cannot be reached (${why}): running the built-in demo model ${demo.DEMO_MODEL} instead\n`);
    run = demo.DEMO_MODEL;
  }
}
ollama(['run', run, ...prompt]);
