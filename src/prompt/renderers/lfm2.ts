/**
 * `lfm2` / `lfm2-thinking`: Liquid's ChatML with `<|startoftext|>`, tools as a JSON list of function
 * schemas (HF `tojson` spacing), calls written `[name(arg=json,…)]` with sorted argument names,
 * tool results wrapped in `<|tool_response_start|>`, and past reasoning dropped unless thinking.
 */
import type { Message, Tool } from '../../api/types.js';
import { compareStrings } from '../../template/values.js';
import { functionJSON, marshal, toolJSON } from './gojson.js';
import { trimSpace } from './gostrings.js';
import { renderContentWithImageTags } from './images.js';
import { thinkBool, type Renderer, type Think } from './types.js';

const BOS = '<|startoftext|>';

/** HF `tojson` spacing over Go's encoder without HTML escaping. */
export function lfm2JSON(v: unknown): string {
  const enc = marshal(v).replace(/\\(u003c|u003e|u0026|.)/g, (m, e: string) => (e === 'u003c' ? '<' : e === 'u003e' ? '>' : e === 'u0026' ? '&' : m));
  let out = '';
  let inStr = false;
  let esc = false;
  for (let i = 0; i < enc.length; i++) {
    const c = enc[i]!;
    out += c;
    if (inStr) {
      if (esc) esc = false;
      else if (c === '\\') esc = true;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if ((c === ':' || c === ',') && i + 1 < enc.length && !' \n\r\t'.includes(enc[i + 1]!)) out += ' ';
  }
  return out;
}

function toolCalls(calls: NonNullable<Message['tool_calls']>): string {
  const rendered = calls.map((call) => {
    const args = call.function.arguments ?? {};
    const keys = Object.keys(args).sort(compareStrings);
    return `${call.function.name}(${keys.map((k) => `${k}=${lfm2JSON(args[k])}`).join(',')})`;
  });
  return `<|tool_call_start|>[${rendered.join(',')}]<|tool_call_end|>`;
}

export class LFM2Renderer implements Renderer {
  readonly leadingBOS = BOS;
  constructor(private readonly o: { isThinking: boolean; useImgTags?: boolean }) {}

  private content(m: Message, offset: number): string {
    const content = m.content ?? '';
    const images = m.images?.length ?? 0;
    if (images === 0) return content;
    if (this.o.useImgTags) return renderContentWithImageTags(content, images, offset)[0];
    if (content.includes('<image>')) return content;
    return '<image>'.repeat(images) + content;
  }

  render(messages: readonly Message[], tools: readonly Tool[] | null | undefined, think: Think): string {
    let sb = BOS;
    let system = '';
    let start = 0;
    if (messages.length > 0 && messages[0]!.role === 'system') {
      system = messages[0]!.content ?? '';
      start = 1;
    }
    if (tools && tools.length > 0) {
      if (system !== '') system += '\n';
      system += `List of tools: <|tool_list_start|>[${tools.map((t) => lfm2JSON(t.function?.name ? functionJSON(t.function) : toolJSON(t))).join(', ')}]<|tool_list_end|>`;
    }
    if (system !== '') sb += `<|im_start|>system\n${system}<|im_end|>\n`;
    const keepPastThinking = this.o.isThinking && thinkBool(think);
    let lastAssistant = -1;
    for (let i = messages.length - 1; i >= start; i--) {
      if (messages[i]!.role === 'assistant') {
        lastAssistant = i;
        break;
      }
    }
    let offset = 0;
    for (let i = 0; i < start; i++) offset += messages[i]!.images?.length ?? 0;
    for (let i = start; i < messages.length; i++) {
      const m = messages[i]!;
      const prefill = i === messages.length - 1 && m.role === 'assistant';
      sb += `<|im_start|>${m.role}\n`;
      let content = this.content(m, offset);
      offset += m.images?.length ?? 0;
      if (m.role === 'assistant' && (m.tool_calls?.length ?? 0) > 0 && !content.includes('<|tool_call_start|>')) {
        content = toolCalls(m.tool_calls!) + (trimSpace(content) === '' ? content : `\n${content}`);
      }
      if (this.o.isThinking && m.role === 'assistant' && (m.thinking ?? '') !== '' && !content.includes('</think>')) {
        content = `<think>${m.thinking}</think>${content}`;
      }
      if (m.role === 'assistant' && !keepPastThinking && i !== lastAssistant) {
        const idx = content.lastIndexOf('</think>');
        if (idx >= 0) content = trimSpace(content.slice(idx + '</think>'.length));
      }
      if (m.role === 'tool' && !content.includes('<|tool_response_start|>')) content = `<|tool_response_start|>${content}<|tool_response_end|>`;
      sb += content;
      if (!prefill) sb += '<|im_end|>\n';
    }
    if (!(messages.length > 0 && messages[messages.length - 1]!.role === 'assistant')) sb += '<|im_start|>assistant\n';
    return sb;
  }
}
