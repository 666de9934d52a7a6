/**
 * `qwen3.5` and `qwen3.8`: Qwen3-Coder's XML tool format inside Qwen3-VL's ChatML, reasoning in
 * `<think>` blocks (taken from `thinking` or split out of tagged content). qwen3.8 folds every
 * system/developer message into one leading system turn, states a reasoning effort, always keeps
 * assistant think blocks, and rejects transcripts without a user query.
 */
import type { Message, Tool } from '../../api/types.js';
import { marshalWithSpaces, toolJSON } from './gojson.js';
import { trimLeftChars, trimSpace } from './gostrings.js';
import { renderContentWithImageTags } from './images.js';
import { formatToolCallArgument, IM_END, IM_START } from './qwen3coder.js';
import { thinkBool, thinkString, type Renderer, type Think } from './types.js';

const XHIGH = 'Reasoning effort is set to xhigh. Please think carefully through the task, validate key assumptions, consider plausible alternatives, and prioritize correctness, consistency, and clarity in the final answer.';
const LOW = 'Reasoning effort is set to low. Keep your thinking brief and focused, moving directly to the conclusion without unnecessary elaboration.';

const TOOL_POSTAMBLE = '\n</tools>\n\nIf you choose to call a function ONLY reply in the following format with NO suffix:\n\n<tool_call>\n<function=example_function_name>\n<parameter=example_parameter_1>\nvalue_1\n</parameter>\n<parameter=example_parameter_2>\nThis is the value for the second parameter\nthat can span\nmultiple lines\n</parameter>\n</function>\n</tool_call>\n\n<IMPORTANT>\nReminder:\n- Function calls MUST follow the specified format: an inner <function=...></function> block must be nested within <tool_call></tool_call> XML tags\n- Required parameters MUST be specified\n- You may provide optional reasoning for your function call in natural language BEFORE the function call, but NOT after\n- If there is no function call available, answer the question like normal with your current knowledge and do not tell the user about function calls\n</IMPORTANT>';

export interface Qwen35Options {
  isThinking: boolean;
  qwen38?: boolean;
  alwaysRenderAssistantThinkBlock?: boolean;
  emitEmptyThinkOnNoThink?: boolean;
  useImgTags?: boolean;
}

/** qwen3.8's settings. */
export const qwen38Options = (useImgTags: boolean): Qwen35Options => ({
  isThinking: true, qwen38: true, alwaysRenderAssistantThinkBlock: true, emitEmptyThinkOnNoThink: true, useImgTags,
});

function splitReasoning(content: string, thinking: string, isThinking: boolean, extractTagged: boolean): [string, string] {
  if (isThinking && thinking !== '') return [trimSpace(thinking), content];
  if (!extractTagged) return ['', content];
  let reasoning = '';
  const idx = content.indexOf('</think>');
  if (idx !== -1) {
    const before = content.slice(0, idx);
    const open = before.lastIndexOf('<think>');
    reasoning = open !== -1 ? before.slice(open + '<think>'.length) : before;
    content = trimLeftChars(content.slice(idx + '</think>'.length), '\n');
  }
  return [trimSpace(reasoning), content];
}

const validThink = (t: Think): boolean => t === null || t === undefined || typeof t === 'boolean' || ['high', 'medium', 'low', 'max'].includes(t);

function reasoningInstructions(think: Think): string {
  if (think === null || think === undefined) return XHIGH;
  if (!validThink(think)) throw new Error(`invalid thinking value ${String(think)}`);
  if (!thinkBool(think)) return '';
  switch (thinkString(think)) {
    case 'low': return LOW;
    case 'medium': return '';
    default: return XHIGH;
  }
}

function normalizeQwen38(messages: readonly Message[]): readonly Message[] {
  let count = 0;
  const instructions: string[] = [];
  for (const m of messages) {
    if (m.role !== 'system' && m.role !== 'developer') continue;
    if (m.images && m.images.length > 0) throw new Error(`${m.role} message cannot contain images`);
    count++;
    const c = trimSpace(m.content ?? '');
    if (c !== '') instructions.push(c);
  }
  if (count === 0 || (count === 1 && messages[0]!.role === 'system')) return messages;
  return [{ role: 'system', content: instructions.join('\n\n') }, ...messages.filter((m) => m.role !== 'system' && m.role !== 'developer')];
}

export class Qwen35Renderer implements Renderer {
  readonly leadingBOS = '';
  constructor(private readonly o: Qwen35Options) {}

  private content(m: Message, offset: number): [string, number] {
    const images = m.images?.length ?? 0;
    if (this.o.useImgTags) return renderContentWithImageTags(m.content ?? '', images, offset);
    return ['<|vision_start|><|image_pad|><|vision_end|>'.repeat(images) + (m.content ?? ''), offset];
  }

  private isToolResponse(m: Message): boolean {
    const c = trimSpace(this.content(m, 0)[0]);
    return c.startsWith('<tool_response>') && c.endsWith('</tool_response>');
  }

  private validate(messages: readonly Message[]): void {
    if (!this.o.qwen38) return;
    if (messages.length === 0) throw new Error('no messages provided');
    if (messages[0]!.role === 'system' && (messages[0]!.images?.length ?? 0) > 0) throw new Error('system message cannot contain images');
    if (!messages.some((m) => m.role === 'user' && !this.isToolResponse(m))) throw new Error('no user query found in messages');
  }

  render(input: readonly Message[], tools: readonly Tool[] | null | undefined, think: Think): string {
    const q38 = !!this.o.qwen38;
    const messages = q38 ? normalizeQwen38(input) : input;
    this.validate(messages);
    let sb = '';
    const isThinking = think === null || think === undefined ? this.o.isThinking : thinkBool(think);
    const instructions = q38 ? reasoningInstructions(think) : '';
    const first = messages[0];

    if (tools && tools.length > 0) {
      sb += `${IM_START}system\n`;
      if (instructions !== '') sb += `${instructions}\n\n`;
      sb += '# Tools\n\nYou have access to the following functions:\n\n<tools>';
      for (const tool of tools) sb += `\n${marshalWithSpaces(toolJSON(tool))}`;
      sb += TOOL_POSTAMBLE;
      if (first?.role === 'system') {
        const sys = trimSpace(this.content(first, 0)[0]);
        if (sys !== '') sb += `\n\n${sys}`;
      }
      sb += `${IM_END}\n`;
    } else if (first?.role === 'system') {
      const sys = trimSpace(this.content(first, 0)[0]);
      if (!q38 || sys !== '' || instructions !== '') {
        sb += `${IM_START}system\n`;
        if (instructions !== '') {
          sb += instructions;
          if (sys !== '') sb += '\n\n';
        }
        sb += `${sys}${IM_END}\n`;
      }
    } else if (instructions !== '') {
      sb += `${IM_START}system\n${instructions}${IM_END}\n`;
    }

    let multiStepTool = true;
    let lastQueryIndex = messages.length - 1;
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i]!;
      if (multiStepTool && m.role === 'user' && !this.isToolResponse(m)) {
        multiStepTool = false;
        lastQueryIndex = i;
      }
    }

    let offset = 0;
    messages.forEach((m, i) => {
      const [raw, next] = this.content(m, offset);
      offset = next;
      let content = trimSpace(raw);
      const last = i === messages.length - 1;
      const prefill = last && m.role === 'assistant';
      if (m.role === 'user' || (m.role === 'system' && i !== 0)) {
        sb += `${IM_START}${m.role}\n${content}${IM_END}\n`;
      } else if (m.role === 'assistant') {
        const thinkBlock = !!this.o.alwaysRenderAssistantThinkBlock || (isThinking && i > lastQueryIndex);
        let reasoning: string;
        [reasoning, content] = splitReasoning(content, m.thinking ?? '', thinkBlock, !q38);
        sb += thinkBlock ? `${IM_START}assistant\n<think>\n${reasoning}\n</think>\n\n${content}` : `${IM_START}assistant\n${content}`;
        (m.tool_calls ?? []).forEach((call, j) => {
          if (j === 0) {
            if (trimSpace(content) !== '') sb += '\n\n';
          } else sb += '\n';
          sb += `<tool_call>\n<function=${call.function.name}>\n`;
          for (const [name, value] of Object.entries(call.function.arguments ?? {})) {
            sb += `<parameter=${name}>\n${formatToolCallArgument(value)}\n</parameter>\n`;
          }
          sb += '</function>\n</tool_call>';
        });
        if (!prefill) sb += `${IM_END}\n`;
      } else if (m.role === 'tool') {
        if (i === 0 || messages[i - 1]!.role !== 'tool') sb += `${IM_START}user`;
        sb += `\n<tool_response>\n${content}\n</tool_response>`;
        if (last || messages[i + 1]!.role !== 'tool') sb += `${IM_END}\n`;
      } else if (q38 && m.role !== 'system') {
        sb += `${IM_START}${m.role}\n${content}${IM_END}\n`;
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
