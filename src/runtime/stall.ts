/**
 * OLLAMA_LOAD_TIMEOUT: how long a model load may go without progress before it is given up
 * (Ollama's stall timer around llama-server's start). node-llama-cpp reports the weights' loading
 * progress; each report, and the start of each further phase (the context), re-arms the timer. When
 * it fires the load is aborted through node-llama-cpp's load/create signals.
 */
import { ModelLoadError } from './errors.js';

export class LoadStallWatch {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private lastProgress = 0;
  private stalled = false;

  /** @param timeoutMs no progress for this long aborts; Infinity (or ≤ 0) never does */
  constructor(private readonly timeoutMs: number) {
    this.arm();
  }

  /** Aborts when the load stalls. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whether the watch aborted the load. */
  get fired(): boolean {
    return this.stalled;
  }

  /** Progress was made (a fraction of the weights when known): the stall window starts again. */
  progress(fraction?: number): void {
    if (fraction !== undefined && Number.isFinite(fraction)) this.lastProgress = fraction;
    this.arm();
  }

  /** The load is over (done or failed): no more aborts. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The error for a load this watch aborted (Ollama's wording, with our reason). */
  error(name: string, cause?: unknown): ModelLoadError {
    return new ModelLoadError(
      `unable to load model ${name}: timed out waiting for llama runner to start - progress ${this.lastProgress.toFixed(2)} - no load progress for ${formatMs(this.timeoutMs)} (OLLAMA_LOAD_TIMEOUT)`,
      { cause },
    );
  }

  private arm(): void {
    if (this.stalled || !(this.timeoutMs > 0) || !Number.isFinite(this.timeoutMs)) return;
    clearTimeout(this.timer);
    // setTimeout holds at most 2^31-1 ms; anything longer is "never" for a load
    if (this.timeoutMs > 2 ** 31 - 1) return;
    this.timer = setTimeout(() => {
      this.stalled = true;
      this.controller.abort(new Error('model load stalled'));
    }, this.timeoutMs);
    this.timer.unref();
  }
}

function formatMs(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
