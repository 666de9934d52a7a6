/**
 * `ollama run` one-shot and piped, end to end: the real `bin/ollama` against a real server
 * process and the real stories260K model (greedy sampling), as a user runs it from a shell
 * with stdout (and stdin) on pipes.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addModel, haveStories, repoRoot, STORIES } from '../helpers/models.js';
import { startServer, type TestServer } from '../helpers/server.js';

if (!haveStories) console.warn(`skipping ollama run end-to-end tests: ${STORIES} is absent`);

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bin/ollama …` with stdin/stdout/stderr on pipes. */
function ollama(
  server: TestServer,
  args: string[],
  opts: { input?: string | Buffer; closeStdoutAfter?: number; onStdout?: (stdout: string) => void } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [path.join(repoRoot, 'bin', 'ollama'), ...args], { env: server.env(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      // A reader that goes away early (`| head -c N`).
      if (opts.closeStdoutAfter !== undefined && stdout.length >= opts.closeStdoutAfter) proc.stdout.destroy();
      opts.onStdout?.(stdout);
    });
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
    proc.stdin.on('error', () => {});
    proc.stdin.end(opts.input ?? '');
  });
}

const ANSI = /\x1b/;
const LILY = ', there was a little girl named Lily';

describe.skipIf(!haveStories)('ollama run (one-shot, piped) against a real server and stories260K', () => {
  let server: TestServer;
  let tmp: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tollama-run-e2e-'));
    server = await startServer();
    // Greedy and short: the same text every run, and a bounded run time.
    await addModel(server.models, 'stories', STORIES, { params: { temperature: 0, num_predict: 48 } });
  });

  afterAll(async () => {
    await server?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('prints the model’s text then two newlines, with no ANSI codes on a pipe', async () => {
    const r = await ollama(server, ['run', 'stories', 'Once upon a time']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(LILY)).toBe(true);
    expect(r.stdout.endsWith('\n\n')).toBe(true);
    expect(r.stdout.endsWith('\n\n\n\n')).toBe(false);
    expect(r.stdout).not.toMatch(ANSI);
  });

  it('the prompt words are joined with single spaces (same answer as one quoted argument)', async () => {
    const a = await ollama(server, ['run', 'stories', 'Once', 'upon', 'a', 'time']);
    expect(a.code).toBe(0);
    expect(a.stdout.startsWith(LILY)).toBe(true);
  });

  it('prepends piped stdin to the prompt', async () => {
    const file = path.join(tmp, 'story.txt');
    fs.writeFileSync(file, 'Once upon a time, there was a dog.\n');
    const piped = await ollama(server, ['run', 'stories', 'summarise'], { input: fs.readFileSync(file) });
    const joined = await ollama(server, ['run', 'stories', 'Once upon a time, there was a dog.\n summarise']);
    const alone = await ollama(server, ['run', 'stories', 'summarise']);
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).not.toBe('');
    expect(piped.stdout).toBe(joined.stdout);
    expect(piped.stdout).not.toBe(alone.stdout);
  });

  it('piped stdin alone is the prompt', async () => {
    const r = await ollama(server, ['run', 'stories'], { input: 'Once upon a time' });
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(LILY)).toBe(true);
    expect(r.stdout).not.toMatch(ANSI);
  });

  it('--verbose prints the statistics block on stderr only', async () => {
    const r = await ollama(server, ['run', 'stories', '--verbose', 'Once upon a time']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(LILY)).toBe(true);
    expect(r.stdout).not.toMatch(/duration|tokens\/s/);
    const lines = r.stderr.trimEnd().split('\n');
    const known = /^(total duration|load duration|prompt eval count|prompt eval duration|prompt eval rate|eval count|eval duration|eval rate):/;
    for (const l of lines) expect(l).toMatch(known);
    expect(r.stderr).toMatch(/^total duration: {7}\d+(\.\d+)?(ns|µs|ms|s|m\d.*s)$/m);
    expect(r.stderr).toMatch(/^eval count: {11}\d+ token\(s\)$/m);
    expect(r.stderr).toMatch(/^eval duration: {8}\S+$/m);
    expect(r.stderr).toMatch(/^eval rate: {12}\d+\.\d\d tokens\/s$/m);
    expect(r.stderr).not.toMatch(ANSI);
  });

  it('--format json is sent: the answer is constrained to JSON', async () => {
    const r = await ollama(server, ['run', 'stories', '--format', 'json', 'Once upon a time']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.trimStart().startsWith('{')).toBe(true);
    expect(r.stdout.startsWith(LILY)).toBe(false);
  });

  it('--keepalive 10m keeps the model loaded for ten minutes (ollama ps)', async () => {
    const r = await ollama(server, ['run', 'stories', '--keepalive', '10m', 'Once upon a time']);
    expect(r.code).toBe(0);
    const ps = await ollama(server, ['ps']);
    expect(ps.code).toBe(0);
    const row = ps.stdout.split('\n').find((l) => l.startsWith('stories:latest'));
    expect(row, ps.stdout).toBeDefined();
    expect(row).toMatch(/100% CPU/);
    expect(row).toMatch(/(10|9) minutes from now/);
  });

  it('an invalid --keepalive is refused with Go’s duration error', async () => {
    const r = await ollama(server, ['run', 'stories', '--keepalive', '-1', 'hi']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: time: missing unit in duration "-1"');
    expect(r.stdout).toBe('');
  });

  it('a model the server lacks is pulled first, and the failed pull prints Ollama’s error', async () => {
    const r = await ollama(server, ['run', 'nosuchmodel', 'hi']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pulling manifest');
    expect(r.stderr).toMatch(/^Error: pull model manifest: .+$/m);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe('');
  });

  it('a binary file on stdin is refused with a clear error', async () => {
    const r = await ollama(server, ['run', 'stories', 'describe'], { input: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff, 0xfe]) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: stdin looks like a binary file/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('--think on a model without thinking gives Ollama’s error', async () => {
    const r = await ollama(server, ['run', 'stories', '--think', 'Once upon a time']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"stories" does not support thinking');
    expect(r.stdout).toBe('');
  });

  it('--think=false on a model without thinking runs normally', async () => {
    const r = await ollama(server, ['run', 'stories', '--think=false', 'Once upon a time']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(LILY)).toBe(true);
  });

  it('a bad --think value is refused with Ollama’s text', async () => {
    const r = await ollama(server, ['run', 'stories', '--think=x', 'hi']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('invalid value for --think: "x" (must be true, false, high, medium, low, or max)');
  });

  it('a reader that closes the pipe early (`| head`) ends the run without a stack trace', async () => {
    const r = await ollama(server, ['run', 'stories', 'Once upon a time'], { closeStdoutAfter: 1 });
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.code).toBe(0);
  });

  it.skip('embedding models print the first vector (no embedding model is available here)', () => {});
});

describe.skipIf(!haveStories)('ollama run when its server stops mid-answer', () => {
  for (const [signal, message] of [
    ['SIGTERM', 'Error: server is shutting down'],
    ['SIGKILL', 'Error: unexpected EOF: the server closed the stream before the answer finished'],
  ] as const) {
    it(`${signal}: the text so far, then \`${message}\`, exit 1`, async () => {
      const server = await startServer();
      try {
        await addModel(server.models, 'stories', STORIES, { params: { num_predict: 1_000_000 } });
        let sent = false;
        const r = await ollama(server, ['run', 'stories', 'Once upon a time'], {
          onStdout: (out) => {
            if (out.length > 40 && !sent) {
              sent = true;
              server.proc.kill(signal);
            }
          },
        });
        expect(r.stdout.length).toBeGreaterThan(40);
        expect(r.stderr.trim().split('\n').at(-1)).toBe(message);
        expect(r.code).toBe(1);
      } finally {
        await server.stop();
      }
    }, 120_000);
  }
});
