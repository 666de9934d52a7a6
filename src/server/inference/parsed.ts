/**
 * Choosing and running a model's built-in output parser (src/prompt/parsers) on the server, as
 * Ollama's chat and generate handlers do: the config's `parser`, or `harmony` for a gpt-oss model
 * whose template speaks harmony. When one is chosen it replaces the template-based thinking and
 * tool-call extraction; a name with no parser here is logged and the template path is used.
 */
import type { Message, Tool } from '../../api/types.js';
import { missingParserReason, parserFor, type Parser, type ThinkValue } from '../../prompt/parsers/index.js';
import type { ServerLogger } from '../log.js';
import type { ResolvedModel } from '../model.js';
import { toolCallId } from './toolcalls.js';

/** Ollama's shouldUseHarmony: a gpt-oss family model whose template has harmony's start/end tags. */
export function usesHarmony(m: Pick<ResolvedModel, 'config' | 'template'>): boolean {
  const family = m.config?.model_family ?? '';
  return (family === 'gptoss' || family === 'gpt-oss') && m.template.includes('<|start|>') && m.template.includes('<|end|>');
}

/** The parser name in effect for a model ('' for none). */
export function parserName(m: Pick<ResolvedModel, 'config' | 'template'>): string {
  const name = m.config?.parser ?? '';
  if (name === '' && usesHarmony(m)) return 'harmony';
  return name;
}

/** The request's think value as the parser sees it (harmony knows low/medium/high only: max is high). */
export function parserThink(m: Pick<ResolvedModel, 'config' | 'template'>, think: unknown): ThinkValue {
  if (typeof think !== 'boolean' && typeof think !== 'string') return undefined;
  if (think === 'max' && usesHarmony(m)) return 'high';
  return think;
}

/** A fresh built-in parser for the model, initialised; null when it has none (logged when named but missing). */
export function builtinParser(
  log: ServerLogger,
  m: Pick<ResolvedModel, 'config' | 'template' | 'shortName'>,
  tools: Tool[] | null,
  lastMessage: Message | null,
  think: unknown,
): { parser: Parser; tools: Tool[] | null } | null {
  const name = parserName(m);
  if (name === '') return null;
  const parser = parserFor(name);
  if (!parser) {
    log.warn(`${missingParserReason(name)}; using the template's thinking and tool-call extraction`, { model: m.shortName, parser: name });
    return null;
  }
  return { parser, tools: parser.init(tools, lastMessage, parserThink(m, think)) };
}

/** A chat response's output through a built-in parser: the same add/finish shape as ChatOutput. */
export class ParserChatOutput {
  constructor(
    private readonly parser: Parser,
    private readonly newId: () => string = toolCallId,
  ) {}

  add(piece: string): Message | null {
    return this.message(piece, false);
  }

  finish(): Message {
    return this.message('', true)!;
  }

  private message(piece: string, done: boolean): Message | null {
    const r = this.parser.add(piece, done);
    const message: Message = { role: 'assistant', content: r.content };
    if (r.thinking) message.thinking = r.thinking;
    if (r.calls.length > 0) message.tool_calls = r.calls.map((c) => ({ id: this.newId(), function: c.function }));
    if (!done && r.content === '' && !r.thinking && r.calls.length === 0) return null;
    return message;
  }
}
