/**
 * `qwen3-vl-instruct` / `qwen3-vl-thinking` (and the base of `qwen3.5`'s ChatML): tools as JSON
 * lines in the system turn, `<tool_call>` JSON in assistant turns, `<think>` kept only for
 * assistant turns after the last real user query, images as vision tokens or `[img-N]` tags.
 */
import type { Message, Tool } from '../../api/types.js';
import { argumentsJSON, marshalWithSpaces, toolJSON } from './gojson.js';
import { renderContentWithImageTags } from './images.js';
import { IM_END, IM_START } from './qwen3coder.js';
import { isThinkSet, thinkBool, type Renderer, type Think } from './types.js';

export interface Qwen3VLOptions {
  isThinking: boolean;
  /** With think:false, prefill an empty `<think>\n\n</think>\n\n` block. */
  emitEmptyThinkOnNoThink?: boolean;
  /** `[img-N]` tags (the server) instead of vision tokens. */
  useImgTags?: boolean;
}

/** strings.Trim(s, "\n") / TrimLeft. */
export const trimNewlines = (s: string): string => s.replace(/^\n+|\n+$/g, '');
export const trimLeftNewlines = (s: string): string => s.replace(/^\n+/, '');

export class Qwen3VLRenderer implements Renderer {
  readonly leadingBOS = '';
  constructor(private readonly o: Qwen3VLOptions) {}

  private content(m: Message, offset: number): [string, number] {
    const images = m.images?.length ?? 0;
    if (this.o.useImgTags) return renderContentWithImageTags(m.content ?? '', images, offset);
    return ['<|vision_start|><|image_pad|><|vision_end|>'.repeat(images) + (m.content ?? ''), offset];
  }

  render(messages: readonly Message[], tools: readonly Tool[] | null | undefined, think: Think): string {
    let sb = '';
    const isThinking = isThinkSet(think) ? thinkBool(think) : this.o.isThinking;
    if (tools && tools.length > 0) {
      sb += `${IM_START}system\n`;
      if (messages.length > 0 && messages[0]!.role === 'system') sb += `${messages[0]!.content}\n\n`;
      sb += '# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>';
      for (const tool of tools) sb += `\n${marshalWithSpaces(toolJSON(tool))}`;
      sb += '\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n';
    } else if (messages.length > 0 && messages[0]!.role === 'system') {
      sb += `${IM_START}system\n${messages[0]!.content}${IM_END}\n`;
    }

    let multiStepTool = true;
    let lastQueryIndex = messages.length - 1;
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i]!;
      if (multiStepTool && m.role === 'user') {
        const [content] = this.content(m, 0);
        if (!(content.startsWith('<tool_response>') && content.endsWith('</tool_response>'))) {
          multiStepTool = false;
          lastQueryIndex = i;
        }
      }
    }

    let offset = 0;
    messages.forEach((m, i) => {
      const [content, next] = this.content(m, offset);
      offset = next;
      const last = i === messages.length - 1;
      const prefill = last && m.role === 'assistant';
      if (m.role === 'user' || (m.role === 'system' && i !== 0)) {
        sb += `${IM_START}${m.role}\n${content}${IM_END}\n`;
      } else if (m.role === 'assistant') {
        const reasoning = isThinking ? m.thinking ?? '' : '';
        if (isThinking && i > lastQueryIndex && (last || reasoning !== '')) {
          sb += `${IM_START}assistant\n<think>\n${trimNewlines(reasoning)}`;
          if (content !== '') sb += `\n</think>\n\n${trimLeftNewlines(content)}`;
        } else {
          sb += `${IM_START}assistant\n${content}`;
        }
        (m.tool_calls ?? []).forEach((call, j) => {
          if (j > 0 || content !== '') sb += '\n';
          sb += `<tool_call>\n{"name": "${call.function.name}", "arguments": ${marshalWithSpaces(argumentsJSON(call.function.arguments))}}\n</tool_call>`;
        });
        if (!prefill) sb += `${IM_END}\n`;
      } else if (m.role === 'tool') {
        if (i === 0 || messages[i - 1]!.role !== 'tool') sb += `${IM_START}user`;
        sb += `\n<tool_response>\n${content}\n</tool_response>`;
        if (last || messages[i + 1]!.role !== 'tool') sb += `${IM_END}\n`;
      }
      if (last && !prefill) {
        sb += `${IM_START}assistant\n`;
        if (isThinking) sb += '<think>\n';
        else if (this.o.emitEmptyThinkOnNoThink) sb += '<think>\n\n</think>\n\n';
      }
    });
    return sb;
  }
}
