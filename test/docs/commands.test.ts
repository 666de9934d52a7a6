/**
 * Every shell block in README.md and docs/*.md, run for real, as a reader would paste it
 * (the convention is in docs/writing-docs.md):
 *
 * - Every fence names a language. `sh`/`bash`/`shell`/`console`/`zsh` blocks are commands; any
 *   other language (`text` for output, layouts and grammars; `ts`, `json` …) is not run.
 * - Each command block runs with `bash -eo pipefail` in a sandbox: a temporary HOME, `ollama` on
 *   PATH as this checkout's bin/ollama, OLLAMA_HOST pointing at a real `ollama serve` on a free
 *   loopback port whose store holds the models the docs name (stories, llama3.2, qwen3:4b: all
 *   the real test model), and OLLAMA_NOAUTOSTART=1 so that nothing starts a server elsewhere.
 *   Blocks that use `npx` run in the checkout (where `npx ollama` finds bin/ollama) and must
 *   leave its `git status` as it was; the others run in an empty temporary folder.
 * - What cannot run here as written is rewritten to its local equivalent, the same for every
 *   block: `ssh host CMD` runs CMD against a second real server (the other machine);
 *   `127.0.0.1:11434` is the sandbox's server; a line that runs `ollama serve` in the foreground
 *   runs it in the background on a fresh port and waits for it; and, while the checkout lacks
 *   assets/demo/stories260K.gguf, that path is the test model's.
 * - A block that cannot run here at all is listed in RULES with the reason. A rule must match
 *   exactly one block, so a changed or new block fails this test until it runs or is listed.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allBlocks, SHELL_LANGS, type DocBlock } from '../helpers/docblocks.js';
import { addModel, repoRoot, STORIES } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';

interface Rule {
  file: string;
  /** Matches the block's text; must match exactly one block of `file`. */
  match: RegExp;
  /** Not run, for this reason. */
  skip?: string;
  /** Run, and its stdout + stderr must match this too. */
  expect?: RegExp;
  /**
   * Run with no server on OLLAMA_HOST (a fresh loopback port) and without OLLAMA_NOAUTOSTART, for
   * blocks that show the CLI starting its own background server.
   */
  autostart?: true;
}

const RULES: Rule[] = [
  {
    file: 'README.md',
    match: /^npm ci && npm start$/m,
    skip: 'npm ci reinstalls the shared node_modules, and npm start opens the interactive REPL; its fallback to the demo model is tested in test/cli/demo-model.e2e.test.ts',
  },
  { file: 'README.md', match: /^npm ci && npm test$/m, skip: 'the test suite itself (and npm ci reinstalls node_modules)' },
  {
    file: 'README.md',
    match: /npx ollama run stories "Once upon a time"/,
    expect: /success[\s\S]*\S/, // create succeeds, then the story has some text
  },
  { file: 'README.md', match: /ssh host ollama import -/, expect: /^imported stories:latest\n[\s\S]*^imported stories:latest$/m },
  { file: 'docs/offline.md', match: /ollama prune -n/, expect: /^imported mine\/stories:v2$[\s\S]*: ok \(/m },
  { file: 'docs/api.md', match: /OLLAMA_API_KEYS=/, expect: /^\{"models":\[/m },
  {
    file: 'docs/replicas.md',
    match: /apt-get install -y nginx-light/,
    skip: 'installs a system package and reloads the system nginx; the configuration itself runs in test/deploy/nginx.e2e.test.ts',
  },
  {
    file: 'docs/replicas.md',
    match: /ollama push --insecure registry\.internal:5000/,
    skip: 'needs an internal registry host; create → push → pull against a real registry runs in test/registry/remote/roundtrip.test.ts',
  },
  {
    file: 'docs/native.md',
    match: /cmake --build \$B\/build --target llama-bench/,
    skip: 'builds llama.cpp with cmake and ninja (about 3 minutes on 2 cores) for an optional benchmark',
  },
];

const blocks = allBlocks(repoRoot);
const shellBlocks = blocks.filter((b) => SHELL_LANGS.has(b.lang));
const label = (b: DocBlock) => `${b.file}:${b.line}`;
const ruleFor = (b: DocBlock) => RULES.find((r) => r.file === b.file && r.match.test(b.text));

const DEMO_IN_CHECKOUT = path.join(repoRoot, 'assets', 'demo', 'stories260K.gguf');
const MODEL = [DEMO_IN_CHECKOUT, STORIES].find((p) => fs.existsSync(p));

describe('docs: fenced blocks', () => {
  it('every fence names its language (`sh` is run, `text` is not)', () => {
    expect(blocks.filter((b) => b.lang === '').map(label)).toEqual([]);
  });

  it('every rule matches exactly one block', () => {
    const bad = RULES.map((r) => ({ r, n: blocks.filter((b) => b.file === r.file && r.match.test(b.text)).length }))
      .filter((x) => x.n !== 1)
      .map((x) => `${x.r.file} ${x.r.match}: ${x.n} blocks`);
    expect(bad).toEqual([]);
  });

  it('finds the blocks (the extraction works)', () => {
    expect(shellBlocks.length).toBeGreaterThanOrEqual(5);
    expect(shellBlocks.some((b) => b.file === 'README.md')).toBe(true);
  });
});

/** The same local equivalents for every block (see the header). */
function forSandbox(text: string, opts: { demoModel?: string } = {}): { script: string; serves: boolean } {
  let s = text.replace(/\bssh host /g, 'OLLAMA_HOST=$OTHER_HOST ').replace(/\b(?:127\.0\.0\.1|localhost):11434\b/g, '$OLLAMA_HOST');
  if (opts.demoModel) s = s.replace(/(?:\$\(npm prefix\)\/|\$PWD\/)?assets\/demo\/stories260K\.gguf/g, opts.demoModel);
  let serves = false;
  s = s
    .split('\n')
    .map((line) => {
      if (!/(^|[\s;&|])ollama serve\s*(#.*)?$/.test(line)) return line;
      serves = true;
      return `${line.replace(/\s*#.*$/, '')} &\nwait_for_server`;
    })
    .join('\n');
  const prelude = `wait_for_server() {
  for _ in $(seq 150); do (exec 3<>"/dev/tcp/\${OLLAMA_HOST%:*}/\${OLLAMA_HOST##*:}") 2>/dev/null && return 0; sleep 0.2; done
  echo "the server did not start on $OLLAMA_HOST" >&2; return 1
}
`;
  return { script: prelude + s, serves };
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Runs a script in its own process group; the group (background servers too) is ended after. */
async function runScript(script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number) {
  const child = spawn('bash', ['-eo', 'pipefail', '-c', script], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const killGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* already gone */
    }
  };
  const timer = setTimeout(() => killGroup('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  clearTimeout(timer);
  killGroup('SIGTERM');
  await new Promise<void>((r) => {
    const t = setTimeout(() => {
      killGroup('SIGKILL');
      r();
    }, 5000);
    child.stdout.once('close', () => {
      clearTimeout(t);
      r();
    });
  });
  return { code, out };
}

/** Processes still running with the block's HOME (a background server the block started, even a detached one). */
function leftovers(home: string): number[] {
  const out: number[] = [];
  if (!fs.existsSync('/proc/self/environ')) return out;
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').includes(`HOME=${home}`)) out.push(Number(d));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return out;
}

function gitStatus(): string | undefined {
  try {
    return execFileSync('git', ['-C', repoRoot, 'status', '--porcelain', '--untracked-files=all'], { encoding: 'utf8' });
  } catch {
    return undefined; // not a git checkout
  }
}

describe.skipIf(!MODEL)('docs: every shell block runs', () => {
  let main: TestServer;
  let other: TestServer;
  let shim: string;

  beforeAll(async () => {
    [main, other] = await Promise.all([startServer(), startServer()]);
    for (const name of ['stories', 'llama3.2', 'qwen3:4b']) await addModel(main.models, name, MODEL!, { params: { num_predict: 32 } });
    shim = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-docs-bin-'));
    fs.writeFileSync(path.join(shim, 'ollama'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(repoRoot, 'bin', 'ollama'))} "$@"\n`, {
      mode: 0o755,
    });
  });
  afterAll(async () => {
    await Promise.all([main?.stop(), other?.stop()]);
    if (shim) fs.rmSync(shim, { recursive: true, force: true });
  });

  for (const block of shellBlocks) {
    const rule = ruleFor(block);
    if (rule?.skip) {
      it.skip(`${label(block)} (not run: ${rule.skip})`, () => {});
      continue;
    }
    it(`${label(block)} runs`, { timeout: 200_000 }, async () => {
      const demoModel = fs.existsSync(DEMO_IN_CHECKOUT) ? undefined : MODEL;
      const { script, serves } = forSandbox(block.text, { demoModel });
      const inCheckout = /(^|[\s;&|(])npx\s/m.test(block.text);
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-docs-'));
      const home = path.join(scratch, 'home');
      fs.mkdirSync(home);
      const cwd = inCheckout ? repoRoot : fs.mkdtempSync(path.join(scratch, 'cwd-'));
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        HOME: home,
        PATH: `${shim}${path.delimiter}${process.env.PATH}`,
        OLLAMA_HOST: serves || rule?.autostart ? `127.0.0.1:${await freePort()}` : main.host,
        OTHER_HOST: other.host,
        OLLAMA_MODELS: path.join(scratch, 'models'),
        OLLAMA_NOAUTOSTART: '1',
        TMPDIR: scratch,
        npm_config_update_notifier: 'false',
      };
      delete env.OLLAMA_API_KEY;
      delete env.OLLAMA_API_KEYS;
      if (rule?.autostart) delete env.OLLAMA_NOAUTOSTART;
      const before = inCheckout ? gitStatus() : undefined;
      try {
        const r = await runScript(script, cwd, env, 150_000);
        expect(r.code, `${label(block)} failed:\n${script}\n--- output ---\n${r.out.slice(-3000)}`).toBe(0);
        if (rule?.expect) expect(r.out).toMatch(rule.expect);
        if (inCheckout) expect(gitStatus(), 'the block changed the checkout').toBe(before);
      } finally {
        for (const pid of leftovers(home)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }
        fs.rmSync(scratch, { recursive: true, force: true });
      }
    });
  }
});
