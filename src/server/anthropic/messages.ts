/**
 * `/v1/messages` request → `/api/chat` request, following Ollama's anthropic package: the system
 * prompt (a string or text blocks) becomes a system message; each message's text, images,
 * tool_use and thinking blocks become one Ollama message, its tool_result blocks `tool` messages
 * (placed before the user's own text); `max_tokens` → num_predict, `temperature`/`top_p`/`top_k`,
 * `stop_sequences` → stop; tools → functions; `thinking` / `output_config.effort` → think.
 *
 * Stricter than Ollama where Ollama silently drops what it cannot do: a role other than user or
 * assistant, an unknown content block, server tools (web search…), a non-text system block and
 * a `tool_choice` that would force a call are 400s, never ignored.
 */
import { BadRequestError } from '../../api/errors.js';
import { goBase64ErrorOffset, goBase64Message } from '../images.js';
import type { ChatRequest, Message, ThinkValue, Tool, ToolCall } from '../../api/types.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

function typeError(v: unknown, field: string, goType: string): BadRequestError {
  const kind = typeof v === 'number' ? `number ${v}` : jsonKind(v);
  return new BadRequestError(`json: cannot unmarshal ${kind} into Go struct field MessagesRequest.${field} of type ${goType}`);
}

/** Go's types of MessagesRequest's fields (what `ShouldBindJSON` checks). */
const FIELD_TYPES: Record<string, [check: (v: unknown) => boolean, goType: string]> = {
  model: [(v) => typeof v === 'string', 'string'],
  max_tokens: [(v) => typeof v === 'number' && Number.isInteger(v), 'int'],
  messages: [Array.isArray, '[]anthropic.MessageParam'],
  stream: [(v) => typeof v === 'boolean', 'bool'],
  temperature: [(v) => typeof v === 'number', 'float64'],
  top_p: [(v) => typeof v === 'number', 'float64'],
  top_k: [(v) => typeof v === 'number' && Number.isInteger(v), 'int'],
  stop_sequences: [(v) => Array.isArray(v) && v.every((s) => typeof s === 'string'), '[]string'],
  tools: [Array.isArray, '[]anthropic.Tool'],
  tool_choice: [isObject, 'anthropic.ToolChoice'],
  thinking: [isObject, 'anthropic.ThinkingConfig'],
  metadata: [isObject, 'anthropic.Metadata'],
  output_config: [isObject, 'anthropic.OutputConfig'],
};

function checkFieldTypes(body: Json): void {
  for (const [field, [check, goType]] of Object.entries(FIELD_TYPES)) {
    const v = body[field];
    if (v === undefined || v === null) continue;
    if (!check(v)) {
      const bad = field === 'stop_sequences' && Array.isArray(v) ? v.find((s) => typeof s !== 'string') : v;
      throw typeError(bad, field, field === 'stop_sequences' && Array.isArray(v) ? 'string' : goType);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Content blocks

/** An image block's source → base64 image data (only `base64` sources, as in Ollama). */
export function imageData(source: unknown): string {
  if (!isObject(source)) throw new BadRequestError('invalid image source');
  if (source.type !== 'base64') {
    throw new BadRequestError(`invalid image source type: ${typeof source.type === 'string' ? source.type : ''}. Only base64 images are supported.`);
  }
  const data = typeof source.data === 'string' ? source.data : '';
  const off = goBase64ErrorOffset(data);
  if (off >= 0) throw new BadRequestError(`invalid base64 image data: ${goBase64Message(off)}`);
  return data;
}

/** A tool_result's content: a string, or text and image blocks. */
function toolResultContent(content: unknown): { text: string; images: string[] } {
  if (content === undefined || content === null) return { text: '', images: [] };
  if (typeof content === 'string') return { text: content, images: [] };
  if (!Array.isArray(content)) throw new BadRequestError('invalid tool_result content: must be a string or an array of content blocks');
  let text = '';
  const images: string[] = [];
  for (const block of content) {
    if (!isObject(block)) throw new BadRequestError('invalid tool_result content block');
    if (block.type === 'text') {
      if (typeof block.text === 'string') text += block.text;
    } else if (block.type === 'image') {
      images.push(imageData(block.source));
    } else {
      throw new BadRequestError(`unsupported tool_result content block type ${JSON.stringify(block.type ?? '')} (supported: text, image)`);
    }
  }
  return { text, images };
}

const BLOCK_TYPES = 'text, image, tool_use, tool_result, thinking';

/** One Anthropic message → Ollama messages (tool results first for a user turn, as Ollama). */
function convertMessage(raw: unknown, i: number): Message[] {
  if (!isObject(raw)) throw new BadRequestError(`messages.${i}: must be an object`);
  const role = typeof raw.role === 'string' ? raw.role.toLowerCase() : '';
  if (role !== 'user' && role !== 'assistant') {
    const got = typeof raw.role === 'string' ? JSON.stringify(raw.role) : 'missing';
    const hint = role === 'system' ? '; put the system prompt in the top-level "system" field' : '';
    throw new BadRequestError(`messages.${i}.role: must be "user" or "assistant" (got ${got})${hint}`);
  }
  let blocks: unknown[];
  if (typeof raw.content === 'string') blocks = [{ type: 'text', text: raw.content }];
  else if (Array.isArray(raw.content)) blocks = raw.content;
  else if (raw.content === undefined || raw.content === null) blocks = [];
  else throw new BadRequestError(`json: cannot unmarshal ${jsonKind(raw.content)} into Go value of type []anthropic.ContentBlock`);

  let text = '';
  let thinking = '';
  const images: string[] = [];
  const toolCalls: ToolCall[] = [];
  const toolResults: Message[] = [];
  for (const [j, block] of blocks.entries()) {
    if (!isObject(block)) throw new BadRequestError(`messages.${i}.content.${j}: must be an object`);
    switch (block.type) {
      case 'text':
        if (block.text !== undefined && block.text !== null && typeof block.text !== 'string') {
          throw new BadRequestError(`messages.${i}.content.${j}.text: must be a string`);
        }
        text += block.text ?? '';
        break;
      case 'image':
        images.push(imageData(block.source));
        break;
      case 'tool_use': {
        if (typeof block.id !== 'string' || block.id === '') throw new BadRequestError("tool_use block missing required 'id' field");
        if (typeof block.name !== 'string' || block.name === '') throw new BadRequestError("tool_use block missing required 'name' field");
        const input = block.input ?? {};
        if (!isObject(input)) throw new BadRequestError(`messages.${i}.content.${j}.input: must be an object`);
        toolCalls.push({ id: block.id, function: { index: toolCalls.length, name: block.name, arguments: input } });
        break;
      }
      case 'tool_result': {
        const r = toolResultContent(block.content);
        const m: Message = { role: 'tool', content: r.text };
        if (r.images.length) m.images = r.images;
        if (typeof block.tool_use_id === 'string' && block.tool_use_id !== '') m.tool_call_id = block.tool_use_id;
        toolResults.push(m);
        break;
      }
      case 'thinking':
        if (typeof block.thinking === 'string') thinking = block.thinking;
        break;
      case 'redacted_thinking':
        // Encrypted reasoning from Anthropic's own models: nothing a local model can read.
        break;
      default:
        throw new BadRequestError(`messages.${i}.content.${j}: unsupported content block type ${JSON.stringify(block.type ?? '')} (supported: ${BLOCK_TYPES})`);
    }
  }

  const out: Message[] = [];
  if (role === 'user') out.push(...toolResults);
  if (text !== '' || images.length > 0 || toolCalls.length > 0 || thinking !== '') {
    const m: Message = { role, content: text };
    if (thinking) m.thinking = thinking;
    if (images.length) m.images = images;
    if (toolCalls.length) m.tool_calls = toolCalls;
    out.push(m);
  }
  if (role !== 'user') out.push(...toolResults);
  return out;
}

function systemText(system: unknown): string {
  if (system === undefined || system === null) return '';
  if (typeof system === 'string') return system;
  if (!Array.isArray(system)) throw new BadRequestError('system: must be a string or an array of text blocks');
  let text = '';
  for (const block of system) {
    if (!isObject(block) || block.type !== 'text') throw new BadRequestError('system: only text blocks are supported');
    if (typeof block.text === 'string') text += block.text;
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Tools and thinking

/** Anthropic's tools → Ollama functions; server tools (web search, code execution…) are refused. */
function convertTools(tools: unknown[]): Tool[] {
  return tools.map((raw, i) => {
    if (!isObject(raw)) throw new BadRequestError(`tools.${i}: must be an object`);
    const type = typeof raw.type === 'string' ? raw.type : '';
    if (type !== '' && type !== 'custom') {
      throw new BadRequestError(
        `tools.${i}: server tool type ${JSON.stringify(type)} is not supported by this server; only custom tools (name, description, input_schema) can be used`,
      );
    }
    if (typeof raw.name !== 'string' || raw.name === '') throw new BadRequestError(`tools.${i}.name: required`);
    const schema = raw.input_schema ?? { type: 'object', properties: {} };
    if (!isObject(schema)) throw new BadRequestError(`invalid input_schema for tool ${JSON.stringify(raw.name)}: must be a JSON object`);
    const fn: Tool['function'] = { name: raw.name, parameters: schema as Tool['function']['parameters'] };
    if (typeof raw.description === 'string' && raw.description !== '') fn.description = raw.description;
    return { type: 'function', function: fn };
  });
}

/** `tool_choice`: `auto` is what happens anyway, `none` drops the tools; forcing a call cannot be done. */
function applyToolChoice(choice: Json | undefined, tools: Tool[]): Tool[] {
  if (!choice) return tools;
  switch (choice.type) {
    case 'auto':
      return tools;
    case 'none':
      return [];
    case 'any':
    case 'tool':
      throw new BadRequestError(`tool_choice type ${JSON.stringify(choice.type)} is not supported: a local model cannot be forced to call a tool; use "auto"`);
    default:
      throw new BadRequestError(`tool_choice.type: must be "auto", "none", "any" or "tool" (got ${JSON.stringify(choice.type ?? '')})`);
  }
}

/** `thinking.type` enabled/disabled, else `output_config.effort` (xhigh → high), as Ollama. */
function thinkValue(thinking: Json | undefined, outputConfig: Json | undefined): ThinkValue | undefined {
  if (thinking?.type === 'enabled') return true;
  if (thinking?.type === 'disabled') return false;
  const effort = typeof outputConfig?.effort === 'string' ? outputConfig.effort.trim().toLowerCase() : '';
  const level = effort === 'xhigh' ? 'high' : effort;
  if (level === 'high' || level === 'medium' || level === 'low' || level === 'max') return level;
  return undefined;
}

// ---------------------------------------------------------------------------------------------

/** Maps a `/v1/messages` body to Ollama's chat request. Throws BadRequestError (400). */
export function fromMessagesRequest(body: unknown): ChatRequest {
  if (!isObject(body)) throw new BadRequestError(`json: cannot unmarshal ${jsonKind(body)} into Go value of type anthropic.MessagesRequest`);
  checkFieldTypes(body);
  if (typeof body.model !== 'string' || body.model === '') throw new BadRequestError('model is required');
  if (typeof body.max_tokens !== 'number' || body.max_tokens <= 0) throw new BadRequestError('max_tokens is required and must be positive');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw new BadRequestError('messages is required');

  const messages: Message[] = [];
  const system = systemText(body.system);
  if (system !== '') messages.push({ role: 'system', content: system });
  body.messages.forEach((m, i) => messages.push(...convertMessage(m, i)));

  const options: Record<string, unknown> = { num_predict: body.max_tokens };
  if (typeof body.temperature === 'number') options.temperature = body.temperature;
  if (typeof body.top_p === 'number') options.top_p = body.top_p;
  if (typeof body.top_k === 'number') options.top_k = body.top_k;
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0) options.stop = body.stop_sequences;

  const tools = applyToolChoice(body.tool_choice as Json | undefined, convertTools((body.tools as unknown[] | undefined) ?? []));
  const think = thinkValue(body.thinking as Json | undefined, body.output_config as Json | undefined);

  const out: ChatRequest = { model: body.model, messages, stream: body.stream === true, options };
  if (tools.length > 0) out.tools = tools;
  if (think !== undefined) out.think = think;
  return out;
}

/**
 * Ollama's rough input-token estimate for `message_start` (the real count only comes with the
 * last chunk): a quarter of the characters of the system prompt, roles, text, thinking, tool
 * blocks and tool definitions; at least 1 when there is anything.
 */
export function estimateInputTokens(body: unknown): number {
  if (!isObject(body)) return 0;
  const count = (v: unknown): number => {
    if (v === undefined || v === null) return 0;
    if (typeof v === 'string') return v.length;
    if (Array.isArray(v)) {
      let n = 0;
      for (const b of v) {
        if (!isObject(b)) continue;
        if (typeof b.text === 'string') n += b.text.length;
        if (typeof b.thinking === 'string') n += b.thinking.length;
        if (b.type === 'tool_use' || b.type === 'tool_result') n += JSON.stringify(b).length;
      }
      return n;
    }
    return JSON.stringify(v).length;
  };
  let total = count(body.system);
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const m of messages) {
    if (!isObject(m)) continue;
    total += typeof m.role === 'string' ? m.role.length : 0;
    total += count(m.content);
  }
  for (const t of Array.isArray(body.tools) ? body.tools : []) {
    if (!isObject(t)) continue;
    total += (typeof t.name === 'string' ? t.name.length : 0) + (typeof t.description === 'string' ? t.description.length : 0);
    if (t.input_schema !== undefined) total += JSON.stringify(t.input_schema).length;
  }
  const tokens = Math.floor(total / 4);
  return tokens === 0 && (messages.length > 0 || (body.system !== undefined && body.system !== null)) ? 1 : tokens;
}
