/**
 * Raw terminal input → key events for the REPL: control characters, Alt (ESC-prefixed) keys,
 * CSI/SS3 cursor keys, and the bracketed-paste markers `ESC[200~` / `ESC[201~`.
 */
export type KeyName =
  | 'enter' | 'lf' | 'tab' | 'backspace' | 'delete' | 'alt-backspace'
  | 'up' | 'down' | 'left' | 'right' | 'home' | 'end' | 'word-left' | 'word-right'
  | 'ctrl-a' | 'ctrl-b' | 'ctrl-c' | 'ctrl-d' | 'ctrl-e' | 'ctrl-f' | 'ctrl-g' | 'ctrl-k'
  | 'ctrl-l' | 'ctrl-n' | 'ctrl-p' | 'ctrl-u' | 'ctrl-w' | 'ctrl-z'
  | 'paste-start' | 'paste-end';

export type KeyEvent = { kind: 'text'; text: string } | { kind: 'key'; name: KeyName };

const CONTROL: Record<string, KeyName> = {
  '\r': 'enter',
  '\n': 'lf',
  '\t': 'tab',
  '\x7f': 'backspace',
  '\x08': 'backspace',
  '\x01': 'ctrl-a',
  '\x02': 'ctrl-b',
  '\x03': 'ctrl-c',
  '\x04': 'ctrl-d',
  '\x05': 'ctrl-e',
  '\x06': 'ctrl-f',
  '\x07': 'ctrl-g',
  '\x0b': 'ctrl-k',
  '\x0c': 'ctrl-l',
  '\x0e': 'ctrl-n',
  '\x10': 'ctrl-p',
  '\x15': 'ctrl-u',
  '\x17': 'ctrl-w',
  '\x1a': 'ctrl-z',
};

const CSI: Record<string, KeyName> = {
  A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end',
  '1~': 'home', '7~': 'home', '4~': 'end', '8~': 'end', '3~': 'delete',
  '200~': 'paste-start', '201~': 'paste-end',
  '1;5D': 'word-left', '1;5C': 'word-right', '1;3D': 'word-left', '1;3C': 'word-right',
};

/**
 * Splits one chunk of raw input into events (text runs are merged).
 *
 * A lone LF is the Ctrl+J key (a newline inside the message). An LF that arrives together with
 * other input is a line typed ahead while the terminal was still in cooked mode (during the
 * model load, where the tty turns Enter into LF): it counts as Enter, as in Ollama; an LF right
 * after a CR in the same chunk is part of that CR's line ending and is dropped.
 */
export function parseKeys(data: string): KeyEvent[] {
  const out: KeyEvent[] = [];
  const text = (t: string) => {
    const last = out[out.length - 1];
    if (last && last.kind === 'text') last.text += t;
    else out.push({ kind: 'text', text: t });
  };
  const key = (name: KeyName) => out.push({ kind: 'key', name });
  const chars = Array.from(data);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\x1b') {
      const n = chars[i + 1];
      if (n === '[' || n === 'O') {
        let j = i + 2;
        let body = '';
        while (j < chars.length && /[0-9;?]/.test(chars[j]!)) body += chars[j++];
        const fin = chars[j];
        if (fin === undefined) break;
        const name = CSI[body + fin] ?? (body === '' || n === 'O' ? CSI[fin] : undefined);
        if (name) key(name);
        i = j;
        continue;
      }
      if (n === 'b' || n === 'B') key('word-left');
      else if (n === 'f' || n === 'F') key('word-right');
      else if (n === '\x7f' || n === '\x08') key('alt-backspace');
      if (n !== undefined) i++;
      continue;
    }
    if (c === '\n' && chars.length > 1) {
      if (chars[i - 1] !== '\r') key('enter');
      continue;
    }
    const ctl = CONTROL[c];
    if (ctl) key(ctl);
    else if (c.codePointAt(0)! >= 0x20) text(c);
  }
  return out;
}
