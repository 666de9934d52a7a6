// /api/chat responses → Anthropic message objects and stream events (src/server/anthropic/response.ts,
// sse.ts, errors.ts); cases ported from Ollama's anthropic/anthropic_test.go.
import { describe, expect, it } from 'vitest';
import type { ChatResponse, Message } from '../../../src/api/types.js';
import { anthropicError, anthropicId } from '../../../src/server/anthropic/errors.js';
import { mapStopReason, StreamConverter, toMessagesResponse, type StreamEvent } from '../../../src/server/anthropic/response.js';
import { AnthropicSseWriter, eventFrame } from '../../../src/server/anthropic/sse.js';
import { fakeRes, useFakeStreamTimers } from '../../helpers/fakeres.js';

const resp = (message: Partial<Message>, extra: Partial<ChatResponse> = {}): ChatResponse => ({
  model: 'test-model',
  created_at: '',
  message: { role: 'assistant', content: '', ...message },
  done: false,
  ...extra,
});
const CALL = { id: 'call_123', function: { index: 0, name: 'get_weather', arguments: { location: 'Paris' } } };

/** `event:type:index` for block events, the event name otherwise. */
function shape(events: StreamEvent[]): string[] {
  return events.map((e) => {
    const d = e.data as { index?: number; content_block?: { type: string }; delta?: { type?: string } };
    if (e.event === 'content_block_start') return `${e.event}:${d.content_block!.type}:${d.index}`;
    if (e.event === 'content_block_delta') return `${e.event}:${d.delta!.type}:${d.index}`;
    if (e.event === 'content_block_stop') return `${e.event}:${d.index}`;
    return e.event;
  });
}

describe('toMessagesResponse', () => {
  it('text, stop_reason end_turn, usage', () => {
    const r = toMessagesResponse('msg_123', resp({ content: 'Hello there!' }, { done: true, done_reason: 'stop', prompt_eval_count: 10, eval_count: 5 }));
    expect(r).toEqual({
      id: 'msg_123',
      type: 'message',
      role: 'assistant',
      model: 'test-model',
      content: [{ type: 'text', text: 'Hello there!' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 10, output_tokens: 5 },
    });
    expect(Object.keys(r)).toEqual(['id', 'type', 'role', 'model', 'content', 'stop_reason', 'usage']);
  });

  it('tool calls → tool_use blocks and stop_reason tool_use', () => {
    const r = toMessagesResponse('msg_123', resp({ tool_calls: [CALL] }, { done: true, done_reason: 'stop' }));
    expect(r.content).toEqual([{ type: 'tool_use', id: 'call_123', name: 'get_weather', input: { location: 'Paris' } }]);
    expect(r.stop_reason).toBe('tool_use');
  });

  it('thinking comes first, then text', () => {
    const r = toMessagesResponse('msg_123', resp({ content: 'The answer is 42.', thinking: 'Let me think about this...' }, { done: true, done_reason: 'stop' }));
    expect(r.content).toEqual([
      { type: 'thinking', thinking: 'Let me think about this...' },
      { type: 'text', text: 'The answer is 42.' },
    ]);
  });

  it('no output is an empty content array', () => {
    expect(toMessagesResponse('m', resp({}, { done: true, done_reason: 'length' })).content).toEqual([]);
  });
});

describe('mapStopReason', () => {
  it.each([
    ['stop', false, 'end_turn'],
    ['length', false, 'max_tokens'],
    ['stop', true, 'tool_use'],
    ['other', false, 'stop_sequence'],
    ['', false, ''],
  ] as const)('%s (tools: %s) → %s', (reason, tools, want) => {
    expect(mapStopReason(reason, tools)).toBe(want);
  });
});

describe('errors and ids', () => {
  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [503, 'overloaded_error'],
    [529, 'overloaded_error'],
  ])('%i → %s', (status, type) => {
    const e = anthropicError(status, 'test message');
    expect(e).toEqual({ type: 'error', error: { type, message: 'test message' }, request_id: expect.stringMatching(/^req_[0-9a-f]{24}$/) });
  });
  it('message ids are msg_ + 24 hex and differ', () => {
    const a = anthropicId('msg');
    expect(a).toMatch(/^msg_[0-9a-f]{24}$/);
    expect(anthropicId('msg')).not.toBe(a);
  });
});

describe('StreamConverter', () => {
  it('basic: message_start with the estimate, text block, message_delta with usage, message_stop', () => {
    const c = new StreamConverter('msg_123', 'test-model', 7);
    const e1 = c.process(resp({ content: 'Hello' }));
    expect(shape(e1)).toEqual(['message_start', 'content_block_start:text:0', 'content_block_delta:text_delta:0']);
    expect(e1[0]!.data).toEqual({
      type: 'message_start',
      message: { id: 'msg_123', type: 'message', role: 'assistant', model: 'test-model', content: [], usage: { input_tokens: 7, output_tokens: 0 } },
    });
    expect(e1[1]!.data).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    expect(e1[2]!.data).toEqual({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } });
    const e2 = c.process(resp({ content: ' world!' }, { done: true, done_reason: 'stop', prompt_eval_count: 10, eval_count: 5 }));
    expect(shape(e2)).toEqual(['content_block_delta:text_delta:0', 'content_block_stop:0', 'message_delta', 'message_stop']);
    expect(e2[2]!.data).toEqual({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { input_tokens: 10, output_tokens: 5 } });
    expect(e2[3]!.data).toEqual({ type: 'message_stop' });
  });

  it('tool call: tool_use block with empty input, then the arguments as one input_json_delta', () => {
    const c = new StreamConverter('msg_123', 'test-model');
    const e = c.process(resp({ tool_calls: [CALL] }, { done: true, done_reason: 'stop', prompt_eval_count: 10, eval_count: 5 }));
    expect(shape(e)).toEqual([
      'message_start',
      'content_block_start:tool_use:0',
      'content_block_delta:input_json_delta:0',
      'content_block_stop:0',
      'message_delta',
      'message_stop',
    ]);
    expect(e[1]!.data).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'call_123', name: 'get_weather', input: {} } });
    expect(e[2]!.data).toEqual({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"location":"Paris"}' } });
    expect((e[4]!.data as { delta: unknown }).delta).toEqual({ stop_reason: 'tool_use' });
  });

  it('thinking directly followed by a tool call closes the thinking block first (Ollama #14816)', () => {
    const c = new StreamConverter('msg_123', 'test-model');
    const e = [...c.process(resp({ thinking: 'I should call the tool.' })), ...c.process(resp({ tool_calls: [CALL] }, { done: true, done_reason: 'stop' }))];
    expect(shape(e)).toEqual([
      'message_start',
      'content_block_start:thinking:0',
      'content_block_delta:thinking_delta:0',
      'content_block_stop:0',
      'content_block_start:tool_use:1',
      'content_block_delta:input_json_delta:1',
      'content_block_stop:1',
      'message_delta',
      'message_stop',
    ]);
    expect((e[1]!.data as { content_block: unknown }).content_block).toEqual({ type: 'thinking', thinking: '' });
  });

  it('text before thinking', () => {
    const c = new StreamConverter('msg_123', 'test-model');
    const e = [
      ...c.process(resp({ content: '---\n' })),
      ...c.process(resp({ thinking: 'Let me think.' })),
      ...c.process(resp({ content: 'The answer.' }, { done: true, done_reason: 'stop', prompt_eval_count: 10, eval_count: 5 })),
    ];
    expect(shape(e)).toEqual([
      'message_start',
      'content_block_start:text:0',
      'content_block_delta:text_delta:0',
      'content_block_stop:0',
      'content_block_start:thinking:1',
      'content_block_delta:thinking_delta:1',
      'content_block_stop:1',
      'content_block_start:text:2',
      'content_block_delta:text_delta:2',
      'content_block_stop:2',
      'message_delta',
      'message_stop',
    ]);
  });

  it('thinking only: the block is closed at the end; a tool call is sent once', () => {
    const c = new StreamConverter('m', 'x');
    const e = [...c.process(resp({ thinking: 'hmm' })), ...c.process(resp({ tool_calls: [CALL] })), ...c.process(resp({ tool_calls: [CALL] }, { done: true, done_reason: 'stop' }))];
    expect(shape(e).filter((s) => s.startsWith('content_block_start'))).toEqual(['content_block_start:thinking:0', 'content_block_start:tool_use:1']);
    const t = new StreamConverter('m', 'x');
    expect(shape([...t.process(resp({ thinking: 'hmm' })), ...t.process(resp({}, { done: true, done_reason: 'length' }))])).toEqual([
      'message_start',
      'content_block_start:thinking:0',
      'content_block_delta:thinking_delta:0',
      'content_block_stop:0',
      'message_delta',
      'message_stop',
    ]);
  });
});

describe('AnthropicSseWriter', () => {
  useFakeStreamTimers();

  it('frames are `event:` + `data:` lines; the end is the end of the body', () => {
    expect(eventFrame('message_stop', { type: 'message_stop' })).toBe('event: message_stop\ndata: {"type":"message_stop"}\n\n');
    const f = fakeRes();
    const w = new AnthropicSseWriter(f.res);
    w.write('ping', { type: 'ping' });
    w.end();
    expect(f.heads).toEqual([200]);
    expect(f.writes.join('')).toBe('event: ping\ndata: {"type":"ping"}\n\n');
    expect(f.ended()).toBe(true);
  });

  it('an error after streaming began is an `error` event', () => {
    const f = fakeRes();
    const w = new AnthropicSseWriter(f.res);
    w.write('ping', { type: 'ping' });
    w.fail(new Error('runner died'));
    expect(f.writes.at(-1)).toBe('event: error\ndata: {"type":"error","error":{"type":"api_error","message":"runner died"}}\n\n');
    expect(f.ended()).toBe(true);
  });
});
