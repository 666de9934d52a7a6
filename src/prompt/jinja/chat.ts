/**
 * A GGUF's own `tokenizer.chat_template` rendered as Ollama 0.33 renders it: Ollama sends the
 * conversation to llama-server (`/apply-template`, `/v1/chat/completions`; llm/llama_server.go
 * llamaServerChatRequest) and llama.cpp de3ff81 builds the prompt (tools/server/server-common.cpp
 * 1290-1360, common/chat.cpp common_chat_templates_apply_jinja 1225-1366). The template gets
 *   messages                — role, content, name, tool_call_id, tool_calls (chat.cpp:187-265
 *                             to_json_oaicompat; Ollama drops earlier thinking), after the
 *                             workarounds of ./llamacpp.ts;
 *   tools                   — {type, function: {name, description, parameters}} (chat.cpp:568-585),
 *                             only when the request has some;
 *   add_generation_prompt   — true, absent when continuing a final assistant message;
 *   bos_token / eos_token   — the vocabulary's BOS/EOS text;
 *   enable_thinking         — from `think`; when unset, whether the template supports thinking;
 *   reasoning_effort / reasoning_strength — a `think` level (Ollama's chat_template_kwargs);
 *   datetime / date_string  — today (chat.cpp:1080-1088); strftime_now — the local time.
 * The result loses a leading BOS when the tokenizer adds one itself (and a trailing EOS when it
 * appends one) (chat.cpp:957-962). A final assistant message is continued (server-common.cpp
 * 1302-1317, chat.cpp:1249-1267): the rest is rendered without a generation prompt, then the
 * handler's generation prompt and the message's content are appended.
 */
import type { Message, Tool } from '../../api/types.js';
import { argumentsJSON, marshal, toolJSON } from '../renderers/gojson.js';
import { thinkBool, type Think } from '../renderers/types.js';
import { JSONObject } from '../../template/json.js';
import { compileJinja, JinjaError, renderJinja, type JinjaLimits } from './engine.js';
import { templateCaps } from './caps.js';
import {
  continuation, extraContext, funcArgsNotString, gemma4GenerationFix, handlerMessages, isStepFun, mapDeveloperRole, patchSource,
  requiresNonNullContent, systemMessageNotSupported, trimWhitespace, type JsonMessage,
} from './llamacpp.js';
import { supportsEnableThinking, templateReasoningMarkers } from './reasoning.js';
import { strftime } from './strftime.js';

export interface ChatTemplateVocab {
  /** Text of the BOS token ('' when the vocabulary has none). */
  bos: string;
  /** Text of the EOS token ('' when none). */
  eos: string;
  /** The tokenizer puts a BOS in front of the prompt itself. */
  addBos: boolean;
  /** The tokenizer appends an EOS itself. */
  addEos: boolean;
}

export interface ChatTemplateInput {
  template: string;
  messages: readonly Message[];
  tools?: readonly Tool[] | null;
  think?: Think;
  vocab: ChatTemplateVocab;
  /** Clock for strftime_now and date_string (default: now). */
  now?: Date;
  limits?: JinjaLimits;
}

/** JSONObject trees (Go field order) as plain objects, which keep insertion order. */
function plain(v: unknown): unknown {
  if (v instanceof JSONObject) return Object.fromEntries(v.entries.map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

type ArgsForm = 'object' | 'string';

/** Whether llama.cpp hands this template tool-call arguments as objects (caps.ts) or as JSON text. */
export function toolArgumentsForm(template: string): ArgsForm {
  return templateCaps(patchSource(template)).objectArguments ? 'object' : 'string';
}

/** Ollama's messages as llama-server hands them to the template (before the workarounds). */
export function templateMessages(messages: readonly Message[], form: ArgsForm = 'string'): JsonMessage[] {
  return messages.map((m) => {
    const out: JsonMessage = { role: m.role, content: m.content ?? '' };
    if (m.tool_name) out.name = m.tool_name;
    if (m.tool_call_id) out.tool_call_id = m.tool_call_id;
    if (m.tool_calls && m.tool_calls.length > 0) {
      out.tool_calls = m.tool_calls.map((tc) => {
        const args = argumentsJSON(tc.function?.arguments);
        const call: Record<string, unknown> = {
          type: 'function',
          // func_args_not_string parses the text Ollama sent; parsing it here keeps Go's numbers.
          function: { name: tc.function?.name ?? '', arguments: form === 'object' ? plain(args) : marshal(args) },
        };
        if (tc.id) call.id = tc.id;
        return call;
      });
    }
    return out;
  });
}

/** The tools as llama.cpp re-encodes them (chat.cpp:568-585, 587-620). */
export function templateTools(tools: readonly Tool[]): Record<string, unknown>[] {
  return tools.map((t) => {
    const fn = (plain(toolJSON(t)) as { function?: Record<string, unknown> }).function ?? {};
    return {
      type: 'function',
      function: { name: fn.name ?? '', description: fn.description ?? '', parameters: fn.parameters === undefined ? {} : fn.parameters },
    };
  });
}

/** The messages after llama.cpp's per-template workarounds (chat.cpp:1225-1292). */
export function workaroundMessages(src: string, messages: readonly Message[]): JsonMessage[] {
  const caps = templateCaps(src);
  let list = messages;
  if (isStepFun(src)) list = messages.map((m) => ({ ...m, content: trimWhitespace(m.content ?? '') }));
  const out = templateMessages(list, caps.objectArguments ? 'object' : 'string');
  // render_message_to_json's normalizer (chat.cpp:477-536): typed-only templates get text parts.
  if (caps.typedContent && !caps.stringContent) {
    for (const m of out) if (typeof m.content === 'string') m.content = [{ type: 'text', text: m.content }];
  }
  if (!src.includes('<|channel|>')) mapDeveloperRole(out);
  if (!caps.systemRole) systemMessageNotSupported(out);
  if (caps.toolCalls) requiresNonNullContent(out);
  if (caps.objectArguments) funcArgsNotString(out);
  handlerMessages(src, out);
  return out;
}

/** What `b` adds after the longest prefix it shares with `a` (chat.cpp:974-994). */
function generationPrompt(a: string, b: string): string {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  return b.slice(p);
}

/** Renders the prompt. Throws JinjaError (and its subclasses) for template failures. */
export function renderChatTemplate(input: ChatTemplateInput): string {
  const { vocab } = input;
  const src = patchSource(input.template);
  const now = input.now ?? new Date();
  const messages = [...input.messages];
  // server-common.cpp:1302-1317: a final assistant message is continued (prefill_assistant).
  let cont: Message | undefined;
  if (messages.at(-1)?.role === 'assistant') {
    if (messages.at(-2)?.role === 'assistant') throw new JinjaError('Cannot have 2 or more assistant messages at the end of the list.', 'render');
    if ((messages.at(-1)!.tool_calls ?? []).length > 0) throw new JinjaError('Cannot continue an assistant message that contains tool calls.', 'render');
    cont = messages.pop();
  }
  const enableThinking = input.think === undefined || input.think === null ? supportsEnableThinking(src) : thinkBool(input.think);
  const tools = input.tools && input.tools.length > 0 ? input.tools : null;
  let msgs: JsonMessage[];
  try {
    msgs = workaroundMessages(src, messages);
  } catch (err) {
    throw new JinjaError((err as Error).message, 'render');
  }
  const vars: Record<string, unknown> = {
    messages: msgs,
    bos_token: vocab.bos,
    eos_token: vocab.eos,
    enable_thinking: enableThinking,
    strftime_now: (format: unknown) => strftime(now, String(format)),
    ...extraContext(now),
  };
  if (tools) vars.tools = templateTools(tools);
  // Ollama's chat_template_kwargs (llama_server.go llamaServerChatTemplateKwargs), which
  // llama.cpp merges over the context (chat.cpp:1294-1297); a level also sets
  // reasoning_strength (jinja/caps.cpp:30-34, chat.cpp:944-947).
  if (typeof input.think === 'string' && input.think !== '') {
    vars.reasoning_effort = input.think;
    vars.reasoning_strength = input.think;
  }

  const compiled = compileJinja(src);
  const render = (generation: boolean): string => {
    let out = renderJinja(compiled, generation ? { ...vars, add_generation_prompt: true } : vars, input.limits);
    if (vocab.addBos && out.startsWith(vocab.bos)) out = out.slice(vocab.bos.length);
    if (vocab.addEos && out.endsWith(vocab.eos)) out = out.slice(0, out.length - vocab.eos.length);
    return out;
  };
  if (!cont) return gemma4GenerationFix(src, render(true));
  const prompt = render(false);
  // chat-auto-parser-generator.cpp:45: an empty message continues nothing.
  if ((cont.content ?? '') === '' && !cont.tool_name && !cont.tool_call_id) return prompt;
  return prompt + continuation(src, prompt, generationPrompt(prompt, render(true)), cont.content ?? '', templateReasoningMarkers(src));
}
