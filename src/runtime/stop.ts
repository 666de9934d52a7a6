/**
 * Stop-sequence detection for streamed text. Text is pushed piece by piece; the detector emits
 * what is certainly not part of a stop sequence, holds back a tail that could still become one,
 * and reports when a stop sequence is complete. The stop text itself (and anything after it) is
 * never emitted, as with Ollama.
 */
export interface StopPush {
  /** Text that is safe to emit now (possibly ""). */
  emit: string;
  /** True once a stop sequence matched; push no more. */
  stopped: boolean;
  /** The stop sequence that matched, when stopped. */
  matched?: string;
}

export class StopDetector {
  private readonly stops: string[];
  private held = '';
  private done = false;

  constructor(stops: readonly string[] | undefined) {
    this.stops = (stops ?? []).filter((s) => typeof s === 'string' && s.length > 0);
  }

  get stopped(): boolean {
    return this.done;
  }

  push(text: string): StopPush {
    if (this.done) return { emit: '', stopped: true };
    if (this.stops.length === 0) return { emit: text, stopped: false };
    const buf = this.held + text;
    // earliest complete match wins
    let at = -1;
    let which = '';
    for (const s of this.stops) {
      const i = buf.indexOf(s);
      if (i >= 0 && (at < 0 || i < at)) {
        at = i;
        which = s;
      }
    }
    if (at >= 0) {
      this.done = true;
      this.held = '';
      return { emit: buf.slice(0, at), stopped: true, matched: which };
    }
    const keep = this.partialTail(buf);
    this.held = buf.slice(buf.length - keep);
    return { emit: buf.slice(0, buf.length - keep), stopped: false };
  }

  /** Generation ended without a stop: release whatever was held back. */
  flush(): string {
    const out = this.done ? '' : this.held;
    this.held = '';
    return out;
  }

  /** Length of the longest suffix of buf that is a proper prefix of some stop sequence. */
  private partialTail(buf: string): number {
    let best = 0;
    for (const s of this.stops) {
      const max = Math.min(s.length - 1, buf.length);
      for (let n = max; n > best; n--) {
        if (buf.endsWith(s.slice(0, n))) {
          best = n;
          break;
        }
      }
    }
    return best;
  }
}
