/**
 * What llama.cpp de3ff81 (the release node-llama-cpp 3.22.1 bundles, which Ollama 0.33 runs as
 * llama-server) does around a Jinja chat template, for what changes the prompt text. Line
 * numbers are of common/chat.cpp at that commit unless said otherwise.
 *   - template source patches (chat.cpp:788-803, common_chat_templates_init);
 *   - message workarounds (chat.cpp:1002-1078, applied at 1273-1292): developer → system except
 *     GPT-OSS, first system message merged into the next one when the template has no system
 *     role, empty content beside tool calls, tool-call arguments as objects, StepFun trimming;
 *   - the extra variables every template gets (chat.cpp:1080-1088): `datetime`, `date_string`;
 *   - the specialized handler that builds the prompt (chat.cpp:1090-1222) and its continuation of
 *     a final assistant message (common/parsers/*.cpp, chat-auto-parser-generator.cpp:45-62).
 */
import { strftime } from './strftime.js';

/** chat.cpp:788-803: two template fixes made when the template is loaded. */
export function patchSource(src: string): string {
  let out = src;
  if (out.includes('<|channel|>') && out.includes('in message.content or')) {
    out = out.replaceAll('{%- if "<|channel|>analysis<|message|>" in message.content or "<|channel|>final<|message|>" in message.content %}', '{%- if false %}');
  }
  if (out.includes('[TOOL_CALLS]') && out.includes("if (message['content'] is none or")) {
    out = out.replaceAll(
      "{%- if (message['content'] is none or message['content'] == '' or message['content']|length == 0) and (message['tool_calls'] is not defined or message['tool_calls'] is none or message['tool_calls']|length == 0) %}",
      '{%- if false %}',
    );
  }
  return out;
}

export type Handler =
  | 'ministral-3' | 'gpt-oss' | 'muse-glimmer' | 'functionary-v3.2' | 'kimi-k2' | 'kimi-k3' | 'ling-3' | 'cohere2moe'
  | 'lfm2' | 'lfm2.5' | 'gigachat-v3' | 'minimax-m3' | 'deepseek-v3.2' | 'gemma4' | 'minicpm5' | 'qwen3-coder' | 'auto';

/** chat.cpp:1090-1222 common_chat_try_specialized_template: the handler, in llama.cpp's order of tests. */
export function handlerFor(src: string): Handler {
  const has = (s: string) => src.includes(s);
  if (has('[SYSTEM_PROMPT]') && has('[TOOL_CALLS]') && has('[ARGS]') && !has('[CALL_ID]')) return 'ministral-3';
  if (has('<|channel|>')) return 'gpt-oss';
  if (has('<atem:function_calls>') && has('<|eom|>')) return 'muse-glimmer';
  if (has('>>>all') && has('>>>${recipient}')) return 'functionary-v3.2';
  if (has('<|tool_calls_section_begin|>') && has('<|tool_call_begin|>')) return 'kimi-k2';
  if (has('<|open|>') && has('<|close|>') && has('<|end_of_msg|>')) return 'kimi-k3';
  if (has('<role>ASSISTANT</role>') && has('<arg_key>')) return 'ling-3';
  if (has('<|START_TEXT|>') && has('<|START_ACTION|>')) return 'cohere2moe';
  if (has('<|tool_list_start|>') && has('<|tool_list_end|>')) return 'lfm2';
  if (has('List of tools: [') && !has('<|tool_list_start|>')) return 'lfm2.5';
  if (has('<|role_sep|>') && has('<|message_sep|>') && !has('<|function_call|>')) return 'gigachat-v3';
  if (has(']<]minimax[>[') && has('<tool_call>') && has('<invoke name=')) return 'minimax-m3';
  if (has('dsml_token') && has('DSML') && (has('function_calls') || has('tool_calls'))) return 'deepseek-v3.2';
  if (has("'<|tool_call>call:'")) return 'gemma4';
  if (has('Tool usage guidelines:') && has('<function name="') && has('<param name="')) return 'minicpm5';
  if (has('<tool_call>') && has('<function=') && has('<parameter=') && !has("'<tool_call><function=' ~ tool_call.name ~ '>'")) return 'qwen3-coder';
  return 'auto';
}

export type JsonMessage = Record<string, unknown>;

/** chat.cpp:1004-1013, applied at 1273-1276 to every template but GPT-OSS's. */
export function mapDeveloperRole(messages: JsonMessage[]): void {
  for (const m of messages) if (m.role === 'developer') m.role = 'system';
}

/**
 * chat.cpp:1017-1030: a first system message is merged into the next message as
 * `system + "\n" + next` (or dropped when it is the only one).
 */
export function systemMessageNotSupported(messages: JsonMessage[]): void {
  if (messages[0]?.role !== 'system') return;
  if (messages.length > 1) messages[1].content = `${String(messages[0].content)}\n${String(messages[1].content)}`;
  messages.shift();
}

/** chat.cpp:1032-1039: a message with tool calls and no content gets content "". */
export function requiresNonNullContent(messages: JsonMessage[]): void {
  for (const m of messages) if ('tool_calls' in m && !('content' in m)) m.content = '';
}

/** chat.cpp:1041-1060: tool-call arguments given as JSON text are parsed into objects. */
export function funcArgsNotString(messages: JsonMessage[]): void {
  for (const m of messages) {
    if (!Array.isArray(m.tool_calls)) continue;
    for (const tc of m.tool_calls as { function?: { arguments?: unknown } }[]) {
      const fn = tc.function;
      if (fn && typeof fn.arguments === 'string') {
        try {
          fn.arguments = JSON.parse(fn.arguments);
        } catch (err) {
          throw new Error(`Failed to parse tool call arguments as JSON: ${(err as Error).message}`);
        }
      }
    }
  }
}

/** chat-auto-parser-helpers.cpp:12-28 trim_whitespace (C isspace). */
export function trimWhitespace(s: string): string {
  return s.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');
}

/** chat.cpp:1230-1240: StepFun templates get every message's content trimmed. */
export function isStepFun(src: string): boolean {
  return src.includes('You have access to the following functions in JSONSchema format');
}

/** chat.cpp:1080-1088: variables every template gets (the machine's local time). */
export function extraContext(now: Date): Record<string, unknown> {
  return { datetime: strftime(now, '%b %d %Y'), date_string: strftime(now, '%d %b %Y') };
}

/**
 * The text added after the prompt (rendered without the final assistant message and without a
 * generation prompt) to continue that message. `genPrompt` is what the generation prompt adds
 * (chat.cpp:974-994). Ollama never sends reasoning_content, so the continuation is always of
 * the content (chat.cpp:1258-1266).
 */
export function continuation(src: string, prompt: string, genPrompt: string, content: string, markers: { start: string; end: string }): string {
  // Each handler's `has_continuation()` branch, with an empty reasoning_content.
  switch (handlerFor(src)) {
    case 'ministral-3':
      return '[THINK]' + '[/THINK]' + content; // parsers/ministral3.cpp:64-73
    case 'gpt-oss':
      return '<|start|>assistant<|channel|>analysis<|message|>' + '<|end|><|start|>assistant<|channel|>final<|message|>' + content; // parsers/gpt-oss.cpp:54-64
    case 'muse-glimmer':
      return '<|start|>assistant to=self<|message|>' + '<|eom|><|start|>assistant to=user<|message|>' + content; // parsers/muse-glimmer.cpp
    case 'functionary-v3.2':
      return '<|start_header_id|>assistant<|end_header_id|>\n\n>>>all\n' + content; // parsers/functionary-v3-2.cpp
    case 'kimi-k2':
      return '<|im_assistant|>assistant<|im_middle|>' + '<think>' + '</think>' + content; // parsers/kimi-k2.cpp:33-48
    case 'kimi-k3':
      return '<|open|>message role="assistant"<|sep|>' + '<|open|>think<|sep|>' + '<|close|>think<|sep|>' + '<|open|>response<|sep|>' + content; // parsers/kimi-k3.cpp:18-21
    case 'ling-3':
      return '<role>ASSISTANT</role>\n' + '<think>' + '</think>' + content; // parsers/ling3.cpp:20-22
    case 'cohere2moe':
      return '<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>' + '<|START_THINKING|>' + '<|END_THINKING|>' + '<|START_TEXT|>' + content; // parsers/cohere2moe.cpp:23-38
    case 'lfm2':
    case 'lfm2.5':
      return '<|im_start|>assistant\n' + '<think>' + '</think>' + content; // parsers/lfm2.cpp:23-25, 56-64
    case 'gigachat-v3':
      return 'assistant<|role_sep|>\n' + content; // parsers/gigachat-v3.cpp
    case 'minimax-m3':
      return genPrompt + '<mm:think>' + '</mm:think>' + content; // parsers/minimax-m3.cpp:17-18, 44
    case 'deepseek-v3.2':
      // parsers/deepseek.cpp:127-141: V4 (no "function_calls") without reasoning only closes it
      return src.includes('function_calls') ? '<｜Assistant｜>' + '<think>' + '</think>' + content : '<｜Assistant｜>' + '</think>' + content;
    case 'minicpm5':
      return '<|im_start|>assistant\n<think>\n' + '\n</think>\n\n' + content; // parsers/minicpm5.cpp
    case 'qwen3-coder': {
      // parsers/qwen3-coder.cpp:44-59
      let gen = '<|im_start|>assistant\n';
      if (src.includes('<think>')) gen += '<think>\n' + '\n</think>\n\n';
      return gen + content;
    }
    case 'gemma4':
      // parsers/gemma4.cpp:184-194
      return (prompt.endsWith('<turn|>\n') ? '<|turn>model\n' : '') + '<|channel>thought\n' + '<channel|>' + content;
    default: {
      // chat-auto-parser-generator.cpp:45-62 (markers from ./reasoning.ts)
      let gen = genPrompt;
      if (markers.start !== '') {
        const at = gen.indexOf(markers.start);
        gen = (at < 0 ? gen : gen.slice(0, at)) + markers.start + markers.end;
      }
      return gen + content;
    }
  }
}

/**
 * parsers/ministral3.cpp:7-45: Ministral 3 templates get system and assistant content as a list
 * of blocks (`{"type": "text", "text": …}`).
 */
export function handlerMessages(src: string, messages: JsonMessage[]): void {
  if (handlerFor(src) !== 'ministral-3') return;
  for (const m of messages) {
    if (m.role !== 'system' && m.role !== 'assistant') continue;
    const blocks: unknown[] = [];
    if (typeof m.content === 'string') blocks.push({ type: 'text', text: m.content });
    else if (Array.isArray(m.content)) blocks.push(...(m.content as unknown[]));
    m.content = blocks;
  }
}

/** parsers/gemma4.cpp:158-164: a prompt ending a model turn gets the next model turn opened. */
export function gemma4GenerationFix(src: string, prompt: string): string {
  return handlerFor(src) === 'gemma4' && prompt.endsWith('<turn|>\n') ? `${prompt}<|turn>model\n` : prompt;
}

/**
 * How the model's output is split for a GGUF template (an approximation of llama.cpp's output
 * parsers): thinking between `<think>` and `</think>` when the template has them (Ollama's own
 * test for the thinking capability), tool calls as JSON after the family's tag.
 */
export function outputTags(src: string, hasThinking: boolean): { thinking: { open: string; close: string }; toolPrefix: string } {
  const thinking = hasThinking ? { open: '<think>', close: '</think>' } : { open: '', close: '' };
  const toolPrefix = src.includes('<tool_call>') ? '<tool_call>' : src.includes('[TOOL_CALLS]') ? '[TOOL_CALLS]' : src.includes('<|tool_call|>') ? '<|tool_call|>' : '{';
  return { thinking, toolPrefix };
}
