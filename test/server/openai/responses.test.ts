/**
 * `/v1/responses` request mapping (cases ported from Ollama's openai/responses_test.go where they
 * apply) and the refusals for what cannot be honoured here.
 */
import { describe, expect, it } from 'vitest';
import { fromResponsesRequest } from '../../../src/server/openai/responses.js';

const map = (body: Record<string, unknown>) => fromResponsesRequest({ model: 'm', ...body });
const msgs = (body: Record<string, unknown>) => map(body).chat.messages!;
const refused = (body: unknown) => {
  try {
    fromResponsesRequest(body);
  } catch (err) {
    return { status: (err as { status?: number }).status, message: (err as Error).message };
  }
  return undefined;
};

describe('fromResponsesRequest: input', () => {
  it('input_image data URLs become the message\'s images (Ollama\'s convertResponsesContent); one without a URL is skipped', () => {
    const r = map({ input: [{ role: 'user', content: [
      { type: 'input_text', text: 'what ' },
      { type: 'input_image', detail: 'auto', image_url: 'data:image/png;base64,iVBORw0KGgo=' },
      { type: 'input_image', file_id: 'f' },
      { type: 'input_text', text: 'is this' },
      { type: 'input_image', image_url: 'data:image/jpeg;base64,/9j/' },
    ] }] });
    expect(r.chat.messages).toEqual([{ role: 'user', content: 'what is this', images: ['iVBORw0KGgo=', '/9j/'] }]);
  });
  it('a string input is one user message; instructions come first as system', () => {
    const r = map({ input: 'hello', instructions: 'be brief' });
    expect(r.chat).toEqual({
      model: 'm',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello' },
      ],
      stream: false,
      options: { temperature: 1 },
    });
    expect(r.echo.instructions).toBe('be brief');
  });

  it('message items: string or content-item content, shorthand without type, developer → system', () => {
    expect(
      msgs({
        input: [
          { type: 'message', role: 'developer', content: 'rules' },
          { role: 'user', content: [{ type: 'input_text', text: 'hello ' }, { type: 'input_text', text: 'world' }] },
          { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'hi' }] },
        ],
      }),
    ).toEqual([
      { role: 'system', content: 'rules' },
      { role: 'user', content: 'hello world' },
      { role: 'assistant', content: 'hi' },
    ]);
  });

  it('function_call joins the assistant message before it; function_call_output is a tool message', () => {
    expect(
      msgs({
        input: [
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'what is the weather?' }] },
          { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: "I'll check the weather for you." }] },
          { type: 'function_call', call_id: 'call_abc123', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'function_call_output', call_id: 'call_abc123', output: 'sunny' },
        ],
      }),
    ).toEqual([
      { role: 'user', content: 'what is the weather?' },
      {
        role: 'assistant',
        content: "I'll check the weather for you.",
        tool_calls: [{ id: 'call_abc123', function: { index: 0, name: 'get_weather', arguments: { city: 'Paris' } } }],
      },
      { role: 'tool', content: 'sunny', tool_call_id: 'call_abc123', tool_name: 'get_weather' },
    ]);
  });

  it('a function_call without a preceding assistant makes its own message; a new assistant starts a new group', () => {
    const m = msgs({
      input: [
        { type: 'message', role: 'user', content: 'do multiple things' },
        { type: 'function_call', call_id: 'call_1', name: 'func_a', arguments: '{}' },
        { type: 'function_call', call_id: 'call_2', name: 'func_b', arguments: '' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Second batch.' }] },
        { type: 'function_call', call_id: 'call_3', name: 'func_c', arguments: '{}' },
      ],
    });
    expect(m).toHaveLength(3);
    expect(m[1]).toMatchObject({ role: 'assistant', content: '' });
    expect(m[1]!.tool_calls!.map((c) => [c.function.name, c.function.index])).toEqual([
      ['func_a', 0],
      ['func_b', 1],
    ]);
    expect(m[2]).toMatchObject({ role: 'assistant', content: 'Second batch.' });
    expect(m[2]!.tool_calls!.map((c) => c.function.name)).toEqual(['func_c']);
  });

  it('an assistant message replayed between a call and its output merges into the call message', () => {
    const m = msgs({
      input: [
        { role: 'user', content: 'Inspect the current directory.' },
        { type: 'function_call', call_id: 'call_test', name: 'exec_command', arguments: '{"cmd":"pwd"}' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'I will inspect the directory.' }] },
        { type: 'function_call_output', call_id: 'call_test', output: '/tmp' },
      ],
    });
    expect(m).toHaveLength(3);
    expect(m[1]).toMatchObject({ role: 'assistant', content: 'I will inspect the directory.' });
    expect(m[1]!.tool_calls![0]!.id).toBe('call_test');
    expect(m[2]).toEqual({ role: 'tool', content: '/tmp', tool_call_id: 'call_test', tool_name: 'exec_command' });
  });

  it('reasoning items attach to the next assistant message (or the function call); trailing reasoning stands alone', () => {
    const m = msgs({
      input: [
        { type: 'message', role: 'user', content: 'think and act' },
        { type: 'reasoning', id: 'rs_1', encrypted_content: 'Let me think...', summary: [] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'I thought about it.' }] },
        { type: 'function_call', call_id: 'call_1', name: 'do_thing', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: [{ type: 'input_text', text: 'done' }] },
        { type: 'reasoning', id: 'rs_2', encrypted_content: 'More thought', summary: [] },
      ],
    });
    expect(m[1]).toMatchObject({ role: 'assistant', thinking: 'Let me think...', content: 'I thought about it.' });
    expect(m[2]).toMatchObject({ role: 'tool', content: 'done' });
    expect(m[3]).toEqual({ role: 'assistant', content: '', thinking: 'More thought' });
  });
});

describe('fromResponsesRequest: options, tools, format, reasoning', () => {
  it('maps sampling fields and echoes them', () => {
    const r = map({ input: 'x', temperature: 0.2, top_p: 0.5, max_output_tokens: 7, stream: true });
    expect(r.chat.options).toEqual({ temperature: 0.2, top_p: 0.5, num_predict: 7 });
    expect(r.stream).toBe(true);
    expect(r.chat.stream).toBe(true);
    expect(r.echo).toMatchObject({ topP: 0.5, temperature: 0.2, maxOutputTokens: 7, truncation: 'disabled', parallelToolCalls: true });
  });

  it('function tools become chat tools; namespace members get the namespace prefix', () => {
    const params = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const r = map({
      input: 'x',
      tools: [
        { type: 'function', name: 'get_weather', description: 'Weather', parameters: params },
        { type: 'namespace', name: 'fs', tools: [{ type: 'function', name: 'read', parameters: null }] },
      ],
    });
    expect(r.chat.tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: params } },
      { type: 'function', function: { name: 'fs.read', parameters: {} } },
    ]);
    expect(r.echo.tools[0]).toEqual({ type: 'function', name: 'get_weather', description: 'Weather', strict: null, parameters: params });
  });

  it('tool_choice none sends no tools', () => {
    expect(map({ input: 'x', tool_choice: 'none', tools: [{ type: 'function', name: 'f' }] }).chat.tools).toBeUndefined();
  });

  it('text.format: json_schema → the schema, json_object → "json", text → none', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(map({ input: 'x', text: { format: { type: 'json_schema', name: 'a', schema, strict: true } } }).chat.format).toEqual(schema);
    expect(map({ input: 'x', text: { format: { type: 'json_object' } } }).chat.format).toBe('json');
    expect(map({ input: 'x', text: { format: { type: 'text' } } }).chat.format).toBeUndefined();
  });

  it.each([
    [undefined, undefined],
    ['low', 'low'],
    ['medium', 'medium'],
    ['high', 'high'],
    ['max', 'max'],
    ['minimal', 'low'],
    ['xhigh', 'max'],
    ['ultra', 'max'],
    ['none', false],
  ])('reasoning.effort %s → think %s', (effort, think) => {
    const r = map({ input: 'x', reasoning: effort === undefined ? undefined : { effort } });
    expect(r.chat.think).toBe(think);
  });

  it('an invalid reasoning effort is Ollama’s 400', () => {
    expect(refused({ model: 'm', input: 'x', reasoning: { effort: 'extreme' } })).toEqual({
      status: 400,
      message: 'invalid reasoning value: "extreme" (must be "minimal", "low", "medium", "high", "xhigh", "ultra", "max", or "none")',
    });
  });
});

describe('fromResponsesRequest: bad input is a 400 naming the problem', () => {
  it.each([
    ['not an object', [1], 'json: cannot unmarshal array into Go value of type openai.ResponsesRequest'],
    ['input of the wrong type', { model: 'm', input: 5 }, 'input must be a string or array: json: cannot unmarshal number into Go value of type []json.RawMessage'],
    ['unknown item type', { model: 'm', input: [{ type: 'unknown_type' }] }, 'input[0]: unknown input item type: "unknown_type"'],
    ['missing type', { model: 'm', input: [{ content: 'hello' }] }, "input[0]: input item missing required 'type' field"],
    ['empty type', { model: 'm', input: [{ type: '' }] }, "input[0]: input item missing required 'type' field"],
    ['wrong role', { model: 'm', input: [{ role: 'tool', content: 'x' }] }, 'input[0]: invalid role "tool" (must be "user", "assistant", "system" or "developer")'],
    ['unknown content type', { model: 'm', input: [{ role: 'user', content: [{ type: 'audio' }] }] }, 'input[0]: content[0]: unknown content type: audio'],
    ['content of the wrong type', { model: 'm', input: [{ role: 'user', content: 3 }] }, 'input[0]: content must be a string or array'],
    ['an http image URL', { model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', detail: 'auto', image_url: 'https://example.com/a.png' }] }] }, 'image URLs are not currently supported, please use base64 encoded data instead'],
    ['an image URL that is not a string', { model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', image_url: 5 }] }] }, 'input[0]: content[0]: image_url must be a string'],
    ['a file', { model: 'm', input: [{ role: 'user', content: [{ type: 'input_file', file_data: 'eA==' }] }] }, 'file inputs are not currently supported'],
    ['bad call arguments', { model: 'm', input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '[1]' }] }, 'failed to parse function call arguments: arguments must be a JSON object'],
    ['a built-in tool', { model: 'm', input: 'x', tools: [{ type: 'web_search' }] }, 'tools[0]: tool type "web_search" is not supported (only "function" and "namespace" tools are; built-in tools such as web_search are not available)'],
    ['a nameless function tool', { model: 'm', input: 'x', tools: [{ type: 'function' }] }, 'tools[0]: a function tool needs a name'],
    ['tool_choice required', { model: 'm', input: 'x', tool_choice: 'required' }, 'tool_choice "required" is not supported (only "auto" and "none")'],
    ['previous_response_id', { model: 'm', input: 'x', previous_response_id: 'resp_1' }, 'previous_response_id is not supported: responses are not stored, send the whole conversation in input'],
    ['conversation', { model: 'm', input: 'x', conversation: 'conv_1' }, 'conversation is not supported: responses are not stored, send the whole conversation in input'],
    ['background', { model: 'm', input: 'x', background: true }, 'background mode is not supported'],
    ['an unknown include', { model: 'm', input: 'x', include: ['message.output_text.logprobs'] }, 'include "message.output_text.logprobs" is not supported'],
    ['top_logprobs', { model: 'm', input: 'x', top_logprobs: 3 }, 'top_logprobs is not supported'],
    ['a text format type', { model: 'm', input: 'x', text: { format: { type: 'xml' } } }, 'text.format.type "xml" is not supported (must be "text", "json_object" or "json_schema")'],
    ['json_schema without a schema', { model: 'm', input: 'x', text: { format: { type: 'json_schema' } } }, 'text.format.schema must be a JSON schema object'],
    ['verbosity', { model: 'm', input: 'x', text: { verbosity: 'low' } }, 'text.verbosity "low" is not supported (only "medium")'],
    ['temperature as a string', { model: 'm', input: 'x', temperature: 'hot' }, 'json: cannot unmarshal string into Go struct field ResponsesRequest.temperature of type float64'],
    ['max_output_tokens as a fraction', { model: 'm', input: 'x', max_output_tokens: 1.5 }, 'json: cannot unmarshal number into Go struct field ResponsesRequest.max_output_tokens of type int'],
    ['stream as a string', { model: 'm', input: 'x', stream: 'yes' }, 'json: cannot unmarshal string into Go struct field ResponsesRequest.stream of type bool'],
  ])('%s', (_name, body, message) => {
    expect(refused(body)).toEqual({ status: 400, message });
  });

  it('accepts what does not change the answer: store, include of reasoning, metadata, user', () => {
    expect(refused({ model: 'm', input: 'x', store: true, include: ['reasoning.encrypted_content'], metadata: { a: '1' }, user: 'u', tool_choice: 'auto', text: { verbosity: 'medium' } })).toBeUndefined();
  });
});
