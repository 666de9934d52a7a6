// /v1/messages request mapping (src/server/anthropic/messages.ts); cases ported from Ollama's
// anthropic/anthropic_test.go and middleware/anthropic_test.go where they apply.
import { describe, expect, it } from 'vitest';
import { estimateInputTokens, fromMessagesRequest } from '../../../src/server/anthropic/messages.js';

const IMG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNk+A8AAQUBAScY42YAAAAASUVORK5CYII=';
const base = { model: 'test-model', max_tokens: 1024 };
const user = (content: unknown) => ({ role: 'user', content });
const map = (extra: Record<string, unknown>) => fromMessagesRequest({ ...base, ...extra });
const fails = (extra: Record<string, unknown>) => () => map(extra);

describe('fromMessagesRequest', () => {
  it('basic message: string content, num_predict from max_tokens, stream false', () => {
    expect(map({ messages: [user('Hello')] })).toEqual({
      model: 'test-model',
      messages: [{ role: 'user', content: 'Hello' }],
      stream: false,
      options: { num_predict: 1024 },
    });
    expect(map({ stream: true, messages: [user('Hello')] }).stream).toBe(true);
  });

  it('system prompt as a string and as text blocks', () => {
    expect(map({ system: 'You are helpful.', messages: [user('Hello')] }).messages).toEqual([
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'Hello' },
    ]);
    const r = map({ system: [{ type: 'text', text: 'You are helpful.' }, { type: 'text', text: ' Be concise.', cache_control: { type: 'ephemeral' } }], messages: [user('Hello')] });
    expect(r.messages![0]).toEqual({ role: 'system', content: 'You are helpful. Be concise.' });
    expect(map({ system: '', messages: [user('Hello')] }).messages).toHaveLength(1);
    expect(fails({ system: [{ type: 'image', source: {} }], messages: [user('x')] })).toThrow('system: only text blocks are supported');
  });

  it('options: temperature, top_p, top_k, stop_sequences', () => {
    const r = map({ max_tokens: 2048, temperature: 0.7, top_p: 0.9, top_k: 40, stop_sequences: ['\n', 'END'], messages: [user('Hello')] });
    expect(r.options).toEqual({ num_predict: 2048, temperature: 0.7, top_p: 0.9, top_k: 40, stop: ['\n', 'END'] });
  });

  it('multi-turn, text blocks joined, roles lower-cased', () => {
    const r = map({
      messages: [
        user([{ type: 'text', text: 'Hi ' }, { type: 'text', text: 'there' }]),
        { role: 'Assistant', content: 'Hello!' },
        user('Bye'),
      ],
    });
    expect(r.messages).toEqual([
      { role: 'user', content: 'Hi there' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'Bye' },
    ]);
  });

  it('image blocks: base64 data is passed on (the chat core decides whether the model can see)', () => {
    const r = map({ messages: [user([{ type: 'text', text: "What's in this image?" }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: IMG } }])] });
    expect(r.messages).toEqual([{ role: 'user', content: "What's in this image?", images: [IMG] }]);
  });

  it('image blocks that are not base64 are 400s', () => {
    expect(fails({ messages: [user([{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }])] })).toThrow(
      'invalid image source type: url. Only base64 images are supported.',
    );
    expect(fails({ messages: [user([{ type: 'image' }])] })).toThrow('invalid image source');
    expect(fails({ messages: [user([{ type: 'image', source: { type: 'base64', data: 'not base64!' } }])] })).toThrow(/invalid base64 image data/);
  });

  it('tool_use in an assistant turn, tool_result in the next user turn', () => {
    const r = map({
      messages: [
        user("What's the weather?"),
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_123', name: 'get_weather', input: { location: 'Paris' } }] },
        user([{ type: 'tool_result', tool_use_id: 'call_123', content: 'Sunny, 22°C' }]),
      ],
    });
    expect(r.messages).toEqual([
      { role: 'user', content: "What's the weather?" },
      { role: 'assistant', content: '', tool_calls: [{ id: 'call_123', function: { index: 0, name: 'get_weather', arguments: { location: 'Paris' } } }] },
      { role: 'tool', content: 'Sunny, 22°C', tool_call_id: 'call_123' },
    ]);
  });

  it('tool_result with text and image blocks', () => {
    const r = map({
      messages: [
        user([
          {
            type: 'tool_result',
            tool_use_id: 'call_img',
            content: [
              { type: 'text', text: 'Attached image' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: IMG } },
            ],
          },
        ]),
      ],
    });
    expect(r.messages).toEqual([{ role: 'tool', content: 'Attached image', images: [IMG], tool_call_id: 'call_img' }]);
  });

  it('tool_result followed by user text: the tool message comes first', () => {
    const r = map({
      messages: [
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_read', name: 'Read', input: { file_path: '/tmp/a.png' } }] },
        user([
          { type: 'tool_result', tool_use_id: 'call_read', content: 'Read image (311.5KB)' },
          { type: 'text', text: 'Please describe it.' },
        ]),
      ],
    });
    expect(r.messages!.map((m) => [m.role, m.content])).toEqual([
      ['assistant', ''],
      ['tool', 'Read image (311.5KB)'],
      ['user', 'Please describe it.'],
    ]);
  });

  it('tool_use without id or name is a 400', () => {
    expect(fails({ messages: [{ role: 'assistant', content: [{ type: 'tool_use', name: 'get_weather' }] }] })).toThrow("tool_use block missing required 'id' field");
    expect(fails({ messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 'call_123' }] }] })).toThrow("tool_use block missing required 'name' field");
  });

  it('tools become functions; input_schema must be an object', () => {
    const schema = { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] };
    const r = map({ messages: [user('Hello')], tools: [{ name: 'get_weather', description: 'Get current weather', input_schema: schema }] });
    expect(r.tools).toEqual([{ type: 'function', function: { name: 'get_weather', description: 'Get current weather', parameters: schema } }]);
    expect(map({ messages: [user('x')], tools: [{ type: 'custom', name: 'web_search', input_schema: schema }] }).tools![0]!.function.name).toBe('web_search');
    expect(fails({ messages: [user('x')], tools: [{ name: 'bad_tool', input_schema: '{invalid json' }] })).toThrow('invalid input_schema for tool "bad_tool"');
  });

  it('server tools (web search and the like) are refused, not ignored', () => {
    expect(fails({ messages: [user('x')], tools: [{ type: 'web_search_20250305', name: 'web_search' }] })).toThrow(
      /server tool type "web_search_20250305" is not supported/,
    );
    expect(fails({ messages: [user([{ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} }])] })).toThrow(
      /unsupported content block type "server_tool_use"/,
    );
  });

  it('tool_choice: auto keeps the tools, none drops them, forcing a call is a 400', () => {
    const tools = [{ name: 'f', input_schema: { type: 'object', properties: {} } }];
    expect(map({ messages: [user('x')], tools, tool_choice: { type: 'auto' } }).tools).toHaveLength(1);
    expect(map({ messages: [user('x')], tools, tool_choice: { type: 'none' } }).tools).toBeUndefined();
    expect(fails({ messages: [user('x')], tools, tool_choice: { type: 'any' } })).toThrow(/tool_choice type "any" is not supported/);
    expect(fails({ messages: [user('x')], tools, tool_choice: { type: 'tool', name: 'f' } })).toThrow(/tool_choice type "tool" is not supported/);
  });

  it('thinking: enabled → true, disabled → false, else output_config.effort (xhigh → high)', () => {
    const m = [user('Hello')];
    expect(map({ messages: m, thinking: { type: 'enabled', budget_tokens: 1000 } }).think).toBe(true);
    expect(map({ messages: m, thinking: { type: 'disabled' }, output_config: { effort: 'high' } }).think).toBe(false);
    expect(map({ messages: m, output_config: { effort: 'high' } }).think).toBe('high');
    expect(map({ messages: m, output_config: { effort: 'xhigh' } }).think).toBe('high');
    expect(map({ messages: m, thinking: { type: 'adaptive' }, output_config: { effort: 'high' } }).think).toBe('high');
    expect(map({ messages: m }).think).toBeUndefined();
  });

  it('a thinking-only assistant block keeps its thinking; redacted thinking is dropped', () => {
    const r = map({
      messages: [
        user('Hello'),
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'Let me think about this...', signature: 'sig' }, { type: 'redacted_thinking', data: 'xx' }] },
      ],
    });
    expect(r.messages![1]).toEqual({ role: 'assistant', content: '', thinking: 'Let me think about this...' });
  });

  it('required fields, as Ollama words them', () => {
    expect(() => fromMessagesRequest({ max_tokens: 1024, messages: [user('Hello')] })).toThrow('model is required');
    expect(() => fromMessagesRequest({ model: 'm', messages: [user('Hello')] })).toThrow('max_tokens is required and must be positive');
    expect(() => fromMessagesRequest({ model: 'm', max_tokens: 0, messages: [user('Hello')] })).toThrow('max_tokens is required and must be positive');
    expect(() => fromMessagesRequest({ model: 'm', max_tokens: 1024 })).toThrow('messages is required');
    expect(() => fromMessagesRequest({ model: 'm', max_tokens: 1024, messages: [] })).toThrow('messages is required');
  });

  it('wrong JSON types are 400s with Go decoder wording', () => {
    expect(() => fromMessagesRequest([])).toThrow('json: cannot unmarshal array into Go value of type anthropic.MessagesRequest');
    expect(fails({ max_tokens: '10', messages: [user('x')] })).toThrow('json: cannot unmarshal string into Go struct field MessagesRequest.max_tokens of type int');
    expect(fails({ max_tokens: 1.5, messages: [user('x')] })).toThrow('json: cannot unmarshal number 1.5 into Go struct field MessagesRequest.max_tokens of type int');
    expect(fails({ temperature: 'hot', messages: [user('x')] })).toThrow('MessagesRequest.temperature of type float64');
    expect(fails({ stop_sequences: ['a', 1], messages: [user('x')] })).toThrow('json: cannot unmarshal number 1 into Go struct field MessagesRequest.stop_sequences of type string');
    expect(fails({ messages: [user(42)] })).toThrow('json: cannot unmarshal number into Go value of type []anthropic.ContentBlock');
  });

  it('roles other than user and assistant are 400s', () => {
    expect(fails({ messages: [{ role: 'system', content: 'x' }] })).toThrow(
      'messages.0.role: must be "user" or "assistant" (got "system"); put the system prompt in the top-level "system" field',
    );
    expect(fails({ messages: [user('x'), { role: 'tool', content: 'y' }] })).toThrow('messages.1.role: must be "user" or "assistant" (got "tool")');
    expect(fails({ messages: [{ content: 'x' }] })).toThrow('messages.0.role: must be "user" or "assistant" (got missing)');
  });

  it('unknown content blocks are 400s, not dropped', () => {
    expect(fails({ messages: [user([{ type: 'document', source: {} }])] })).toThrow(
      'messages.0.content.0: unsupported content block type "document" (supported: text, image, tool_use, tool_result, thinking)',
    );
  });
});

describe('estimateInputTokens', () => {
  it('a quarter of the characters, at least 1', () => {
    expect(estimateInputTokens({ model: 'm', messages: [user('Hello, world')] })).toBe(4); // "user" + "Hello, world" = 16
    expect(estimateInputTokens({ model: 'm', system: 'You are a helpful assistant.', messages: [user('Hello, world')] })).toBe(11);
    expect(estimateInputTokens({ model: 'm', messages: [user('')] })).toBe(1);
    expect(estimateInputTokens({ model: 'm', messages: [] })).toBe(0);
  });
});
