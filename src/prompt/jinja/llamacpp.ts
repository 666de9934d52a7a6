/**
 * llama.cpp picks a chat "handler" by looking for marker text in the template, and a few
 * handlers change what the template sees or what it produced. Those that change the prompt:
 *   llama-3.x  (`<|start_header_id|>ipython<|end_header_id|>`): `date_string` is today as
 *              `%d %b %Y`, `tools_in_user_message` false, `builtin_tools` the built-in tools
 *              named in the request (when the template knows `<|python_tag|>`);
 *   hermes / qwen (`<tool_call>`) and deepseek-r1 (`<｜tool▁calls▁begin｜>`): a prompt ending in
 *              an opened `<think>\n` is closed (`</think>`) when thinking is off;
 *   generic    (tools given, no handler known): the system message asks for JSON answers.
 * The other handlers render the template as it is.
 */
import type { Tool } from '../../api/types.js';
import { strftime } from './strftime.js';

export type Handler = 'deepseek-r1' | 'command-r7b' | 'granite' | 'hermes' | 'gpt-oss' | 'functionary' | 'llama-3.x' | 'mistral-nemo' | 'plain' | 'generic';

/** The handler llama.cpp chooses for a template (in its order of tests). */
export function handlerFor(src: string, hasTools: boolean): Handler {
  if (src.includes('<｜tool▁calls▁begin｜>')) return 'deepseek-r1';
  if (src.includes('<|END_THINKING|><|START_ACTION|>')) return 'command-r7b';
  if (src.includes('elif thinking') && src.includes('<|tool_call|>')) return 'granite';
  if (src.includes('<tool_call>')) return 'hermes';
  if (src.includes('<|channel|>')) return 'gpt-oss';
  if (src.includes('>>>all')) return 'functionary';
  if (src.includes('<|start_header_id|>ipython<|end_header_id|>')) return 'llama-3.x';
  if (!hasTools) return 'plain';
  if (src.includes('[TOOL_CALLS]')) return 'mistral-nemo';
  return 'generic';
}

const BUILTIN = new Map([
  ['wolfram_alpha', 'wolfram_alpha'],
  ['web_search', 'brave_search'],
  ['brave_search', 'brave_search'],
  ['python', 'code_interpreter'],
  ['code_interpreter', 'code_interpreter'],
]);

/** Extra template variables of the chosen handler. */
export function familyContext(src: string, tools: readonly Tool[] | null, now: Date): Record<string, unknown> {
  if (handlerFor(src, tools !== null) !== 'llama-3.x') return {};
  const builtin: string[] = [];
  if (src.includes('<|python_tag|>')) {
    for (const t of tools ?? []) {
      const name = BUILTIN.get(t.function?.name ?? '');
      if (name && !builtin.includes(name)) builtin.push(name);
    }
  }
  // llama.cpp passes null when there are none, which its engine treats as undefined: left out here.
  return { date_string: strftime(now, '%d %b %Y'), tools_in_user_message: false, ...(builtin.length > 0 ? { builtin_tools: builtin } : {}) };
}

export const GENERIC_SYSTEM = 'Respond in JSON format, either with `tool_call` (a request to call tools) or with `response` reply to the user\'s request';

/** The messages the handler renders (the generic handler adds its instruction to the system message). */
export function familyMessages(src: string, hasTools: boolean, messages: Record<string, unknown>[]): Record<string, unknown>[] {
  if (handlerFor(src, hasTools) !== 'generic') return messages;
  if (messages[0]?.role === 'system') {
    return [{ role: 'system', content: `${String(messages[0].content ?? '')}\n\n${GENERIC_SYSTEM}` }, ...messages.slice(1)];
  }
  return [{ role: 'system', content: GENERIC_SYSTEM }, ...messages];
}

/** The handler's changes to the rendered prompt. */
export function familyPostprocess(src: string, prompt: string, enableThinking: boolean): string {
  const h = handlerFor(src, false);
  if ((h === 'hermes' || h === 'deepseek-r1') && prompt.endsWith('<think>\n') && !enableThinking) return `${prompt}</think>`;
  return prompt;
}

/**
 * How the model's output is split for a GGUF template (an approximation of llama.cpp's output
 * parsers): thinking between `<think>` and `</think>` when the template has them (Ollama's own
 * test for the thinking capability), tool calls as JSON after the family's tag.
 */
export function outputTags(src: string, hasThinking: boolean): { thinking: { open: string; close: string }; toolPrefix: string } {
  const thinking = hasThinking ? { open: '<think>', close: '</think>' } : { open: '', close: '' };
  const h = handlerFor(src, true);
  const toolPrefix = h === 'hermes' ? '<tool_call>' : h === 'mistral-nemo' ? '[TOOL_CALLS]' : h === 'granite' ? '<|tool_call|>' : '{';
  return { thinking, toolPrefix };
}
