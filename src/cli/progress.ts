/**
 * The pull/create progress display (reference §1.7), shared by `run` and `pull`.
 * On a terminal: a spinner line per status and a cli-progress bar per layer digest,
 * `pulling <12 hex>: <pct>% ▕████  ▏ <done>/<total> <rate>/s <eta>`. Otherwise plain lines:
 * each status once, and each layer at 0/25/50/75/100 %, with no escape codes.
 */
import cliProgress from 'cli-progress';
import { humanBytes } from '../api/format.js';
import type { ProgressResponse } from '../api/types.js';
import { hideCursor } from './cursor.js';

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const pad6 = (s: string) => s.padStart(6);

/** What a bar's layer is doing: Ollama labels pull bars `pulling <12 hex>:`, push bars `pushing <12 hex>`. */
export type Transfer = 'pull' | 'push';

/** The text of one bar's line without the bar itself (exported for tests). */
export function barLabel(digest: string, transfer: Transfer = 'pull'): string {
  const short = digest.replace(/^sha256[:-]/, '').slice(0, 12);
  // Ollama's push bar shows the server's status (`pushing <12 hex>`, no colon); its pull bar its own text.
  return transfer === 'push' ? `pushing ${short}` : `pulling ${short}:`;
}

export function barStats(completed: number, total: number, ratePerSec: number): string {
  if (total > 0 && completed >= total) return pad6(humanBytes(total));
  const rate = ratePerSec > 0 ? `${pad6(humanBytes(ratePerSec))}/s` : '';
  let eta = '';
  if (ratePerSec > 0 && total > completed) {
    const secs = Math.round((total - completed) / ratePerSec);
    const h = Math.floor(secs / 3600);
    const m = Math.floor((secs % 3600) / 60);
    const s = secs % 60;
    eta = h > 0 ? `${h}h${m}m` : m > 0 ? `${m}m${s}s` : `${s}s`;
  }
  return `${pad6(humanBytes(completed))}/${pad6(humanBytes(total))} ${rate} ${eta}`.trimEnd();
}

export class ProgressDisplay {
  private readonly tty: boolean;
  private multi: cliProgress.MultiBar | undefined;
  private bars = new Map<string, { bar?: cliProgress.SingleBar; started: number; lastStep: number }>();
  private statuses = new Set<string>();
  private showCursor: (() => void) | undefined;

  constructor(
    private readonly stream: ProgressStream = process.stderr,
    private readonly transfer: Transfer = 'pull',
  ) {
    this.tty = stream.isTTY === true;
  }

  update(p: ProgressResponse): void {
    if (p.digest) return this.layer(p);
    if (this.statuses.has(p.status)) return;
    this.statuses.add(p.status);
    // A status goes below the bars drawn so far, as Ollama prints it ("verifying sha256 digest",
    // "writing manifest", "success" after the layers): the bars are finished first (they stay on
    // screen), and any later layer starts a new set below the status.
    this.stop();
    this.stream.write(p.status + '\n');
  }

  private layer(p: ProgressResponse): void {
    const digest = p.digest!;
    const total = p.total ?? 0;
    const completed = p.completed ?? 0;
    let entry = this.bars.get(digest);
    if (!entry) {
      if (completed === 0 && total === 0) return;
      entry = { started: Date.now(), lastStep: -1 };
      this.bars.set(digest, entry);
      if (this.tty) {
        // The cursor is ours to hide and show (cursor.ts): cli-progress would leave it hidden on Ctrl+C.
        if (!this.multi) this.showCursor = hideCursor(this.stream);
        this.multi ??= new cliProgress.MultiBar(
          {
            stream: this.stream as NodeJS.WritableStream,
            hideCursor: false,
            clearOnComplete: false,
            stopOnComplete: false,
            barCompleteChar: '█',
            barIncompleteChar: ' ',
            barsize: 25,
            format: (opts, params, payload: { label: string; stats: string }) => {
              const pct = Math.round(params.progress * 100);
              const size = opts.barsize ?? 25;
              const fill = Math.round(params.progress * size);
              return `${payload.label} ${String(pct).padStart(3)}% ▕${'█'.repeat(fill)}${' '.repeat(size - fill)}▏ ${payload.stats}`;
            },
          },
          cliProgress.Presets.shades_classic,
        );
        entry.bar = this.multi.create(Math.max(total, 1), completed, { label: barLabel(digest, this.transfer), stats: '' });
      }
    }
    const elapsed = (Date.now() - entry.started) / 1000;
    const rate = elapsed > 0.5 ? completed / elapsed : 0;
    if (entry.bar) {
      entry.bar.setTotal(Math.max(total, 1));
      entry.bar.update(completed, { label: barLabel(digest, this.transfer), stats: barStats(completed, total, rate) });
      return;
    }
    const pct = total > 0 ? Math.floor((completed / total) * 100) : 0;
    const step = Math.floor(pct / 25);
    if (step !== entry.lastStep) {
      entry.lastStep = step;
      this.stream.write(`${barLabel(digest, this.transfer)} ${String(pct).padStart(3)}% ${total > 0 && completed >= total ? humanBytes(total) : `${humanBytes(completed)}/${humanBytes(total)}`}\n`);
    }
  }

  /** Stops the bars (and restores the cursor). Safe to call twice. */
  stop(): void {
    this.multi?.stop();
    this.multi = undefined;
    this.showCursor?.();
    this.showCursor = undefined;
  }
}

/** A one-line spinner on a terminal stream (no output at all elsewhere). */
export class Spinner {
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private showCursor: () => void = () => undefined;
  private static FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

  constructor(
    private readonly stream: ProgressStream = process.stderr,
    private readonly message = '',
  ) {
    if (stream.isTTY !== true) return;
    this.showCursor = hideCursor(this.stream);
    this.draw();
    this.timer = setInterval(() => this.draw(), 100);
    this.timer.unref();
  }

  private draw(): void {
    const f = Spinner.FRAMES[this.frame++ % Spinner.FRAMES.length]!;
    this.stream.write(`\r\x1b[K${this.message ? this.message + ' ' : ''}${f}`);
  }

  /** Erases the spinner and shows the cursor again. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.stream.write('\r\x1b[K');
    this.showCursor();
  }
}
