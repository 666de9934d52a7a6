/** Progress objects as Ollama streams them from /api/pull and /api/push (reference §7.3–7.4). */

export interface ProgressEvent {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

export type ProgressFn = (p: ProgressEvent) => void;

/** Ollama's interval between progress objects of one blob. */
export const PROGRESS_INTERVAL_MS = 60;

/** A throttled reporter for one blob: `pulling <12 hex>` / `pushing <12 hex>`. */
export function blobReporter(verb: 'pulling' | 'pushing', digest: string, total: number, emit: ProgressFn, intervalMs = PROGRESS_INTERVAL_MS) {
  const status = `${verb} ${digest.slice(7, 19)}`;
  let last = 0;
  let lastCompleted = -1;
  return {
    update(completed: number, force = false): void {
      const now = Date.now();
      if (!force && (now - last < intervalMs || completed === lastCompleted)) return;
      last = now;
      lastCompleted = completed;
      emit({ status, digest, total, completed: Math.min(completed, total) });
    },
  };
}

/**
 * Turns a producer that reports through a callback into an async iterable. Errors of the
 * producer are thrown from the iteration after the progress already produced.
 */
export function toAsyncIterable<T>(run: (emit: (v: T) => void) => Promise<void>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const queue: T[] = [];
      let done = false;
      let error: unknown;
      let wake: (() => void) | null = null;
      const notify = () => {
        const w = wake;
        wake = null;
        w?.();
      };
      run((v) => {
        queue.push(v);
        notify();
      }).then(
        () => {
          done = true;
          notify();
        },
        (e: unknown) => {
          error = e ?? new Error('unknown error');
          done = true;
          notify();
        },
      );
      return {
        async next(): Promise<IteratorResult<T>> {
          for (;;) {
            if (queue.length) return { value: queue.shift()!, done: false };
            if (done) {
              if (error !== undefined) {
                const e = error;
                error = undefined;
                throw e;
              }
              return { value: undefined, done: true };
            }
            await new Promise<void>((r) => (wake = r));
          }
        },
      };
    },
  };
}
