/**
 * `gemma4` / `gemma4-small` / `gemma4-large`: Gemma 4's `<|turn>role … <turn|>` turns, a system
 * turn carrying `<|think|>` and the tool declarations, calls as `<|tool_call>call:name{…}`, tool
 * results folded into the model turn as `<|tool_response>response:name{value:…}`, and adjacent
 * assistant messages continuing one model turn. The large variant ends a non-thinking prompt with
 * an empty thought block.
 */
import type { Message, Tool } from '../../api/types.js';
import { compareStrings } from '../../template/values.js';
import { formatArgValue, Q, toolDeclaration } from './gemma4-schema.js';
import { trimSpace } from './gostrings.js';
import { renderContentWithImageTags } from './images.js';
import { thinkBool, type Renderer, type Think } from './types.js';

type ToolCall = NonNullable<Message['tool_calls']>[number];

export interface Gemma4Options {
  useImgTags: boolean;
  /** gemma4-large: `<|channel>thought\n<channel|>` after the generation prompt unless thinking. */
  emptyBlockOnNothink?: boolean;
}

/** The HF template's strip_thinking: drops `<|channel>…<channel|>` blocks (and an unclosed tail). */
export function stripThinking(text: string): string {
  let out = '';
  for (;;) {
    const start = text.indexOf('<|channel>');
    if (start === -1) {
      out += text;
      break;
    }
    out += text.slice(0, start);
    const end = text.indexOf('<channel|>', start);
    if (end === -1) break;
    text = text.slice(end + '<channel|>'.length);
  }
  return trimSpace(out);
}

function toolCall(tc: ToolCall): string {
  const args = (tc.function.arguments ?? {}) as Record<string, unknown>;
  const keys = Object.keys(args).sort(compareStrings);
  return `<|tool_call>call:${tc.function.name}{${keys.map((k) => `${k}:${formatArgValue(args[k])}`).join(',')}}<tool_call|>`;
}

function toolResponseName(m: Message, calls: readonly ToolCall[]): string {
  let name = m.tool_name || 'unknown';
  if (m.tool_call_id) {
    const tc = calls.find((c) => c.id === m.tool_call_id);
    if (tc) name = tc.function.name;
  }
  return name;
}

const hasContent = (content: string, m: Message): boolean => trimSpace(content) !== '' || (m.images?.length ?? 0) > 0;

export class Gemma4Renderer implements Renderer {
  readonly leadingBOS = '<bos>';
  constructor(private readonly o: Gemma4Options) {}

  render(messages: readonly Message[], tools: readonly Tool[] | null | undefined, think: Think): string {
    let sb = '<bos>';
    let imageOffset = 0;
    const content = (m: Message, trim: boolean): string => {
      let c = m.content ?? '';
      if (trim) c = trimSpace(c);
      const n = m.images?.length ?? 0;
      if (n > 0 && this.o.useImgTags) [c, imageOffset] = renderContentWithImageTags(c, n, imageOffset);
      return c;
    };

    const first = messages[0];
    const hasSystemRole = !!first && (first.role === 'system' || first.role === 'developer');
    const system = hasSystemRole ? (first.content ?? '') : '';
    const loop = hasSystemRole ? messages.slice(1) : messages;
    const hasThink = thinkBool(think);
    const toolList = tools ?? [];
    if (hasSystemRole || toolList.length > 0 || hasThink) {
      sb += '<|turn>system\n';
      if (hasThink) sb += '<|think|>\n';
      if (system !== '') sb += trimSpace(system);
      for (const t of toolList) sb += toolDeclaration(t);
      sb += '<turn|>\n';
    }

    let lastUser = -1;
    loop.forEach((m, i) => {
      if (m.role === 'user') lastUser = i;
    });
    const nextNonToolRole = (i: number): string => {
      for (let k = i + 1; k < loop.length; k++) if (loop[k]!.role !== 'tool') return loop[k]!.role;
      return '';
    };

    let prevType = '';
    let prevNonToolRole = '';
    loop.forEach((m, i) => {
      if (m.role === 'tool') return;
      prevType = '';
      const role = m.role === 'assistant' ? 'model' : m.role;
      if (!(role === 'model' && prevNonToolRole === 'assistant')) sb += `<|turn>${role}\n`;
      if (m.role === 'assistant' && m.thinking && i > lastUser) sb += `<|channel>thought\n${m.thinking}\n<channel|>`;
      const calls = m.tool_calls ?? [];
      if (calls.length > 0) {
        for (const tc of calls) sb += toolCall(tc);
        prevType = 'tool_call';
      }
      let responded = false;
      if (calls.length > 0) {
        for (let k = i + 1; k < loop.length && loop[k]!.role === 'tool'; k++) {
          const response = content(loop[k]!, false);
          sb += `<|tool_response>response:${toolResponseName(loop[k]!, calls)}{value:${Q}${response}${Q}}<tool_response|>`;
          responded = true;
          prevType = 'tool_response';
        }
      }
      let hadContent = false;
      if (role === 'model') {
        if ((m.content ?? '') !== '' || (m.images?.length ?? 0) > 0) {
          const stripped = { ...m, content: stripThinking(m.content ?? '') };
          sb += content(stripped, false);
          hadContent = hasContent(stripped.content, m);
        }
      } else {
        sb += content(m, true);
        hadContent = hasContent(m.content ?? '', m);
      }
      const next = nextNonToolRole(i);
      const continuesIntoNext = role === 'model' && next === 'assistant' && (calls.length === 0 || responded);
      if (prevType === 'tool_call' && !responded) sb += '<|tool_response>';
      else if (!continuesIntoNext && !(responded && !hadContent && next === '')) sb += '<turn|>\n';
      prevNonToolRole = m.role;
    });

    if (prevType !== 'tool_response' && prevType !== 'tool_call') {
      sb += '<|turn>model\n';
      if (this.o.emptyBlockOnNothink && !hasThink) sb += '<|channel>thought\n<channel|>';
    } else if (prevType === 'tool_response' && hasThink) sb += '<|channel>thought\n';
    return sb;
  }
}
