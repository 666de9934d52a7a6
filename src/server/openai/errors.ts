/**
 * OpenAI-shaped errors (reference §3.11): `{"error":{"message","type","param":null,"code":null}}`
 * with type `invalid_request_error` (400), `not_found_error` (404) or `api_error` (anything else).
 */
import type { ServerResponse } from 'node:http';
import { messageOf, statusOf } from '../../api/errors.js';
import { goJSON } from '../gojson.js';
import type { Context } from '../http.js';

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

/**
 * A JSON answer written the way Ollama's OpenAI middleware writes what the handler behind it
 * answered (json.Encoder): `Content-Type: application/json` and a trailing newline. Errors the
 * middleware finds itself (a bad body) are written like every other route's (`sendJSON`).
 */
export function sendEncoded(res: ServerResponse, status: number, value: unknown): void {
  const body = goJSON(value) + '\n';
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Runs `fn`; an error it throws is answered with `sendEncoded` in OpenAI's shape. */
export async function encodedErrors(ctx: Context, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (ctx.res.headersSent) throw err;
    const { status, body } = toOpenAIError(err);
    sendEncoded(ctx.res, status, body);
  }
}

