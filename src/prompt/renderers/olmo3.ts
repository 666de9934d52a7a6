/**
 * `olmo3` / `olmo3.1` (tools as `<functions>` JSON in the system turn, calls written as
 * `name(arg=json, …)` with sorted argument names, tool results in an `environment` turn) and the
 * think variants `olmo3-think` / `olmo3-32b-think` (no tools; the prompt always opens `<think>`).
 */
import type { Message, Tool } from '../../api/types.js';
import { compareStrings } from '../../template/values.js';
import { marshal, marshalWithSpaces, toolJSON } from './gojson.js';
import type { Renderer } from './types.js';

const OLMO3_DEFAULT = 'You are a helpful function-calling AI assistant. ';
const OLMO31_DEFAULT = 'You are Olmo, a helpful AI assistant built by Ai2. Your date cutoff is December 2024, and your model weights are available at https://huggingface.co/allenai. ';
const NO_FUNCTIONS = 'You do not currently have access to any functions. ';
const WITH_FUNCTIONS = 'You are provided with function signatures within <functions></functions> XML tags. You may call one or more functions to assist with the user query. Output any function calls within <function_calls></function_calls> XML tags. Do not make assumptions about what values to plug into functions.';

function splitSystem(messages: readonly Message[], dropTools: boolean): [Message | null, Message[]] {
  let system: Message | null = null;
  const rest: Message[] = [];
  for (const m of messages) {
    if (m.role === 'system') system ??= m;
    else if (!(dropTools && m.role === 'tool')) rest.push(m);
  }
  return [system, rest];
}

export class Olmo3Renderer implements Renderer {
  readonly leadingBOS = '';
  constructor(private readonly extendedSystem: boolean) {}

  render(messages: readonly Message[], tools: readonly Tool[] | null | undefined): string {
    const [system, filtered] = splitSystem(messages, false);
    const hasTools = !!tools && tools.length > 0;
    const functions = hasTools ? `<functions>${marshalWithSpaces(tools.map(toolJSON))}</functions>` : '';
    let sb = '<|im_start|>system\n';
    if (system) sb += (system.content ?? '') + functions;
    else sb += (this.extendedSystem ? OLMO31_DEFAULT : OLMO3_DEFAULT) + (hasTools ? WITH_FUNCTIONS + functions : `${NO_FUNCTIONS}<functions></functions>`);
    sb += '<|im_end|>\n';
    filtered.forEach((m, i) => {
      const last = i === filtered.length - 1;
      const calls = m.tool_calls ?? [];
      if (m.role === 'user') sb += `<|im_start|>user\n${m.content ?? ''}<|im_end|>\n`;
      else if (m.role === 'assistant') {
        sb += `<|im_start|>assistant\n${m.content ?? ''}`;
        if (calls.length > 0) {
          sb += '<function_calls>';
          sb += calls.map((call) => {
            const args = call.function.arguments ?? {};
            const keys = Object.keys(args).sort(compareStrings);
            return `${call.function.name}(${keys.map((k) => `${k}=${marshal(args[k])}`).join(', ')})`;
          }).join('\n');
          sb += '</function_calls>';
        }
        if (!last || calls.length > 0) sb += '<|im_end|>\n';
      } else if (m.role === 'tool') sb += `<|im_start|>environment\n${m.content ?? ''}<|im_end|>\n`;
    });
    const lastMsg = filtered[filtered.length - 1];
    const prefill = !!lastMsg && lastMsg.role === 'assistant' && (lastMsg.tool_calls?.length ?? 0) === 0 && (lastMsg.content ?? '') !== '';
    if (!prefill) sb += '<|im_start|>assistant\n';
    return sb;
  }
}

export class Olmo3ThinkRenderer implements Renderer {
  readonly leadingBOS = '';
  /** `olmo3-32b-think` defaults to a shorter system message than `olmo3-think`. */
  constructor(private readonly variant: 'olmo3-think' | 'olmo3-32b-think') {}

  render(messages: readonly Message[]): string {
    const [system, filtered] = splitSystem(messages, true);
    let sb = '<|im_start|>system\n';
    if (system) sb += `${system.content ?? ''} You do not currently have access to any functions. <functions></functions>`;
    else if (this.variant === 'olmo3-32b-think') sb += 'You are a helpful AI assistant.';
    else sb += 'You are Olmo, a helpful AI assistant built by Ai2. Your date cutoff is December 2024, and your model weights are available at https://huggingface.co/allenai.';
    sb += '<|im_end|>\n';
    for (const m of filtered) {
      if (m.role === 'user') sb += `<|im_start|>user\n${m.content ?? ''}<|im_end|>\n`;
      else if (m.role === 'assistant') sb += `<|im_start|>assistant\n${m.content ?? ''}<|im_end|>\n`;
    }
    return `${sb}<|im_start|>assistant\n<think>`;
  }
}
