/**
 * The terminal cursor, hidden while progress is drawn and shown again on every way out: the
 * normal stop, an error, process exit, and SIGINT/SIGTERM (Ctrl+C during `pull`/`push`/`create`).
 * A signal that nothing else handles then ends the process as before, by that signal.
 */
export interface CursorStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

const HIDE = '\x1b[?25l';
const SHOW = '\x1b[?25h';
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Streams whose cursor is hidden, with how many holders (a spinner and bars may overlap). */
const hidden = new Map<CursorStream, number>();
let installed = false;

function restoreAll(): void {
  for (const s of hidden.keys()) s.write(SHOW);
  hidden.clear();
}

function onSignal(sig: NodeJS.Signals): void {
  restoreAll();
  uninstall();
  // This handler runs first (prepended), so every other listener is still registered here, even
  // a `once` one (run's Ctrl+C that ends an answer quietly). With none, die by the signal, as
  // the process would have without this handler.
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
}

const handlers = new Map<NodeJS.Signals, () => void>(SIGNALS.map((sig) => [sig, () => onSignal(sig)]));

function install(): void {
  if (installed) return;
  installed = true;
  for (const [sig, h] of handlers) process.prependListener(sig, h);
  process.on('exit', restoreAll);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const [sig, h] of handlers) process.removeListener(sig, h);
  process.removeListener('exit', restoreAll);
}

/**
 * Hides the cursor on a terminal stream (nothing elsewhere). Returns the matching `show`, which
 * shows it again once every holder has let go; calling it twice does nothing more.
 */
export function hideCursor(stream: CursorStream): () => void {
  if (stream.isTTY !== true) return () => undefined;
  hidden.set(stream, (hidden.get(stream) ?? 0) + 1);
  install();
  stream.write(HIDE);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const n = hidden.get(stream);
    if (n === undefined) return; // already restored by a signal or exit
    if (n > 1) return void hidden.set(stream, n - 1);
    hidden.delete(stream);
    stream.write(SHOW);
    if (hidden.size === 0) uninstall();
  };
}
