/**
 * POST /api/chat as a stream of response objects (reference §3.4): the model's MESSAGEs, then the
 * request's, with the model's SYSTEM prepended when the conversation does not start with one;
 * history truncated to fit num_ctx keeping system messages and the latest message (logged — silent
 * truncation is the top complaint about Ollama).
 */
import { BadRequestError } from '../../api/errors.js';
import type { ChatRequest, ChatResponse, Logprob, Message } from '../../api/types.js';
import { truncateChat } from '../../runtime/index.js';
import { inferThinkingTags, renderChatPrompt, toolCallPrefix, type ToolInput } from '../../template/index.js';
import { jinjaRenderer } from './jinja.js';
import { chatRenderer, withoutLeadingBOS } from './renderer.js';
import { createdAt } from '../gotime.js';
import { modelTemplate, resolveModel } from '../model.js';
import { checkImages, requestImages } from '../images.js';
import { acquire, isZeroKeepAlive, mergeOptions, requireCapabilities, resolveThink, unload, type ServerDeps } from './common.js';
import { IMAGE_TOKENS_ESTIMATE, imageBytes, imageTaggedMessages, messageImages, requireVision } from './vision.js';
import { metrics, withLogprobs } from './generate.js';
import { builtinParser, ParserChatOutput } from './parsed.js';
import { thinkingParserFor, type ThinkingParser } from './thinking.js';
import { ToolCallParser } from './toolcalls.js';

/** One response's output split into thinking, content and tool calls (thinking is parsed first). */
export class ChatOutput {
  constructor(
    private readonly thinking: ThinkingParser | null,
    private readonly tools: ToolCallParser | null,
  ) {}

  /** The message for one piece of output, or null when nothing can be sent yet. */
  add(piece: string): Message | null {
    const t = this.thinking ? this.thinking.add(piece) : { thinking: '', content: piece };
    return this.message(t.thinking, t.content, false);
  }

  /** The message for the final chunk: whatever was still held back. */
  finish(): Message {
    const t = this.thinking ? this.thinking.flush() : { thinking: '', content: '' };
    return this.message(t.thinking, t.content, true)!;
  }

  private message(thinking: string, text: string, last: boolean): Message | null {
    let content = text;
    const message: Message = { role: 'assistant', content: '' };
    if (this.tools) {
      const r = text === '' && !last ? { calls: [], content: '' } : this.tools.add(text);
      content = r.content + (last ? this.tools.finish() : '');
      if (r.calls.length > 0) message.tool_calls = r.calls;
    }
    message.content = content;
    if (thinking) message.thinking = thinking;
    if (!last && content === '' && !thinking && !message.tool_calls) return null;
    return message;
  }
}

function checkMessages(messages: unknown): Message[] {
  if (messages === undefined || messages === null) return [];
  if (!Array.isArray(messages)) throw new BadRequestError('messages must be an array');
  return messages.map((m, i) => {
    if (typeof m !== 'object' || m === null || typeof (m as Message).role !== 'string') throw new BadRequestError(`message ${i}: role is required`);
    const msg = m as Message;
    return { ...msg, role: msg.role.toLowerCase(), content: typeof msg.content === 'string' ? msg.content : '' };
  });
}

export interface ChatStreamOptions {
  /**
   * Thinking asked of a model that cannot think is dropped with a warning instead of a 400, as
   * Ollama does for `/v1/messages` (Claude Code asks for thinking whatever the model).
   */
  relaxThinking?: boolean;
}

export async function* chatStream(deps: ServerDeps, req: ChatRequest, signal: AbortSignal, opts: ChatStreamOptions = {}): AsyncGenerator<ChatResponse> {
  const start = process.hrtime.bigint();
  if (req.top_logprobs !== undefined && (req.top_logprobs < 0 || req.top_logprobs > 20)) throw new BadRequestError('top_logprobs must be between 0 and 20');
  const m = await resolveModel(deps.store, req.model);
  const reqMessages = checkMessages(req.messages);
  const base = { model: req.model, created_at: '', message: { role: 'assistant', content: '' } };

  if (reqMessages.length === 0 && isZeroKeepAlive(req.keep_alive)) {
    await unload(deps, m);
    yield { ...base, created_at: createdAt(), done: true, done_reason: 'unload' } as ChatResponse;
    return;
  }
  const needed: ('completion' | 'tools')[] = ['completion'];
  if (req.tools && req.tools.length > 0) needed.push('tools');
  const caps = await requireCapabilities(req.model, m, needed, 'chat');
  let requested = req.think;
  if (opts.relaxThinking && requested !== undefined && requested !== false && !caps.includes('thinking')) {
    deps.log.warn('model does not support thinking, relaxing thinking to nil', { model: req.model });
    requested = undefined;
  }
  const think = resolveThink(req.model, caps, requested);
  if (caps.includes('vision')) checkImages(requestImages([...m.messages, ...reqMessages]));
  if (reqMessages.some((x) => x.images?.length)) await requireVision(deps, m, caps, signal);
  const options = mergeOptions(deps, m, req.options);

  const messages: Message[] = [...m.messages, ...reqMessages];
  if (m.system && messages[0]?.role !== 'system') messages.unshift({ role: 'system', content: m.system });
  const template = modelTemplate(m.template);
  const reqTools = Array.isArray(req.tools) && req.tools.length > 0 ? req.tools : null;
  // As Ollama's ChatHandler: the parser sees `think` after the default (true for a thinking
  // model when the request has none). (Its GenerateHandler initialises the parser before that.)
  const builtin = builtinParser(deps.log, m, reqTools, messages.at(-1) ?? null, think);
  // As Ollama: the parser's init may adjust the tools, and the prompt is built with its result.
  const tools = builtin ? builtin.tools : reqTools;
  const builtinRenderer = chatRenderer(m);
  const renderer = builtinRenderer ?? (await jinjaRenderer(m));
  // Images become `[img-N]` tags (Ollama's imageTaggedMessages); a built-in renderer writes its own.
  const render = builtinRenderer
    ? (msgs: Message[]) => builtinRenderer.render(msgs, tools, think)
    : renderer
      ? (msgs: Message[]) => renderer.render(imageTaggedMessages(msgs, true), tools, think)
      : (msgs: Message[]) => renderChatPrompt({ template, messages: imageTaggedMessages(msgs, false), tools: (tools as ToolInput[] | null) ?? null, think: think ?? null });

  if (req._debug_render_only) {
    yield { ...base, created_at: createdAt(), done: false, _debug_info: { rendered_template: render(messages), image_count: messageImages(messages).length } } as ChatResponse;
    return;
  }

  const lease = await acquire(deps, m, options, req.keep_alive, signal);
  try {
    if (reqMessages.length === 0) {
      yield { ...base, created_at: createdAt(), done: true, done_reason: 'load' } as ChatResponse;
      return;
    }
    const runner = lease.runner;
    const fit = await truncateChat({
      messages,
      render,
      countTokens: (p) => runner.tokenize(p, true).length,
      numCtx: Math.min(options.num_ctx, runner.contextLength),
      // as Ollama's chatPrompt: each image counts 768 tokens when the model has a projector
      tokensPerImage: caps.includes('vision') ? IMAGE_TOKENS_ESTIMATE : 0,
    });
    if (fit.truncated) deps.log.warn('truncating chat history to fit the context', { model: m.shortName, dropped: fit.dropped, num_ctx: options.num_ctx });
    const output = builtin
      ? new ParserChatOutput(builtin.parser)
      : new ChatOutput(
          thinkingParserFor(renderer?.output?.thinking ?? inferThinkingTags(template.parsed.root), think, fit.prompt),
          reqTools ? new ToolCallParser(renderer?.output?.toolPrefix ?? toolCallPrefix(template.parsed.root), reqTools) : null,
        );
    const prompt = renderer ? withoutLeadingBOS(fit.prompt, renderer.leadingBOS, runner.addsBos) : fit.prompt;
    // the images of the messages that fit, in the order of their tags
    const images = messageImages(fit.messages);
    const gen = runner.generate({
      prompt, options, format: req.format, shift: req.shift, signal, loadDuration: lease.loadDuration, startTime: start,
      logprobs: req.logprobs ? { top: req.top_logprobs ?? 0 } : undefined,
      ...(images.length > 0 ? { images: imageBytes(images) } : {}),
    });
    for await (const piece of gen) {
      // As Ollama: a chunk carrying logprobs is sent even while a parser holds its text back.
      const lp = withLogprobs(gen.takeLogprobs());
      if (piece === '' && !lp.logprobs) continue;
      const message = output.add(piece);
      if (message) yield { ...base, created_at: createdAt(), message, done: false, ...lp } as ChatResponse;
      else if (lp.logprobs) yield { ...base, created_at: createdAt(), done: false, ...lp } as ChatResponse;
    }
    const result = await gen.result;
    const lastLp = withLogprobs(gen.takeLogprobs());
    yield { ...base, created_at: createdAt(), message: output.finish(), done: true, done_reason: result.done_reason, ...metrics(result), ...lastLp } as ChatResponse;
  } finally {
    lease.release();
  }
}

/** stream:false — the last chunk with the content (and thinking, tool calls) concatenated. */
export async function collectChat(stream: AsyncIterable<ChatResponse>): Promise<ChatResponse> {
  let content = '';
  let thinking = '';
  const toolCalls: NonNullable<Message['tool_calls']> = [];
  const logprobs: Logprob[] = [];
  let last: ChatResponse | undefined;
  for await (const chunk of stream) {
    if (chunk.logprobs) logprobs.push(...chunk.logprobs);
    content += chunk.message?.content ?? '';
    thinking += chunk.message?.thinking ?? '';
    if (chunk.message?.tool_calls) toolCalls.push(...chunk.message.tool_calls);
    last = chunk;
  }
  if (!last) throw new Error('no response');
  const message: Message = { role: 'assistant', content };
  if (thinking) message.thinking = thinking;
  if (toolCalls.length) message.tool_calls = toolCalls;
  const { logprobs: _drop, ...rest } = last;
  return { ...rest, message, ...withLogprobs(logprobs) };
}
