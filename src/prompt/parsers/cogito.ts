/**
 * cogito: the DeepSeek-style parser with cogito's rules — thinking only when `think` is on, no
 * tools were given and the last message is not an assistant prefill with content; a call is
 * `TYPE<｜tool▁sep｜>NAME\n```json\n{…}\n```` ; tool output blocks are dropped.
 */
import type { ToolCall } from '../../api/types.js';
import { DeepSeekStyleParser, OUTPUTS_BEGIN, OUTPUTS_END, type DeepSeekStyle } from './deepseek3.js';
import { trimSpace } from './text.js';
import { thinkBool } from './types.js';

/** `function<｜tool▁sep｜>NAME\n```json\nARGS\n```` ; null when it is not that shape. */
export function parseCogitoToolCall(content: string): ToolCall | null {
  const i = content.indexOf('<｜tool▁sep｜>');
  if (i < 0) return null;
  const rest = content.slice(i + '<｜tool▁sep｜>'.length);
  const js = rest.indexOf('\n```json\n');
  if (js < 0) return null;
  const name = trimSpace(rest.slice(0, js));
  const body = rest.slice(js + '\n```json\n'.length);
  const end = body.indexOf('\n```');
  if (end < 0) return null;
  let args: unknown;
  try {
    args = JSON.parse(body.slice(0, end));
  } catch {
    return null;
  }
  if (args !== null && (typeof args !== 'object' || Array.isArray(args))) return null;
  return { function: { index: 0, name, arguments: (args ?? {}) as Record<string, unknown> } };
}

const COGITO: DeepSeekStyle = {
  startsThinking: (tools, last, think) => thinkBool(think) && !(last !== null && last.role === 'assistant' && (last.content ?? '') !== '') && !(tools && tools.length > 0),
  parseCall: parseCogitoToolCall,
  outputs: 'skip',
  extraTokens: [OUTPUTS_BEGIN, OUTPUTS_END],
};

export class CogitoParser extends DeepSeekStyleParser {
  constructor() {
    super(COGITO, true);
  }
}
