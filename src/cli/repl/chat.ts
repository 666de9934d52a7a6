/** One REPL turn: the session's messages to `/api/chat`, streamed into a renderer (§2.3). */
import type { ChatResponse, Metrics } from '../../api/types.js';
import { ANSWER_CUT, answerReadError, assertAnswerDone } from '../answer-end.js';
import { errorText } from './commands.js';
import { ResponseRenderer, type RenderSink } from './render.js';
import type { Session } from './session.js';

export type ChatOutcome = { kind: 'done'; metrics: Metrics } | { kind: 'cancelled' };

export async function chatTurn(s: Session, sink: RenderSink, signal: AbortSignal, plain = true): Promise<ChatOutcome> {
  const r = new ResponseRenderer(sink, { hideThinking: s.hideThinking, plain });
  let last: ChatResponse | undefined;
  try {
    for await (const resp of s.client.stream<ChatResponse>('/api/chat', s.chatRequest(), signal)) {
      if (signal.aborted) return { kind: 'cancelled' }; // nothing is shown after Ctrl+C
      last = resp;
      r.chunk(resp.message?.thinking, resp.message?.content, resp.message?.tool_calls);
    }
  } catch (err) {
    if (signal.aborted) return { kind: 'cancelled' };
    throw answerReadError(err);
  }
  if (signal.aborted) return { kind: 'cancelled' };
  r.finish();
  assertAnswerDone(last);
  const msg: { role: string; content: string; thinking?: string } = { role: 'assistant', content: r.content };
  if (r.thinking !== '') msg.thinking = r.thinking;
  s.messages.push(msg);
  if (s.messages.length > 0) sink.raw('\n\n');
  const m = last ?? ({} as ChatResponse);
  return {
    kind: 'done',
    metrics: {
      total_duration: m.total_duration,
      load_duration: m.load_duration,
      prompt_eval_count: m.prompt_eval_count,
      prompt_eval_duration: m.prompt_eval_duration,
      eval_count: m.eval_count,
      eval_duration: m.eval_duration,
    },
  };
}

/**
 * What a failed turn means (§2.3): thinking errors print `error: …` and the REPL goes on; an
 * "upstream error" prints Ollama's retry hint; anything else ends the session with `Error: …`.
 */
export function classifyChatError(err: unknown): { fatal: boolean; text: string } {
  const msg = errorText(err);
  if (msg.includes('does not support thinking') || msg.includes('invalid think value')) return { fatal: false, text: `error: ${msg}\n` };
  if (msg.includes('upstream error')) return { fatal: false, text: 'An error occurred while processing your message. Please try again.\n' };
  if (err instanceof TypeError && /terminated|fetch failed|socket|other side closed/i.test(msg + String((err as Error).cause ?? ''))) {
    return { fatal: true, text: `Error: ${ANSWER_CUT}\n` };
  }
  return { fatal: true, text: `Error: ${msg}\n` };
}
