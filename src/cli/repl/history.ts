/**
 * REPL history (reference §2.5): `~/.ollama/history`, directory 0755, file 0600, at most 100
 * entries (oldest dropped), blank lines skipped and lines trimmed on load, the whole file
 * rewritten through `history.tmp` + rename after each entry. Writing can be switched off
 * (`/set nohistory`, OLLAMA_NOHISTORY); the in-memory history keeps working.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const HISTORY_LIMIT = 100;

export function defaultHistoryPath(home: string = os.homedir()): string {
  return path.join(home, '.ollama', 'history');
}

export class History {
  entries: string[] = [];
  /** Position while browsing: entries.length = past the newest. */
  pos = 0;
  private saved = '';

  constructor(
    readonly file: string | undefined,
    public enabled = true,
    readonly limit = HISTORY_LIMIT,
  ) {}

  /** Loads the file (a missing or unreadable file is an empty history). */
  static load(file: string | undefined, enabled = true, limit = HISTORY_LIMIT): History {
    const h = new History(file, enabled, limit);
    if (file) {
      try {
        const text = fs.readFileSync(file, 'utf8');
        for (const line of text.split('\n')) {
          const t = line.trim();
          if (t !== '') h.entries.push(t);
        }
      } catch {
        /* no history yet */
      }
    }
    if (h.entries.length > limit) h.entries = h.entries.slice(h.entries.length - limit);
    h.pos = h.entries.length;
    return h;
  }

  /** Records a submitted line and (when enabled) rewrites the file atomically. */
  add(line: string): void {
    if (line.trim() === '') {
      this.pos = this.entries.length;
      return;
    }
    this.entries.push(line);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    this.pos = this.entries.length;
    this.saved = '';
    if (this.enabled && this.file) this.save();
  }

  private save(): void {
    const file = this.file!;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
      const tmp = path.join(path.dirname(file), 'history.tmp');
      fs.writeFileSync(tmp, this.entries.map((e) => e + '\n').join(''), { mode: 0o600 });
      fs.chmodSync(tmp, 0o600);
      fs.renameSync(tmp, file);
    } catch {
      /* history is best effort: never break the session over it */
    }
  }

  /** Up / Ctrl+P: the previous entry, remembering the line being edited. */
  prev(current: string): string | undefined {
    if (this.pos <= 0) return undefined;
    if (this.pos === this.entries.length) this.saved = current;
    this.pos--;
    return this.entries[this.pos];
  }

  /** Down / Ctrl+N: the next entry, or the remembered line past the newest. */
  next(): string | undefined {
    if (this.pos >= this.entries.length) return undefined;
    this.pos++;
    return this.pos === this.entries.length ? this.saved : this.entries[this.pos];
  }
}
