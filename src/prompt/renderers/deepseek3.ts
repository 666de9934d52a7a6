/**
 * `deepseek3.1`: DeepSeek-V3.1's format — every system message joined at the top after BOS, tools
 * as `### name` sections with JSON parameters, `<｜tool▁calls▁begin｜>` calls, `</think>` closing
 * the thinking block unless thinking is requested (model must think and the request ask for it).
 */
import type { Message, Tool } from '../../api/types.js';
import { argumentsJSON, marshal, parametersJSON } from './gojson.js';
import { thinkBool, type Renderer, type Think } from './types.js';

export const DS_BOS = '<｜begin▁of▁sentence｜>';
export const DS_EOS = '<｜end▁of▁sentence｜>';

export class DeepSeek3Renderer implements Renderer {
  readonly leadingBOS = DS_BOS;
  constructor(private readonly isThinking = true) {}

  render(messages: readonly Message[], tools: readonly Tool[] | null | undefined, think: Think): string {
    const thinking = this.isThinking && thinkBool(think);
    let sb = DS_BOS + messages.filter((m) => m.role === 'system').map((m) => m.content ?? '').join('\n\n');
    if (tools && tools.length > 0) {
      sb += '\n\n## Tools\nYou have access to the following tools:\n';
      for (const tool of tools) {
        sb += `\n### ${tool.function?.name ?? ''}\nDescription: ${tool.function?.description ?? ''}`;
        sb += `\n\nParameters: ${marshal(parametersJSON(tool.function?.parameters))}\n`;
      }
      sb += '\nIMPORTANT: ALWAYS adhere to this exact format for tool use:\n';
      sb += '<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>tool_call_name<｜tool▁sep｜>tool_call_arguments<｜tool▁call▁end｜>{{additional_tool_calls}}<｜tool▁calls▁end｜>\n\n';
      sb += 'Where:\n\n';
      sb += '- `tool_call_name` must be an exact match to one of the available tools\n';
      sb += "- `tool_call_arguments` must be valid JSON that strictly follows the tool's Parameters Schema\n";
      sb += '- For multiple tool calls, chain them directly without separators or spaces\n';
    }
    let isTool = false;
    let isLastUser = false;
    let lastUserIndex = -1;
    for (let i = messages.length - 1; i >= 0; i--) {
      if (messages[i]!.role === 'user') {
        lastUserIndex = i;
        break;
      }
    }
    messages.forEach((m, i) => {
      const content = m.content ?? '';
      switch (m.role) {
        case 'user':
          isTool = false;
          isLastUser = true;
          sb += `<｜User｜>${content}`;
          break;
        case 'assistant':
          if (m.tool_calls && m.tool_calls.length > 0) {
            if (isLastUser) sb += '<｜Assistant｜></think>';
            isLastUser = false;
            isTool = false;
            sb += content;
            sb += '<｜tool▁calls▁begin｜>';
            for (const call of m.tool_calls) {
              sb += `<｜tool▁call▁begin｜>${call.function.name}<｜tool▁sep｜>${marshal(argumentsJSON(call.function.arguments))}<｜tool▁call▁end｜>`;
            }
            sb += `<｜tool▁calls▁end｜>${DS_EOS}`;
          } else {
            if (isLastUser) {
              sb += '<｜Assistant｜>';
              sb += (m.thinking ?? '') !== '' && thinking && i > lastUserIndex ? '<think>' : '</think>';
            }
            isLastUser = false;
            if (isTool) {
              sb += content + DS_EOS;
              isTool = false;
            } else {
              const at = content.indexOf('</think>');
              sb += (at >= 0 ? content.slice(at + '</think>'.length) : content) + DS_EOS;
            }
          }
          break;
        case 'tool':
          isLastUser = false;
          isTool = true;
          sb += `<｜tool▁output▁begin｜>${content}<｜tool▁output▁end｜>`;
          break;
        default:
          break;
      }
    });
    if (isLastUser && !isTool) sb += `<｜Assistant｜>${thinking ? '<think>' : '</think>'}`;
    return sb;
  }
}
