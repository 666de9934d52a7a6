/**
 * Ollama's template layer (template/template.go): Parse appends `{{ .Response }}` when a
 * template mentions neither `.Messages` nor `.Response`; Execute picks the suffix, messages
 * or legacy (System/Prompt/Response per turn, last turn cut after `.Response`) path.
 */
import type { ActionNode } from './ast.js';
import { TemplateError } from './errors.js';
import { type ExecOptions, execute } from './exec.js';
import { FUNC_NAMES } from './funcs.js';
import {
  type TemplateMessageInput, type ToolInput, templateMessage, templateTools,
} from './ollama-data.js';
import { type ParsedTemplate, parse } from './parser.js';
import { cutAfterResponse, templateVars } from './vars.js';

export type { TemplateMessageInput, ToolInput, ToolCallInput, ToolPropertyInput } from './ollama-data.js';

/** The template used when a model has none. */
export const DEFAULT_TEMPLATE = '{{ .Prompt }}';

/** A template parsed the way Ollama's template.Parse does. */
export interface OllamaTemplate {
  raw: string;
  parsed: ParsedTemplate;
  /** Lower-cased identifiers the template references (after the `.Response` append). */
  vars: string[];
}

/** Ollama's `think` request value: a bool or a level. */
export type ThinkValue = boolean | 'high' | 'medium' | 'low' | 'max' | string;

/** Ollama's template.Values. */
export interface TemplateValues {
  messages?: ReadonlyArray<TemplateMessageInput>;
  tools?: ReadonlyArray<ToolInput> | null;
  prompt?: string;
  suffix?: string;
  think?: boolean;
  thinkLevel?: string;
  isThinkSet?: boolean;
  /** Use the legacy path even when the template mentions `.Messages`. */
  forceLegacy?: boolean;
}

/**
 * Parses a template as Ollama does. Throws TemplateError (phase "parse", status 400);
 * callers at create time prefix the message with `template error: `.
 */
export function parseOllamaTemplate(text: string): OllamaTemplate {
  const parsed = parse(text, { funcs: FUNC_NAMES });
  let vars = templateVars(parsed);
  if (!vars.includes('messages') && !vars.includes('response')) {
    const at = text.length;
    const response: ActionNode = {
      type: 'action', pos: at, line: 1,
      pipe: {
        type: 'pipe', pos: at, line: 1, isAssign: false, decl: [],
        cmds: [{ type: 'command', pos: at, line: 1, args: [{ type: 'field', ident: ['Response'], pos: at, line: 1 }] }],
      },
    };
    parsed.root.nodes.push(response);
    vars = templateVars(parsed);
  }
  return { raw: text, parsed, vars };
}

/** True when the template takes the Messages path (it references `.Messages`). */
export function usesMessages(t: OllamaTemplate): boolean {
  return t.vars.includes('messages');
}

/** Capabilities a template implies (Ollama: `tools` → tools, `suffix` → insert). */
export function templateCapabilities(t: OllamaTemplate): { tools: boolean; insert: boolean } {
  return { tools: t.vars.includes('tools'), insert: t.vars.includes('suffix') };
}

interface Collated {
  system: string;
  messages: TemplateMessageInput[];
}

/**
 * Ollama's collate: consecutive messages with the same role (except `tool`) are merged with
 * a blank line, keeping the first message's other fields; System joins all system messages.
 */
export function collate(msgs: ReadonlyArray<TemplateMessageInput>): Collated {
  const system: string[] = [];
  const out: TemplateMessageInput[] = [];
  for (const raw of msgs) {
    const m = { ...raw, role: String(raw.role ?? '').toLowerCase(), content: raw.content ?? '' };
    if (m.role === 'system') system.push(m.content);
    const last = out[out.length - 1];
    if (last && last.role === m.role && m.role !== 'tool') {
      last.content = `${last.content ?? ''}\n\n${m.content}`;
      continue;
    }
    out.push(m);
  }
  return { system: system.join('\n\n'), messages: out };
}

/** Executes an Ollama template with request values (the three paths of template.Execute). */
export function executeOllamaTemplate(t: OllamaTemplate, v: TemplateValues, opts: ExecOptions = {}): string {
  const { system, messages } = collate(v.messages ?? []);
  const think = v.think ?? false;
  const thinkLevel = v.thinkLevel ?? '';
  const isThinkSet = v.isThinkSet ?? false;
  const prompt = v.prompt ?? '';
  const suffix = v.suffix ?? '';

  if (prompt !== '' && suffix !== '') {
    return execute(t.parsed, {
      Prompt: prompt, Suffix: suffix, Response: '', Think: think, ThinkLevel: thinkLevel, IsThinkSet: isThinkSet,
    }, opts);
  }
  if (!v.forceLegacy && usesMessages(t)) {
    return execute(t.parsed, {
      System: system,
      Messages: messages.map(templateMessage),
      Tools: templateTools(v.tools),
      Response: '',
      Think: think,
      ThinkLevel: thinkLevel,
      IsThinkSet: isThinkSet,
    }, opts);
  }

  // Legacy path: one execution per (system?, prompt, response) turn.
  let out = '';
  let sys = '';
  let pr = '';
  let resp = '';
  const data = () => ({
    System: sys, Prompt: pr, Response: resp, Think: think, ThinkLevel: thinkLevel, IsThinkSet: isThinkSet,
  });
  const flush = () => {
    out += execute(t.parsed, data(), opts);
    sys = '';
    pr = '';
    resp = '';
  };
  for (const m of messages) {
    switch (m.role) {
      case 'system':
        if (pr !== '' || resp !== '') flush();
        sys = m.content ?? '';
        break;
      case 'user':
        if (resp !== '') flush();
        pr = m.content ?? '';
        break;
      case 'assistant':
        resp = m.content ?? '';
        break;
      default:
        break;
    }
  }
  out += execute(t.parsed, data(), opts, cutAfterResponse(t.parsed.root));
  const max = opts.maxOutput;
  if (max !== undefined && out.length > max) throw new TemplateError(`template output exceeds ${max} bytes`, 'exec');
  return out;
}

/** Maps an API `think` value to Ollama's Think / ThinkLevel / IsThinkSet. */
export function thinkValues(think: ThinkValue | null | undefined): { think: boolean; thinkLevel: string; isThinkSet: boolean } {
  if (think === undefined || think === null) return { think: false, thinkLevel: '', isThinkSet: false };
  if (typeof think === 'boolean') return { think, thinkLevel: think ? 'medium' : '', isThinkSet: true };
  return { think: true, thinkLevel: think, isThinkSet: true };
}

function asTemplate(t: string | OllamaTemplate | null | undefined): OllamaTemplate {
  if (t === null || t === undefined || t === '') return parseOllamaTemplate(DEFAULT_TEMPLATE);
  return typeof t === 'string' ? parseOllamaTemplate(t) : t;
}

export interface ChatPromptOptions extends ExecOptions {
  /** Template text or a parsed template; empty → `{{ .Prompt }}`. */
  template: string | OllamaTemplate | null | undefined;
  /** The model's SYSTEM: prepended as a system message unless the first message is a system one. */
  system?: string;
  messages: ReadonlyArray<TemplateMessageInput>;
  tools?: ReadonlyArray<ToolInput> | null;
  think?: ThinkValue | null;
}

/**
 * Renders a chat prompt. Renders exactly the messages given: history truncation (choosing
 * which messages fit num_ctx) is the caller's job — call this again with a subset.
 */
export function renderChatPrompt(o: ChatPromptOptions): string {
  const msgs: TemplateMessageInput[] = [...o.messages];
  if (o.system && (msgs.length === 0 || String(msgs[0]?.role).toLowerCase() !== 'system')) {
    msgs.unshift({ role: 'system', content: o.system });
  }
  const tv = thinkValues(o.think);
  return executeOllamaTemplate(asTemplate(o.template), { messages: msgs, tools: o.tools ?? null, ...tv }, o);
}

export interface GeneratePromptOptions extends ExecOptions {
  template: string | OllamaTemplate | null | undefined;
  prompt: string;
  suffix?: string;
  /** Request `system`, else the model's SYSTEM. */
  system?: string;
  /** The model's MESSAGE history (used only when `context` is absent). */
  messages?: ReadonlyArray<TemplateMessageInput>;
  /** Images of the prompt (base64). */
  images?: ReadonlyArray<string | Uint8Array>;
  /** Text of the deprecated `context` tokens, detokenized by the runtime; prepended. */
  contextText?: string;
  think?: ThinkValue | null;
}

/** Renders a /api/generate prompt (not raw mode) the way Ollama's GenerateHandler does. */
export function renderGeneratePrompt(o: GeneratePromptOptions): string {
  const tv = thinkValues(o.think);
  const t = asTemplate(o.template);
  let values: TemplateValues;
  if (o.suffix) {
    values = { prompt: o.prompt, suffix: o.suffix, ...tv };
  } else {
    const msgs: TemplateMessageInput[] = [];
    if (o.system) msgs.push({ role: 'system', content: o.system });
    if (o.contextText === undefined && o.messages) msgs.push(...o.messages);
    msgs.push({ role: 'user', content: o.prompt, images: o.images ? [...o.images] : null });
    values = { messages: msgs, ...tv };
  }
  return (o.contextText ?? '') + executeOllamaTemplate(t, values, o);
}
