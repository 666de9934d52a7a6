/**
 * The GGUF chat template fed as llama-server (llama.cpp de3ff81) feeds it for Ollama 0.33:
 * messages, tools, enable_thinking, BOS/EOS, continuation of a final assistant message, and the
 * workarounds of common/chat.cpp. Expected values come from reading that C++ (file:line cited;
 * chat.cpp is common/chat.cpp).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Message, Tool } from '../../../src/api/types.js';
import { handlerFor, JinjaError, renderChatTemplate, supportsEnableThinking, templateCaps, templateMessages, type ChatTemplateVocab } from '../../../src/prompt/jinja/index.js';
import { funcArgsNotString, patchSource, requiresNonNullContent, systemMessageNotSupported } from '../../../src/prompt/jinja/llamacpp.js';

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
    // chat.cpp:242-260 to_json_oaicompat: {type, function: {name, arguments}, id}
    expect(templateMessages([call], 'string')).toEqual([
      { role: 'assistant', content: '', tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{"b":1,"a":"\\u003cx\\u003e"}' }, id: 'call_1' }] },
    ]);
    const [m] = templateMessages([call], 'object');
    expect(JSON.stringify(m)).toBe('{"role":"assistant","content":"","tool_calls":[{"type":"function","function":{"name":"f","arguments":{"b":1,"a":"<x>"}},"id":"call_1"}]}');
  });
  it('keys in llama.cpp’s order (role, content, name, tool_call_id, tool_calls); earlier thinking is not passed', () => {
    // chat.cpp:191-241; Ollama's llamaServerChatMessage sends no thinking
    const [t, a] = templateMessages([{ role: 'tool', content: 'ok', tool_name: 'f', tool_call_id: 'call_1' }, { role: 'assistant', content: 'x', thinking: 'hmm' }]);
    expect(JSON.stringify(t)).toBe('{"role":"tool","content":"ok","name":"f","tool_call_id":"call_1"}');
    expect(a).toEqual({ role: 'assistant', content: 'x' });
  });
});

describe('variables', () => {
  const probe = '{{ tools is defined }} {{ enable_thinking }} {{ reasoning_effort }} {{ add_generation_prompt }} [{{ bos_token }}] [{{ eos_token }}]';
  const vocab = { bos: '<s>', eos: '</s>', addBos: false, addEos: false };
  it('tools only when the request has some; enable_thinking from think', () => {
    expect(renderChatTemplate({ template: probe, messages: [user('x')], tools: [], think: false, vocab })).toBe('False False  True [<s>] [</s>]');
    // Ollama's chat_template_kwargs {enable_thinking, reasoning_effort}; caps.cpp:30-34 also sets reasoning_strength
    expect(renderChatTemplate({ template: probe, messages: [user('x')], tools: [TOOL], think: 'high', vocab })).toBe('True True high True [<s>] [</s>]');
    expect(renderChatTemplate({ template: '{{ reasoning_strength }}', messages: [user('x')], think: 'low', vocab })).toBe('low');
  });

  it('without think: on only when llama.cpp finds reasoning markers (server-context.cpp:1460-1464)', () => {
    // A template that merely prints enable_thinking has no reasoning markers (chat-diff-analyzer.cpp:530-612).
    expect(renderChatTemplate({ template: probe, messages: [user('x')], vocab })).toBe('False False  True [<s>] [</s>]');
    expect(supportsEnableThinking(tpl('qwen3'))).toBe(true);
    // old Qwen/DeepSeek templates (content.split('</think>')): chat-diff-analyzer.cpp:38-48
    expect(supportsEnableThinking(tpl('qwq'))).toBe(true);
    expect(supportsEnableThinking(tpl('deepseek-r1-distill'))).toBe(true);
    expect(supportsEnableThinking(tpl('phi-4'))).toBe(false);
  });

  it('datetime and date_string for every template (chat.cpp:1080-1088)', () => {
    for (const template of ['{{ datetime }}|{{ date_string }}', tpl('phi-4').replace('{% for', '{{ datetime }}|{{ date_string }}{% for')]) {
      expect(renderChatTemplate({ template, messages: [user('x')], vocab: none, now }).startsWith('Jul 04 2026|04 Jul 2026')).toBe(true);
    }
  });

  it('tools as llama.cpp re-encodes them: type, function {name, description, parameters} (chat.cpp:568-585)', () => {
    const out = renderChatTemplate({ template: '{{ tools | tojson }}', messages: [user('x')], tools: [TOOL], vocab: none });
    expect(out).toBe('[{"type": "function", "function": {"name": "get_weather", "description": "Weather", "parameters": {"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}}}}]');
    const bare = { type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } } as Tool;
    expect(renderChatTemplate({ template: '{{ tools[0].function | tojson }}', messages: [user('x')], tools: [bare], vocab: none })).toBe('{"name": "now", "description": "", "parameters": {"type": "object", "properties": {}}}');
  });
});

describe('BOS, EOS and continuation', () => {
  const t = '{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}{{ eos_token }}';
  it('a leading BOS goes when the tokenizer adds one; a trailing EOS when it appends one (chat.cpp:957-962)', () => {
    expect(renderChatTemplate({ template: t, messages: [user('hi')], vocab: { bos: '<s>', eos: '</s>', addBos: true, addEos: false } })).toBe('[user]hi[assistant]</s>');
    expect(renderChatTemplate({ template: t, messages: [user('hi')], vocab: { bos: '<s>', eos: '</s>', addBos: false, addEos: true } })).toBe('<s>[user]hi[assistant]');
  });
  it('a final assistant message is continued: the rest, the generation prompt, its content (chat-auto-parser-generator.cpp:45-62)', () => {
    const msgs: Message[] = [user('hi'), { role: 'assistant', content: 'Once upon' }];
    expect(renderChatTemplate({ template: t, messages: msgs, think: false, vocab: none })).toBe('[user]hi[assistant]Once upon');
    // de3ff81 has no "prefill is incompatible with enable_thinking" error any more
    expect(renderChatTemplate({ template: t, messages: msgs, think: true, vocab: none })).toBe('[user]hi[assistant]Once upon');
    expect(renderChatTemplate({ template: tpl('phi-4'), messages: [user('hi'), { role: 'assistant', content: 'Once' }], vocab: none })).toBe('<|im_start|>user<|im_sep|>hi<|im_end|><|im_start|>assistant<|im_sep|>Once');
  });
  it('an empty final assistant message continues nothing: no generation prompt (chat-auto-parser.h:75-77)', () => {
    expect(renderChatTemplate({ template: t, messages: [user('hi'), { role: 'assistant', content: '' }], vocab: none })).toBe('[user]hi');
  });
  it('continuing closes the reasoning block the template opens (Qwen3 markers "<think>\\n" … "\\n</think>\\n\\n")', () => {
    const msgs: Message[] = [user('hi'), { role: 'assistant', content: 'Once' }];
    const want = '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nOnce';
    expect(renderChatTemplate({ template: tpl('qwen3'), messages: msgs, vocab: none })).toBe(want);
    expect(renderChatTemplate({ template: tpl('qwen3'), messages: msgs, think: false, vocab: none })).toBe(want);
    // QwQ: fixed markers <think>/</think> (chat-diff-analyzer.cpp:38-48); the opened "<think>\n" is cut at the marker
    expect(renderChatTemplate({ template: tpl('qwq'), messages: msgs, vocab: none })).toBe('<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think></think>Once');
  });
  it('refuses what llama-server refuses (server-common.cpp:1302-1317)', () => {
    const two: Message[] = [user('hi'), { role: 'assistant', content: 'a' }, { role: 'assistant', content: 'b' }];
    expect(() => renderChatTemplate({ template: t, messages: two, vocab: none })).toThrow(new JinjaError('Cannot have 2 or more assistant messages at the end of the list.', 'render'));
    const calls: Message[] = [user('hi'), { role: 'assistant', content: '', tool_calls: [{ function: { index: 0, name: 'f', arguments: {} } }] }];
    expect(() => renderChatTemplate({ template: t, messages: calls, vocab: none })).toThrow(new JinjaError('Cannot continue an assistant message that contains tool calls.', 'render'));
  });
});

describe('llama.cpp workarounds (chat.cpp:1002-1078, applied at 1225-1292)', () => {
  const roles = '{% for m in messages %}{{ m.role }}:{{ m.content }};{% endfor %}';
  it('developer becomes system, except for GPT-OSS templates (chat.cpp:1273-1276)', () => {
    const msgs = [{ role: 'developer', content: 'rules' }, user('hi')] as Message[];
    expect(renderChatTemplate({ template: roles, messages: msgs, vocab: none })).toBe('system:rules;user:hi;');
    expect(renderChatTemplate({ template: `{#<|channel|>#}${roles}`, messages: msgs, vocab: none })).toBe('developer:rules;user:hi;');
  });

  it('no system role: the system message is merged into the next as "system\\nnext" (chat.cpp:1016-1030)', () => {
    expect(templateCaps(tpl('gemma2')).systemRole).toBe(false);
    expect(templateCaps(tpl('gemma3')).systemRole).toBe(true);
    expect(renderChatTemplate({ template: tpl('gemma2'), messages: [{ role: 'system', content: 'Be brief.' }, user('hi')], vocab: none })).toBe('<start_of_turn>user\nBe brief.\nhi<end_of_turn>\n<start_of_turn>model\n');
    // alone, it is dropped
    expect(renderChatTemplate({ template: tpl('gemma2'), messages: [{ role: 'system', content: 'Be brief.' }], vocab: none })).toBe('<start_of_turn>model\n');
    const m = [{ role: 'system', content: 'S' }, { role: 'user', content: 'U' }];
    systemMessageNotSupported(m);
    expect(m).toEqual([{ role: 'user', content: 'S\nU' }]);
  });

  it('tool calls without content get content "" (chat.cpp:1032-1039)', () => {
    const m: Record<string, unknown>[] = [{ role: 'assistant', tool_calls: [] }, { role: 'user', content: 'x' }];
    requiresNonNullContent(m);
    expect(m).toEqual([{ role: 'assistant', tool_calls: [], content: '' }, { role: 'user', content: 'x' }]);
  });

  it('arguments as objects for templates that read them so (caps.cpp:215-307, chat.cpp:1041-1060)', () => {
    const m = [{ role: 'assistant', content: '', tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }];
    funcArgsNotString(m);
    expect(m[0].tool_calls[0].function.arguments).toEqual({ a: 1 });
    expect(() => funcArgsNotString([{ role: 'assistant', tool_calls: [{ function: { arguments: '{' } }] }])).toThrow(/Failed to parse tool call arguments as JSON/);
    expect(templateCaps(tpl('qwen3')).objectArguments).toBe(true);
    expect(templateCaps(tpl('deepseek-r1-distill')).objectArguments).toBe(false);
    const msgs: Message[] = [user('w?'), { role: 'assistant', content: '', tool_calls: [{ function: { index: 0, name: 'get_weather', arguments: { city: 'Oslo' } } }] }, { role: 'tool', content: 'sunny' }];
    for (const name of ['qwen2.5', 'qwen3']) {
      const out = renderChatTemplate({ template: tpl(name), messages: msgs, tools: [TOOL], vocab: none });
      expect(out).toContain('<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo"}}\n</tool_call>');
    }
  });

  it('StepFun templates get every content trimmed (chat.cpp:1230-1240)', () => {
    const body = '{% for m in messages %}[{{ m.content }}]{% endfor %}';
    const step = `{#- You have access to the following functions in JSONSchema format -#}${body}`;
    expect(renderChatTemplate({ template: step, messages: [user('  hi \n')], vocab: none })).toBe('[hi]');
    expect(renderChatTemplate({ template: body, messages: [user('  hi \n')], vocab: none })).toBe('[  hi \n]');
  });

  it('templates that only take typed content get text parts (chat.cpp:477-536)', () => {
    const typed = '{% for m in messages %}{% for p in m.content %}{{ p.text }}{% endfor %}{% endfor %}';
    expect(templateCaps(typed)).toMatchObject({ stringContent: false, typedContent: true });
    expect(renderChatTemplate({ template: typed, messages: [user('hi')], vocab: none })).toBe('hi');
  });

  it('no date_string/builtin_tools/JSON system prompt/</think> tweaks from older llama.cpp', () => {
    // Llama 3.1: tools_in_user_message is not set any more, so the template's default puts tools in the user message.
    const out = renderChatTemplate({ template: tpl('llama-3.1'), messages: [user('hi')], tools: [TOOL], vocab: none, now });
    expect(out.startsWith('<|start_header_id|>system<|end_header_id|>\n\nEnvironment: ipython\nCutting Knowledge Date: December 2023\nToday Date: 04 Jul 2026\n\n<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nGiven the following functions')).toBe(true);
    const plain = renderChatTemplate({ template: tpl('phi-4'), messages: [{ role: 'system', content: 'Be brief.' }, user('hi')], tools: [TOOL], vocab: none });
    expect(plain).toBe('<|im_start|>system<|im_sep|>Be brief.<|im_end|><|im_start|>user<|im_sep|>hi<|im_end|><|im_start|>assistant<|im_sep|>');
    expect(renderChatTemplate({ template: tpl('qwq'), messages: [user('hi')], think: false, vocab: none })).toBe('<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n');
  });

  it('template source fixes made at load (chat.cpp:788-803)', () => {
    const cond = "{%- if (message['content'] is none or message['content'] == '' or message['content']|length == 0) and (message['tool_calls'] is not defined or message['tool_calls'] is none or message['tool_calls']|length == 0) %}";
    expect(patchSource(`[TOOL_CALLS]${cond}`)).toBe('[TOOL_CALLS]{%- if false %}');
    expect(patchSource(cond)).toBe(cond);
  });

  it('specialized handlers are chosen by marker text in llama.cpp’s order (chat.cpp:1090-1222)', () => {
    expect(handlerFor(tpl('qwen3'))).toBe('auto');
    expect(handlerFor('<tool_call>\n<function=x>\n<parameter=y>')).toBe('qwen3-coder');
    expect(handlerFor('<|tool_call>call:')).toBe('auto');
    expect(handlerFor("x '<|tool_call>call:' y")).toBe('gemma4');
    expect(handlerFor('<|channel|>')).toBe('gpt-oss');
  });

  it('Gemma 4 opens the model turn after a closed one; Qwen3-Coder continues with its own prefix', () => {
    const g4 = "{#- '<|tool_call>call:' -#}{% for m in messages %}<|turn>{{ m.role }}\n{{ m.content }}<turn|>\n{% endfor %}";
    // parsers/gemma4.cpp:158-164
    expect(renderChatTemplate({ template: g4, messages: [user('hi')], vocab: none })).toBe('<|turn>user\nhi<turn|>\n<|turn>model\n');
    // parsers/gemma4.cpp:184-194
    expect(renderChatTemplate({ template: g4, messages: [user('hi'), { role: 'assistant', content: 'So' }], vocab: none })).toBe('<|turn>user\nhi<turn|>\n<|turn>model\n<|channel>thought\n<channel|>So');
    // parsers/qwen3-coder.cpp:44-59
    const qc = "{#- <tool_call> <function= <parameter= -#}{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}";
    expect(renderChatTemplate({ template: qc, messages: [user('hi'), { role: 'assistant', content: 'So' }], vocab: none })).toBe('<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nSo');
  });

  it('each specialized handler continues with its own prefix and an empty reasoning block (common/parsers/*.cpp)', () => {
    const loop = '{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}';
    const msgs: Message[] = [user('hi'), { role: 'assistant', content: 'So' }];
    const cases: Array<[string, string]> = [
      ['{#<|tool_calls_section_begin|><|tool_call_begin|>#}', '<|im_assistant|>assistant<|im_middle|><think></think>So'], // kimi-k2.cpp:33-48
      ['{#<|tool_list_start|><|tool_list_end|>#}', '<|im_start|>assistant\n<think></think>So'], // lfm2.cpp:23-25, 56-64
      ['{#dsml_token DSML function_calls#}', '<｜Assistant｜><think></think>So'], // deepseek.cpp:127-141 (V3.2)
      ['{#dsml_token DSML tool_calls#}', '<｜Assistant｜></think>So'], // deepseek.cpp:127-141 (V4)
      ['{#<role>ASSISTANT</role><arg_key>#}', '<role>ASSISTANT</role>\n<think></think>So'], // ling3.cpp:20-22
      ['{#<|role_sep|><|message_sep|>#}', 'assistant<|role_sep|>\nSo'], // gigachat-v3.cpp
    ];
    for (const [marker, tail] of cases) {
      expect(renderChatTemplate({ template: marker + loop, messages: msgs, think: false, vocab: none })).toBe(`<user>hi${tail}`);
    }
  });

  it('Ministral 3 gets system and assistant content as text blocks (parsers/ministral3.cpp:7-45, 64-73)', () => {
    const t = '{#[SYSTEM_PROMPT][TOOL_CALLS][ARGS]#}{% for m in messages %}{{ m.role }}={{ m.content | tojson }};{% endfor %}';
    const out = renderChatTemplate({ template: t, messages: [{ role: 'system', content: 'S' }, user('U'), { role: 'assistant', content: 'A' }, user('V'), { role: 'assistant', content: 'B' }], think: false, vocab: none });
    expect(out).toBe('system=[{"type": "text", "text": "S"}];user="U";assistant=[{"type": "text", "text": "A"}];user="V";[THINK][/THINK]B');
  });
});
