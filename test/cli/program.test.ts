import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { checkArgs, normalizeArgv } from '../../src/cli/program.js';
import { findCommand } from '../../src/cli/spec.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin', 'ollama');
const golden = (name: string) => readFileSync(path.join(import.meta.dirname, 'testdata', name), 'utf8');

/** Runs bin/ollama against a port where nothing listens, with autostart off. */
async function ollama(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env: { ...process.env, OLLAMA_HOST: '127.0.0.1:9', OLLAMA_NOAUTOSTART: '1' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('argument rules (cobra texts)', () => {
  it.each([
    [{ kind: 'exact', n: 1 } as const, [], 'accepts 1 arg(s), received 0'],
    [{ kind: 'exact', n: 2 } as const, ['a'], 'accepts 2 arg(s), received 1'],
    [{ kind: 'min', n: 1 } as const, [], 'requires at least 1 arg(s), only received 0'],
    [{ kind: 'max', n: 1 } as const, ['a', 'b'], 'accepts at most 1 arg(s), received 2'],
  ])('%j with %j', (rule, args, msg) => expect(() => checkArgs(rule, args)).toThrow(msg));
  it('accepts valid counts', () => {
    expect(() => checkArgs({ kind: 'exact', n: 1 }, ['a'])).not.toThrow();
    expect(() => checkArgs({ kind: 'any' }, [])).not.toThrow();
  });
});

describe('argv normalisation', () => {
  const runSpec = findCommand('run')!;
  it('bare --think becomes --think=true so the next word stays the prompt', () => {
    expect(normalizeArgv(runSpec, ['m', '--think', 'why?'])).toEqual(['m', '--think=true', 'why?']);
  });
  it('--flag=false for booleans', () => {
    expect(normalizeArgv(runSpec, ['m', '--truncate=false'])).toEqual(['m', '--no-truncate']);
    expect(normalizeArgv(runSpec, ['m', '--verbose=true'])).toEqual(['m', '--verbose']);
    expect(() => normalizeArgv(runSpec, ['m', '--verbose=maybe'])).toThrow('invalid argument "maybe" for "--verbose" flag');
  });
});

describe('bin/ollama', () => {
  it('--help lists every command (golden)', async () => {
    const r = await ollama('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(golden('help.golden'));
  });
  it('run --help (golden)', async () => {
    const r = await ollama('run', '--help');
    expect(r.stdout).toBe(golden('help-run.golden'));
  });
  it('list --help shows aliases', async () => {
    const r = await ollama('ls', '--help');
    expect(r.stdout).toContain('Aliases:\n  list, ls\n');
  });
  it('--version without a server warns and exits 0', async () => {
    const r = await ollama('--version');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Warning: could not connect to a running Ollama instance\nWarning: client version is 0.33.0\ntollama version is 0.1.0\n');
  });
  it.each([
    [['foo'], 'Error: unknown command "foo" for "ollama"\n'],
    [['cp', 'a'], 'Error: accepts 2 arg(s), received 1\n'],
    [['rm'], 'Error: requires at least 1 arg(s), only received 0\n'],
    [['list', '--bogus'], 'Error: unknown flag: --bogus\n'],
    [['show', '-x', 'm'], "Error: unknown shorthand flag: 'x' in -x\n"],
    [['list'], "Error: could not connect to ollama server, run 'ollama serve' to start it\n"],
  ])('%j → exit 1 with %j', async (args, err) => {
    const r = await ollama(...args);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(err);
  });
});
