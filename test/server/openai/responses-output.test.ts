/**
 * `/v1/responses` answers: the response object and the stream event sequence (cases ported from
 * Ollama's ResponsesStreamConverter / ToResponse tests).
 */
import { describe, expect, it } from 'vitest';
import type { ChatResponse, Message } from '../../../src/api/types.js';
import { goJSON } from '../../../src/server/gojson.js';
import { fromResponsesRequest } from '../../../src/server/openai/responses.js';
import { ResponsesStreamMapper, toResponse } from '../../../src/server/openai/responses-output.js';

const echo = (body: Record<string, unknown> = {}) => fromResponsesRequest({ model: 'gpt-oss:20b', input: 'x', ...body }).echo;
const chunk = (message: Partial<Message>, done = false, extra: Partial<ChatResponse> = {}): ChatResponse => ({
  model: 'gpt-oss:20b',
  created_at: '2026-01-01T00:00:00Z',
  message: { role: 'assistant', content: '', ...message },
  done,
  ...extra,
});
const CALL = { id: 'call_abc', function: { index: 0, name: 'get_weather', arguments: { city: 'Paris' } } };

describe('ResponsesStreamMapper', () => {
  it('text only: created, in_progress, item and part added, deltas, then the done events and completed', () => {
    const m = new ResponsesStreamMapper(echo(), { responseId: 'resp_123', itemId: 'msg_456' });
    const first = m.push(chunk({ content: 'Hello' }));
    expect(first.map((e) => e.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
    ]);
    expect(m.push(chunk({ content: ' World' })).map((e) => e.event)).toEqual(['response.output_text.delta']);
    const last = m.push(chunk({}, true, { prompt_eval_count: 3, eval_count: 2 }));
    expect(last.map((e) => e.event)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    expect(last[0]!.data.text).toBe('Hello World');
    const done = last[3]!.data.response as Record<string, unknown>;
    expect(done.status).toBe('completed');
    expect(done.output).toEqual([
      { content: [{ annotations: [], logprobs: [], text: 'Hello World', type: 'output_text' }], id: 'msg_456', role: 'assistant', status: 'completed', type: 'message' },
    ]);
    expect(done.usage).toEqual({ input_tokens: 3, input_tokens_details: { cached_tokens: 0 }, output_tokens: 2, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 5 });
    expect(typeof done.completed_at).toBe('number');
  });

  it('sequence numbers count from 0 across all events; event keys are sorted as Go writes maps', () => {
    const m = new ResponsesStreamMapper(echo(), { responseId: 'resp_1', itemId: 'msg_1' });
    const events = [...m.push(chunk({ content: 'a' })), ...m.push(chunk({ content: 'b' }, true))];
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
    expect(goJSON(events[4]!.data)).toBe('{"content_index":0,"delta":"a","item_id":"msg_1","logprobs":[],"output_index":0,"sequence_number":4,"type":"response.output_text.delta"}');
    const created = events[0]!.data.response as Record<string, unknown>;
    expect(Object.keys(created)).toEqual([...Object.keys(created)].sort());
    expect(created).toMatchObject({ id: 'resp_1', object: 'response', status: 'in_progress', output: [], usage: null, completed_at: null, model: 'gpt-oss:20b' });
  });

  it('tool calls: item added, arguments delta and done, item done', () => {
    const m = new ResponsesStreamMapper(echo(), { responseId: 'resp_123', itemId: 'msg_456' });
    const events = m.push(chunk({ tool_calls: [CALL] }));
    expect(events.map((e) => e.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
    ]);
    expect(events[2]!.data.item).toMatchObject({ type: 'function_call', status: 'in_progress', call_id: 'call_abc', name: 'get_weather', arguments: '' });
    expect(events[3]!.data.delta).toBe('{"city":"Paris"}');
    expect(events[5]!.data.item).toMatchObject({ status: 'completed', arguments: '{"city":"Paris"}' });
    const last = m.push(chunk({ content: 'ignored after a call' }, true));
    expect(last.map((e) => e.event)).toEqual(['response.completed']);
    expect((last[0]!.data.response as { output: unknown[] }).output).toHaveLength(1);
  });

  it('text before a tool call is closed as its own item before the call', () => {
    const m = new ResponsesStreamMapper(echo(), { responseId: 'resp_9', itemId: 'msg_9' });
    m.push(chunk({ content: 'Let me look.' }));
    const events = m.push(chunk({ tool_calls: [CALL] }, true));
    expect(events.map((e) => [e.event, e.data.output_index])).toEqual([
      ['response.output_text.done', 0],
      ['response.content_part.done', 0],
      ['response.output_item.done', 0],
      ['response.output_item.added', 1],
      ['response.function_call_arguments.delta', 1],
      ['response.function_call_arguments.done', 1],
      ['response.output_item.done', 1],
      ['response.completed', undefined],
    ]);
    const output = (events.at(-1)!.data.response as { output: { type: string }[] }).output;
    expect(output.map((o) => o.type)).toEqual(['message', 'function_call']);
  });

  it('parallel_tool_calls:false keeps only the first call', () => {
    const m = new ResponsesStreamMapper(echo({ parallel_tool_calls: false }));
    const events = m.push(chunk({ tool_calls: [CALL, { ...CALL, id: 'call_2' }] }, true));
    expect(events.filter((e) => e.event === 'response.output_item.added')).toHaveLength(1);
  });

  it('reasoning: a reasoning item with summary deltas, closed (with encrypted_content) before the text', () => {
    const m = new ResponsesStreamMapper(echo(), { responseId: 'resp_123', itemId: 'msg_456' });
    const first = m.push(chunk({ thinking: 'Let me think...' }));
    expect(first.map((e) => e.event)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.reasoning_summary_text.delta']);
    expect((first[2]!.data.item as { type: string }).type).toBe('reasoning');
    const second = m.push(chunk({ content: 'The answer is 42' }));
    expect(second.map((e) => e.event)).toEqual([
      'response.reasoning_summary_text.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
    ]);
    expect((second[1]!.data.item as { encrypted_content: string }).encrypted_content).toBe('Let me think...');
    expect(second[2]!.data.output_index).toBe(1);
  });

  it('a failure after events were sent ends with response.failed', () => {
    const m = new ResponsesStreamMapper(echo(), { responseId: 'resp_5' });
    m.push(chunk({ content: 'a' }));
    const [failed] = m.fail('boom');
    expect(failed!.event).toBe('response.failed');
    expect(failed!.data.response).toMatchObject({ status: 'failed', error: { code: 'server_error', message: 'boom' } });
  });
});

describe('toResponse', () => {
  it('text: Ollama’s field order, the echoed request, usage', () => {
    const r = toResponse('resp_1', 'msg_2', chunk({ content: 'Hi' }, true, { prompt_eval_count: 4, eval_count: 1 }), echo({ instructions: 'sys', temperature: 0 }));
    const json = goJSON(r);
    expect(json).toMatch(
      /^\{"id":"resp_1","object":"response","created_at":1767225600,"completed_at":\d+,"status":"completed","incomplete_details":null,"model":"gpt-oss:20b","previous_response_id":null,"instructions":"sys","output":\[\{"id":"msg_2","type":"message","status":"completed","role":"assistant","content":\[\{"type":"output_text","text":"Hi","annotations":\[\],"logprobs":\[\]\}\]\}\],"error":null,"tools":\[\],"tool_choice":"auto","truncation":"disabled","parallel_tool_calls":true,"text":\{"format":\{"type":"text"\}\},"top_p":1,"presence_penalty":0,"frequency_penalty":0,"top_logprobs":0,"temperature":0,"reasoning":null,"usage":\{"input_tokens":4,"output_tokens":1,"total_tokens":5,"input_tokens_details":\{"cached_tokens":0\},"output_tokens_details":\{"reasoning_tokens":0\}\},"max_output_tokens":null,"max_tool_calls":null,"store":false,"background":false,"service_tier":"default","metadata":\{\},"safety_identifier":null,"prompt_cache_key":null\}$/,
    );
  });

  it('thinking becomes a reasoning item; tool calls replace the message', () => {
    const r = toResponse('resp_1', 'msg_2', chunk({ thinking: 'hmm', content: 'x', tool_calls: [CALL] }, true), echo({ reasoning: { effort: 'high' } }));
    expect(r.output).toEqual([
      { id: 'rs_resp_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'hmm' }], encrypted_content: 'hmm' },
      { id: 'fc_resp_1_0', type: 'function_call', status: 'completed', call_id: 'call_abc', name: 'get_weather', arguments: '{"city":"Paris"}' },
    ]);
    expect(r.reasoning).toEqual({ effort: 'high' });
  });
});
