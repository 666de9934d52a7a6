/**
 * `cogito`: DeepSeek-style turns with Cogito's default system prompt, "Enable deep thinking
 * subroutine." when thinking is requested, tools as indented JSON blocks, grouped tool outputs.
 */
import type { Message, Tool } from '../../api/types.js';
import { DS_BOS, DS_EOS } from './deepseek3.js';
import { argumentsJSON, indentJSON, marshal, toolJSON } from './gojson.js';
import { thinkBool, type Renderer, type Think } from './types.js';

const DEFAULT_PROMPT = 'You are Cogito, an AI assistant created by Deep Cogito, which is an AI research lab based in San Francisco.';

export class CogitoRenderer implements Renderer {
  readonly leadingBOS = DS_BOS;
  constructor(private readonly isThinking = true) {}

  render(messages: readonly Message[], tools: readonly Tool[] | null | undefined, think: Think): string {
    const thinking = this.isThinking && thinkBool(think);
    let system = '';
    let conversation = messages;
    if (messages.length > 0 && messages[0]!.role === 'system') {
      system = messages[0]!.content ?? '';
      conversation = messages.slice(1);
    }
    let prompt: string;
    if (thinking) {
      prompt = `Enable deep thinking subroutine.\n\n${DEFAULT_PROMPT}`;
      if (system !== '') prompt += `\n\n${system}\n\n`;
    } else {
      prompt = DEFAULT_PROMPT;
      if (system !== '') prompt += `\n\n${system}`;
    }
    if (tools && tools.length > 0) {
      prompt += '\nYou have the following functions available:\n';
      for (const tool of tools) prompt += '```json\n' + indentJSON(marshal(toolJSON(tool)), '    ') + '\n```\n';
    }
    let sb = DS_BOS + prompt;
    let outputsOpen = false;
    let isLastUser = false;
    conversation.forEach((m, i) => {
      const content = m.content ?? '';
      switch (m.role) {
        case 'user':
          isLastUser = true;
          sb += `<｜User｜>${content}<｜Assistant｜>`;
          break;
        case 'assistant':
          isLastUser = false;
          if (m.tool_calls && m.tool_calls.length > 0) {
            sb += content + '<｜tool▁calls▁begin｜>';
            m.tool_calls.forEach((call, j) => {
              sb += `<｜tool▁call▁begin｜>function<｜tool▁sep｜>${call.function.name}`;
              sb += '\n```json\n' + marshal(argumentsJSON(call.function.arguments)) + '\n```<｜tool▁call▁end｜>';
              if (j < m.tool_calls!.length - 1) sb += '\n';
            });
            sb += `<｜tool▁calls▁end｜>${DS_EOS}`;
          } else {
            sb += content + DS_EOS;
          }
          break;
        case 'tool':
          isLastUser = false;
          if (!outputsOpen) {
            sb += '<｜tool▁outputs▁begin｜>';
            outputsOpen = true;
          }
          sb += `<｜tool▁output▁begin｜>${content}<｜tool▁output▁end｜>`;
          if (i + 1 < conversation.length && conversation[i + 1]!.role === 'tool') sb += '\n';
          else {
            sb += '<｜tool▁outputs▁end｜>';
            outputsOpen = false;
          }
          break;
        default:
          break;
      }
    });
    if (outputsOpen) sb += '<｜tool▁outputs▁end｜>';
    if (!isLastUser) sb += '<｜Assistant｜>';
    if (thinking) sb += '<think>\n';
    return sb;
  }
}
