/**
 * GLM-4.x: `[gMASK]<sop>`, `<|system|>` / `<|user|>` / `<|assistant|>` / `<|observation|>` turns,
 * tools as JSON lines, calls as `<tool_call>name<arg_key>k</arg_key><arg_value>v</arg_value>`.
 * `glm-4.7` (registered) preserves past thinking and thinks unless think:false; the GLM-4.6 form
 * is kept as in Ollama, which does not register it under any name.
 */
import type { Message, Tool } from '../../api/types.js';
import { addJSONSpaces, marshal, toolJSON } from './gojson.js';
import { trimSpace } from './gostrings.js';
import { renderContentWithImageTags } from './images.js';
import { thinkBool, type Renderer, type Think } from './types.js';

const argValue = (v: unknown): string => (typeof v === 'string' ? v : marshal(v));
const notThinking = (t: Think): boolean => t !== null && t !== undefined && !thinkBool(t);

export class GLM47Renderer implements Renderer {
  readonly leadingBOS = '';

  render(messages: readonly Message[], tools: readonly Tool[] | null | undefined, think: Think): string {
    let sb = '[gMASK]<sop>';
    if (tools && tools.length > 0) {
      sb += '<|system|>\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>\n';
      for (const tool of tools) sb += `${addJSONSpaces(marshal(toolJSON(tool)))}\n`;
      sb += '</tools>\n\nFor each function call, output the function name and arguments within the following XML format:\n';
      sb += '<tool_call>{function-name}<arg_key>{arg-key-1}</arg_key><arg_value>{arg-value-1}</arg_value><arg_key>{arg-key-2}</arg_key><arg_value>{arg-value-2}</arg_value>...</tool_call>';
    }
    messages.forEach((m, i) => {
      const content = m.content ?? '';
      switch (m.role) {
        case 'user': sb += `<|user|>${content}`; break;
        case 'assistant':
          sb += '<|assistant|>' + ((m.thinking ?? '') !== '' ? `<think>${m.thinking}</think>` : '</think>') + content;
          for (const call of m.tool_calls ?? []) {
            sb += `<tool_call>${call.function.name}`;
            for (const [k, v] of Object.entries(call.function.arguments ?? {})) sb += `<arg_key>${k}</arg_key><arg_value>${argValue(v)}</arg_value>`;
            sb += '</tool_call>';
          }
          break;
        case 'tool':
          if (i === 0 || messages[i - 1]!.role !== 'tool') sb += '<|observation|>';
          sb += `<tool_response>${content}</tool_response>`;
          break;
        case 'system': sb += `<|system|>${content}`; break;
        default: break;
      }
    });
    return `${sb}<|assistant|>${notThinking(think) ? '</think>' : '<think>'}`;
  }
}

export class GLM46Renderer implements Renderer {
  readonly leadingBOS = '';

  render(messages: readonly Message[], tools: readonly Tool[] | null | undefined, think: Think): string {
    let sb = '[gMASK]<sop>';
    let lastUser = 0;
    messages.forEach((m, i) => { if (m.role === 'user') lastUser = i; });
    if (tools && tools.length > 0) {
      sb += '<|system|>\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>\n';
      for (const tool of tools) sb += `${marshal(toolJSON(tool))}\n`;
      sb += '</tools>\n\nFor each function call, output the function name and arguments within the following XML format:\n';
      sb += '<tool_call>{function-name}\n<arg_key>{arg-key-1}</arg_key>\n<arg_value>{arg-value-1}</arg_value>\n<arg_key>{arg-key-2}</arg_key>\n<arg_value>{arg-value-2}</arg_value>\n...\n</tool_call>';
    }
    const noThink = notThinking(think);
    messages.forEach((m, i) => {
      const content = m.content ?? '';
      switch (m.role) {
        case 'user':
          sb += `<|user|>\n${content}`;
          if (noThink && !content.endsWith('/nothink')) sb += '/nothink';
          break;
        case 'assistant':
          sb += '<|assistant|>';
          if (i > lastUser) sb += (m.thinking ?? '') !== '' ? `\n<think>${m.thinking}</think>` : '\n<think></think>';
          if (content !== '') sb += `\n${content}`;
          for (const call of m.tool_calls ?? []) {
            sb += `\n<tool_call>${call.function.name}\n`;
            for (const [k, v] of Object.entries(call.function.arguments ?? {})) sb += `<arg_key>${k}</arg_key>\n<arg_value>${argValue(v)}</arg_value>\n`;
            sb += '</tool_call>';
          }
          break;
        case 'tool':
          if (i === 0 || messages[i - 1]!.role !== 'tool') sb += '<|observation|>';
          sb += `\n<tool_response>\n${content}\n</tool_response>`;
          break;
        case 'system': sb += `<|system|>\n${content}`; break;
        default: break;
      }
    });
    sb += '<|assistant|>';
    if (noThink) sb += '\n<think></think>\n';
    return sb;
  }
}

/** `glm-ocr`: GLM-4.7's tool block with newline-separated turns; thinks only when asked. */
export class GlmOcrRenderer implements Renderer {
  readonly leadingBOS = '';
  constructor(private readonly useImgTags: boolean) {}

  private content(m: Message, offset: number): [string, number] {
    if (this.useImgTags) return renderContentWithImageTags(m.content ?? '', m.images?.length ?? 0, offset);
    return [m.content ?? '', offset];
  }

  render(messages: readonly Message[], tools: readonly Tool[] | null | undefined, think: Think): string {
    let sb = '[gMASK]<sop>';
    if (tools && tools.length > 0) {
      sb += '<|system|>\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>\n';
      for (const tool of tools) sb += `${addJSONSpaces(marshal(toolJSON(tool)))}\n`;
      sb += '</tools>\n\nFor each function call, output the function name and arguments within the following XML format:\n';
      sb += '<tool_call>{function-name}<arg_key>{arg-key-1}</arg_key><arg_value>{arg-value-1}</arg_value><arg_key>{arg-key-2}</arg_key><arg_value>{arg-value-2}</arg_value>...</tool_call>';
    }
    const noThink = notThinking(think);
    let offset = 0;
    messages.forEach((m, i) => {
      switch (m.role) {
        case 'user': {
          const [content, next] = this.content(m, offset);
          offset = next;
          sb += `<|user|>\n${content}`;
          if (noThink && !(m.content ?? '').endsWith('/nothink')) sb += '/nothink';
          break;
        }
        case 'assistant':
          sb += '<|assistant|>\n' + ((m.thinking ?? '') !== '' ? `<think>${trimSpace(m.thinking!)}</think>` : '<think></think>');
          if ((m.content ?? '') !== '') sb += `\n${trimSpace(m.content)}`;
          for (const call of m.tool_calls ?? []) {
            sb += `\n<tool_call>${call.function.name}`;
            for (const [k, v] of Object.entries(call.function.arguments ?? {})) sb += `<arg_key>${k}</arg_key><arg_value>${argValue(v)}</arg_value>`;
            sb += '</tool_call>';
          }
          sb += '\n';
          break;
        case 'tool': {
          if (i === 0 || messages[i - 1]!.role !== 'tool') sb += '<|observation|>';
          const [content, next] = this.content(m, offset);
          offset = next;
          sb += `\n<tool_response>\n${content}\n</tool_response>\n`;
          break;
        }
        case 'system': sb += `<|system|>\n${m.content ?? ''}\n`; break;
        default: break;
      }
    });
    sb += '<|assistant|>\n';
    if (noThink) sb += '<think></think>\n';
    return sb;
  }
}
