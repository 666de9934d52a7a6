import { describe, expect, it } from 'vitest';
import { DigestMismatchError, formatErrorBody, NotFoundError, UnauthorizedError } from '../../../src/registry/remote/errors.js';

describe('formatErrorBody', () => {
  it.each([
    [404, '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}', 'application/json', 'manifest unknown (MANIFEST_UNKNOWN: {"Tag":"x"})'],
    [404, '{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry","detail":"sha256:ab"}]}', 'application/json', 'blob unknown to registry (BLOB_UNKNOWN: sha256:ab)'],
    [401, '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}', 'application/json', 'authentication required (UNAUTHORIZED)'],
    [400, '{"errors":[{"code":"A","message":"one"},{"code":"B","message":"two","detail":{}}]}', 'application/json; charset=utf-8', 'one (A); two (B)'],
    [404, '404 page not found\n', 'text/plain', '404 page not found'],
    [500, '', '', '500 Internal Server Error'],
    [400, '{"error":"plain"}', 'application/json', 'plain'],
    [502, 'bad\u0000\u001bgateway', 'text/plain', 'bad??gateway'],
  ])('%d %j', (status, body, ct, want) => expect(formatErrorBody(status, body, ct)).toBe(want));
  it('caps hostile bodies', () => expect(formatErrorBody(500, 'x'.repeat(10_000)).length).toBeLessThan(400));
});

describe('error classes carry Ollama texts and statuses', () => {
  it.each([
    [new NotFoundError(), 404, 'file does not exist'],
    [new UnauthorizedError(), 401, 'unauthorized: access denied'],
    [new DigestMismatchError('sha256:a', 'sha256:b'), 500, 'digest mismatch, file must be downloaded again: want sha256:a, got sha256:b'],
  ])('%s', (e, status, msg) => {
    expect(e.status).toBe(status);
    expect(e.message).toBe(msg);
  });
});
