/**
 * The progress bars of `pull` / `push` in a real terminal (tmux) hide the cursor while they draw;
 * every way out shows it again: Ctrl+C, SIGTERM, an error. A fault proxy in front of the real
 * registry holds the transfer open (a blob that stops arriving, an upload that gets no answer)
 * so the signal lands while the bars are up. `create` is checked the same way.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../helpers/faultproxy.js';
import { haveStories, repoRoot, STORIES } from '../helpers/models.js';
import { hasRegistry, SKIP_MESSAGE, startRegistry, type RunningRegistry } from '../helpers/registry.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { haveTmux, Pane, Tmux } from '../helpers/tmux.js';

const exec = promisify(execFile);
const ready = haveTmux && hasRegistry() && haveStories;
if (!ready) console.warn(`progress tmux tests skipped: ${!haveTmux ? 'tmux is not installed' : !haveStories ? 'stories260K.gguf is absent' : SKIP_MESSAGE}`);

const PULL_BAR = /pulling [0-9a-f]{12}: +\d+% /;
const PUSH_BAR = /pushing [0-9a-f]{12} +\d+% /;

describe.skipIf(!ready)('the cursor after pull / push / create in a terminal', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let server: TestServer;
  let tmux: Tmux;
  let dir: string;
  const ollama = (...args: string[]) => exec(process.execPath, [path.join(repoRoot, 'bin', 'ollama'), ...args], { env: server.env(), cwd: dir });
  const pane = (...args: string[]) => new Pane(tmux, dir, server.env(), args);
  /** The `ollama` process a pane runs (the child of the pane's shell). */
  const ollamaPid = (p: Pane): number => {
    const shell = tmux.cmd('display-message', '-p', '-t', p.name, '#{pane_pid}').trim();
    return Number(execFileSync('ps', ['-o', 'pid=', '--ppid', shell], { encoding: 'utf8' }).trim().split('\n')[0]);
  };
  /** Waits for a bar, and checks the precondition: the cursor is hidden while it is drawn. */
  const barsUp = async (p: Pane, bar: RegExp) => {
    await p.waitFor((s) => bar.test(s), String(bar));
    expect(p.cursorVisible()).toBe(false);
  };

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy(registry.port);
    server = await startServer();
    tmux = new Tmux();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-cursor-'));
    fs.copyFileSync(STORIES, path.join(dir, 'stories.gguf'));
    fs.writeFileSync(path.join(dir, 'Modelfile'), 'FROM ./stories.gguf\n');
    const remote = `127.0.0.1:${registry.port}/alice/stories:v1`;
    await ollama('create', remote);
    await ollama('push', remote, '--insecure');
    await ollama('rm', remote);
  });
  afterAll(async () => {
    tmux?.kill();
    await proxy?.stop();
    await server?.stop();
    await registry?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('Ctrl+C during a pull: the process dies of SIGINT and the cursor is visible', async () => {
    proxy.fault = (req) => (req.method === 'GET' && /\/blobs\/sha256:/.test(req.url!) ? { kind: 'stall', after: 100_000 } : undefined);
    const p = pane('pull', `127.0.0.1:${proxy.port}/alice/stories:v1`, '--insecure');
    await barsUp(p, PULL_BAR);
    p.keys('C-c');
    expect(await p.waitExit()).toBe(130);
    p.expectTerminalRestored();
  });

  it('SIGTERM during a pull: the same', async () => {
    const p = pane('pull', `127.0.0.1:${proxy.port}/alice/stories:v1`, '--insecure');
    await barsUp(p, PULL_BAR);
    process.kill(ollamaPid(p), 'SIGTERM');
    expect(await p.waitExit()).toBe(143);
    p.expectTerminalRestored();
  });

  it('a pull that fails shows the error with the cursor visible', async () => {
    proxy.fault = (req) => (req.method === 'GET' && /\/blobs\/sha256:/.test(req.url!) ? { kind: 'flip', at: 10 } : undefined);
    const p = pane('pull', `127.0.0.1:${proxy.port}/alice/stories:v1`, '--insecure');
    expect(await p.waitExit()).toBe(1);
    expect(p.screen()).toMatch(PULL_BAR);
    expect(p.screen()).toContain('Error: ');
    p.expectTerminalRestored();
  });

  it('Ctrl+C during a push whose upload gets no answer', async () => {
    await ollama('pull', `127.0.0.1:${registry.port}/alice/stories:v1`, '--insecure');
    const target = `127.0.0.1:${proxy.port}/bob/stories:v1`;
    await ollama('cp', `127.0.0.1:${registry.port}/alice/stories:v1`, target);
    proxy.fault = (req) => (req.method === 'POST' && /\/blobs\/uploads\//.test(req.url!) ? { kind: 'hang' } : undefined);
    const p = pane('push', target, '--insecure');
    await barsUp(p, PUSH_BAR);
    p.keys('C-c');
    expect(await p.waitExit()).toBe(130);
    p.expectTerminalRestored();
  });

  it('Ctrl+C during create (hashing a large file)', async () => {
    const big = path.join(dir, 'big');
    fs.mkdirSync(big);
    fs.closeSync(fs.openSync(path.join(big, 'big.gguf'), 'w'));
    fs.truncateSync(path.join(big, 'big.gguf'), 4 * 1024 ** 3); // sparse: costs no disk
    fs.writeFileSync(path.join(big, 'Modelfile'), 'FROM ./big.gguf\n');
    const p = pane('create', 'big', '-f', path.join(big, 'Modelfile'));
    await p.waitText('gathering model components');
    p.keys('C-c');
    expect(await p.waitExit()).not.toBe(0);
    p.expectTerminalRestored();
  });
});
