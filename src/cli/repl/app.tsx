/**
 * The interactive REPL screen (Ink): finished output in <Static>, then the partial line of a
 * streaming answer, then the prompt (`>>> ` / `... `, grey placeholder) with the line editor.
 * Keys are read raw (keys.ts) so Alt keys, Ctrl keys and bracketed paste behave as in Ollama.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Box, Static, Text, useApp, useStdin, useStdout } from 'ink';
import { useEffect, useRef, useState } from 'react';
import * as ed from './editor.js';
import { chatTurn, classifyChatError } from './chat.js';
import { errorText } from './commands.js';
import { CTRL_C_HINT, PLACEHOLDER, PLACEHOLDER_ALT } from './help.js';
import { parseKeys, type KeyEvent } from './keys.js';
import type { Session } from './session.js';
import { formatStats } from './stats.js';
import { newWrapState, wrapOps } from './wordwrap.js';
import { displayWidth } from '../table.js';

export interface AppProps {
  session: Session;
  onExit: (code: number) => void;
  /** Terminal width override (tests). */
  width?: number;
}

/** The editor to run for Ctrl+G: $OLLAMA_EDITOR, $VISUAL, $EDITOR, else vi. */
export function pickEditor(env: NodeJS.ProcessEnv = process.env): string {
  return env.OLLAMA_EDITOR || env.VISUAL || env.EDITOR || 'vi';
}

function editInEditor(text: string): { text?: string; error?: string } {
  const editor = pickEditor();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ollama-prompt-'));
  const file = path.join(dir, 'ollama-prompt.txt');
  try {
    fs.writeFileSync(file, text, { mode: 0o600 });
    const parts = editor.split(/\s+/).filter(Boolean);
    const r = spawnSync(parts[0]!, [...parts.slice(1), file], { stdio: 'inherit' });
    if (r.error) return { error: `editor "${parts[0]}" not found, set OLLAMA_EDITOR to the path of your preferred editor` };
    return { text: fs.readFileSync(file, 'utf8').replace(/\n+$/, '') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Largest input shown in full; longer lines show their tail (a 1 MB paste stays responsive). */
const MAX_SHOWN = 4000;

export function App({ session, onExit, width }: AppProps) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const { internal_eventEmitter, setRawMode, isRawModeSupported } = useStdin();
  const cols = width ?? (stdout.columns || 80);

  const [items, setItems] = useState<{ id: number; text: string }[]>([]);
  const [, setTick] = useState(0);
  const nextId = useRef(0);
  const out = useRef(''); // uncommitted output (the partial last line)
  const line = useRef<ed.LineState>(ed.emptyLine());
  const busy = useRef(false);
  const pasting = useRef(false);
  const abort = useRef<AbortController | undefined>(undefined);
  const wrap = useRef(newWrapState());
  const [done, setDone] = useState<number | undefined>(undefined);
  const queue = useRef<KeyEvent[]>([]);
  const exiting = useRef(false);
  const drain = () => {
    while (queue.current.length > 0 && !busy.current && !exiting.current) onKey(queue.current.shift()!);
    sync();
  };

  // The echo of an entered line stays in the live area without its newline until more output
  // follows, so that when the REPL exits on it (`/bye`, Ctrl+D) Ink's last frame is that line and
  // the shell prompt comes right after it, as in Ollama (no blank line).
  const echoOpen = useRef(false);
  const write = (s: string) => {
    if (echoOpen.current) {
      echoOpen.current = false;
      out.current += '\n';
    }
    out.current += s;
  };
  const echo = (text: string) => {
    write(prefix() + text);
    echoOpen.current = true;
  };
  // Streaming text arrives token by token (over 1,000 a second from small models); re-render at
  // most once per frame so Ink keeps up.
  const syncTimer = useRef<NodeJS.Timeout | undefined>(undefined);
  const scheduleSync = () => {
    syncTimer.current ??= setTimeout(() => {
      syncTimer.current = undefined;
      sync();
    }, 16);
  };
  const sync = () => {
    if (syncTimer.current) {
      clearTimeout(syncTimer.current);
      syncTimer.current = undefined;
    }
    const idx = out.current.lastIndexOf('\n');
    if (idx >= 0) {
      const text = out.current.slice(0, idx);
      out.current = out.current.slice(idx + 1);
      setItems((prev) => [...prev, { id: nextId.current++, text }]);
    }
    setTick((t) => t + 1);
  };
  session.io = { out: write, err: write };
  const prefix = () => (session.composing ? '... ' : '>>> ');
  /** Ends the REPL; `onLine` keeps the open echo line as the last frame (Ink adds its newline). */
  const finish = (code: number, onLine = false) => {
    exiting.current = true;
    if (!onLine) {
      echoOpen.current = false;
      if (out.current !== '') write('\n');
    }
    sync();
    setDone(code);
  };

  useEffect(() => {
    if (done === undefined) return;
    onExit(done);
    exit();
  }, [done]);

  const wrapSink = {
    text: (s: string) => {
      if (!session.wordWrap) return write(s);
      for (const op of wrapOps(wrap.current, s, cols)) {
        if (op.kind === 'text') write(op.text);
        else {
          let n = op.back;
          const chars = Array.from(out.current);
          while (n > 0 && chars.length > 0 && chars[chars.length - 1] !== '\n') n -= displayWidth(chars.pop()!);
          out.current = chars.join('') + '\n';
        }
      }
      scheduleSync();
    },
    raw: (s: string) => {
      write(s);
      sync();
    },
    resetWrap: () => {
      wrap.current = newWrapState();
    },
  };

  const send = async (content: string, images?: string[]) => {
    busy.current = true;
    session.messages.push(images ? { role: 'user', content, images } : { role: 'user', content });
    wrap.current = newWrapState();
    const ac = new AbortController();
    abort.current = ac;
    try {
      const r = await chatTurn(session, wrapSink, ac.signal, true);
      if (r.kind === 'cancelled') {
        if (out.current !== '' && !echoOpen.current) write('\n');
      } else if (session.verbose) write(formatStats(r.metrics));
    } catch (err) {
      const c = classifyChatError(err);
      if (out.current !== '' && !echoOpen.current) write('\n');
      write(c.text);
      if (c.fatal) {
        busy.current = false;
        finish(1);
        return;
      }
    }
    abort.current = undefined;
    busy.current = false;
  };

  const submit = async (text: string, pasted: boolean) => {
    echo(text);
    if (!pasted) session.history.add(text);
    line.current = ed.emptyLine();
    busy.current = true;
    sync();
    try {
      const action = await session.submit(text, pasted);
      busy.current = false;
      if (action.kind === 'exit') return finish(action.code, echoOpen.current);
      if (action.kind === 'send') await send(action.content, action.images);
    } catch (err) {
      write(`Error: ${errorText(err)}\n`);
      busy.current = false;
      return finish(1);
    }
    drain();
  };

  const onKey = (ev: KeyEvent) => {
    if (busy.current) {
      // Ctrl+C stops an answer; other keys typed meanwhile (or the rest of a paste) wait.
      if (ev.kind === 'key' && ev.name === 'ctrl-c' && abort.current) abort.current.abort();
      else queue.current.push(ev);
      return;
    }
    const l = line.current;
    if (ev.kind === 'text') {
      line.current = ed.insert(l, ev.text);
      return;
    }
    switch (ev.name) {
      case 'paste-start':
        pasting.current = true;
        return;
      case 'paste-end':
        pasting.current = false;
        return;
      case 'enter':
      case 'lf':
        if (pasting.current) {
          void submit(ed.lineText(l), true);
          return;
        }
        if (ev.name === 'lf' && isRawModeSupported) {
          // Ctrl+J: a newline inside the message.
          void submit(ed.lineText(l), true);
          return;
        }
        void submit(ed.lineText(l), false);
        return;
      case 'ctrl-c':
        echo(ed.lineText(l));
        write(CTRL_C_HINT + '\n');
        session.discardInput();
        line.current = ed.emptyLine();
        session.history.pos = session.history.entries.length;
        return;
      case 'ctrl-d':
        if (l.chars.length === 0 && !session.composing) {
          echo('');
          return finish(0, true);
        }
        line.current = ed.deleteChar(l);
        return;
      case 'ctrl-a':
      case 'home':
        line.current = ed.home(l);
        return;
      case 'ctrl-e':
      case 'end':
        line.current = ed.end(l);
        return;
      case 'ctrl-b':
      case 'left':
        line.current = ed.left(l);
        return;
      case 'ctrl-f':
      case 'right':
        line.current = ed.right(l);
        return;
      case 'word-left':
        line.current = ed.wordLeft(l);
        return;
      case 'word-right':
        line.current = ed.wordRight(l);
        return;
      case 'ctrl-k':
        line.current = ed.killToEnd(l);
        return;
      case 'ctrl-u':
        line.current = ed.killToStart(l);
        return;
      case 'ctrl-w':
      case 'alt-backspace':
        line.current = ed.deleteWordBack(l);
        return;
      case 'backspace':
        line.current = ed.backspace(l);
        return;
      case 'delete':
        line.current = ed.deleteChar(l);
        return;
      case 'tab':
        line.current = ed.insert(l, '        ');
        return;
      case 'up':
      case 'ctrl-p': {
        const h = session.history.prev(ed.lineText(l));
        if (h !== undefined) line.current = ed.lineOf(h);
        return;
      }
      case 'down':
      case 'ctrl-n': {
        const h = session.history.next();
        if (h !== undefined) line.current = ed.lineOf(h);
        return;
      }
      case 'ctrl-l':
        stdout.write('\x1b[H\x1b[2J');
        return;
      case 'ctrl-g': {
        if (isRawModeSupported) setRawMode(false);
        const r = editInEditor(ed.lineText(l));
        if (isRawModeSupported) setRawMode(true);
        if (r.error) write(`error: ${r.error}\n`);
        else line.current = ed.lineOf(r.text ?? '');
        return;
      }
      default:
        return;
    }
  };

  useEffect(() => {
    if (!isRawModeSupported) return;
    setRawMode(true);
    return () => setRawMode(false);
  }, [isRawModeSupported]);

  useEffect(() => {
    const handler = (data: string) => {
      for (const ev of parseKeys(data)) onKey(ev);
      sync();
    };
    internal_eventEmitter.on('input', handler);
    return () => {
      internal_eventEmitter.removeListener('input', handler);
    };
  }, [internal_eventEmitter]);

  const l = line.current;
  let before = l.chars.slice(0, l.pos).join('');
  const at = l.chars[l.pos] ?? ' ';
  const after = l.chars.slice(l.pos + 1).join('');
  if (before.length > MAX_SHOWN) before = '…' + before.slice(-MAX_SHOWN);
  const showPrompt = done === undefined && !busy.current;
  const empty = l.chars.length === 0;
  return (
    <Box flexDirection="column">
      <Static items={items}>{(it) => <Text key={it.id}>{it.text === '' ? ' ' : it.text}</Text>}</Static>
      {out.current !== '' ? <Text>{out.current}</Text> : null}
      {showPrompt ? (
        <Text>
          {prefix()}
          {empty ? (
            <>
              <Text inverse>{(session.composing ? PLACEHOLDER_ALT : PLACEHOLDER)[0]}</Text>
              <Text color="gray">{(session.composing ? PLACEHOLDER_ALT : PLACEHOLDER).slice(1)}</Text>
            </>
          ) : (
            <>
              {before}
              <Text inverse>{at}</Text>
              {after.length > MAX_SHOWN ? after.slice(0, MAX_SHOWN) + '…' : after}
            </>
          )}
        </Text>
      ) : null}
    </Box>
  );
}
