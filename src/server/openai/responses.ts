/**
 * `/v1/responses` → `/api/chat` (OpenAI's Responses API as Ollama serves it): `input` as a string
 * or items (messages, `function_call`, `function_call_output`, `reasoning`), `instructions`,
 * function (and namespace) tools, `reasoning.effort`, `text.format`, sampling fields. Whatever
 * would change the answer but cannot be honoured here is a 400, never ignored (docs/api.md).
 * The answer side (response object, stream events) is in responses-output.ts.
 */
import { BadRequestError } from '../../api/errors.js';
import type { ChatRequest, Format, Message, ThinkValue, Tool, ToolCall } from '../../api/types.js';
import { jsonKind } from './common.js';
import { decodeImageURL, mapReasoningEffort } from './chat.js';

/** A Responses tool as echoed back in the response object (Go's ResponsesTool field order). */
export interface ResponsesTool {
  type: string;
  name: string;
  description: string | null;
  strict: boolean | null;
  parameters: Record<string, unknown> | null;
  tools?: ResponsesTool[];
}

export interface ResponsesTextFormat {
  type: string;
  name?: string;
  schema?: unknown;
  strict?: boolean;
}

/** What the response object repeats from the request. */
export interface ResponsesEcho {
  model: string;
  instructions: string | null;
  truncation: string;
  tools: ResponsesTool[];
  parallelToolCalls: boolean;
  textFormat: ResponsesTextFormat;
  reasoning: { effort: string | null; summary: string | null } | null;
  topP: number;
  temperature: number;
  maxOutputTokens: number | null;
}

export interface MappedResponsesRequest {
  chat: ChatRequest;
  stream: boolean;
  echo: ResponsesEcho;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const present = (v: unknown) => v !== undefined && v !== null;

/** Go's decoder message for a field of the wrong JSON type. */
function typeError(field: string, v: unknown, goType: string): BadRequestError {
  return new BadRequestError(`json: cannot unmarshal ${jsonKind(v)} into Go struct field ResponsesRequest.${field} of type ${goType}`);
}

function optString(body: Json, field: string): string | undefined {
  const v = body[field];
  if (!present(v)) return undefined;
  if (typeof v !== 'string') throw typeError(field, v, 'string');
  return v;
}

function optNum(body: Json, field: string, goType = 'float64'): number | undefined {
  const v = body[field];
  if (!present(v)) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw typeError(field, v, goType);
  if (goType === 'int' && !Number.isInteger(v)) throw typeError(field, v, goType);
  return v;
}

function optBool(body: Json, field: string): boolean | undefined {
  const v = body[field];
  if (!present(v)) return undefined;
  if (typeof v !== 'boolean') throw typeError(field, v, 'bool');
  return v;
}

function unsupported(what: string): BadRequestError {
  return new BadRequestError(what);
}

/** Request fields that would change the answer but have no meaning on a server that stores nothing. */
function refuseUnsupported(r: Json): void {
  if (present(r.previous_response_id)) throw unsupported('previous_response_id is not supported: responses are not stored, send the whole conversation in input');
  if (present(r.conversation)) throw unsupported('conversation is not supported: responses are not stored, send the whole conversation in input');
  if (r.background === true) throw unsupported('background mode is not supported');
  if (present(r.prompt)) throw unsupported('prompt templates are not supported');
  if (present(r.max_tool_calls)) throw unsupported('max_tool_calls is not supported');
  const tl = optNum(r, 'top_logprobs', 'int');
  if (tl !== undefined && tl !== 0) throw unsupported('top_logprobs is not supported');
  if (present(r.include)) {
    if (!Array.isArray(r.include)) throw typeError('include', r.include, '[]string');
    for (const inc of r.include) {
      if (typeof inc !== 'string') throw typeError('include', inc, 'string');
      // Reasoning is always returned in full (encrypted_content holds the plain thinking).
      if (inc !== 'reasoning.encrypted_content') throw unsupported(`include ${JSON.stringify(inc)} is not supported`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Input items

const ROLES: Record<string, string> = { user: 'user', assistant: 'assistant', system: 'system', developer: 'system' };

/**
 * Message or tool output content (string or content items) → its text and images (Ollama's
 * convertResponsesContent: `input_image` data URLs, one without a URL skipped); files refused.
 */
function contentParts(content: unknown, where: string): { text: string; images: string[] } {
  const images: string[] = [];
  if (content === undefined || content === null) return { text: '', images };
  if (typeof content === 'string') return { text: content, images };
  if (!Array.isArray(content)) throw new BadRequestError(`${where}: content must be a string or array`);
  let text = '';
  content.forEach((part, j) => {
    const type = isObject(part) ? part.type : undefined;
    switch (type) {
      case 'input_text':
      case 'output_text':
        if (part.text !== undefined && typeof part.text !== 'string') throw new BadRequestError(`${where}: content[${j}]: text must be a string`);
        text += (part.text as string | undefined) ?? '';
        break;
      case 'input_image': {
        const url = part.image_url;
        if (url === undefined || url === null || url === '') break;
        if (typeof url !== 'string') throw new BadRequestError(`${where}: content[${j}]: image_url must be a string`);
        images.push(decodeImageURL(url));
        break;
      }
      case 'input_file':
        throw new BadRequestError('file inputs are not currently supported');
      default:
        throw new BadRequestError(`${where}: content[${j}]: unknown content type: ${typeof type === 'string' ? type : ''}`);
    }
  });
  return { text, images };
}

/** A message with the content's text and images. */
function withContent(msg: Message, content: unknown, where: string): Message {
  const { text, images } = contentParts(content, where);
  msg.content = text;
  if (images.length > 0) msg.images = images;
  return msg;
}

function toolCallOf(item: Json, where: string): ToolCall {
  if (typeof item.name !== 'string' || item.name === '') throw new BadRequestError(`${where}: function_call needs a name`);
  let args: unknown = {};
  if (item.arguments !== undefined && item.arguments !== null && item.arguments !== '') {
    if (typeof item.arguments !== 'string') throw new BadRequestError(`${where}: function_call arguments must be a JSON string`);
    try {
      args = JSON.parse(item.arguments);
    } catch (err) {
      throw new BadRequestError(`failed to parse function call arguments: ${(err as Error).message}`);
    }
    if (!isObject(args)) throw new BadRequestError('failed to parse function call arguments: arguments must be a JSON object');
  }
  const call: ToolCall = { function: { index: 0, name: item.name, arguments: args as Json } };
  if (typeof item.call_id === 'string' && item.call_id !== '') call.id = item.call_id;
  return call;
}

/**
 * The chat messages for `input` items, merged as Ollama does: reasoning attaches to the next
 * assistant message, function calls join the assistant message before them, and an assistant
 * message replayed between a call and its output joins the call's message.
 */
function fromItems(items: unknown[]): Message[] {
  const messages: Message[] = [];
  let pendingThinking = '';
  const last = () => messages[messages.length - 1];
  items.forEach((raw, i) => {
    const where = `input[${i}]`;
    if (!isObject(raw)) throw new BadRequestError(`${where}: input item must be an object`);
    let type = typeof raw.type === 'string' ? raw.type : '';
    if (type === '' && typeof raw.role === 'string' && raw.role !== '') type = 'message';
    switch (type) {
      case 'reasoning':
        pendingThinking = typeof raw.encrypted_content === 'string' ? raw.encrypted_content : '';
        return;
      case 'message': {
        const role = typeof raw.role === 'string' ? ROLES[raw.role] : undefined;
        if (!role) {
          throw new BadRequestError(`${where}: invalid role ${JSON.stringify(raw.role ?? '')} (must be "user", "assistant", "system" or "developer")`);
        }
        const msg = withContent({ role, content: '' }, raw.content, where);
        if (role === 'assistant' && pendingThinking) {
          msg.thinking = pendingThinking;
          pendingThinking = '';
        }
        const next = items[i + 1];
        const outputCallId = isObject(next) && next.type === 'function_call_output' && typeof next.call_id === 'string' ? next.call_id : '';
        const prev = last();
        if (role === 'assistant' && outputCallId && prev?.role === 'assistant' && prev.tool_calls?.some((c) => c.id === outputCallId)) {
          if (prev.content && msg.content) prev.content += '\n';
          prev.content += msg.content;
          if (msg.images) (prev.images ??= []).push(...msg.images);
          if (msg.thinking) prev.thinking = msg.thinking;
          return;
        }
        messages.push(msg);
        return;
      }
      case 'function_call': {
        const call = toolCallOf(raw, where);
        const prev = last();
        if (prev?.role === 'assistant') {
          call.function.index = prev.tool_calls?.length ?? 0;
          (prev.tool_calls ??= []).push(call);
          if (pendingThinking) prev.thinking = pendingThinking;
        } else {
          const msg: Message = { role: 'assistant', content: '', tool_calls: [call] };
          if (pendingThinking) msg.thinking = pendingThinking;
          messages.push(msg);
        }
        pendingThinking = '';
        return;
      }
      case 'function_call_output': {
        const msg = withContent({ role: 'tool', content: '' }, raw.output, where);
        if (typeof raw.call_id === 'string' && raw.call_id !== '') {
          msg.tool_call_id = raw.call_id;
          const name = toolNameFor(messages, raw.call_id);
          if (name) msg.tool_name = name;
        }
        messages.push(msg);
        return;
      }
      case '':
        throw new BadRequestError(`${where}: input item missing required 'type' field`);
      default:
        throw new BadRequestError(`${where}: unknown input item type: ${JSON.stringify(type)}`);
    }
  });
  if (pendingThinking) messages.push({ role: 'assistant', content: '', thinking: pendingThinking });
  return messages;
}

function toolNameFor(messages: Message[], callId: string): string {
  for (const m of messages) for (const c of m.tool_calls ?? []) if (c.id === callId) return c.function.name;
  return '';
}

// ---------------------------------------------------------------------------------------------
// Tools

function echoTool(t: Json, where: string): ResponsesTool {
  if (typeof t.name !== 'string' || t.name === '') throw new BadRequestError(`${where}: a ${String(t.type)} tool needs a name`);
  if (present(t.description) && typeof t.description !== 'string') throw new BadRequestError(`${where}: description must be a string`);
  if (present(t.parameters) && !isObject(t.parameters)) throw new BadRequestError(`${where}: parameters must be an object`);
  const out: ResponsesTool = {
    type: t.type as string,
    name: t.name,
    description: (t.description as string | undefined) ?? null,
    strict: typeof t.strict === 'boolean' ? t.strict : null,
    parameters: (t.parameters as Json | undefined) ?? null,
  };
  if (t.type === 'namespace') {
    if (!Array.isArray(t.tools)) throw new BadRequestError(`${where}: a namespace tool needs tools`);
    out.tools = t.tools.map((m, j) => checkTool(m, `${where}.tools[${j}]`));
  }
  return out;
}

function checkTool(t: unknown, where: string): ResponsesTool {
  if (!isObject(t)) throw new BadRequestError(`${where}: tool must be an object`);
  if (t.type !== 'function' && t.type !== 'namespace') {
    throw new BadRequestError(`${where}: tool type ${JSON.stringify(t.type ?? '')} is not supported (only "function" and "namespace" tools are; built-in tools such as web_search are not available)`);
  }
  return echoTool(t, where);
}

/** Responses tools → chat tools; a namespace expands to its members named `<namespace>.<name>`. */
function chatTools(t: ResponsesTool): Tool[] {
  if (t.type !== 'namespace') {
    const params = (t.parameters ?? {}) as Tool['function']['parameters'];
    const fn: Tool['function'] = { name: t.name, parameters: params };
    if (t.description) fn.description = t.description;
    return [{ type: 'function', function: fn }];
  }
  return (t.tools ?? []).flatMap(chatTools).map((tool) => {
    const prefix = t.name + '.';
    if (!tool.function.name.startsWith(prefix)) tool.function.name = prefix + tool.function.name;
    return tool;
  });
}

function toolChoiceAllowsTools(choice: unknown): boolean {
  if (!present(choice) || choice === 'auto') return true;
  if (choice === 'none') return false;
  throw new BadRequestError(`tool_choice ${JSON.stringify(choice)} is not supported (only "auto" and "none")`);
}

// ---------------------------------------------------------------------------------------------
// Text format and reasoning

function textFormat(text: unknown): { echo: ResponsesTextFormat; format?: Format } {
  if (!present(text)) return { echo: { type: 'text' } };
  if (!isObject(text)) throw typeError('text', text, 'openai.ResponsesText');
  if (present(text.verbosity) && text.verbosity !== 'medium') throw new BadRequestError(`text.verbosity ${JSON.stringify(text.verbosity)} is not supported (only "medium")`);
  const f = text.format;
  if (!present(f)) return { echo: { type: 'text' } };
  if (!isObject(f)) throw typeError('text.format', f, 'openai.ResponsesTextFormat');
  const echo: ResponsesTextFormat = { type: String(f.type ?? '') };
  if (typeof f.name === 'string' && f.name !== '') echo.name = f.name;
  if (present(f.schema)) echo.schema = f.schema;
  if (typeof f.strict === 'boolean') echo.strict = f.strict;
  switch (f.type) {
    case 'text':
      return { echo };
    case 'json_object':
      return { echo, format: 'json' };
    case 'json_schema':
      if (!isObject(f.schema)) throw new BadRequestError('text.format.schema must be a JSON schema object');
      return { echo, format: f.schema };
    default:
      throw new BadRequestError(`text.format.type ${JSON.stringify(f.type ?? '')} is not supported (must be "text", "json_object" or "json_schema")`);
  }
}

function reasoningOf(r: unknown): { think?: ThinkValue; echo: ResponsesEcho['reasoning'] } {
  if (!present(r)) return { echo: null };
  if (!isObject(r)) throw typeError('reasoning', r, 'openai.ResponsesReasoning');
  const effort = typeof r.effort === 'string' ? r.effort : '';
  const summary = typeof r.summary === 'string' ? r.summary : '';
  const think = effort !== '' ? mapReasoningEffort(effort) : undefined;
  const echo = effort || summary ? { effort: effort || null, summary: summary || null } : null;
  return think === undefined ? { echo } : { think, echo };
}

// ---------------------------------------------------------------------------------------------

/** Maps a Responses request to a chat request. Throws BadRequestError (400). */
export function fromResponsesRequest(body: unknown): MappedResponsesRequest {
  if (!isObject(body)) throw new BadRequestError(`json: cannot unmarshal ${jsonKind(body)} into Go value of type openai.ResponsesRequest`);
  refuseUnsupported(body);
  const model = optString(body, 'model') ?? '';
  const instructions = optString(body, 'instructions') ?? '';
  const stream = optBool(body, 'stream') ?? false;

  const messages: Message[] = [];
  if (instructions) messages.push({ role: 'system', content: instructions });
  const input = body.input;
  if (typeof input === 'string') {
    if (input !== '') messages.push({ role: 'user', content: input });
  } else if (Array.isArray(input)) {
    messages.push(...fromItems(input));
  } else if (present(input)) {
    throw new BadRequestError(`input must be a string or array: json: cannot unmarshal ${jsonKind(input)} into Go value of type []json.RawMessage`);
  }

  const options: Record<string, unknown> = {};
  const temperature = optNum(body, 'temperature');
  options.temperature = temperature ?? 1.0;
  const topP = optNum(body, 'top_p');
  if (topP !== undefined) options.top_p = topP;
  const maxOut = optNum(body, 'max_output_tokens', 'int');
  if (maxOut !== undefined) options.num_predict = maxOut;

  const truncation = optString(body, 'truncation') ?? 'disabled';
  if (truncation !== 'disabled' && truncation !== 'auto') throw new BadRequestError(`truncation ${JSON.stringify(truncation)} is not supported (must be "auto" or "disabled")`);

  if (present(body.tools) && !Array.isArray(body.tools)) throw typeError('tools', body.tools, '[]openai.ResponsesTool');
  const tools = ((body.tools as unknown[] | undefined) ?? []).map((t, i) => checkTool(t, `tools[${i}]`));
  const useTools = toolChoiceAllowsTools(body.tool_choice);
  const parallel = optBool(body, 'parallel_tool_calls') ?? true;
  const text = textFormat(body.text);
  const reasoning = reasoningOf(body.reasoning);

  const chat: ChatRequest = { model, messages, stream, options };
  const expanded = useTools ? tools.flatMap(chatTools) : [];
  if (expanded.length > 0) chat.tools = expanded;
  if (text.format !== undefined) chat.format = text.format;
  if (reasoning.think !== undefined) chat.think = reasoning.think;

  return {
    chat,
    stream,
    echo: {
      model,
      instructions: instructions || null,
      truncation,
      tools,
      parallelToolCalls: parallel,
      textFormat: text.echo,
      reasoning: reasoning.echo,
      topP: topP ?? 1.0,
      temperature: temperature ?? 1.0,
      maxOutputTokens: maxOut ?? null,
    },
  };
}
