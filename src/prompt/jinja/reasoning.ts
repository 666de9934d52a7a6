/**
 * Whether llama-server thinks by default for a template, and the reasoning markers it uses to
 * continue a final assistant message. llama.cpp de3ff81 asks the specialized handler
 * (common/parsers/*.cpp: `supports_thinking`) or, for other templates, its differential
 * analyzer (common/chat-diff-analyzer.cpp:467-612, analyze_reasoning): render an assistant
 * message with and without `reasoning_content`, and a generation prompt with thinking on and
 * off, and take the markers around the reasoning text. This follows its first two comparisons;
 * its third (tail anchoring, for templates whose system message changes with thinking) and its
 * scope analysis are not reproduced.
 */
import { compileJinja, renderJinja } from './engine.js';
import { handlerFor } from './llamacpp.js';

export interface ReasoningMarkers {
  start: string;
  end: string;
}

// chat-diff-analyzer.cpp:28-31
const USER_MSG = 'U_USER_MSG Hello END_U';
const ASSISTANT_MSG = 'A_ASST_MSG I can help END_A';
const THINKING_CONTENT = 'REASON_PART I am thinking END_R';

const LIMITS = { maxSteps: 200_000, maxOutput: 1 << 20 };

function render(template: string, vars: Record<string, unknown>): string | undefined {
  try {
    return renderJinja(compileJinja(template), { bos_token: '', eos_token: '', ...vars }, LIMITS);
  } catch {
    return undefined;
  }
}

/** The parts of a and b between their common prefix and common suffix. */
function diff(a: string, b: string): { left: string; right: string } {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return { left: a.slice(p, a.length - s), right: b.slice(p, b.length - s) };
}

const MARKER = String.raw`(?:<[^>]*>|\[[^\]]*\])`;
const WS = /^[ \t\n\v\f\r]*$/;
const trim = (s: string) => s.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');

/** Reasoning start/end markers of a template ('' when not found). */
export function reasoningMarkers(template: string): ReasoningMarkers {
  let start = '';
  let end = '';
  const user = { role: 'user', content: USER_MSG };
  // compare_reasoning_presence (chat-diff-analyzer.cpp:473-527)
  const without = render(template, { messages: [user, { role: 'assistant', content: ASSISTANT_MSG }], enable_thinking: true });
  const withR = render(template, { messages: [user, { role: 'assistant', content: ASSISTANT_MSG, reasoning_content: THINKING_CONTENT }], enable_thinking: true });
  if (without !== undefined && withR !== undefined && diff(without, withR).right.includes(THINKING_CONTENT)) {
    const at = withR.indexOf(THINKING_CONTENT);
    const pre = new RegExp(`${MARKER}[ \\t\\n\\v\\f\\r]*$`).exec(withR.slice(0, at));
    const post = new RegExp(`^[ \\t\\n\\v\\f\\r]*${MARKER}[ \\t\\n\\v\\f\\r]*`).exec(withR.slice(at + THINKING_CONTENT.length));
    if (pre && post) {
      start = pre[0];
      end = post[0];
    } else if (post) {
      end = post[0].replace(/^[ \t\n\v\f\r]+/, '');
    }
  }
  // compare_thinking_enabled (chat-diff-analyzer.cpp:530-612), its first two cases
  const off = render(template, { messages: [user], add_generation_prompt: true, enable_thinking: false });
  const on = render(template, { messages: [user], add_generation_prompt: true, enable_thinking: true });
  if (off !== undefined && on !== undefined) {
    const d = diff(off, on);
    if (WS.test(d.left) && d.right !== '') {
      if (trim(d.right) !== '' && on.endsWith(trim(d.right)) && start === '') start = d.right;
    } else if (WS.test(d.right) && d.left !== '') {
      if (trim(d.left) !== '' && off.endsWith(trim(d.left)) && end === '') {
        const segs = off.match(new RegExp(`${MARKER}|[^<\\[]+|[<\\[]`, 'g'))?.filter((x) => trim(x) !== '') ?? [];
        if (segs.length >= 2 && segs.at(-1) === trim(d.left) && new RegExp(`^${MARKER}$`).test(segs.at(-2)!)) start = segs.at(-2)!;
        end = d.left;
      }
    }
  }
  // chat-diff-analyzer.cpp:36-132: fixed markers for some families.
  const src = template;
  if (src.includes("content.split('</think>')") && !src.includes('reasoning_content') && !src.includes('<SPECIAL_12>') && start === '' && end === '') {
    return { start: '<think>', end: '</think>' };
  }
  if (src.includes('Write your thoughts between <think></think> and write your response between <response></response>')) return { start: '<think>', end: '</think>' };
  if (['<SPECIAL_10>', '<SPECIAL_11>', '<SPECIAL_12>', '<TOOL_RESPONSE>'].every((x) => src.includes(x))) return { start: '<think>\n', end: '</think>' };
  return { start, end };
}

const cache = new Map<string, { markers: ReasoningMarkers; thinks: boolean }>();

function analyse(template: string): { markers: ReasoningMarkers; thinks: boolean } {
  let r = cache.get(template);
  if (!r) {
    const markers = reasoningMarkers(template);
    const h = handlerFor(template);
    let thinks: boolean;
    if (h === 'auto') thinks = markers.start !== '' || markers.end !== '';
    else if (h === 'qwen3-coder') thinks = template.includes('<think>');
    else thinks = h !== 'gigachat-v3' && h !== 'functionary-v3.2';
    r = { markers, thinks };
    cache.set(template, r);
    if (cache.size > 32) cache.delete(cache.keys().next().value!);
  }
  return r;
}

/**
 * llama-server's `enable_thinking` when the request does not say (server-context.cpp:1460-1464,
 * chat.cpp:358-370): whether the template supports thinking.
 */
export function supportsEnableThinking(template: string): boolean {
  return analyse(template).thinks;
}

/** The reasoning markers the continuation of a final assistant message closes. */
export function templateReasoningMarkers(template: string): ReasoningMarkers {
  return analyse(template).markers;
}
