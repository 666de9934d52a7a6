/**
 * Renders a streamed answer (reference §1.6 "Output rendering"): the thinking block
 * (`Thinking...` … `...done thinking.`, grey/bold on a terminal, plain otherwise, hidden with
 * --hidethinking), the content through the word wrapper, and calls of tools nobody registered.
 */
import type { ToolCall } from '../../api/types.js';

export interface RenderSink {
  /** Model text: goes through the word wrapper. */
  text(s: string): void;
  /** Fixed text (headers, newlines) written as is. */
  raw(s: string): void;
  /** A new wrap state (after the thinking block). */
  resetWrap(): void;
}

const GREY = '\x1b[90m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

export function thinkingOpen(plain: boolean): string {
  return plain ? 'Thinking...\n' : `${GREY}${BOLD}Thinking...${RESET}${GREY}\n`;
}
export function thinkingClose(plain: boolean): string {
  return plain ? '...done thinking.\n\n' : `${GREY}${BOLD}...done thinking.${RESET}\n\n`;
}

export function toolCallText(tc: ToolCall): string {
  return `  Model called a non-existent function '${tc.function.name}()' with arguments: ${JSON.stringify(tc.function.arguments ?? {})}\n`;
}

export class ResponseRenderer {
  private open = false;
  private lastThinking = '';
  /** All content text seen (for the assistant message). */
  content = '';
  thinking = '';

  constructor(
    private readonly sink: RenderSink,
    private readonly opts: { hideThinking: boolean; plain: boolean },
  ) {}

  chunk(thinking: string | undefined, content: string | undefined, toolCalls?: ToolCall[]): void {
    if (thinking) {
      this.thinking += thinking;
      if (!this.opts.hideThinking) {
        if (!this.open) {
          this.sink.raw(thinkingOpen(this.opts.plain));
          this.open = true;
        }
        this.sink.text(thinking);
        this.lastThinking = thinking;
      }
    }
    const calls = toolCalls ?? [];
    if (this.open && ((content ?? '') !== '' || calls.length > 0)) this.closeThinking();
    if (content) {
      this.content += content;
      this.sink.text(content);
    }
    for (const tc of calls) this.sink.raw(toolCallText(tc));
  }

  /** Ends an open thinking block (when the answer had no content at all). */
  finish(): void {
    if (this.open) this.closeThinking();
  }

  private closeThinking(): void {
    if (!this.lastThinking.endsWith('\n')) this.sink.raw('\n');
    this.sink.raw(thinkingClose(this.opts.plain));
    this.open = false;
    this.sink.resetWrap();
  }
}
