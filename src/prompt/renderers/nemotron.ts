/**
 * `nemotron-3-nano` and `nemotron-3.5-nano`: ChatML with an always-present system turn, Qwen-style
 * XML tool definitions (Python-flavoured JSON for enums and schemas), `<think>` handling with
 * `/think` / `/no_think` toggles (3-nano only) and past reasoning truncated before the last user turn.
 */
import type { Message, Tool } from '../../api/types.js';
import { quoteString } from '../../template/printing.js';
import { compareStrings } from '../../template/values.js';
import { goV, marshal, propertyTypes } from './gojson.js';
import { trimSpace } from './gostrings.js';
import { renderContentWithImageTags } from './images.js';
import { isThinkSet, thinkBool, type Renderer, type Think } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The template's tojson of plain (decoded JSON) values: ", " and ": ", sorted map keys. */
function pyJSON(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return quoteString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return marshal(v);
  if (Array.isArray(v)) return `[${v.map(pyJSON).join(', ')}]`;
  if (isObj(v)) return `{${Object.keys(v).sort(compareStrings).map((k) => `${quoteString(k)}: ${pyJSON(v[k])}`).join(', ')}}`;
  return 'null';
}

/** pyJSON of an api.ToolProperty (struct order, omitempty; nested properties keep their order). */
function pyProp(p: unknown): string {
  const o = isObj(p) ? p : {};
  const parts: string[] = [];
  if (Array.isArray(o.anyOf) && o.anyOf.length > 0) parts.push(`"anyOf": [${o.anyOf.map(pyProp).join(', ')}]`);
  const types = propertyTypes(o.type);
  if (types.length === 1) parts.push(`"type": ${pyJSON(types[0])}`);
  else if (types.length > 1) parts.push(`"type": ${pyJSON(types)}`);
  if (o.items !== undefined && o.items !== null) parts.push(`"items": ${pyJSON(o.items)}`);
  if (typeof o.description === 'string' && o.description !== '') parts.push(`"description": ${pyJSON(o.description)}`);
  if (Array.isArray(o.enum) && o.enum.length > 0) parts.push(`"enum": ${pyJSON(o.enum)}`);
  if (isObj(o.properties)) parts.push(`"properties": ${pyProps(o.properties)}`);
  if (Array.isArray(o.required) && o.required.length > 0) parts.push(`"required": ${pyJSON(o.required)}`);
  return `{${parts.join(', ')}}`;
}

const pyProps = (props: Obj): string => `{${Object.entries(props).map(([k, v]) => `${quoteString(k)}: ${pyProp(v)}`).join(', ')}}`;

/** How the template prints a value: JSON for containers, Python's str() for scalars. */
function templateValue(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'object') return pyJSON(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return goV(v);
}

function stripThinkToggles(s: string): string {
  return s.replaceAll('</think>', '<_end_think>').replaceAll('/think', '').replaceAll('/no_think', '').replaceAll('<_end_think>', '</think>');
}

function propertyType(types: string[]): string {
  return types.length === 1 ? types[0]! : `[${types.map((t) => `'${t}'`).join(', ')}]`;
}

const TOOL_FORMAT = '\n\nIf you choose to call a function ONLY reply in the following format with NO suffix:\n\n<tool_call>\n<function=example_function_name>\n<parameter=example_parameter_1>\nvalue_1\n</parameter>\n<parameter=example_parameter_2>\nThis is the value for the second parameter\nthat can span\nmultiple lines\n</parameter>\n</function>\n</tool_call>\n\n<IMPORTANT>\nReminder:\n- Function calls MUST follow the specified format: an inner <function=...></function> block must be nested within <tool_call></tool_call> XML tags\n- Required parameters MUST be specified\n- You may provide optional reasoning for your function call in natural language BEFORE the function call, but NOT after\n- If there is no function call available, answer the question like normal with your current knowledge and do not tell the user about function calls\n</IMPORTANT>';

function renderTools(tools: readonly Tool[]): string {
  let sb = '# Tools\n\nYou have access to the following functions:\n\n<tools>';
  for (const tool of tools) {
    const fn = tool.function ?? ({} as Tool['function']);
    const params = (fn.parameters ?? {}) as Obj;
    sb += `\n<function>\n<name>${fn.name ?? ''}</name>`;
    if (fn.description) sb += `\n<description>${trimSpace(fn.description)}</description>`;
    sb += '\n<parameters>';
    if (isObj(params.properties)) {
      for (const [name, raw] of Object.entries(params.properties)) {
        const p = (isObj(raw) ? raw : {}) as Obj;
        sb += `\n<parameter>\n<name>${name}</name>`;
        const types = propertyTypes(p.type);
        if (types.length > 0) sb += `\n<type>${propertyType(types)}</type>`;
        if (typeof p.description === 'string' && p.description !== '') sb += `\n<description>${trimSpace(p.description)}</description>`;
        if (Array.isArray(p.enum) && p.enum.length > 0) sb += `\n<enum>${pyJSON(p.enum)}</enum>`;
        if (Array.isArray(p.anyOf) && p.anyOf.length > 0) sb += `\n<anyOf>[${p.anyOf.map(pyProp).join(', ')}]</anyOf>`;
        if (p.items !== undefined && p.items !== null) sb += `\n<items>${pyJSON(p.items)}</items>`;
        if (isObj(p.properties)) sb += `\n<properties>${pyProps(p.properties)}</properties>`;
        if (Array.isArray(p.required) && p.required.length > 0) sb += `\n<required>${pyJSON(p.required)}</required>`;
        sb += '\n</parameter>';
      }
    }
    if (params.$defs !== undefined && params.$defs !== null) sb += `\n<$defs>${templateValue(params.$defs)}</$defs>`;
    if (params.items !== undefined && params.items !== null) sb += `\n<items>${templateValue(params.items)}</items>`;
    if (Array.isArray(params.required) && params.required.length > 0) sb += `\n<required>${pyJSON(params.required)}</required>`;
    sb += '\n</parameters>\n</function>';
  }
  return `${sb}\n</tools>${TOOL_FORMAT}`;
}

export class Nemotron3NanoRenderer implements Renderer {
  readonly leadingBOS = '';
  constructor(private readonly v35 = false) {}

  private thinking(messages: readonly Message[], think: Think): boolean {
    let enable = !isThinkSet(think) || thinkBool(think);
    if (this.v35) return enable;
    for (const m of messages) {
      if (m.role !== 'user' && m.role !== 'system') continue;
      const c = m.content ?? '';
      if (c.replaceAll('</think>', '').includes('/think')) enable = true;
      else if (c.includes('/no_think')) enable = false;
    }
    return enable;
  }

  private buildContent(m: Message): string {
    const content = m.content ?? '';
    if ((m.thinking ?? '') !== '') return this.v35 ? `<think>\n${m.thinking}</think>${content}` : `<think>\n${m.thinking}\n</think>\n${content}`;
    if (!content.includes('<think>') && !content.includes('</think>')) return `<think></think>${content}`;
    return content;
  }

  render(messages: readonly Message[], tools: readonly Tool[] | null | undefined, think: Think): string {
    let offset = 0;
    const enable = this.thinking(messages, think);
    const medium = this.v35 && think === 'medium';
    let system = '';
    let loop = messages;
    if (messages.length > 0 && messages[0]!.role === 'system') {
      system = this.v35 ? messages[0]!.content ?? '' : stripThinkToggles(messages[0]!.content ?? '');
      loop = messages.slice(1);
    }
    let lastUser = -1;
    loop.forEach((m, i) => { if (m.role === 'user') lastUser = i; });
    let sb = `<|im_start|>system\n${system}`;
    if (tools && tools.length > 0) {
      if (system !== '') sb += '\n\n';
      sb += renderTools(tools);
    }
    sb += '<|im_end|>\n';
    const withImages = (m: Message): string => {
      const n = m.images?.length ?? 0;
      const c = n === 0 ? m.content ?? '' : renderContentWithImageTags(m.content ?? '', n, offset)[0];
      offset += n;
      return c;
    };
    loop.forEach((m, i) => {
      switch (m.role) {
        case 'assistant': {
          const content = this.buildContent(m);
          const truncate = i < lastUser;
          sb += '<|im_start|>assistant\n';
          if (m.tool_calls && m.tool_calls.length > 0) {
            sb += toolCallContent(content, truncate);
            for (const call of m.tool_calls) {
              sb += `<tool_call>\n<function=${call.function.name}>\n`;
              for (const [k, v] of Object.entries(call.function.arguments ?? {})) sb += `<parameter=${k}>\n${templateValue(v)}\n</parameter>\n`;
              sb += '</function>\n</tool_call>\n';
            }
          } else sb += assistantContent(content, truncate);
          sb += '<|im_end|>\n';
          break;
        }
        case 'user': case 'system': {
          let content = withImages(m);
          if (!this.v35) content = trimSpace(stripThinkToggles(content));
          else if (m.role === 'user' && i === lastUser && medium) content += '\n\n{reasoning effort: efficient}';
          sb += `<|im_start|>${m.role}\n${content}<|im_end|>\n`;
          break;
        }
        case 'tool': {
          const prevTool = i > 0 && loop[i - 1]!.role === 'tool';
          const nextTool = i + 1 < loop.length && loop[i + 1]!.role === 'tool';
          const content = withImages(m);
          if (i > 0 && !prevTool) sb += '<|im_start|>user\n';
          sb += `<tool_response>\n${content}\n</tool_response>\n`;
          if (!nextTool) sb += '<|im_end|>\n';
          break;
        }
        default:
          sb += `<|im_start|>${m.role}\n${m.content ?? ''}<|im_end|>\n`;
      }
    });
    return sb + (enable ? '<|im_start|>assistant\n<think>\n' : '<|im_start|>assistant\n<think></think>');
  }
}

function assistantContent(content: string, truncate: boolean): string {
  if (!truncate) return trimSpace(content);
  let c = content;
  if (c.includes('<think>') && c.includes('</think>')) c = `<think></think>${c.split('</think>').pop()}`;
  return trimSpace(c);
}

function toolCallContent(content: string, truncate: boolean): string {
  if (trimSpace(content) === '') return '<think></think>';
  if (!truncate) return `${trimSpace(content)}\n`;
  let c = content;
  if (c.includes('</think>')) c = c.split('</think>').pop()!;
  else if (c.includes('<think>')) c = c.split('<think>')[0]!;
  return `${trimSpace(`<think></think>${trimSpace(c)}`)}\n`;
}
