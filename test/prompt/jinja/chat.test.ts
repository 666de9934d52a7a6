/**
 * The GGUF chat template fed as llama-server feeds it for Ollama 0.33: messages, tools,
 * enable_thinking, BOS/EOS, assistant prefill, and the llama.cpp handlers that change a prompt.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Message, Tool } from '../../../src/api/types.js';
import { handlerFor, JinjaError, renderChatTemplate, supportsEnableThinking, templateMessages, type ChatTemplateVocab } from '../../../src/prompt/jinja/index.js';

const tpl = (name: string) => readFileSync(join(import.meta.dirname, 'templates', `${name}.jinja`), 'utf8');
const none: ChatTemplateVocab = { bos: '', eos: '', addBos: false, addEos: false };
const now = new Date(2026, 6, 4, 9, 5, 3);
const TOOL: Tool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } } },
} as Tool;
const user = (content: string): Message => ({ role: 'user', content });

describe('messages as the template sees them', () => {
  const call: Message = { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', function: { index: 0, name: 'f', arguments: { b: 1, a: '<x>' } } }] };
  it('tool calls in OpenAI form, arguments as Go’s JSON text or as an object', () => {
    expect(templateMessages([call], 'string')).toEqual([
      { role: 'assistant', content: '', tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{"b":1,"a":"\\u003cx\\u003e"}' }, id: 'call_1' }] },
    ]);
    const [m] = templateMessages([call], 'object');
    expect(JSON.stringify(m)).toBe('{"role":"assistant","content":"","tool_calls":[{"type":"function","function":{"name":"f","arguments":{"b":1,"a":"<x>"}},"id":"call_1"}]}');
  });
  it('tool results carry name and tool_call_id; earlier thinking is not passed', () => {
    expect(templateMessages([{ role: 'tool', content: 'ok', tool_name: 'f', tool_call_id: 'call_1' }, { role: 'assistant', content: 'x', thinking: 'hmm' }], 'string')).toEqual([
      { role: 'tool', content: 'ok', name: 'f', tool_call_id: 'call_1' },
      { role: 'assistant', content: 'x' },
    ]);
  });
});

describe('variables', () => {
  const probe = '{{ tools is defined }} {{ enable_thinking }} {{ reasoning_effort }} {{ add_generation_prompt }} [{{ bos_token }}] [{{ eos_token }}]';
  it('tools only when the request has some; enable_thinking from think, else whether the template uses it', () => {
    const vocab = { bos: '<s>', eos: '</s>', addBos: false, addEos: false };
    expect(renderChatTemplate({ template: probe, messages: [user('x')], vocab })).toBe('False True  True [<s>] [</s>]');
    expect(renderChatTemplate({ template: '{{ enable_thinking }}', messages: [user('x')], vocab })).toBe('True');
    expect(renderChatTemplate({ template: '{{ messages[0].content }} {{ enable_thinking is defined }}', messages: [user('x')], vocab })).toBe('x True');
    expect(supportsEnableThinking(tpl('qwen3'))).toBe(true);
    expect(supportsEnableThinking(tpl('qwq'))).toBe(true);
    expect(supportsEnableThinking(tpl('phi-4'))).toBe(false);
    expect(renderChatTemplate({ template: probe, messages: [user('x')], tools: [], think: false, vocab })).toBe('False False  True [<s>] [</s>]');
    expect(renderChatTemplate({ template: probe, messages: [user('x')], tools: [TOOL], think: 'high', vocab })).toBe('True True high True [<s>] [</s>]');
  });

  it('tools keep Ollama’s Go field order', () => {
    const out = renderChatTemplate({ template: '{{ tools | tojson }}', messages: [user('x')], tools: [TOOL], vocab: none });
    expect(out).toBe('[{"type": "function", "function": {"name": "get_weather", "description": "Weather", "parameters": {"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}}}}]');
  });
});

describe('BOS, EOS and prefill', () => {
  const t = '{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}{{ eos_token }}';
  it('a leading BOS goes when the tokenizer adds one; a trailing EOS when it appends one', () => {
    expect(renderChatTemplate({ template: t, messages: [user('hi')], vocab: { bos: '<s>', eos: '</s>', addBos: true, addEos: false } })).toBe('[user]hi[assistant]</s>');
    expect(renderChatTemplate({ template: t, messages: [user('hi')], vocab: { bos: '<s>', eos: '</s>', addBos: false, addEos: true } })).toBe('<s>[user]hi[assistant]');
  });
  it('a final assistant message is continued, not closed', () => {
    const msgs: Message[] = [user('hi'), { role: 'assistant', content: 'Once upon' }];
    expect(renderChatTemplate({ template: t, messages: msgs, think: false, vocab: none })).toBe('[user]hi[assistant]Once upon');
  });
  it('prefill works for templates without thinking when think is unset', () => {
    const msgs: Message[] = [user('hi'), { role: 'assistant', content: 'Once' }];
    expect(renderChatTemplate({ template: tpl('phi-4'), messages: msgs, vocab: none })).toBe('<|im_start|>user<|im_sep|>hi<|im_end|><|im_start|>assistant<|im_sep|>Once');
  });

  it('prefill with thinking on is refused, as llama-server refuses it', () => {
    const msgs: Message[] = [user('hi'), { role: 'assistant', content: 'Once' }];
    expect(() => renderChatTemplate({ template: t, messages: msgs, think: true, vocab: none })).toThrow(new JinjaError('Assistant response prefill is incompatible with enable_thinking.', 'render'));
  });
});

describe('llama.cpp handlers', () => {
  it('are chosen by marker text', () => {
    expect(handlerFor(tpl('qwen2.5'), false)).toBe('hermes');
    expect(handlerFor(tpl('deepseek-r1-distill'), false)).toBe('deepseek-r1');
    expect(handlerFor(tpl('llama-3.1'), false)).toBe('llama-3.x');
    expect(handlerFor(tpl('mistral-v0.3'), true)).toBe('mistral-nemo');
    expect(handlerFor(tpl('phi-4'), false)).toBe('plain');
    expect(handlerFor(tpl('phi-4'), true)).toBe('generic');
  });

  it('Llama 3.x: today’s date_string, tools in the system message, built-in tools named', () => {
    const out = renderChatTemplate({ template: tpl('llama-3.1'), messages: [user('hi')], tools: [TOOL], vocab: none, now });
    expect(out.startsWith('<|start_header_id|>system<|end_header_id|>\n\nEnvironment: ipython\nCutting Knowledge Date: December 2023\nToday Date: 04 Jul 2026\n\nYou have access to the following functions.')).toBe(true);
    expect(out.endsWith('<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n')).toBe(true);
    const search = { type: 'function', function: { name: 'brave_search', parameters: { type: 'object', properties: {} } } } as Tool;
    const b = renderChatTemplate({ template: tpl('llama-3.1'), messages: [user('hi')], tools: [search], vocab: none, now });
    expect(b).toContain('Environment: ipython\nTools: brave_search\n\n');
  });

  it('a prompt left in an opened <think> is closed when thinking is off (QwQ)', () => {
    expect(renderChatTemplate({ template: tpl('qwq'), messages: [user('hi')], think: false, vocab: none })).toBe('<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n</think>');
    expect(renderChatTemplate({ template: tpl('qwq'), messages: [user('hi')], think: true, vocab: none })).toBe('<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n');
  });

  it('the generic handler asks for JSON in the system message when tools are given', () => {
    const out = renderChatTemplate({ template: tpl('phi-4'), messages: [{ role: 'system', content: 'Be brief.' }, user('hi')], tools: [TOOL], vocab: none });
    expect(out).toBe(
      "<|im_start|>system<|im_sep|>Be brief.\n\nRespond in JSON format, either with `tool_call` (a request to call tools) or with `response` reply to the user's request<|im_end|><|im_start|>user<|im_sep|>hi<|im_end|><|im_start|>assistant<|im_sep|>",
    );
  });

  it('tool-call arguments: an object for templates that tojson them, the JSON text otherwise', () => {
    const msgs: Message[] = [user('w?'), { role: 'assistant', content: '', tool_calls: [{ function: { index: 0, name: 'get_weather', arguments: { city: 'Oslo' } } }] }];
    const q25 = renderChatTemplate({ template: tpl('qwen2.5'), messages: [...msgs, { role: 'tool', content: 'sunny' }], tools: [TOOL], vocab: none });
    expect(q25).toContain('<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo"}}\n</tool_call>');
    const q3 = renderChatTemplate({ template: tpl('qwen3'), messages: [...msgs, { role: 'tool', content: 'sunny' }], tools: [TOOL], vocab: none });
    expect(q3).toContain('<tool_call>\n{"name": "get_weather", "arguments": {"city":"Oslo"}}\n</tool_call>');
  });
});
