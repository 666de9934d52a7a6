/**
 * `cohere`: Cohere North / Command A (2026) — a platform system turn with an "Available Tools"
 * JSON section, `<|START_TEXT|>` bodies, `<|START_THINKING|>` reasoning, `<|START_ACTION|>` calls
 * with regenerated sequential call ids, merged `<|START_TOOL_RESULT|>` arrays.
 */
import type { Message, Tool } from '../../api/types.js';
import { argumentsJSON, marshal, marshalWithSpaces, parametersJSON } from './gojson.js';
import { thinkBool, type Renderer, type Think } from './types.js';

function toolEntry(tool: Tool): string {
  const f = tool.function ?? ({} as Tool['function']);
  return `{"name": ${marshal(f.name ?? '')}, "description": ${marshal(f.description ?? '')}, "parameters": ${marshalWithSpaces(parametersJSON(f.parameters))}, "responses": null}`;
}

function toolsSection(tools: readonly Tool[]): string {
  let sb = '# Available Tools\n```json\n[\n';
  if (tools.length === 0) sb += '\n\n';
  tools.forEach((tool, i) => {
    sb += `\n    ${toolEntry(tool)}${i < tools.length - 1 ? ',' : ''}\n\n`;
  });
  return `${sb}\n]\n\`\`\``;
}

function toolResult(callID: string, content: string): string {
  const wrapped = marshalWithSpaces({ content });
  return `\n    {\n        "tool_call_id": "${callID}",\n        "results": {\n\n            \n            "0": ${wrapped}\n\n        },\n        "is_error": null\n    }`;
}

export class CohereRenderer implements Renderer {
  readonly leadingBOS = '<BOS_TOKEN>';

  render(messages: readonly Message[], tools: readonly Tool[] | null | undefined, think: Think): string {
    const reasoning = think === null || think === undefined || thinkBool(think);
    let system = '';
    let rest = messages;
    if (messages.length > 0 && messages[0]!.role.toLowerCase() === 'system') {
      system = messages[0]!.content ?? '';
      rest = messages.slice(1);
    }
    let sb = '<|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|><|START_TEXT|>';
    if (system !== '') sb += `${system}\n\n\n\n`;
    sb += `${toolsSection(tools ?? [])}<|END_TEXT|><|END_OF_TURN_TOKEN|>`;

    let callIndex = 0;
    const idToIndex = new Map<string, string>();
    const nextCallID = (id: string): string => {
      const idx = String(callIndex++);
      if (id !== '' && !idToIndex.has(id)) idToIndex.set(id, idx);
      return idx;
    };
    const resultID = (m: Message): string => idToIndex.get(m.tool_call_id ?? '') ?? m.tool_call_id ?? '';

    let prefill = false;
    for (let i = 0; i < rest.length; i++) {
      const m = rest[i]!;
      const content = m.content ?? '';
      const thinking = m.thinking ?? '';
      switch (m.role.toLowerCase()) {
        case 'system':
          sb += `<|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|><|START_TEXT|>${content}<|END_TEXT|><|END_OF_TURN_TOKEN|>`;
          break;
        case 'user':
          sb += `<|START_OF_TURN_TOKEN|><|USER_TOKEN|><|START_TEXT|>${content}<|END_TEXT|><|END_OF_TURN_TOKEN|>`;
          break;
        case 'assistant': case 'chatbot':
          sb += '<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>';
          if (m.tool_calls && m.tool_calls.length > 0) {
            sb += '\n            \n                ';
            if (thinking !== '') sb += `<|START_THINKING|>${thinking}<|END_THINKING|>`;
            sb += '<|START_ACTION|>[';
            m.tool_calls.forEach((call, j) => {
              sb += `\n\n    {"tool_call_id": "${nextCallID(call.id ?? '')}", "tool_name": "${call.function.name}", "parameters": ${marshalWithSpaces(argumentsJSON(call.function.arguments))}}`;
              if (j < m.tool_calls!.length - 1) sb += ',';
            });
            sb += '\n\n]<|END_ACTION|><|END_OF_TURN_TOKEN|>';
          } else {
            if (thinking !== '') sb += `<|START_THINKING|>${thinking}<|END_THINKING|>`;
            sb += `<|START_TEXT|>${content}`;
            if (i === rest.length - 1) prefill = true;
            else sb += '<|END_TEXT|><|END_OF_TURN_TOKEN|>';
          }
          break;
        case 'tool':
          sb += `<|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|><|START_TOOL_RESULT|>[${toolResult(resultID(m), content)}`;
          while (i + 1 < rest.length && rest[i + 1]!.role.toLowerCase() === 'tool') {
            i++;
            sb += `,${toolResult(resultID(rest[i]!), rest[i]!.content ?? '')}`;
          }
          sb += '\n\n]<|END_TOOL_RESULT|><|END_OF_TURN_TOKEN|>';
          break;
        default:
          break;
      }
    }
    if (!prefill) sb += `<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>${reasoning ? '<|START_THINKING|>' : '<|START_THINKING|><|END_THINKING|>'}`;
    return sb;
  }
}
