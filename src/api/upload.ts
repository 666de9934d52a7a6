/**
 * A streamed POST that listens for the server's answer while the body is still being sent.
 *
 * fetch() cannot be used for uploads a server may refuse early (`ollama import` of a bad
 * archive): the server answers 400 and stops reading, the rest of the body then fails to write
 * (EPIPE/ECONNRESET), and fetch rejects with that write error, losing the answer that had already
 * arrived. Here node:http parses the answer as soon as it comes; once it is a refusal the upload
 * stops, and any write error after an answer began is ignored: the answer is what counts.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

export interface UploadAnswer {
  status: number;
  statusText: string;
  text: string;
}

/** An error before any answer: the caller decides how to word it (nothing answered). */
export class NoAnswerError extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'NoAnswerError';
  }
}

export function postStream(url: string, headers: Record<string, string>, body: Readable, signal?: AbortSignal): Promise<UploadAnswer> {
  return new Promise<UploadAnswer>((resolve, reject) => {
    const u = new URL(url);
    const request = u.protocol === 'https:' ? https.request : http.request;
    let answered = false;
    let settled = false;
    const stopUpload = (): void => {
      body.unpipe(req);
      body.destroy();
    };
    const finish = (err: unknown, answer?: UploadAnswer): void => {
      if (settled) return;
      settled = true;
      stopUpload();
      req.destroy();
      if (err !== undefined) reject(err);
      else resolve(answer!);
    };
    const req = request(u, { method: 'POST', headers, signal, agent: false }, (res) => {
      answered = true;
      const status = res.statusCode ?? 0;
      // A refusal: the server reads no more, so sending more only risks a write error.
      if (status >= 400) stopUpload();
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => finish(undefined, { status, statusText: res.statusMessage ?? '', text: Buffer.concat(chunks).toString('utf8') }));
      res.on('aborted', () => finish(new Error('the server closed the connection before it finished answering')));
      res.on('error', (e) => finish(signal?.aborted ? e : new Error(`the server closed the connection before it finished answering: ${e.message}`)));
    });
    req.on('error', (err) => {
      // After an answer began, a failed write of the rest of the body does not matter.
      if (answered) return;
      finish(signal?.aborted ? err : new NoAnswerError(err));
    });
    body.on('error', (err) => finish(err));
    body.pipe(req);
  });
}
