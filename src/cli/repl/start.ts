/**
 * Starts the interactive REPL (reference §1.6 step 5, §2): loads the model with a spinner,
 * prints the model's stored MESSAGEs, then renders the Ink app until /bye, Ctrl+D or a fatal
 * error. Always leaves the terminal as it found it (no raw mode, cursor shown, paste mode off).
 */
import { createElement } from 'react';
import { render } from 'ink';
import type { ShowResponse } from '../../api/types.js';
import { Spinner } from '../progress.js';
import type { RunOptions } from '../run.js';
import { App } from './app.js';
import { inferThink, loadModel } from './commands.js';
import { defaultHistoryPath, History } from './history.js';
import { Session, type ApiClient } from './session.js';
import { wrapText } from './wordwrap.js';

const RESTORE = '\x1b[?2004l\x1b[?25h';

function truthy(v: string | undefined): boolean {
  return v !== undefined && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v);
}

export async function startRepl(client: ApiClient, opts: RunOptions, info: ShowResponse): Promise<number> {
  const history = History.load(defaultHistoryPath(), !truthy(process.env.OLLAMA_NOHISTORY));
  const io = { out: (s: string) => void process.stdout.write(s), err: (s: string) => void process.stderr.write(s) };
  const session = new Session(client, io, {
    model: opts.model,
    keepAlive: opts.keepAlive,
    think: opts.think,
    thinkExplicit: opts.think !== undefined,
    format: opts.format,
    wordWrap: opts.wordWrap,
    verbose: opts.verbose,
    hideThinking: opts.hideThinking,
    history,
    info,
  });
  inferThink(session);

  const spinner = new Spinner(process.stderr);
  try {
    await loadModel(session);
  } finally {
    spinner.stop();
  }
  const width = process.stdout.columns || 80;
  for (const m of info.messages ?? []) {
    if (m.role === 'user') process.stdout.write(`>>> ${m.content}\n`);
    else if (m.role === 'assistant') process.stdout.write((opts.wordWrap ? wrapText(m.content, width) : m.content) + '\n\n');
  }

  const restore = () => process.stdout.write(RESTORE);
  process.once('exit', restore);
  process.stdout.write('\x1b[?2004h');
  let code = 0;
  const app = render(createElement(App, { session, onExit: (c: number) => (code = c) }), { exitOnCtrlC: false, patchConsole: false });
  // Session output from commands goes through the app once it runs.
  try {
    await app.waitUntilExit();
  } finally {
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    process.stdin.pause();
    restore();
    process.removeListener('exit', restore);
  }
  return code;
}
