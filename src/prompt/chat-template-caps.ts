/**
 * What a GGUF's own Jinja `tokenizer.chat_template` can do, judged by its text as Ollama 0.33
 * judges it (server/images.go): `tools` when it mentions tools, `thinking` when it has both
 * think tags (or strips earlier reasoning at `</think>`), and whether it can carry a whole tool
 * round trip (calls and results). Also the Go-template side of the choice between the two.
 */
import type { OllamaTemplate } from '../template/index.js';

export function chatTemplateHasTools(t: string): boolean {
  return t.includes('tools') || t.includes('tool_call');
}

export function chatTemplateHasThinking(t: string): boolean {
  if (t.includes('<think>') && t.includes('</think>')) return true;
  return (t.includes("content.split('</think>')") || t.includes('content.split("</think>")')) && !t.includes('reasoning_content') && !t.includes('<SPECIAL_12>');
}

const TOOL_ROLE_TESTS = [
  'tool_response',
  'tool_results',
  "role'] == 'tool'",
  `role'] == "tool"`,
  `role"] == 'tool'`,
  `role"] == "tool"`,
  "message.role == 'tool'",
  'message.role == "tool"',
  'ipython',
];

export function chatTemplateHasToolRoundTrip(t: string): boolean {
  if (!chatTemplateHasTools(t)) return false;
  const calls = t.includes('tool_calls') || t.includes('assistant_tool_call');
  return calls && TOOL_ROLE_TESTS.some((s) => t.includes(s));
}

/** The capabilities the chat template adds (`tools`, `thinking`), in Ollama's order. */
export function chatTemplateCapabilities(t: string): string[] {
  if (t === '') return [];
  const out: string[] = [];
  if (chatTemplateHasTools(t)) out.push('tools');
  if (chatTemplateHasThinking(t)) out.push('thinking');
  return out;
}

export function goTemplateHasToolRoundTrip(t: OllamaTemplate): boolean {
  if (!t.vars.includes('tools') || !t.vars.includes('toolcalls')) return false;
  return t.raw.includes('eq .Role "tool"') || t.raw.includes('tool_response') || t.raw.includes('TOOL_RESULTS');
}

/**
 * Ollama's shouldPreferChatTemplate: the GGUF's template wins over the Go template when it can
 * do more, unless only the Go template carries whole tool round trips; with equal capabilities
 * including tools, it wins when only it carries round trips.
 */
export function preferChatTemplate(chat: string, chatCaps: readonly string[], go: OllamaTemplate, goCaps: readonly string[]): boolean {
  if (chatCaps.length > goCaps.length) return !goTemplateHasToolRoundTrip(go) || chatTemplateHasToolRoundTrip(chat);
  const same = chatCaps.length === goCaps.length && chatCaps.every((c) => goCaps.includes(c));
  if (!same || !chatCaps.includes('tools') || !goCaps.includes('tools')) return false;
  return chatTemplateHasToolRoundTrip(chat) && !goTemplateHasToolRoundTrip(go);
}
