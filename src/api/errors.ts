/**
 * Typed errors carrying the HTTP status Ollama answers with (reference §3.10). The server turns
 * any error with a numeric `status` into `{"error": message}` with that status; anything else is
 * a 500. The client rebuilds an ApiError from an error response.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** 400: validation errors, bad JSON, unsupported capability. */
export class BadRequestError extends ApiError {
  constructor(message: string) {
    super(400, message);
    this.name = 'BadRequestError';
  }
}

/** 401: missing or wrong API key (Tollama's `OLLAMA_API_KEYS`). */
export class UnauthorizedError extends ApiError {
  constructor(message = 'unauthorized') {
    super(401, message);
    this.name = 'UnauthorizedError';
  }
}

/** 403: forbidden origin / host. */
export class ForbiddenError extends ApiError {
  constructor(message = 'forbidden') {
    super(403, message);
    this.name = 'ForbiddenError';
  }
}

/** 404: model or blob not found. */
export class NotFoundError extends ApiError {
  constructor(message: string) {
    super(404, message);
    this.name = 'NotFoundError';
  }
}

/** 413: request body larger than the server accepts. */
export class PayloadTooLargeError extends ApiError {
  constructor(limit: number) {
    super(413, `request body too large (limit ${limit} bytes)`);
    this.name = 'PayloadTooLargeError';
  }
}

/** 499: the client went away while the request was queued. */
export class RequestCanceledError extends ApiError {
  constructor() {
    super(499, 'request canceled');
    this.name = 'RequestCanceledError';
  }
}

/** 503: scheduler queue full. The message has two spaces, as Ollama's. */
export class ServerBusyError extends ApiError {
  constructor() {
    super(503, 'server busy, please try again.  maximum pending requests exceeded');
    this.name = 'ServerBusyError';
  }
}

/** 503: the server is stopping (SIGTERM/SIGINT); Tollama only (Ollama closes the connections). */
export class ShuttingDownError extends ApiError {
  constructor() {
    super(503, 'server is shutting down');
    this.name = 'ShuttingDownError';
  }
}

/** The HTTP status an arbitrary thrown value maps to (500 unless it carries a valid `status`). */
export function statusOf(err: unknown): number {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === 'number' && Number.isInteger(s) && s >= 400 && s <= 599 ? s : 500;
}

/** The message of an arbitrary thrown value. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  return 'something went wrong, please see the ollama server logs for details';
}
