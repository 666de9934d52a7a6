import { describe, expect, it } from 'vitest';
import type { ChatResponse } from '../../../src/api/types.js';
import { goJSON } from '../../../src/server/gojson.js';
import { ChatStreamMapper, decodeImageURL, fromChatCompletionRequest, mapReasoningEffort, toChatCompletion } from '../../../src/server/openai/chat.js';
import { makeId } from '../../../src/server/openai/common.js';
import { sseFrame, SSE_DONE } from '../../../src/server/openai/sse.js';

const IMG = 'iVBORw0KGgo=';

describe('fromChatCompletionRequest', () => {
  it('maps a plain request with OpenAI defaults for temperature and top_p', () => {
    expect(fromChatCompletionRequest({ model: 'm', messages: [{ role: 'User', content: 'hi' }] })).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      stream: false,
      options: { temperature: 1, top_p: 1 },
    });
  });

  it('maps options, format, stream, tools and reasoning', () => {
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }];
    const r = fromChatCompletionRequest({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      max_tokens: 10,
      seed: 42,
      stop: 'END',
      temperature: 0.2,
      top_p: 0.5,
      frequency_penalty: 0.1,
      presence_penalty: 0.3,
      response_format: { type: 'json_object' },
      tools,
      reasoning_effort: 'minimal',
    });
    expect(r.options).toEqual({ stop: ['END'], num_predict: 10, temperature: 0.2, seed: 42, frequency_penalty: 0.1, presence_penalty: 0.3, top_p: 0.5 });
    expect(r).toMatchObject({ stream: true, format: 'json', tools, think: 'low' });
  });

  it('max_completion_tokens, stop arrays and json_schema', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    const r = fromChatCompletionRequest({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      max_completion_tokens: 7,
      stop: ['a', 'b'],
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema } },
    });
    expect(r.options).toMatchObject({ num_predict: 7, stop: ['a', 'b'] });
    expect(r.format).toEqual(schema);
  });

  it('splits content parts into messages and decodes images', () => {
    const r = fromChatCompletionRequest({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${IMG}` } },
            { type: 'image_url', image_url: `data:;base64,${IMG}` },
          ],
        },
      ],
    });
    expect(r.messages).toEqual([
      { role: 'user', content: 'what is this?' },
      { role: 'user', content: '', images: [IMG] },
      { role: 'user', content: '', images: [IMG] },
    ]);
  });

  it('maps tool calls and tool results (tool_name from tool_call_id)', () => {
    const r = fromChatCompletionRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        { role: 'assistant', content: 'ok', reasoning: 'hmm' },
      ],
    });
    expect(r.messages![1]).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: [{ id: 'call_1', function: { index: 0, name: 'get_weather', arguments: { city: 'Paris' } } }],
    });
    expect(r.messages![2]).toEqual({ role: 'tool', content: 'sunny', tool_name: 'get_weather', tool_call_id: 'call_1' });
    expect(r.messages![3]).toEqual({ role: 'assistant', content: 'ok', thinking: 'hmm' });
  });

  it.each([
    [{ model: 'm', messages: [] }, `[] is too short - 'messages'`],
    [{ model: 'm' }, `[] is too short - 'messages'`],
    [{ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] }, 'image URLs are not currently supported, please use base64 encoded data instead'],
    [{ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/gif;base64,AAAA' } }] }] }, 'invalid image input'],
    [{ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,@@@' } }] }] }, 'invalid image input: illegal base64 data at input byte 0 in the data URL'],
    [{ model: 'm', messages: [{ role: 'user', content: [{ type: 'video' }] }] }, 'invalid message format'],
    [{ model: 'm', messages: [{ role: 'user', content: 5 }] }, 'invalid message content type: float64'],
    [{ model: 'm', messages: [{ role: 'assistant', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{bad' } }] }] }, 'invalid tool call arguments'],
    [{ model: 'm', messages: [{ role: 'user', content: 'x' }], stop: [1] }, `invalid type for 'stop' field: float64`],
    [{ model: 'm', messages: [{ role: 'user', content: 'x' }], reasoning_effort: 'extreme' }, 'invalid reasoning value'],
  ])('%j → 400 %s', (body, message) => {
    let err: unknown;
    try {
      fromChatCompletionRequest(body);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ status: 400 });
    expect((err as Error).message).toContain(message);
  });

  it.each([
    ['none', false],
    ['minimal', 'low'],
    ['low', 'low'],
    ['medium', 'medium'],
    ['high', 'high'],
    ['max', 'max'],
    ['xhigh', 'max'],
    ['ultra', 'max'],
  ])('reasoning effort %s → %j', (effort, think) => {
    expect(mapReasoningEffort(effort)).toBe(think);
  });

  it('decodeImageURL accepts jpg/jpeg/png/webp data URLs', () => {
    for (const t of ['jpeg', 'jpg', 'png', 'webp']) expect(decodeImageURL(`data:image/${t};base64,${IMG}`)).toBe(IMG);
  });
});

const final: ChatResponse = {
  model: 'm',
  created_at: '2024-01-01T00:00:00Z',
  message: { role: 'assistant', content: 'Hello <b>' },
  done: true,
  done_reason: 'stop',
  prompt_eval_count: 5,
  eval_count: 3,
};

describe('toChatCompletion', () => {
  it('has the exact shape and bytes', () => {
    expect(goJSON(toChatCompletion('chatcmpl-42', final, 1700000000))).toBe(
      '{"id":"chatcmpl-42","object":"chat.completion","created":1700000000,"model":"m","system_fingerprint":"fp_ollama",' +
        '"choices":[{"index":0,"message":{"role":"assistant","content":"Hello \\u003cb\\u003e"},"finish_reason":"stop"}],' +
        '"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}',
    );
  });

  it('tool calls replace the finish reason and carry JSON-string arguments', () => {
    const r = toChatCompletion('chatcmpl-1', {
      ...final,
      message: { role: 'assistant', content: '', thinking: 'think', tool_calls: [{ id: 'call_abc', function: { index: 0, name: 'f', arguments: { b: 1, a: 'x' } } }] },
    }, 1);
    expect(r.choices[0]).toEqual({
      index: 0,
      message: { role: 'assistant', content: '', reasoning: 'think', tool_calls: [{ id: 'call_abc', index: 0, type: 'function', function: { name: 'f', arguments: '{"b":1,"a":"x"}' } }] },
      finish_reason: 'tool_calls',
    });
  });

  it('makeId is chatcmpl-<0..998>', () => {
    expect(makeId('chatcmpl', () => 0)).toBe('chatcmpl-0');
    expect(makeId('chatcmpl', () => 0.99999)).toBe('chatcmpl-998');
  });
});

describe('ChatStreamMapper', () => {
  it('produces role, split reasoning/content, finish and usage chunks, one created value', () => {
    const m = new ChatStreamMapper({ id: 'chatcmpl-7', created: 123, includeUsage: true });
    const chunks = [
      ...m.push({ model: 'm', created_at: '', message: { role: 'assistant', content: 'A', thinking: 'T' }, done: false }),
      ...m.push({ model: 'm', created_at: '', message: { role: 'assistant', content: '' }, done: false }),
      ...m.push({ model: 'm', created_at: '', message: { role: 'assistant', content: 'B' }, done: false }),
      ...m.push({ ...final, message: { role: 'assistant', content: '' } }),
    ];
    const frames = chunks.map(sseFrame).join('') + SSE_DONE;
    const head = '{"id":"chatcmpl-7","object":"chat.completion.chunk","created":123,"model":"m","system_fingerprint":"fp_ollama",';
    expect(frames).toBe(
      `data: ${head}"choices":[{"index":0,"delta":{"role":"assistant","reasoning":"T"},"finish_reason":null}]}\n\n` +
        `data: ${head}"choices":[{"index":0,"delta":{"content":"A"},"finish_reason":null}]}\n\n` +
        `data: ${head}"choices":[{"index":0,"delta":{"content":"B"},"finish_reason":null}]}\n\n` +
        `data: ${head}"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n` +
        `data: ${head}"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}\n\n` +
        'data: [DONE]\n\n',
    );
  });

  it('tool calls in the stream make the finish reason tool_calls; no usage chunk by default', () => {
    const m = new ChatStreamMapper({ id: 'x', created: 1 });
    const a = m.push({ model: 'm', created_at: '', message: { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', function: { index: 0, name: 'f', arguments: {} } }] }, done: false });
    expect(a[0]!.choices[0]!.delta).toEqual({ role: 'assistant', tool_calls: [{ id: 'call_1', index: 0, type: 'function', function: { name: 'f', arguments: '{}' } }] });
    const b = m.push({ ...final, message: { role: 'assistant', content: '' } });
    expect(b).toHaveLength(1);
    expect(b[0]!.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('length maps through', () => {
    const m = new ChatStreamMapper({ id: 'x', created: 1 });
    const out = m.push({ ...final, done_reason: 'length', message: { role: 'assistant', content: 'z' } });
    expect(out.map((c) => c.choices[0]!.finish_reason)).toEqual([null, 'length']);
  });
});
