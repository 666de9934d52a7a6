import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { UnexpectedEOFError } from '../../../src/api/client.js';
import { App } from '../../../src/cli/repl/app.js';
import { Session, type ApiClient } from '../../../src/cli/repl/session.js';

class FakeClient implements ApiClient {
  bodies: any[] = [];
  constructor(private chat: (body: any) => AsyncGenerator<any>) {}
  async request<T>(): Promise<T> {
    return { capabilities: ['completion'] } as T;
  }
  async *stream<T>(path: string, body: any, signal?: AbortSignal): AsyncGenerator<T> {
    this.bodies.push(JSON.parse(JSON.stringify(body)));
    if (path === '/api/chat') yield* this.chat(body) as AsyncGenerator<T>;
    void signal;
  }
}

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

function setup(chat?: (body: any) => AsyncGenerator<any>) {
  const client = new FakeClient(
    chat ??
      async function* () {
        yield { message: { role: 'assistant', content: 'Hi ' }, done: false };
        yield { message: { role: 'assistant', content: 'there!' }, done: true, eval_count: 2, eval_duration: 1e9 };
      },
  );
  const session = new Session(client, { out: () => {}, err: () => {} }, { model: 'm', info: { capabilities: ['completion'] } });
  let code: number | undefined;
  const r = render(<App session={session} onExit={(c) => (code = c)} width={60} />);
  return { ...r, session, client, code: () => code };
}

describe('REPL app', () => {
  it('shows the prompt with its placeholder', async () => {
    const t = setup();
    await tick();
    expect(t.lastFrame()).toContain('>>> Send a message (/? for help)');
    t.unmount();
  });

  it('runs slash commands and echoes the line', async () => {
    const t = setup();
    await tick();
    t.stdin.write('/set verbose\r');
    await tick();
    const f = t.lastFrame()!;
    expect(f).toContain(">>> /set verbose\nSet 'verbose' mode.");
    t.stdin.write('/foo\r');
    await tick();
    expect(t.lastFrame()).toContain("Unknown command '/foo'. Type /? for help");
    t.unmount();
  });

  it('chats, appends the answer, prints stats in verbose mode', async () => {
    const t = setup();
    await tick();
    t.stdin.write('/set verbose\r');
    await tick();
    t.stdin.write('hello\r');
    await tick(80);
    const f = t.lastFrame()!;
    expect(f).toContain('>>> hello\nHi there!\n\neval count:           2 token(s)');
    expect(t.session.messages).toEqual([
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: 'Hi there!' },
    ]);
    expect(t.client.bodies.at(-1)).toEqual({ model: 'm', messages: [{ role: 'user', content: 'hello' }], options: {} });
    t.unmount();
  });

  it('Ctrl+C at the prompt prints the hint; Ctrl+D exits 0', async () => {
    const t = setup();
    await tick();
    t.stdin.write('abc');
    await tick();
    t.stdin.write('\x03');
    await tick();
    expect(t.lastFrame()).toContain('>>> abc\nUse Ctrl + d or /bye to exit.');
    t.stdin.write('\x04');
    await tick();
    expect(t.code()).toBe(0);
  });

  it('Ctrl+C during an answer cancels it and keeps the session', async () => {
    const t = setup(async function* (body: any) {
      yield { message: { role: 'assistant', content: 'partial' }, done: false };
      await new Promise((r) => setTimeout(r, 200));
      void body;
      throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    });
    await tick();
    t.stdin.write('go\r');
    await tick();
    t.stdin.write('\x03');
    await tick(300);
    expect(t.session.messages).toEqual([{ role: 'user', content: 'go' }]);
    expect(t.lastFrame()).toContain('partial');
    expect(t.lastFrame()).toContain('>>> Send a message');
    expect(t.code()).toBeUndefined();
    t.unmount();
  });

  // An answer that ends without its `done` line ends the session with `Error: …` and exit 1.
  const CUT = 'the server closed the stream before the answer finished';
  it.each([
    ['the fetch failed mid-body', new TypeError('terminated'), `Error: ${CUT}`],
    ['the transport cut the stream', new UnexpectedEOFError(new TypeError('terminated')), `Error: unexpected EOF: ${CUT}`],
    ['the body ended without a `done` line', null, `Error: ${CUT}`],
  ])('%s: exit 1', async (_what, failure, message) => {
    const t = setup(async function* () {
      yield { message: { role: 'assistant', content: 'par' }, done: false };
      if (failure) throw failure;
    });
    await tick();
    t.stdin.write('go\r');
    await tick(80);
    expect(t.lastFrame()).toContain(message);
    expect(t.session.messages).toEqual([{ role: 'user', content: 'go' }]);
    expect(t.code()).toBe(1);
  });

  it('bracketed paste sends the block as one message', async () => {
    const t = setup();
    await tick();
    t.stdin.write('\x1b[200~line one\rline two\x1b[201~');
    await tick();
    t.stdin.write('\r');
    await tick(80);
    expect(t.session.messages[0]).toEqual({ role: 'user', content: 'line one\nline two' });
    t.unmount();
  });

  it('edits with Ctrl+A / Ctrl+K and recalls history', async () => {
    const t = setup();
    await tick();
    t.stdin.write('/set quiet\r');
    await tick();
    t.stdin.write('\x1b[A');
    await tick();
    expect(t.lastFrame()).toContain('>>> /set quiet');
    t.stdin.write('\x01\x0b');
    await tick();
    expect(t.lastFrame()).toContain('>>> Send a message');
    t.unmount();
  });
});
