/**
 * A GGUF's own `tokenizer.chat_template` rendered as Ollama 0.33 renders it: Ollama hands the
 * conversation to llama-server (`/apply-template`, `/v1/chat/completions`), whose chat-template
 * code gives the template
 *   messages                — role, content, tool_calls (OpenAI form), name/tool_call_id on tool
 *                             results; earlier thinking is not passed (Ollama drops it);
 *   tools                   — only when the request has some (Ollama's Go field order);
 *   add_generation_prompt   — true;
 *   bos_token / eos_token   — the vocabulary's BOS/EOS text;
 *   enable_thinking         — from `think`; when unset, whether the template reacts to it;
 *                             reasoning_effort for a level;
 *   strftime_now            — the local time.
 * The result loses a leading BOS when the tokenizer adds one itself (and a trailing EOS when it
 * appends one). A final assistant message is a prefill: rendered without it, then its content is
 * appended. The llama.cpp tweaks for particular families live in ./llamacpp.ts.
 */
import type { Message, Tool } from '../../api/types.js';
import { argumentsJSON, marshal, toolJSON } from '../renderers/gojson.js';
import { thinkBool, type Think } from '../renderers/types.js';
import { JSONObject } from '../../template/json.js';
import { compileJinja, JinjaError, renderJinja, type JinjaLimits } from './engine.js';
import { familyContext, familyMessages, familyPostprocess } from './llamacpp.js';
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

const argsFormCache = new Map<string, ArgsForm>();

/**
 * llama.cpp passes tool-call arguments as the JSON text Ollama sent, and turns them into an
 * object only for templates that cannot print the text (those that `tojson` them): it renders a
 * probe call both ways and looks for the argument's name in the output.
 */
export function toolArgumentsForm(template: string): ArgsForm {
  let form = argsFormCache.get(template);
  if (form) return form;
  const probe = (args: unknown): boolean => {
    try {
      const out = renderJinja(compileJinja(template), {
        messages: [
          { role: 'user', content: 'Hey' },
          { role: 'assistant', content: '', tool_calls: [{ type: 'function', function: { name: 'ipython', arguments: args }, id: 'call_1___' }] },
        ],
        add_generation_prompt: false,
        bos_token: '',
        eos_token: '',
      }, { maxSteps: 200_000, maxOutput: 1 << 20 });
      return out.includes('<parameter=argument_needle>') || out.includes('"argument_needle":') || out.includes("'argument_needle':");
    } catch {
      return false;
    }
  };
  const needle = { argument_needle: "print('Hello, World!')" };
  const str = probe(JSON.stringify(needle));
  const obj = probe(needle);
  form = !str && obj ? 'object' : 'string';
  argsFormCache.set(template, form);
  if (argsFormCache.size > 32) argsFormCache.delete(argsFormCache.keys().next().value!);
  return form;
}

const thinkingCache = new Map<string, boolean>();

/**
 * llama-server's default for `enable_thinking` (a request without `think`): on when the template
 * renders differently with it on and off, else off.
 */
export function supportsEnableThinking(template: string): boolean {
  let yes = thinkingCache.get(template);
  if (yes !== undefined) return yes;
  const probe = (on: boolean): string | undefined => {
    try {
      const out = renderJinja(compileJinja(template), { messages: [{ role: 'user', content: 'test' }], add_generation_prompt: true, bos_token: '', eos_token: '', enable_thinking: on }, { maxSteps: 200_000, maxOutput: 1 << 20 });
      return familyPostprocess(template, out, on);
    } catch {
      return undefined;
    }
  };
  yes = probe(true) !== probe(false);
  thinkingCache.set(template, yes);
  if (thinkingCache.size > 32) thinkingCache.delete(thinkingCache.keys().next().value!);
  return yes;
}

/** Ollama's messages as llama-server hands them to the template. */
export function templateMessages(messages: readonly Message[], form: ArgsForm): Record<string, unknown>[] {
  return messages.map((m) => {
    const out: Record<string, unknown> = { role: m.role, content: m.content ?? '' };
    if (m.tool_calls && m.tool_calls.length > 0) {
      out.tool_calls = m.tool_calls.map((tc) => {
        const args = argumentsJSON(tc.function?.arguments);
        const call: Record<string, unknown> = {
          type: 'function',
          function: { name: tc.function?.name ?? '', arguments: form === 'object' ? plain(args) : marshal(args) },
        };
        if (tc.id) call.id = tc.id;
        return call;
      });
    }
    if (m.tool_name) out.name = m.tool_name;
    if (m.tool_call_id) out.tool_call_id = m.tool_call_id;
    return out;
  });
}

/** Renders the prompt. Throws JinjaError (and its subclasses) for template failures. */
export function renderChatTemplate(input: ChatTemplateInput): string {
  const { template, vocab } = input;
  const now = input.now ?? new Date();
  let messages = [...input.messages];
  let prefill: string | undefined;
  const enableThinking = input.think === undefined || input.think === null ? supportsEnableThinking(template) : thinkBool(input.think);
  if (messages.at(-1)?.role === 'assistant') {
    prefill = messages.pop()!.content ?? '';
    if (messages.at(-1)?.role === 'assistant') throw new JinjaError('Cannot have 2 or more assistant messages at the end of the list.', 'render');
    if (enableThinking) throw new JinjaError('Assistant response prefill is incompatible with enable_thinking.', 'render');
  }
  const tools = input.tools && input.tools.length > 0 ? input.tools : null;
  const needsArgs = messages.some((m) => m.tool_calls && m.tool_calls.length > 0);
  const vars: Record<string, unknown> = {
    messages: familyMessages(template, tools !== null, templateMessages(messages, needsArgs ? toolArgumentsForm(template) : 'string')),
    add_generation_prompt: true,
    bos_token: vocab.bos,
    eos_token: vocab.eos,
    strftime_now: (format: unknown) => strftime(now, String(format)),
    enable_thinking: enableThinking,
  };
  if (typeof input.think === 'string' && input.think !== '') vars.reasoning_effort = input.think;
  if (tools) vars.tools = tools.map((t) => plain(toolJSON(t)));
  Object.assign(vars, familyContext(template, tools, now));

  let out = renderJinja(compileJinja(template), vars, input.limits);
  if (vocab.addBos && vocab.bos !== '' && out.startsWith(vocab.bos)) out = out.slice(vocab.bos.length);
  if (vocab.addEos && vocab.eos !== '' && out.endsWith(vocab.eos)) out = out.slice(0, -vocab.eos.length);
  out = familyPostprocess(template, out, enableThinking);
  return prefill === undefined ? out : out + prefill;
}
