/**
 * Splits a model's streamed output into thinking and content, as Ollama's thinking parser does
 * (reference §6.4): the tags come from the template (`inferThinkingTags`); output may open with
 * the opening tag (after whitespace), everything up to the closing tag is thinking, the rest is
 * content. Whitespace right after either tag is dropped. A tag split across pieces never leaks:
 * a possible partial tag is held back until the next piece decides it.
 */

export interface ThinkingTags {
  open: string;
  close: string;
}

export interface ThinkingPiece {
  thinking: string;
  content: string;
}

type State =
  | 'lookingForOpening'
  | 'thinkingStartedEatingWhitespace'
  | 'thinking'
  | 'thinkingDoneEatingWhitespace'
  | 'thinkingDone';

/** Go's unicode.IsSpace set, which differs from JS `\s` (U+0085 yes, U+FEFF no). */
const LEADING_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

export function trimLeftSpace(s: string): string {
  return s.replace(LEADING_SPACE, '');
}

/** Length of the longest suffix of `s` that is a proper prefix of `tag` (0 when none). */
export function tagOverlap(s: string, tag: string): number {
  for (let i = Math.min(tag.length - 1, s.length); i > 0; i--) {
    if (s.endsWith(tag.slice(0, i))) return i;
  }
  return 0;
}

export class ThinkingParser {
  private state: State = 'lookingForOpening';
  private acc = '';

  constructor(readonly tags: ThinkingTags) {
    if (tags.open === '' || tags.close === '') throw new Error('thinking tags must not be empty');
  }

  /**
   * The parser for a rendered prompt: when the prompt (trimmed) already ends with the opening tag,
   * the model continues inside thinking, so the parser starts there.
   */
  static forPrompt(tags: ThinkingTags, prompt: string): ThinkingParser {
    const p = new ThinkingParser(tags);
    if (prompt.trim().endsWith(tags.open)) p.add(tags.open);
    return p;
  }

  /** True once content has started (thinking is over or never happened). */
  get done(): boolean {
    return this.state === 'thinkingDone' || this.state === 'thinkingDoneEatingWhitespace';
  }

  /** Feeds one piece of output; returns what can be told apart so far. */
  add(text: string): ThinkingPiece {
    this.acc += text;
    let thinking = '';
    let content = '';
    for (;;) {
      const step = this.eat();
      thinking += step.thinking;
      content += step.content;
      if (!step.again) break;
    }
    return { thinking, content };
  }

  /**
   * End of output: whatever is still held back. A partial closing tag was thinking; text that
   * might have become the opening tag was content. Whitespace being eaten stays eaten.
   */
  flush(): ThinkingPiece {
    const rest = this.acc;
    this.acc = '';
    switch (this.state) {
      case 'lookingForOpening':
        this.state = 'thinkingDone';
        return { thinking: '', content: rest };
      case 'thinking':
        return { thinking: rest, content: '' };
      default:
        return { thinking: '', content: '' };
    }
  }

  private eat(): ThinkingPiece & { again: boolean } {
    const { open, close } = this.tags;
    switch (this.state) {
      case 'lookingForOpening': {
        const trimmed = trimLeftSpace(this.acc);
        if (trimmed.startsWith(open)) {
          const after = trimLeftSpace(trimmed.slice(open.length));
          this.acc = after;
          this.state = after === '' ? 'thinkingStartedEatingWhitespace' : 'thinking';
          return { thinking: '', content: '', again: true };
        }
        // Whitespace only, or a partial opening tag: wait for more.
        if (trimmed === '' || open.startsWith(trimmed)) return { thinking: '', content: '', again: false };
        // No thinking at all: the content keeps its leading whitespace.
        const untrimmed = this.acc;
        this.acc = '';
        this.state = 'thinkingDone';
        return { thinking: '', content: untrimmed, again: false };
      }
      case 'thinkingStartedEatingWhitespace': {
        const trimmed = trimLeftSpace(this.acc);
        this.acc = '';
        if (trimmed === '') return { thinking: '', content: '', again: false };
        this.acc = trimmed;
        this.state = 'thinking';
        return { thinking: '', content: '', again: true };
      }
      case 'thinking': {
        const acc = this.acc;
        const at = acc.indexOf(close);
        if (at >= 0) {
          const remaining = trimLeftSpace(acc.slice(at + close.length));
          this.acc = '';
          this.state = remaining === '' ? 'thinkingDoneEatingWhitespace' : 'thinkingDone';
          return { thinking: acc.slice(0, at), content: remaining, again: false };
        }
        const keep = tagOverlap(acc, close);
        this.acc = acc.slice(acc.length - keep);
        return { thinking: acc.slice(0, acc.length - keep), content: '', again: false };
      }
      case 'thinkingDoneEatingWhitespace': {
        const trimmed = trimLeftSpace(this.acc);
        this.acc = '';
        if (trimmed !== '') this.state = 'thinkingDone';
        return { thinking: '', content: trimmed, again: false };
      }
      case 'thinkingDone': {
        const acc = this.acc;
        this.acc = '';
        return { thinking: '', content: acc, again: false };
      }
    }
  }
}

/** Whether a resolved `think` value turns thinking on (true or a level such as "high"). */
export function thinkEnabled(think: boolean | string | undefined | null): boolean {
  return think === true || (typeof think === 'string' && think !== '' && think !== 'false');
}

/**
 * The parser a request gets: only when thinking is on and the template has both tags (Ollama's
 * rule; with `think:false` there is no parser and all output is content, as in Ollama).
 */
export function thinkingParserFor(tags: ThinkingTags, think: boolean | string | undefined | null, prompt: string): ThinkingParser | null {
  if (!thinkEnabled(think) || tags.open === '' || tags.close === '') return null;
  return ThinkingParser.forPrompt(tags, prompt);
}
