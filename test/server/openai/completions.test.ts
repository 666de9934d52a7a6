import { describe, expect, it } from 'vitest';
import { goJSON } from '../../../src/server/gojson.js';
import { CompletionStreamMapper, fromCompletionRequest, toCompletion } from '../../../src/server/openai/completions.js';
import { floatsToBase64, fromEmbeddingRequest, toEmbeddingList } from '../../../src/server/openai/embeddings.js';
import { openAIError, toOpenAIError } from '../../../src/server/openai/errors.js';
import { toModelList } from '../../../src/server/openai/models.js';
import { NotFoundError } from '../../../src/api/errors.js';

describe('/v1/completions', () => {
  it('maps defaults: temperature 1, top_p 0 → 1, penalties always sent', () => {
    expect(fromCompletionRequest({ model: 'm', prompt: 'p' })).toEqual({
      model: 'm',
      prompt: 'p',
      stream: false,
      options: { temperature: 1, frequency_penalty: 0, presence_penalty: 0, top_p: 1 },
    });
  });

  it('maps the rest', () => {
    const r = fromCompletionRequest({ model: 'm', prompt: 'p', suffix: 's', max_tokens: 3, stop: ['x'], seed: 1, temperature: 0, top_p: 0.5, logprobs: 2, stream: true });
    expect(r).toEqual({
      model: 'm',
      prompt: 'p',
      suffix: 's',
      stream: true,
      logprobs: true,
      top_logprobs: 2,
      options: { stop: ['x'], num_predict: 3, temperature: 0, seed: 1, frequency_penalty: 0, presence_penalty: 0, top_p: 0.5 },
    });
  });

  it('prompt must be a string', () => {
    expect(() => fromCompletionRequest({ model: 'm', prompt: ['a'] })).toThrow(/cannot unmarshal array into Go struct field CompletionRequest.prompt of type string/);
  });

  it('non-streaming response bytes', () => {
    const out = toCompletion('cmpl-5', { model: 'm', created_at: '', response: 'hi', done: true, done_reason: 'length', prompt_eval_count: 2, eval_count: 1 }, 9);
    expect(goJSON(out)).toBe(
      '{"id":"cmpl-5","object":"text_completion","created":9,"model":"m","system_fingerprint":"fp_ollama","choices":[{"text":"hi","index":0,"finish_reason":"length"}],"usage":{"prompt_tokens":2,"completion_tokens":1,"total_tokens":3}}',
    );
  });

  it('stream chunks (with include_usage: zero usage on each chunk, then a usage chunk)', () => {
    const m = new CompletionStreamMapper({ id: 'cmpl-1', created: 2, includeUsage: true });
    const a = m.push({ model: 'm', created_at: '', response: 'x', done: false });
    const b = m.push({ model: 'm', created_at: '', response: '', done: true, done_reason: 'stop', prompt_eval_count: 4, eval_count: 6 });
    expect([...a, ...b].map((c) => goJSON(c))).toEqual([
      '{"id":"cmpl-1","object":"text_completion","created":2,"choices":[{"text":"x","index":0,"finish_reason":null}],"model":"m","system_fingerprint":"fp_ollama","usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}',
      '{"id":"cmpl-1","object":"text_completion","created":2,"choices":[{"text":"","index":0,"finish_reason":"stop"}],"model":"m","system_fingerprint":"fp_ollama","usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}',
      '{"id":"cmpl-1","object":"text_completion","created":2,"choices":[],"model":"m","system_fingerprint":"fp_ollama","usage":{"prompt_tokens":4,"completion_tokens":6,"total_tokens":10}}',
    ]);
    const plain = new CompletionStreamMapper({ id: 'c', created: 1 });
    expect(plain.push({ model: 'm', created_at: '', response: '', done: true, done_reason: 'stop' })).toHaveLength(1);
  });
});

describe('/v1/embeddings', () => {
  it.each([
    [{ model: 'e', input: 'hi' }, 'hi'],
    [{ model: 'e', input: '' }, ['']],
    [{ model: 'e', input: ['a', 'b'] }, ['a', 'b']],
  ])('%j', (body, input) => {
    expect(fromEmbeddingRequest(body).request).toEqual({ model: 'e', input });
  });

  it('dimensions and encoding', () => {
    expect(fromEmbeddingRequest({ model: 'e', input: 'x', dimensions: 8, encoding_format: 'base64' })).toEqual({ request: { model: 'e', input: 'x', dimensions: 8 }, encoding: 'base64' });
  });

  it.each([
    [{ model: 'e', input: [] }, 'invalid input'],
    [{ model: 'e' }, 'invalid input'],
    [{ model: 'e', input: 'x', encoding_format: 'int8' }, "Invalid value for 'encoding_format' = int8. Supported values: ['float', 'base64']."],
    [{ model: 'e', input: [1, 2, 3] }, 'token arrays are not supported'],
  ])('%j → 400', (body, message) => {
    expect(() => fromEmbeddingRequest(body)).toThrow(message);
  });

  it('float output is written as Go []float32; base64 is little-endian float32', () => {
    const list = toEmbeddingList('e', { model: 'e', embeddings: [[0.1, -2.5]], prompt_eval_count: 3 });
    expect(goJSON(list)).toBe('{"object":"list","data":[{"object":"embedding","embedding":[0.1,-2.5],"index":0}],"model":"e","usage":{"prompt_tokens":3,"total_tokens":3}}');
    expect(floatsToBase64([1, -2])).toBe(Buffer.from(new Float32Array([1, -2]).buffer).toString('base64'));
    expect(floatsToBase64([1])).toBe('AACAPw==');
    const b = toEmbeddingList('e', { model: 'e', embeddings: [[1]] }, 'base64');
    expect(b.data[0]!.embedding).toBe('AACAPw==');
  });
});

describe('/v1/models and errors', () => {
  it('list (null data when empty) with owned_by from the namespace', () => {
    expect(goJSON(toModelList([]))).toBe('{"object":"list","data":null}');
    const details = { parent_model: '', format: 'gguf', family: 'llama', families: null, parameter_size: '1B', quantization_level: 'Q8_0' };
    const l = toModelList([
      { name: 'llama3.2:latest', model: 'llama3.2:latest', modified_at: '2024-01-01T00:00:10.123456789+02:00', size: 1, digest: 'd', details },
      { name: 'me/mine:v1', model: 'me/mine:v1', modified_at: '2024-01-01T00:00:00Z', size: 1, digest: 'd', details },
    ]);
    expect(l.data).toEqual([
      { id: 'llama3.2:latest', object: 'model', created: 1704060010, owned_by: 'library' },
      { id: 'me/mine:v1', object: 'model', created: 1704067200, owned_by: 'me' },
    ]);
  });

  it.each([
    [400, 'invalid_request_error'],
    [404, 'not_found_error'],
    [500, 'api_error'],
    [503, 'api_error'],
  ])('%d → %s', (status, type) => {
    expect(openAIError(status, 'm')).toEqual({ error: { message: 'm', type, param: null, code: null } });
  });

  it('toOpenAIError uses the error status', () => {
    expect(toOpenAIError(new NotFoundError(`model "x" not found, try pulling it first`))).toEqual({
      status: 404,
      body: { error: { message: `model "x" not found, try pulling it first`, type: 'not_found_error', param: null, code: null } },
    });
  });
});
