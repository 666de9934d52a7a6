/**
 * `qwen3-coder`: ChatML with Qwen3-Coder's XML tool format (`<tools>` of `<function>` blocks in the
 * system turn, `<tool_call><function=…><parameter=…>` in assistant turns, consecutive tool results
 * sharing one user turn). Only the first system message counts.
 */
import type { Message, Tool } from '../../api/types.js';
import { goJSON } from '../../template/json.js';
import { goV, parametersJSON, propertyJSON, propertyTypes } from './gojson.js';
import type { Renderer } from './types.js';

export const IM_START = '<|im_start|>';
export const IM_END = '<|im_end|>';

const DEFAULT_SYSTEM = 'You are Qwen, a helpful AI assistant that can interact with a computer to solve tasks.';

const CALL_FORMAT = '\n\nIf you choose to call a function ONLY reply in the following format with NO suffix:\n\n<tool_call>\n<function=example_function_name>\n<parameter=example_parameter_1>\nvalue_1\n</parameter>\n<parameter=example_parameter_2>\nThis is the value for the second parameter\nthat can span\nmultiple lines\n</parameter>\n</function>\n</tool_call>\n\n<IMPORTANT>\nReminder:\n- Function calls MUST follow the specified format: an inner <function=...></function> block must be nested within <tool_call></tool_call> XML tags\n- Required parameters MUST be specified\n- You may provide optional reasoning for your function call in natural language BEFORE the function call, but NOT after\n- If there is no function call available, answer the question like normal with your current knowledge and do not tell the user about function calls\n</IMPORTANT>';

/**
 * Every marshalled field of a struct but the handled ones, as `\n<key>value</key>` (Ollama walks
 * a Go map here, so its order is unspecified; we use the struct's field order).
 */
function additionalKeys(entries: ReadonlyArray<readonly [string, unknown]>, handled: ReadonlySet<string>): string {
  let out = '';
  for (const [key, raw] of entries) {
    if (handled.has(key)) continue;
    // The struct went through JSON and back into a map: normalise through the Go encoder.
    const value = raw === null || raw === undefined ? null : JSON.parse(goJSON(raw));
    if (value === null) continue;
    if (typeof value === 'object') out += `\n<${key}>${goJSON(value)}</${key}>`;
    else out += `\n<${key}>${goV(value)}</${key}>`;
  }
  return out;
}

/** A tool-call argument as text: strings verbatim, maps and lists as JSON, the rest with %v. */
export function formatToolCallArgument(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return goJSON(value);
  return goV(value);
}

function definitionType(t: unknown): string {
  const types = propertyTypes(t);
  if (types.length === 0) return '[]';
  if (types.length === 1) return types[0]!;
  return goJSON(types);
}

export function qwenXMLTools(tools: readonly Tool[]): string {
  let sb = '<tools>';
  for (const tool of tools) {
    const f = tool.function ?? ({} as Tool['function']);
    sb += `\n<function>\n<name>${f.name ?? ''}</name>`;
    if (f.description) sb += `\n<description>${f.description}</description>`;
    sb += '\n<parameters>';
    for (const [name, prop] of Object.entries(f.parameters?.properties ?? {})) {
      sb += `\n<parameter>\n<name>${name}</name>`;
      const types = propertyTypes(prop?.type);
      if (types.length > 0) sb += `\n<type>${definitionType(prop.type)}</type>`;
      if (typeof prop?.description === 'string' && prop.description !== '') sb += `\n<description>${prop.description}</description>`;
      sb += additionalKeys(propertyJSON(prop).entries, new Set(['type', 'description']));
      sb += '\n</parameter>';
    }
    sb += additionalKeys(parametersJSON(f.parameters).entries, new Set(['type', 'properties']));
    sb += '\n</parameters>\n</function>';
  }
  return `${sb}\n</tools>`;
}

export class Qwen3CoderRenderer implements Renderer {
  readonly leadingBOS = '';

  render(messages: readonly Message[], tools: readonly Tool[] | null | undefined): string {
    let sb = '';
    let system = '';
    const filtered: Message[] = [];
    for (const m of messages) {
      if (m.role !== 'system') filtered.push(m);
      else if (system === '') system = m.content ?? '';
    }
    const hasTools = !!tools && tools.length > 0;
    if (system !== '' || hasTools) {
      sb += `${IM_START}system\n${system === '' ? DEFAULT_SYSTEM : system}`;
      if (hasTools) sb += `\n\n# Tools\n\nYou have access to the following functions:\n\n${qwenXMLTools(tools)}${CALL_FORMAT}`;
      sb += `${IM_END}\n`;
    }
    filtered.forEach((m, i) => {
      const last = i === filtered.length - 1;
      const prefill = last && m.role === 'assistant';
      const content = m.content ?? '';
      if (m.role === 'assistant') {
        sb += `${IM_START}assistant\n`;
        if (m.tool_calls && m.tool_calls.length > 0) {
          if (content !== '') sb += `${content}\n`;
          for (const call of m.tool_calls) {
            sb += `\n<tool_call>\n<function=${call.function.name}>`;
            for (const [name, value] of Object.entries(call.function.arguments ?? {})) {
              sb += `\n<parameter=${name}>\n${formatToolCallArgument(value)}\n</parameter>`;
            }
            sb += '\n</function>\n</tool_call>';
          }
          sb += `${IM_END}\n`;
        } else {
          sb += content;
          if (!prefill) sb += `${IM_END}\n`;
        }
      } else if (m.role === 'tool') {
        if (i === 0 || filtered[i - 1]!.role !== 'tool') sb += `${IM_START}user`;
        sb += `\n<tool_response>\n${content}\n</tool_response>`;
        if (last || filtered[i + 1]!.role !== 'tool') sb += `${IM_END}\n`;
      } else {
        sb += `${IM_START}${m.role}\n${content}${IM_END}\n`;
      }
      if (last && !prefill) sb += `${IM_START}assistant\n`;
    });
    return sb;
  }
}
