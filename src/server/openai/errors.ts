/**
 * OpenAI-shaped errors (reference §3.11): `{"error":{"message","type","param":null,"code":null}}`
 * with type `invalid_request_error` (400), `not_found_error` (404) or `api_error` (anything else).
 */
import { messageOf, statusOf } from '../../api/errors.js';

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: unknown; code: string | null };
}

export function openAIErrorType(status: number): string {
  if (status === 400) return 'invalid_request_error';
  if (status === 404) return 'not_found_error';
  return 'api_error';
}

export function openAIError(status: number, message: string): OpenAIErrorBody {
  return { error: { message, type: openAIErrorType(status), param: null, code: null } };
}

/** The status and OpenAI body for any thrown value (or an Ollama `{"error"}` response). */
export function toOpenAIError(err: unknown, status: number = statusOf(err)): { status: number; body: OpenAIErrorBody } {
  return { status, body: openAIError(status, messageOf(err)) };
}
