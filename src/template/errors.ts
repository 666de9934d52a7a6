/** Errors raised by the Go-template engine. Messages follow Go's text/template wording. */

export type TemplatePhase = 'parse' | 'exec';

/** A template could not be parsed or executed. `phase` says which. */
export class TemplateError extends Error {
  readonly phase: TemplatePhase;
  /** HTTP status a server should answer with: 400 for bad templates, 500 for failed renders. */
  readonly status: number;
  constructor(message: string, phase: TemplatePhase = 'parse') {
    super(message);
    this.name = 'TemplateError';
    this.phase = phase;
    this.status = phase === 'parse' ? 400 : 500;
  }
}

/** An execution error (Go's ExecError). */
export class TemplateExecError extends TemplateError {
  constructor(message: string) {
    super(message, 'exec');
    this.name = 'TemplateExecError';
  }
}

/** A safety limit was hit while executing an untrusted template. */
export class TemplateLimitError extends TemplateExecError {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateLimitError';
  }
}
