/**
 * `/v1/chat/completions` ↔ `/api/chat` (reference §3.11): request mapping, the non-streaming
 * response, and the streaming chunk sequence.
 */
import { BadRequestError } from '../../api/errors.js';
import { goBase64ErrorOffset, goBase64Message } from '../images.js';
import type { ChatRequest, ChatResponse, Format, Message, ThinkValue, Tool, ToolCall } from '../../api/types.js';
import { goJSON } from '../gojson.js';
import { parseJSONBody } from '../jsonbody.js';
import { SYSTEM_FINGERPRINT, choiceLogprobs, finishReason, goTypeName, makeId, mapStop, optNumber, toUsage, unixNow, type ChoiceLogprobs, type Usage } from './common.js';

export interface OpenAIToolCall {
  id: string;
  index?: number;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface OpenAIMessage {
  role: string;
  content?: string | unknown[] | null;
  reasoning?: string;
  tool_calls?: OpenAIToolCall[];
  name?: string;
  tool_call_id?: string;
}

export interface ChatCompletionRequest {
  model: string;
  messages: OpenAIMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  max_completion_tokens?: number;
  seed?: number;
  stop?: string | string[];
  temperature?: number;
  top_p?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  response_format?: { type: string; json_schema?: { name?: string; schema?: Record<string, unknown> } };
  tools?: Tool[];
  reasoning?: { effort?: string };
  reasoning_effort?: string;
  logprobs?: boolean;
  top_logprobs?: number;
}

const IMAGE_PREFIXES = ['jpeg', 'jpg', 'png', 'webp'].map((t) => `data:image/${t};base64,`);
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** An `image_url` value → base64 image data (only data URLs are accepted, as in Ollama). */
export function decodeImageURL(url: string): string {
  if (url.startsWith('http://') || url.startsWith('https://')) {
    throw new BadRequestError('image URLs are not currently supported, please use base64 encoded data instead');
  }
  let data: string | undefined;
  if (url.startsWith('data:;base64,')) data = url.slice('data:;base64,'.length);
  else {
    const prefix = IMAGE_PREFIXES.find((p) => url.startsWith(p));
    if (prefix) data = url.slice(prefix.length);
  }
  if (data === undefined) throw new BadRequestError('invalid image input');
  // Ollama's text, then what is wrong: base64 as Go's base64.StdEncoding reads it (images.ts).
  const off = goBase64ErrorOffset(data);
  if (off >= 0) throw new BadRequestError(`invalid image input: ${goBase64Message(off)} in the data URL's base64`);
  return data;
}

/** OpenAI tool calls (arguments as a JSON string) → Ollama tool calls (arguments as an object). */
export function fromOpenAIToolCalls(calls: unknown): ToolCall[] | undefined {
  if (calls === undefined || calls === null) return undefined;
  if (!Array.isArray(calls)) throw new BadRequestError('invalid tool calls');
  return calls.map((raw, i) => {
    const tc = raw as Partial<OpenAIToolCall> | null;
    const fn = tc?.function;
    if (!fn || typeof fn.name !== 'string') throw new BadRequestError('invalid tool calls');
    let args: unknown = {};
    if (typeof fn.arguments === 'string' && fn.arguments.trim() !== '') {
      try {
        parseJSONBody(Buffer.from(fn.arguments)); // Go's depth limit (and syntax) first, as json.Unmarshal
        args = JSON.parse(fn.arguments);
      } catch {
        throw new BadRequestError('invalid tool call arguments');
      }
    }
    if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new BadRequestError('invalid tool call arguments');
    const out: ToolCall = { function: { index: i, name: fn.name, arguments: args as Record<string, unknown> } };
    if (typeof tc?.id === 'string' && tc.id !== '') out.id = tc.id;
    return out;
  });
}

function toolNameFromId(messages: OpenAIMessage[], id: string): string {
  for (const m of messages) {
    for (const tc of m.tool_calls ?? []) if (tc?.id === id) return tc.function?.name ?? '';
  }
  return '';
}

/** `reasoning.effort` / `reasoning_effort` → `think`. */
export function mapReasoningEffort(effort: string): ThinkValue {
  switch (effort) {
    case 'none':
      return false;
    case 'minimal':
      return 'low';
    case 'low':
    case 'medium':
    case 'high':
    case 'max':
      return effort;
    case 'xhigh':
    case 'ultra':
      return 'max';
    default:
      throw new BadRequestError(`invalid reasoning value: ${JSON.stringify(effort)} (must be "minimal", "low", "medium", "high", "xhigh", "ultra", "max", or "none")`);
  }
}

function fromMessages(messages: OpenAIMessage[]): Message[] {
  const out: Message[] = [];
  for (const raw of messages) {
    if (typeof raw !== 'object' || raw === null || typeof raw.role !== 'string') throw new BadRequestError('invalid message format');
    const msg = raw;
    const role = msg.role.toLowerCase();
    let toolName = '';
    if (role === 'tool') {
      toolName = msg.name ?? '';
      if (toolName === '' && msg.tool_call_id) toolName = toolNameFromId(messages, msg.tool_call_id);
    }
    const toolCalls = fromOpenAIToolCalls(msg.tool_calls);
    const extras = (m: Message): Message => {
      if (msg.reasoning) m.thinking = msg.reasoning;
      if (toolCalls && toolCalls.length > 0) m.tool_calls = toolCalls;
      if (toolName) m.tool_name = toolName;
      if (msg.tool_call_id) m.tool_call_id = msg.tool_call_id;
      return m;
    };
    const content = msg.content;
    if (typeof content === 'string') {
      out.push(extras({ role, content }));
    } else if (Array.isArray(content)) {
      const start = out.length;
      for (const part of content) {
        if (typeof part !== 'object' || part === null) throw new BadRequestError('invalid message format');
        const p = part as Record<string, unknown>;
        switch (p.type) {
          case 'text':
            if (typeof p.text !== 'string') throw new BadRequestError('invalid message format');
            out.push({ role, content: p.text });
            break;
          case 'image_url': {
            const iu = p.image_url;
            const url = typeof iu === 'string' ? iu : typeof iu === 'object' && iu !== null ? (iu as { url?: unknown }).url : undefined;
            if (typeof url !== 'string') throw new BadRequestError('invalid message format');
            out.push({ role, content: '', images: [decodeImageURL(url)] });
            break;
          }
          case 'input_audio': {
            const data = (p.input_audio as { data?: unknown } | undefined)?.data;
            if (typeof data !== 'string' || !BASE64_RE.test(data)) throw new BadRequestError('invalid audio input');
            out.push({ role, content: '', images: [data] });
            break;
          }
          default:
            throw new BadRequestError('invalid message format');
        }
      }
      if (out.length > start) extras(out[out.length - 1]!);
    } else {
      if (!toolCalls) throw new BadRequestError(`invalid message content type: ${goTypeName(content)}`);
      out.push(extras({ role, content: '' }));
    }
  }
  return out;
}

/** Maps an OpenAI chat request to Ollama's. Throws BadRequestError (400) with Ollama's texts. */
export function fromChatCompletionRequest(body: unknown): ChatRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequestError('invalid request body');
  const r = body as Record<string, unknown> & Partial<ChatCompletionRequest>;
  if (!Array.isArray(r.messages) || r.messages.length === 0) throw new BadRequestError(`[] is too short - 'messages'`);
  const options: Record<string, unknown> = {};
  mapStop(r.stop, options);
  const maxTokens = optNumber(r, 'max_tokens') ?? optNumber(r, 'max_completion_tokens');
  if (maxTokens !== undefined) options.num_predict = Math.trunc(maxTokens);
  options.temperature = optNumber(r, 'temperature') ?? 1.0;
  const seed = optNumber(r, 'seed');
  if (seed !== undefined) options.seed = Math.trunc(seed);
  const fp = optNumber(r, 'frequency_penalty');
  if (fp !== undefined) options.frequency_penalty = fp;
  const pp = optNumber(r, 'presence_penalty');
  if (pp !== undefined) options.presence_penalty = pp;
  options.top_p = optNumber(r, 'top_p') ?? 1.0;

  let format: Format | undefined;
  const rf = r.response_format;
  if (rf && typeof rf === 'object') {
    const type = String(rf.type ?? '').trim().toLowerCase();
    if (type === 'json_object') format = 'json';
    else if (type === 'json_schema' && rf.json_schema?.schema) format = rf.json_schema.schema;
  }

  let think: ThinkValue | undefined;
  const effort = r.reasoning?.effort ?? r.reasoning_effort;
  if (typeof effort === 'string') think = mapReasoningEffort(effort);

  const out: ChatRequest = {
    model: typeof r.model === 'string' ? r.model : '',
    messages: fromMessages(r.messages as OpenAIMessage[]),
    stream: r.stream === true,
    options,
  };
  if (format !== undefined) out.format = format;
  if (Array.isArray(r.tools) && r.tools.length > 0) out.tools = r.tools;
  if (think !== undefined) out.think = think;
  if (r.logprobs === true) out.logprobs = true;
  const tl = optNumber(r, 'top_logprobs');
  if (tl !== undefined) out.top_logprobs = tl;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Responses

/** Ollama tool calls → OpenAI (`{id,index,type:"function",function:{name,arguments:"<json>"}}`). */
export function toOpenAIToolCalls(calls: ToolCall[] | undefined): OpenAIToolCall[] {
  return (calls ?? []).map((tc, i) => ({
    id: tc.id ?? '',
    index: tc.function.index ?? i,
    type: 'function' as const,
    function: { name: tc.function.name, arguments: goJSON(tc.function.arguments ?? {}) },
  }));
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: { index: number; message: OpenAIMessage; finish_reason: string | null; logprobs?: ChoiceLogprobs }[];
  usage: Usage;
}


/** The non-streaming `chat.completion` object from Ollama's final (accumulated) response. */
export function toChatCompletion(id: string, r: ChatResponse, created: number = unixNow()): ChatCompletion {
  const toolCalls = toOpenAIToolCalls(r.message.tool_calls);
  const message: OpenAIMessage = { role: r.message.role, content: r.message.content };
  if (r.message.thinking) message.reasoning = r.message.thinking;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id,
    object: 'chat.completion',
    created,
    model: r.model,
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices: [{ index: 0, message, finish_reason: finishReason(r.done_reason, toolCalls.length > 0), ...choiceLogprobs(r.logprobs) }],
    usage: toUsage(r),
  };
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: { index: number; delta: Partial<OpenAIMessage>; finish_reason: string | null; logprobs?: ChoiceLogprobs }[];
  usage?: Usage;
}

/**
 * Turns the Ollama chat stream into OpenAI chunks. Feed every Ollama chunk to `push()` (it returns
 * the chunks to send, possibly none), then send `[DONE]` after the last one.
 */
export class ChatStreamMapper {
  readonly id: string;
  readonly created: number;
  private sentRole = false;
  private toolCalled = false;
  private readonly includeUsage: boolean;

  constructor(opts: { includeUsage?: boolean; id?: string; created?: number } = {}) {
    this.includeUsage = opts.includeUsage ?? false;
    this.id = opts.id ?? makeId('chatcmpl');
    this.created = opts.created ?? unixNow();
  }

  private chunk(model: string, delta: Partial<OpenAIMessage>, finish: string | null): ChatCompletionChunk {
    if (!this.sentRole && Object.keys(delta).length > 0) {
      delta = { role: 'assistant', ...delta };
      this.sentRole = true;
    }
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model,
      system_fingerprint: SYSTEM_FINGERPRINT,
      choices: [{ index: 0, delta, finish_reason: finish }],
    };
  }

  push(r: ChatResponse): ChatCompletionChunk[] {
    const out: ChatCompletionChunk[] = [];
    const m = r.message;
    if (m.thinking) out.push(this.chunk(r.model, { reasoning: m.thinking }, null));
    const toolCalls = toOpenAIToolCalls(m.tool_calls);
    if (toolCalls.length > 0) this.toolCalled = true;
    if (m.content || toolCalls.length > 0) {
      const delta: Partial<OpenAIMessage> = {};
      if (m.content) delta.content = m.content;
      if (toolCalls.length > 0) delta.tool_calls = toolCalls;
      out.push(this.chunk(r.model, delta, null));
    }
    // logprobs ride on the response's first chunk (as Ollama, on the reasoning one when both);
    // a response with logprobs only (its text held back by a parser) gets an empty-content chunk
    const lp = choiceLogprobs(r.logprobs);
    if (lp.logprobs) {
      if (out.length === 0) out.push(this.chunk(r.model, { content: '' }, null));
      out[0]!.choices[0]!.logprobs = lp.logprobs;
    }
    if (r.done) {
      out.push(this.chunk(r.model, {}, finishReason(r.done_reason ?? 'stop', this.toolCalled)));
      if (this.includeUsage) {
        out.push({
          id: this.id,
          object: 'chat.completion.chunk',
          created: this.created,
          model: r.model,
          system_fingerprint: SYSTEM_FINGERPRINT,
          choices: [],
          usage: toUsage(r),
        });
      }
    }
    return out;
  }
}
