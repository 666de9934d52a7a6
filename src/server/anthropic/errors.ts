/**
 * Anthropic-shaped errors, as Ollama's `/v1/messages` writes them:
 * `{"type":"error","error":{"type","message"},"request_id":"req_<24 hex>"}`, the error type
 * following the HTTP status (400 invalid_request_error, 401 authentication_error, 403
 * permission_error, 404 not_found_error, 413 request_too_large, 429 rate_limit_error,
 * 503/529 overloaded_error, anything else api_error).
 */
import { randomBytes } from 'node:crypto';
import { messageOf, statusOf } from '../../api/errors.js';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
  request_id?: string;
}

/** `<prefix>_` + 24 random hex digits (`msg_…`, `req_…`), as Ollama makes Anthropic ids. */
export function anthropicId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      // Ollama (gin) never answers 413 here; this is the Anthropic API's own type for it.
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return 'api_error';
  }
}

export function anthropicError(status: number, message: string): AnthropicErrorBody {
  return { type: 'error', error: { type: anthropicErrorType(status), message }, request_id: anthropicId('req') };
}

/** The status and Anthropic body for any thrown value. */
export function toAnthropicError(err: unknown, status: number = statusOf(err)): { status: number; body: AnthropicErrorBody } {
  return { status, body: anthropicError(status, messageOf(err)) };
}
