/**
 * Progress for `ollama create` on stderr: on a terminal each step is a spinner line that is
 * redrawn in place and left behind when the next step starts (Ollama's look); otherwise each
 * step is printed once, as a plain line, with its final text.
 */
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface ProgressOut {
  write(s: string): unknown;
  isTTY?: boolean;
}

export class StepProgress {
  private text: string | null = null;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly out: ProgressOut = process.stderr) {}

  private get tty(): boolean {
    return this.out.isTTY === true;
  }

  private draw(final: boolean): void {
    if (this.text === null) return;
    if (this.tty) this.out.write(`\r\x1b[K${this.text}${final ? ' \n' : ` ${FRAMES[this.frame % FRAMES.length]}`}`);
    else if (final) this.out.write(`${this.text}\n`);
  }

  /** Starts a new step (the previous one is finished). */
  step(text: string): void {
    this.finish();
    this.text = text;
    this.draw(false);
    if (this.tty) {
      this.timer = setInterval(() => {
        this.frame++;
        this.draw(false);
      }, 100);
      this.timer.unref();
    }
  }

  /** Changes the current step's text (shown at once on a terminal). */
  update(text: string): void {
    if (this.text === null) return this.step(text);
    this.text = text;
    this.draw(false);
  }

  /** Finishes the current step, leaving its final text on its own line. */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.draw(true);
    this.text = null;
  }

  /** Drops the current step without printing it (used when an error follows). */
  abandon(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty && this.text !== null) this.out.write('\r\x1b[K');
    this.text = null;
  }
}
