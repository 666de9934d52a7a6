/**
 * A real terminal for end-to-end tests: tmux on its own socket runs the real `bin/ollama` in a
 * 100×30 pane; keys go in with `send-keys`, the screen comes back with `capture-pane`, and the
 * pane's exit code and `stty -a` land in files when the command ends.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { repoRoot } from './models.js';

export const haveTmux = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;

/** The REPL's empty prompt with its placeholder. */
export const PLACEHOLDER = '>>> Send a message (/? for help)';
const WAIT = 45_000;

/** One tmux server on its own socket (parallel test files never share it). */
export class Tmux {
  readonly socket = `tollama-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  cmd(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore' });
  }
}

/** A 100×30 pane running `ollama …`; its exit code and `stty -a` land in files when it ends. */
export class Pane {
  private static n = 0;
  readonly name: string;
  readonly exitFile: string;
  readonly sttyFile: string;

  constructor(
    readonly tmux: Tmux,
    dir: string,
    env: NodeJS.ProcessEnv,
    args: string[],
  ) {
    this.name = `p${Pane.n++}`;
    this.exitFile = path.join(dir, `${this.name}.exit`);
    this.sttyFile = path.join(dir, `${this.name}.stty`);
    const script = path.join(dir, `${this.name}.sh`);
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const exports = ['HOME', 'OLLAMA_HOST', 'OLLAMA_NOAUTOSTART', 'OLLAMA_EDITOR'].map((k) => `export ${k}=${q(env[k] ?? '')}`);
    fs.writeFileSync(
      script,
      [
        // bash, not dash: a Ctrl+C that the program handles must not also end the script.
        '#!/bin/bash',
        ...exports,
        `cd ${q(repoRoot)}`,
        // A trap (not an ignore: the child gets the default back) keeps the script going when
        // the program dies of Ctrl+C, so its exit code and the terminal state are recorded.
        "trap 'true' INT",
        `${q(process.execPath)} bin/ollama ${args.map(q).join(' ')}`,
        'code=$?',
        'echo "[shell]"',
        `echo "EXIT=$code" > ${q(this.exitFile)}.tmp`,
        `stty -a > ${q(this.sttyFile)}`,
        `mv ${q(this.exitFile)}.tmp ${q(this.exitFile)}`,
        'exec sleep 600', // keeps the pane readable after exit; ends on its own if the test process dies
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    tmux.cmd('new-session', '-d', '-s', this.name, '-x', '100', '-y', '30', `bash ${q(script)}`);
  }

  /** Everything the pane shows, scrollback included, wrapped lines joined. */
  screen(): string {
    return this.tmux.cmd('capture-pane', '-p', '-J', '-S', '-', '-t', this.name);
  }

  /** Types text literally (no key names). */
  type(text: string): void {
    this.tmux.cmd('send-keys', '-t', this.name, '-l', text);
  }

  keys(...names: string[]): void {
    this.tmux.cmd('send-keys', '-t', this.name, ...names);
  }

  line(text: string): void {
    this.type(text);
    this.keys('Enter');
  }

  cursorVisible(): boolean {
    return this.tmux.cmd('display-message', '-p', '-t', this.name, '#{cursor_flag}').trim() === '1';
  }

  exitCode(): number | undefined {
    if (!fs.existsSync(this.exitFile)) return undefined;
    return Number(/EXIT=(\d+)/.exec(fs.readFileSync(this.exitFile, 'utf8'))![1]);
  }

  /** Polls the screen until `test` holds on the text after the last `marker` line. */
  async waitFor(test: (text: string) => boolean, what: string, marker?: string, timeout = WAIT): Promise<string> {
    const end = Date.now() + timeout;
    let s = '';
    for (;;) {
      s = this.screen();
      const from = marker === undefined ? -1 : s.lastIndexOf(marker);
      const text = marker === undefined ? s : from < 0 ? '' : s.slice(from + marker.length);
      if (test(text)) return text;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Waits for `needle` to appear after the last `marker` (the whole screen without one). */
  waitText(needle: string, marker?: string, timeout?: number): Promise<string> {
    return this.waitFor((t) => t.includes(needle), JSON.stringify(needle) + (marker ? ` after ${JSON.stringify(marker)}` : ''), marker, timeout);
  }

  /** Waits for a fresh empty prompt after the last `marker` line (the answer is complete). */
  waitPrompt(marker: string): Promise<string> {
    return this.waitText(PLACEHOLDER, marker);
  }

  async waitExit(timeout = WAIT): Promise<number> {
    const end = Date.now() + timeout;
    for (;;) {
      const c = this.exitCode();
      if (c !== undefined) return c;
      if (Date.now() > end) throw new Error(`the pane's command did not end; screen:\n${this.screen()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** After exit: the terminal is back in cooked mode with echo, and the cursor is visible. */
  expectTerminalRestored(): void {
    const stty = fs.readFileSync(this.sttyFile, 'utf8');
    expect(stty).toMatch(/(^|\s)icanon(\s|$)/);
    expect(stty).toMatch(/(^|\s)echo(\s|$)/);
    expect(this.cursorVisible()).toBe(true);
  }
}

