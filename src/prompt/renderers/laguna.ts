/**
 * `laguna` (Poolside Laguna, v2 chat template) and `poolside-v1` (v8 template): `〈|EOS|〉` first,
 * `<system>` / `<user>` / `<assistant>` blocks, tools as JSON lines in `<available_tools>`, calls
 * as `<tool_call>name<arg_key>…</arg_key><arg_value>…</arg_value>`; thinking only when asked.
 */
import type { Message, Tool } from '../../api/types.js';
import { marshalWithSpaces, toolJSON } from './gojson.js';
import { trimLeftChars, trimRightChars, trimRightSpace, trimSpace } from './gostrings.js';
import { thinkBool, type Renderer, type Think } from './types.js';

const BOS = '〈|EOS|〉';
const DEFAULT_SYSTEM = 'You are a helpful, conversationally-fluent assistant made by Poolside. You are here to be helpful to users through natural language conversations.';

const argument = (v: unknown): string => (typeof v === 'string' ? v : marshalWithSpaces(v ?? null));

function toolLines(tools: readonly Tool[]): string {
  return tools.map((t) => `${marshalWithSpaces(toolJSON(t))}\n`).join('');
}

/** Splits `<think>…</think>` out of assistant content (when `thinking` is empty). */
function assistantContent(content: string, reasoning: string): [string, string] {
  const parts = content.split('</think>');
  if (parts.length === 1) return [content, reasoning];
  if (reasoning === '') {
    let before = trimRightChars(parts[0]!, '\n');
    const i = before.lastIndexOf('<think>');
    if (i >= 0) before = before.slice(i + '<think>'.length);
    reasoning = trimLeftChars(before, '\n');
  }
  return [trimLeftChars(parts[parts.length - 1]!, '\n'), reasoning];
}

export class LagunaRenderer implements Renderer {
  readonly leadingBOS = BOS;

  render(messages: readonly Message[], tools: readonly Tool[] | null | undefined, think: Think): string {
    let sb = BOS;
    const thinking = thinkBool(think);
    const firstIsSystem = messages.length > 0 && messages[0]!.role === 'system';
    const system = firstIsSystem ? messages[0]!.content ?? '' : DEFAULT_SYSTEM;
    const hasTools = !!tools && tools.length > 0;
    if (trimSpace(system) !== '' || hasTools) {
      sb += '<system>\n';
      if (trimSpace(system) !== '') sb += `\n${trimRightSpace(system)}`;
      if (hasTools) {
        sb += '\n\n### Tools\n\nYou may call functions to assist with the user query.\nAll available function signatures are listed below:\n<available_tools>\n';
        sb += `${toolLines(tools)}</available_tools>\n\n`;
        if (thinking) {
          sb += "Wrap your thinking in '<think>', '</think>' tags, followed by a function call. For each function call, return an unescaped XML-like object with function name and arguments within '<tool_call>' and '</tool_call>' tags, like here:\n";
          sb += '<think> your thoughts here </think>\n';
        } else {
          sb += "For each function call, return an unescaped XML-like object with function name and arguments within '<tool_call>' and '</tool_call>' tags, like here:\n";
        }
        sb += '<tool_call>function-name\n<arg_key>argument-key</arg_key>\n<arg_value>value-of-argument-key</arg_value>\n</tool_call>';
      }
      sb += '\n</system>\n';
    }
    messages.forEach((m, i) => {
      if (i === 0 && firstIsSystem) return;
      const raw = m.content ?? '';
      switch (m.role) {
        case 'user': sb += `<user>\n${raw}\n</user>\n`; break;
        case 'assistant': {
          const [content, reasoning] = assistantContent(raw, m.thinking ?? '');
          const calls = m.tool_calls ?? [];
          const prefill = i === messages.length - 1 && (trimSpace(content) !== '' || trimSpace(reasoning) !== '' || calls.length > 0);
          sb += '<assistant>\n';
          const r = trimSpace(reasoning);
          sb += r !== '' ? `<think>\n${r}\n</think>\n` : '</think>\n';
          if (trimSpace(content) !== '') sb += `${trimSpace(content)}\n`;
          for (const call of calls) {
            sb += `<tool_call>${call.function.name}\n`;
            for (const [k, v] of Object.entries(call.function.arguments ?? {})) sb += `<arg_key>${k}</arg_key>\n<arg_value>${argument(v)}</arg_value>\n`;
            sb += '</tool_call>\n';
          }
          if (!prefill) sb += '</assistant>\n';
          break;
        }
        case 'tool': sb += `<tool_response>\n${raw}\n</tool_response>\n`; break;
        case 'system': sb += `<system>\n${raw}\n</system>\n`; break;
        default: break;
      }
    });
    if (messages.length === 0 || messages[messages.length - 1]!.role !== 'assistant') sb += `<assistant>\n${thinking ? '<think>' : '</think>'}`;
    return sb;
  }
}

export class LagunaV8Renderer implements Renderer {
  readonly leadingBOS = BOS;

  render(messages: readonly Message[], tools: readonly Tool[] | null | undefined, think: Think): string {
    let sb = BOS;
    const thinking = thinkBool(think);
    const firstIsSystem = messages.length > 0 && messages[0]!.role === 'system';
    const system = firstIsSystem ? messages[0]!.content ?? '' : DEFAULT_SYSTEM;
    const hasSystem = trimSpace(system) !== '';
    const hasTools = !!tools && tools.length > 0;
    if (hasSystem || hasTools || thinking) {
      sb += '<system>';
      if (hasSystem) sb += trimRightSpace(system) + (hasTools ? '\n\n' : '');
      if (hasTools) {
        sb += '### Tools\n\nYou may call functions to assist with the user query.\nAll available function signatures are listed below:\n<available_tools>\n';
        sb += `${toolLines(tools)}</available_tools>`;
      }
      sb += '</system>\n';
    }
    messages.forEach((m, i) => {
      if (i === 0 && firstIsSystem) return;
      const content = m.content ?? '';
      switch (m.role) {
        case 'user': sb += `<user>${content}</user>\n`; break;
        case 'assistant':
          sb += '<assistant>' + (thinking ? `<think>${m.thinking ?? ''}</think>` : '</think>') + content;
          for (const call of m.tool_calls ?? []) {
            sb += `<tool_call>${call.function.name}`;
            for (const [k, v] of Object.entries(call.function.arguments ?? {})) sb += `<arg_key>${k}</arg_key><arg_value>${argument(v)}</arg_value>`;
            sb += '</tool_call>';
          }
          sb += '</assistant>\n';
          break;
        case 'tool': sb += `<tool_response>${content}</tool_response>\n`; break;
        case 'system': sb += `<system>${content}</system>\n`; break;
        default: break;
      }
    });
    return `${sb}<assistant>${thinking ? '<think>' : '</think>'}`;
  }
}
