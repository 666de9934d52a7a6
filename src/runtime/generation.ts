/**
 * What Runner.generate hands out: the runtime's token generator as an async iterable of text
 * pieces, the stats as a promise, and (when asked) the logprobs of the pieces handed out.
 */
import { RequestAbortedError } from './errors.js';
import type { GenerateResult } from './generate.js';
import type { Logprob, LogprobQueue } from './logprobs.js';

/**
 * A streamed generation: iterate for text pieces, then await `result` for the stats. A thin
 * iterator over the runtime's generator (no extra async-generator hop per piece).
 */
export class Generation implements AsyncIterable<string> {
  readonly result: Promise<GenerateResult>;
  private readonly iter: AsyncIterator<string, void>;

  constructor(
    source: AsyncGenerator<string, GenerateResult>,
    private readonly logprobs?: LogprobQueue,
  ) {
    let resolve!: (r: GenerateResult) => void;
    let reject!: (e: unknown) => void;
    this.result = new Promise<GenerateResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.result.catch(() => {});
    const onStep = (r: IteratorResult<string, GenerateResult>): IteratorResult<string, void> => {
      if (!r.done) return r;
      resolve(r.value);
      return { done: true, value: undefined };
    };
    const onError = (err: unknown): never => {
      reject(err);
      throw err;
    };
    const stopped = (): IteratorResult<string, void> => {
      reject(new RequestAbortedError()); // no-op when already settled
      return { done: true, value: undefined };
    };
    this.iter = {
      next: () => source.next().then(onStep, onError),
      return: () => source.return(undefined as never).then(stopped, (err: unknown) => {
        stopped();
        throw err;
      }),
    };
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    return this.iter;
  }

  /** Stops the generation (frees its sequence); pending `result` rejects with RequestAbortedError. */
  async cancel(): Promise<void> {
    await this.iter.return!(undefined);
  }

  /**
   * With `logprobs` asked: the entries of the tokens behind the pieces handed out since the last
   * call (call it after each piece, and once after the end for the rest). Otherwise always [].
   */
  takeLogprobs(): Logprob[] {
    return this.logprobs ? this.logprobs.take() : [];
  }

  /** Runs to the end and returns the whole text with the stats (stream: false). */
  async collect(): Promise<{ text: string; result: GenerateResult; logprobs: Logprob[] }> {
    let text = '';
    const logprobs: Logprob[] = [];
    for await (const piece of this) {
      text += piece;
      logprobs.push(...this.takeLogprobs());
    }
    const result = await this.result;
    logprobs.push(...this.takeLogprobs());
    return { text, result, logprobs };
  }
}
