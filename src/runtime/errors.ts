/**
 * Typed errors of the runtime. Each carries the HTTP `status` the server should answer with and a
 * message a person can act on. Nothing here imports node-llama-cpp.
 */

export class RuntimeError extends Error {
  readonly status: number;
  constructor(message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RuntimeError';
    this.status = status;
  }
}

/** The model file could not be read or is not a GGUF model llama.cpp accepts (500). */
export class ModelLoadError extends RuntimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 500, options);
    this.name = 'ModelLoadError';
  }
}

/** The prompt does not fit the context and shifting is off (400). */
export class ContextLengthError extends RuntimeError {
  constructor(
    message = 'the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length',
  ) {
    super(message, 400);
    this.name = 'ContextLengthError';
  }
}

/** Embedding input longer than the context with `truncate: false` (400). */
export class InputTooLongError extends RuntimeError {
  constructor() {
    super('the input length exceeds the context length', 400);
    this.name = 'InputTooLongError';
  }
}

/** `format` is neither "json" nor a JSON-schema object (500, as Ollama). */
export class InvalidFormatError extends RuntimeError {
  constructor(raw: string) {
    super(`invalid format: ${raw}; expected "json" or a valid JSON Schema object`, 500);
    this.name = 'InvalidFormatError';
  }
}

/** Too many requests waiting in the scheduler queue (503; the two spaces are Ollama's). */
export class ServerBusyError extends RuntimeError {
  constructor() {
    super('server busy, please try again.  maximum pending requests exceeded', 503);
    this.name = 'ServerBusyError';
  }
}

/** The embedding came out with NaN or Inf values (500). */
export class InvalidEmbeddingError extends RuntimeError {
  constructor() {
    super('embedding contains NaN or Inf values', 500);
    this.name = 'InvalidEmbeddingError';
  }
}

/** The caller's AbortSignal fired; the request's sequence has been freed (499, client closed). */
export class RequestAbortedError extends RuntimeError {
  constructor() {
    super('request was cancelled', 499);
    this.name = 'AbortError';
  }
}

/** The runner (or scheduler) was shut down while the request waited or ran (503). */
export class RunnerClosedError extends RuntimeError {
  constructor(message = 'the model was unloaded while the request was in progress') {
    super(message, 503);
    this.name = 'RunnerClosedError';
  }
}
