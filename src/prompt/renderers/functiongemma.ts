/**
 * `functiongemma`: Gemma turns with a `developer` turn of `<start_function_declaration>` entries,
 * calls as `call:name{k:v,…}` (sorted keys, `<escape>`-quoted strings) and tool responses
 * folded into the model turn.
 */
import type { Message, Tool } from '../../api/types.js';
import { compareStrings } from '../../template/values.js';
import { goV, propertyTypes } from './gojson.js';
import { trimSpace } from './gostrings.js';
import type { Renderer } from './types.js';

const DEFAULT_SYSTEM = 'You can do function calling with the following functions:';
const sortedKeys = (o: Record<string, unknown>): string[] => Object.keys(o).sort(compareStrings);

export function formatArgValue(v: unknown): string {
  if (typeof v === 'string') return `<escape>${v}<escape>`;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v).toString() : goV(v);
  if (Array.isArray(v)) return `[${v.map(formatArgValue).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${sortedKeys(o).map((k) => `${k}:${formatArgValue(o[k])}`).join(',')}}`;
  }
  return goV(v);
}

function declaration(tool: Tool): string {
  const fn = tool.function ?? ({} as Tool['function']);
  const params = fn.parameters ?? ({} as Tool['function']['parameters']);
  let sb = `<start_function_declaration>declaration:${fn.name ?? ''}{description:<escape>${fn.description ?? ''}<escape>`;
  const props = params.properties && typeof params.properties === 'object' ? params.properties : null;
  const type = typeof params.type === 'string' ? params.type : '';
  if (props || type !== '') {
    sb += ',parameters:{';
    const parts: string[] = [];
    if (props && Object.keys(props).length > 0) {
      const entries = sortedKeys(props).map((name) => {
        const p = props[name] ?? {};
        const types = propertyTypes(p.type);
        return `${name}:{description:<escape>${p.description ?? ''}<escape>${types.length > 0 ? `,type:<escape>${types[0]!.toUpperCase()}<escape>` : ''}}`;
      });
      parts.push(`properties:{${entries.join(',')}}`);
    }
    if (params.required && params.required.length > 0) parts.push(`required:[${params.required.map((r) => `<escape>${r}<escape>`).join(',')}]`);
    if (type !== '') parts.push(`type:<escape>${type.toUpperCase()}<escape>`);
    sb += `${parts.join(',')}}`;
  }
  return `${sb}}<end_function_declaration>`;
}

function toolCall(call: NonNullable<Message['tool_calls']>[number]): string {
  const args = call.function.arguments ?? {};
  return `<start_function_call>call:${call.function.name}{${sortedKeys(args).map((k) => `${k}:${formatArgValue(args[k])}`).join(',')}}<end_function_call>`;
}

export class FunctionGemmaRenderer implements Renderer {
  readonly leadingBOS = '<bos>';

  render(messages: readonly Message[], tools: readonly Tool[] | null | undefined): string {
    let sb = '<bos>';
    let system = '';
    let loop = messages;
    if (messages.length > 0 && (messages[0]!.role === 'system' || messages[0]!.role === 'developer')) {
      system = messages[0]!.content ?? '';
      loop = messages.slice(1);
    }
    const hasTools = !!tools && tools.length > 0;
    if (system !== '' || hasTools) {
      sb += '<start_of_turn>developer\n';
      if (system !== '') sb += trimSpace(system);
      if (hasTools) {
        if (system !== '') sb += '\n';
        if (trimSpace(system) !== DEFAULT_SYSTEM) sb += DEFAULT_SYSTEM;
      }
      for (const tool of tools ?? []) sb += declaration(tool);
      sb += '<end_of_turn>\n';
    }
    let prev = '';
    loop.forEach((m, i) => {
      const content = m.content ?? '';
      switch (m.role) {
        case 'assistant': {
          if (prev !== 'tool_response') sb += '<start_of_turn>model\n';
          prev = '';
          if (content !== '') sb += trimSpace(content);
          const calls = m.tool_calls ?? [];
          if (calls.length > 0) {
            for (const call of calls) sb += toolCall(call);
            if (i + 1 < loop.length && loop[i + 1]!.role === 'tool') {
              sb += '<start_function_response>';
              prev = 'tool_call';
            } else sb += '<end_of_turn>\n';
          } else sb += '<end_of_turn>\n';
          break;
        }
        case 'user':
          if (prev !== 'tool_response') sb += '<start_of_turn>user\n';
          prev = '';
          sb += `${trimSpace(content)}<end_of_turn>\n`;
          break;
        case 'tool': {
          let name = '';
          for (let j = i - 1; j >= 0; j--) {
            const calls = loop[j]!.tool_calls ?? [];
            if (loop[j]!.role === 'assistant' && calls.length > 0) {
              let idx = 0;
              for (let k = j + 1; k < i; k++) if (loop[k]!.role === 'tool') idx++;
              if (idx < calls.length) name = calls[idx]!.function.name;
              break;
            }
          }
          if (prev !== 'tool_call') sb += '<start_function_response>';
          sb += `response:${name}{${formatArgValue(content)}}<end_function_response>`;
          prev = 'tool_response';
          break;
        }
        default:
          sb += `<start_of_turn>${m.role}\n${trimSpace(content)}<end_of_turn>\n`;
      }
    });
    if (prev !== 'tool_response') sb += '<start_of_turn>model\n';
    return sb;
  }
}
