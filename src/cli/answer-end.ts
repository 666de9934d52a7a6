/**
 * A generation streamed to the CLI (`ollama run`, the REPL) is finished only by its `done`
 * line. A stream that ends without one failed, even when no error line came: the server, or
 * the replica behind a load balancer, went away mid-answer. Ollama's CLI reports the transport
 * cut as `unexpected EOF` and takes a cleanly ended stream without `done` as complete (exit 0);
 * Tollama says what happened in both cases and exits 1.
 */
import { UnexpectedEOFError } from '../api/client.js';

export const ANSWER_CUT = 'the server closed the stream before the answer finished';

export class IncompleteAnswerError extends Error {
  constructor(cause?: unknown) {
    // Ollama's `unexpected EOF` first, for whoever looks for it.
    super(cause instanceof UnexpectedEOFError ? `${cause.message}: ${ANSWER_CUT}` : ANSWER_CUT, { cause });
    this.name = 'IncompleteAnswerError';
  }
}

/** The error a failed read of an answer stream becomes (a transport cut is explained). */
export function answerReadError(err: unknown): unknown {
  return err instanceof UnexpectedEOFError ? new IncompleteAnswerError(err) : err;
}

/** Throws unless the last object of an answer stream was its `done` line. */
export function assertAnswerDone(last: { done?: boolean } | undefined): void {
  if (last?.done !== true) throw new IncompleteAnswerError();
}
