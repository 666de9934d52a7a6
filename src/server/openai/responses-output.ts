/**
 * The answer side of `/v1/responses`: the `response` object for `stream:false` (field order of
 * Ollama's ResponsesResponse) and the server-sent event sequence for `stream:true`
 * (`response.created`, `response.in_progress`, output items with their deltas,
 * `response.completed`), as Ollama emits them. Stream event objects are Go maps, so their keys
 * are written sorted, as Go does.
 */
import type { ChatResponse, ToolCall } from '../../api/types.js';
import { goJSON } from '../gojson.js';
import { unixNow, unixOf } from './common.js';
import type { ResponsesEcho } from './responses.js';

type Json = Record<string, unknown>;

/** `<prefix>_<0..999998>`, as Ollama makes response and item ids. */
export function responsesId(prefix: string, random: () => number = Math.random): string {
  return `${prefix}_${Math.floor(random() * 999999)}`;
}

function usageOf(r: Pick<ChatResponse, 'prompt_eval_count' | 'eval_count'>): Json {
  const input = r.prompt_eval_count ?? 0;
  const output = r.eval_count ?? 0;
  return {
    input_tokens: input,
    output_tokens: output,
    total_tokens: input + output,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens_details: { reasoning_tokens: 0 },
  };
}

interface FunctionCallOut {
  call_id: string;
  name: string;
  arguments: string;
}

function functionCalls(calls: ToolCall[] | undefined): FunctionCallOut[] {
  return (calls ?? []).map((c) => ({ call_id: c.id ?? '', name: c.function.name, arguments: goJSON(c.function.arguments ?? {}) }));
}

function outputText(text: string): Json {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

function messageItem(id: string, status: string, text: string | null): Json {
  return { id, type: 'message', status, role: 'assistant', content: text === null ? [] : [outputText(text)] };
}

/** The request fields every response object repeats, in Ollama's order around `output`. */
function responseObject(id: string, status: string, echo: ResponsesEcho, createdAt: number, output: unknown[], usage: Json | null): Json {
  return {
    id,
    object: 'response',
    created_at: createdAt,
    completed_at: null,
    status,
    incomplete_details: null,
    model: echo.model,
    previous_response_id: null,
    instructions: echo.instructions,
    output,
    error: null,
    tools: echo.tools,
    tool_choice: 'auto',
    truncation: echo.truncation,
    parallel_tool_calls: echo.parallelToolCalls,
    text: { format: echo.textFormat },
    top_p: echo.topP,
    presence_penalty: 0,
    frequency_penalty: 0,
    top_logprobs: 0,
    temperature: echo.temperature,
    reasoning: echo.reasoning,
    usage,
    max_output_tokens: echo.maxOutputTokens,
    max_tool_calls: null,
    store: false,
    background: false,
    service_tier: 'default',
    metadata: {},
    safety_identifier: null,
    prompt_cache_key: null,
  };
}

/** Only the first call when the request said `parallel_tool_calls: false`. */
function limitCalls(calls: ToolCall[] | undefined, echo: ResponsesEcho): ToolCall[] | undefined {
  return calls && !echo.parallelToolCalls ? calls.slice(0, 1) : calls;
}

/** The non-streaming response from the final (accumulated) chat response. */
export function toResponse(responseId: string, itemId: string, r: ChatResponse, echo: ResponsesEcho): Json {
  const output: Json[] = [];
  if (r.message.thinking) {
    output.push({
      id: `rs_${responseId}`,
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: r.message.thinking }],
      encrypted_content: r.message.thinking,
    });
  }
  const calls = functionCalls(limitCalls(r.message.tool_calls, echo));
  if (calls.length > 0) {
    calls.forEach((c, i) => output.push({ id: `fc_${responseId}_${i}`, type: 'function_call', status: 'completed', ...c }));
  } else {
    output.push(messageItem(itemId, 'completed', r.message.content));
  }
  const response = responseObject(responseId, 'completed', echo, unixOf(r.created_at), output, usageOf(r));
  response.completed_at = unixNow();
  // Here `reasoning` is a struct with omitempty fields (in the stream it is a map with nulls).
  if (echo.reasoning) {
    const { effort, summary } = echo.reasoning;
    response.reasoning = { ...(effort !== null && { effort }), ...(summary !== null && { summary }) };
  }
  return response;
}

/** Go writes a map's keys sorted: the stream events are maps all the way down. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== 'object' || v === null) return v;
  const out: Json = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Json)[k]);
  return out;
}

export interface ResponsesEvent {
  event: string;
  data: Json;
}

/**
 * Turns the chat stream into Responses events: feed every chat chunk to `push()` (it returns the
 * events to send), or `fail()` when the chat stream broke after events were sent.
 */
export class ResponsesStreamMapper {
  readonly responseId: string;
  private itemId: string;
  private seq = 0;
  private started = false;
  private outputIndex = 0;
  private readonly createdAt = unixNow();
  private completed: Json[] = [];
  private toolCallsSent = false;
  private text: string | null = null;
  private thinking: { id: string; text: string } | null = null;

  constructor(
    private readonly echo: ResponsesEcho,
    ids: { responseId?: string; itemId?: string } = {},
  ) {
    this.responseId = ids.responseId ?? responsesId('resp');
    this.itemId = ids.itemId ?? responsesId('msg');
  }

  private event(type: string, data: Json): ResponsesEvent {
    const ev = { event: type, data: sortKeys({ ...data, type, sequence_number: this.seq }) as Json };
    this.seq++;
    return ev;
  }

  private response(status: string, output: unknown[], usage: Json | null): Json {
    return responseObject(this.responseId, status, this.echo, this.createdAt, output, usage);
  }

  private start(out: ResponsesEvent[]): void {
    if (this.started) return;
    this.started = true;
    out.push(this.event('response.created', { response: this.response('in_progress', [], null) }));
    out.push(this.event('response.in_progress', { response: this.response('in_progress', [], null) }));
  }

  private addThinking(out: ResponsesEvent[], thinking: string): void {
    if (!this.thinking) {
      this.thinking = { id: responsesId('rs'), text: '' };
      out.push(this.event('response.output_item.added', { output_index: this.outputIndex, item: { id: this.thinking.id, type: 'reasoning', summary: [] } }));
    }
    this.thinking.text += thinking;
    out.push(this.event('response.reasoning_summary_text.delta', { item_id: this.thinking.id, output_index: this.outputIndex, summary_index: 0, delta: thinking }));
  }

  private finishThinking(out: ResponsesEvent[]): void {
    if (!this.thinking) return;
    const { id, text } = this.thinking;
    const item = { id, type: 'reasoning', summary: [{ type: 'summary_text', text }], encrypted_content: text };
    this.completed.push(item);
    out.push(this.event('response.reasoning_summary_text.done', { item_id: id, output_index: this.outputIndex, summary_index: 0, text }));
    out.push(this.event('response.output_item.done', { output_index: this.outputIndex, item }));
    this.thinking = null;
    this.outputIndex++;
  }

  private addText(out: ResponsesEvent[], delta: string): void {
    this.finishThinking(out);
    if (this.text === null) {
      this.text = '';
      out.push(this.event('response.output_item.added', { output_index: this.outputIndex, item: messageItem(this.itemId, 'in_progress', null) }));
      out.push(this.event('response.content_part.added', { item_id: this.itemId, output_index: this.outputIndex, content_index: 0, part: outputText('') }));
    }
    this.text += delta;
    out.push(this.event('response.output_text.delta', { item_id: this.itemId, output_index: this.outputIndex, content_index: 0, delta, logprobs: [] }));
  }

  /** Closes the open message item (its text is final). */
  private finishText(out: ResponsesEvent[]): void {
    if (this.text === null) return;
    const text = this.text;
    const item = messageItem(this.itemId, 'completed', text);
    this.completed.push(item);
    out.push(this.event('response.output_text.done', { item_id: this.itemId, output_index: this.outputIndex, content_index: 0, text, logprobs: [] }));
    out.push(this.event('response.content_part.done', { item_id: this.itemId, output_index: this.outputIndex, content_index: 0, part: outputText(text) }));
    out.push(this.event('response.output_item.done', { output_index: this.outputIndex, item }));
    this.text = null;
    this.outputIndex++;
    this.itemId = `msg_${this.responseId.replace(/^resp_/, '')}_${this.outputIndex}`;
  }

  private addCalls(out: ResponsesEvent[], calls: ToolCall[]): void {
    this.finishThinking(out);
    this.finishText(out);
    let list = functionCalls(calls);
    if (!this.echo.parallelToolCalls) list = this.toolCallsSent ? [] : list.slice(0, 1);
    list.forEach((c, i) => {
      const id = `fc_${Math.floor(Math.random() * 999999)}_${i}`;
      const index = this.outputIndex + i;
      const item = { id, type: 'function_call', status: 'completed', ...c };
      this.completed.push(item);
      out.push(this.event('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', arguments: '' } }));
      out.push(this.event('response.function_call_arguments.delta', { item_id: id, output_index: index, delta: c.arguments }));
      out.push(this.event('response.function_call_arguments.done', { item_id: id, output_index: index, arguments: c.arguments }));
      out.push(this.event('response.output_item.done', { output_index: index, item }));
    });
    this.outputIndex += list.length;
    this.toolCallsSent = true;
  }

  push(r: ChatResponse): ResponsesEvent[] {
    const out: ResponsesEvent[] = [];
    this.start(out);
    const m = r.message;
    if (m?.thinking) this.addThinking(out, m.thinking);
    if (m?.tool_calls && m.tool_calls.length > 0) this.addCalls(out, m.tool_calls);
    else if (!this.toolCallsSent && m?.content) this.addText(out, m.content);
    if (r.done) {
      this.finishThinking(out);
      this.finishText(out);
      const response = this.response('completed', this.completed, usageOf(r));
      response.completed_at = unixNow();
      out.push(this.event('response.completed', { response }));
    }
    return out;
  }

  /** The terminal event for a chat stream that broke after events were sent. */
  fail(message: string): ResponsesEvent[] {
    const out: ResponsesEvent[] = [];
    this.start(out);
    const response = this.response('failed', this.completed, null);
    response.error = { code: 'server_error', message };
    out.push(this.event('response.failed', { response }));
    return out;
  }
}
