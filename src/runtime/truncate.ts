/**
 * Fitting prompts into the context.
 *
 * - truncateChat: Ollama's chat-history truncation (reference §6.5): try the whole history, then
 *   drop the oldest non-system messages one at a time until the rendered prompt fits num_ctx.
 *   System messages are never dropped and the last message is always kept, even if too long.
 * - truncatePromptTokens: what the runner does when a prompt is still longer than the context and
 *   context shift is on: keep `num_keep` leading tokens and cut about half of the rest, in blocks,
 *   from the front (llama.cpp server's prompt truncation).
 */

export interface TruncatableMessage {
  role: string;
  images?: readonly unknown[] | null | undefined;
}

export interface TruncateChatInput<M extends TruncatableMessage> {
  messages: readonly M[];
  /** Renders a message list into the prompt text. */
  render: (messages: M[]) => string | Promise<string>;
  /** Counts the tokens of a rendered prompt. */
  countTokens: (prompt: string) => number | Promise<number>;
  /** The context size the prompt must fit (num_ctx capped to the runner's context). */
  numCtx: number;
  /** Extra tokens per image when the model has a projector (Ollama: 768); 0 otherwise. */
  tokensPerImage?: number;
}

export interface TruncateChatResult<M> {
  messages: M[];
  prompt: string;
  promptTokens: number;
  /** True when older messages were dropped; the server logs a warning. */
  truncated: boolean;
  /** How many messages were dropped. */
  dropped: number;
}

export async function truncateChat<M extends TruncatableMessage>(
  input: TruncateChatInput<M>,
): Promise<TruncateChatResult<M>> {
  const msgs = input.messages;
  const perImage = input.tokensPerImage ?? 0;
  if (msgs.length === 0) {
    const prompt = await input.render([]);
    return { messages: [], prompt, promptTokens: await input.countTokens(prompt), truncated: false, dropped: 0 };
  }
  let last: TruncateChatResult<M> | undefined;
  for (let i = 0; i < msgs.length; i++) {
    // i > 0 only makes sense when msgs[i-1] was a droppable (non-system) message
    if (i > 0 && msgs[i - 1]!.role === 'system') continue;
    const kept = [...msgs.slice(0, i).filter((m) => m.role === 'system'), ...msgs.slice(i)];
    const prompt = await input.render(kept);
    let count = await input.countTokens(prompt);
    if (perImage > 0) for (const m of kept) count += perImage * (m.images?.length ?? 0);
    const dropped = msgs.length - kept.length;
    last = { messages: kept, prompt, promptTokens: count, truncated: dropped > 0, dropped };
    if (count <= input.numCtx) return last;
  }
  return last!;
}

/**
 * Cuts a token prompt that does not fit `numCtx`: keeps the first `numKeep` tokens (after
 * `protectedPrefix` tokens such as BOS) and drops whole blocks of half the remaining room from
 * just after them. Returns the input unchanged when it already fits.
 */
export function truncatePromptTokens(
  tokens: readonly number[],
  numCtx: number,
  numKeep: number,
  protectedPrefix = 0,
): number[] {
  const n = tokens.length;
  if (n < numCtx) return tokens.slice();
  let keep = numKeep < 0 ? n : numKeep;
  keep = Math.max(0, Math.min(numCtx - 4, keep + protectedPrefix));
  const left = numCtx - keep;
  const block = Math.max(1, Math.floor(left / 2));
  const erased = Math.max(1, Math.ceil((n - keep - block) / block));
  const out = [...tokens.slice(0, keep), ...tokens.slice(keep + erased * block)];
  // guarantee room for at least one generated token
  return out.length < numCtx ? out : [...tokens.slice(0, keep), ...tokens.slice(n - (numCtx - keep - 1))];
}
