/**
 * A built-in output parser, as Ollama's `model/parsers` has them: raw model text in, the
 * message's content, thinking and tool calls out. `add` is called once per piece of raw output
 * (`done` on the last one); any split of the same text gives the same totals.
 */
import type { Message, Tool, ToolCall } from '../../api/types.js';

/** The request's `think` as the parser sees it: undefined when the request had none. */
export type ThinkValue = boolean | 'low' | 'medium' | 'high' | 'max' | (string & {}) | undefined;

export interface ParsedPiece {
  content: string;
  thinking: string;
  /** Tool calls completed by this piece (no ids: the server adds them). */
  calls: ToolCall[];
}

export interface Parser {
  /** Resets the parser for one response; returns the tools as the prompt should see them. */
  init(tools: Tool[] | null, lastMessage: Message | null, think: ThinkValue): Tool[] | null;
  /** Throws ParserError when the output cannot be parsed (e.g. a malformed tool call). */
  add(piece: string, done: boolean): ParsedPiece;
  /** Tokens that must stay visible in the detokenized output for the parser to see boundaries. */
  preservedTokens(): string[];
  hasToolSupport(): boolean;
  hasThinkingSupport(): boolean;
}

/** A parse failure; the server ends the stream with its message, as Ollama does. */
export class ParserError extends Error {}

/** Go's `ThinkValue.Bool()`: true for `true` and for any level string. */
export function thinkBool(think: ThinkValue): boolean {
  if (typeof think === 'boolean') return think;
  return typeof think === 'string' && think !== '';
}
