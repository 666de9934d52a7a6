/**
 * What most parsers answer the same way: they handle tool calls, think only in their thinking
 * variant (a constructor flag), and keep a fixed list of tokens visible.
 */
import type { Message, Tool } from '../../api/types.js';
import type { ParsedPiece, Parser, ThinkValue } from './types.js';

export abstract class ToolCallingParser implements Parser {
  constructor(
    protected readonly thinkingSupport: boolean,
    private readonly preserved: readonly string[],
  ) {}

  hasToolSupport(): boolean {
    return true;
  }
  hasThinkingSupport(): boolean {
    return this.thinkingSupport;
  }
  preservedTokens(): string[] {
    return [...this.preserved];
  }

  abstract init(tools: Tool[] | null, lastMessage: Message | null, think: ThinkValue): Tool[] | null;
  abstract add(piece: string, done: boolean): ParsedPiece;
}
