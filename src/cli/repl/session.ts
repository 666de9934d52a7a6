/**
 * The REPL session (reference §2): its state (model, messages, system, options, format, think,
 * modes) and the line handling — `"""` multi-line input, paste, and the slash commands in
 * Ollama's prefix order. No React here: the Ink app (app.ts) drives it, tests call it directly.
 */
import { parseParameterValue, type ParameterValue } from '../../api/options.js';
import type { Format, KeepAlive, Message, ShowResponse, ThinkValue } from '../../api/types.js';
import { extractFileData, extractFileNames, isMultimodal } from '../filedata.js';
import { History } from './history.js';
import { USAGE_PARAMETERS, USAGE_SET, USAGE_SHORTCUTS, USAGE_SHOW, usage } from './help.js';
import { listCommand, loadCommand, saveCommand, showCommand } from './commands.js';

export interface ApiClient {
  request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T>;
  stream<T>(path: string, body: unknown, signal?: AbortSignal): AsyncGenerator<T>;
}

/** Where the REPL prints: `out` = Ollama's stdout texts, `err` = its stderr texts. */
export interface ReplIO {
  out(text: string): void;
  err(text: string): void;
}

export type Action = { kind: 'none' } | { kind: 'exit'; code: number } | { kind: 'send'; content: string; images?: string[] };

export interface SessionInit {
  model: string;
  keepAlive?: KeepAlive;
  think?: ThinkValue;
  thinkExplicit?: boolean;
  format?: Format;
  wordWrap?: boolean;
  verbose?: boolean;
  hideThinking?: boolean;
  history?: History;
  info?: ShowResponse;
}

/** Go's `%q` of a string (ASCII escapes; enough for error texts). */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u001b/g, '\\x1b');
}

/** Go's `%v` of a parameter value: `[a b]` for lists. */
export function goValue(v: ParameterValue): string {
  return Array.isArray(v) ? `[${v.join(' ')}]` : String(v);
}

export class Session {
  model: string;
  messages: Message[] = [];
  system = '';
  options: Record<string, ParameterValue> = {};
  format: Format | undefined;
  think: ThinkValue | undefined;
  thinkExplicit: boolean;
  keepAlive: KeepAlive | undefined;
  wordWrap: boolean;
  verbose: boolean;
  hideThinking: boolean;
  history: History;
  /** The model's /api/show answer (capabilities, stored messages). */
  info: ShowResponse | undefined;
  multiline: 'none' | 'prompt' | 'system' = 'none';
  private sb = '';

  constructor(
    readonly client: ApiClient,
    public io: ReplIO,
    init: SessionInit,
  ) {
    this.model = init.model;
    this.keepAlive = init.keepAlive;
    this.think = init.think;
    this.thinkExplicit = init.thinkExplicit ?? false;
    this.format = init.format;
    this.wordWrap = init.wordWrap ?? true;
    this.verbose = init.verbose ?? false;
    this.hideThinking = init.hideThinking ?? false;
    this.history = init.history ?? new History(undefined, false);
    this.info = init.info;
  }

  /** True while a `"""` message or system prompt is open (prompt `... `). */
  get continuation(): boolean {
    return this.multiline !== 'none';
  }

  /** True while lines are being collected (open multi-line input or a pasted block). */
  get composing(): boolean {
    return this.multiline !== 'none' || this.sb !== '';
  }

  get capabilities(): string[] {
    return this.info?.capabilities ?? [];
  }

  get multimodal(): boolean {
    return this.info ? isMultimodal(this.info) : false;
  }

  /** Forgets any half-typed multi-line input (Ctrl+C at the prompt). */
  discardInput(): void {
    this.multiline = 'none';
    this.sb = '';
  }

  /** The next `/api/chat` request body. */
  chatRequest(): Record<string, unknown> {
    const req: Record<string, unknown> = { model: this.model, messages: this.messages };
    if (this.format) req.format = this.format;
    req.options = { ...this.options };
    if (this.think !== undefined) req.think = this.think;
    if (this.keepAlive !== undefined) req.keep_alive = this.keepAlive;
    return req;
  }

  /**
   * Handles one entered line. `pasted` marks a line that came from a bracketed paste block
   * (it is added to the message being composed, not sent).
   */
  async submit(line: string, pasted = false): Promise<Action> {
    if (this.multiline !== 'none') {
      const ended = line.endsWith('"""');
      this.sb += ended ? line.slice(0, -3) : line;
      if (!ended) {
        this.sb += '\n';
        return { kind: 'none' };
      }
      const mode = this.multiline;
      this.multiline = 'none';
      if (mode === 'system') {
        this.system = this.sb;
        this.messages.push({ role: 'system', content: this.system });
        this.io.out('Set system message.\n');
        this.sb = '';
        return { kind: 'none' };
      }
      return this.flush();
    }
    if (line.startsWith('"""')) {
      let rest = line.slice(3);
      if (rest.endsWith('"""')) {
        rest = rest.slice(0, -3);
        this.sb += rest;
        return this.flush();
      }
      this.sb += rest + '\n';
      this.multiline = 'prompt';
      return { kind: 'none' };
    }
    if (pasted) {
      this.sb += line + '\n';
      return { kind: 'none' };
    }
    if (line.startsWith('/list')) return this.done(await listCommand(this, line));
    if (line.startsWith('/load')) return this.done(await loadCommand(this, line));
    if (line.startsWith('/save')) return this.done(await saveCommand(this, line));
    if (line.startsWith('/clear')) {
      this.messages = [];
      if (this.system !== '') this.messages.push({ role: 'system', content: this.system });
      this.io.out('Cleared session context\n');
      return { kind: 'none' };
    }
    if (line.startsWith('/set')) return this.set(line);
    if (line.startsWith('/show')) return this.done(await showCommand(this, line));
    if (line.startsWith('/help') || line.startsWith('/?')) {
      const args = fields(line);
      if (args.length > 1) {
        const a = args[1];
        if (a === 'set' || a === '/set') this.io.err(USAGE_SET);
        else if (a === 'show' || a === '/show') this.io.err(USAGE_SHOW);
        else if (a === 'shortcut' || a === 'shortcuts') this.io.err(USAGE_SHORTCUTS);
      } else this.io.err(usage(this.multimodal));
      return { kind: 'none' };
    }
    if (line.startsWith('/exit') || line.startsWith('/bye')) return { kind: 'exit', code: 0 };
    // As Ollama: for a multimodal model, a line starting with an image path is a message.
    if (line.startsWith('/') && !(this.multimodal && extractFileNames(line).some((f) => f.startsWith(fields(line)[0]!)))) {
      this.io.out(`Unknown command '${fields(line)[0]}'. Type /? for help\n`);
      return { kind: 'none' };
    }
    this.sb += line;
    return this.flush();
  }

  private done(a: Action | void): Action {
    return a ?? { kind: 'none' };
  }

  private flush(): Action {
    const content = this.sb;
    this.sb = '';
    if (content.trim() === '') return { kind: 'none' };
    if (!this.multimodal) return { kind: 'send', content };
    // Image paths become the message's images (a file that cannot be used ends the session, as in Ollama).
    const { prompt, images } = extractFileData(content, (s) => this.io.err(s));
    return images.length > 0 ? { kind: 'send', content: prompt, images } : { kind: 'send', content: prompt };
  }

  private set(line: string): Action {
    const args = fields(line);
    if (args.length < 2) {
      this.io.err(USAGE_SET);
      return { kind: 'none' };
    }
    const out = (s: string) => this.io.out(s + '\n');
    switch (args[1]) {
      case 'history':
        this.history.enabled = true;
        break;
      case 'nohistory':
        this.history.enabled = false;
        break;
      case 'wordwrap':
        this.wordWrap = true;
        out("Set 'wordwrap' mode.");
        break;
      case 'nowordwrap':
        this.wordWrap = false;
        out("Set 'nowordwrap' mode.");
        break;
      case 'verbose':
        this.verbose = true;
        out("Set 'verbose' mode.");
        break;
      case 'quiet':
        this.verbose = false;
        out("Set 'quiet' mode.");
        break;
      case 'think': {
        const level = args[2] ?? '';
        this.think = level !== '' ? (level as ThinkValue) : true;
        this.thinkExplicit = true;
        this.warnThinking();
        out(level !== '' ? `Set 'think' mode to '${level}'.` : "Set 'think' mode.");
        break;
      }
      case 'nothink':
        this.think = false;
        this.thinkExplicit = true;
        this.warnThinking();
        out("Set 'nothink' mode.");
        break;
      case 'format':
        if (args.length < 3 || args[2] !== 'json') out("Invalid or missing format. For 'json' mode use '/set format json'");
        else {
          this.format = 'json';
          out("Set format to 'json' mode.");
        }
        break;
      case 'noformat':
        this.format = undefined;
        out('Disabled format.');
        break;
      case 'parameter': {
        if (args.length < 4) {
          this.io.err(USAGE_PARAMETERS);
          break;
        }
        const name = args[2]!;
        const vals = args.slice(3);
        try {
          this.options[name] = parseParameterValue(name, vals);
          out(`Set parameter '${name}' to '${vals.join(', ')}'`);
        } catch (err) {
          this.io.out(`Couldn't set parameter: ${goQuote(err instanceof Error ? err.message : String(err))}\n`);
        }
        break;
      }
      case 'system': {
        if (args.length < 3) {
          this.io.err(USAGE_SET);
          break;
        }
        // The text after `/set system ` as typed (Ollama joins the fields with single spaces).
        let text = args.slice(2).join(' ');
        if (text.startsWith('"""')) {
          text = text.slice(3);
          if (text.endsWith('"""')) text = text.slice(0, -3);
          else {
            this.sb = text + '\n';
            this.multiline = 'system';
            break;
          }
        }
        this.system = text;
        const msg: Message = { role: 'system', content: text };
        const last = this.messages[this.messages.length - 1];
        if (last && last.role === 'system') this.messages[this.messages.length - 1] = msg;
        else this.messages.push(msg);
        out('Set system message.');
        break;
      }
      default:
        out(`Unknown command '/set ${args[1]}'. Type /? for help`);
    }
    return { kind: 'none' };
  }

  private warnThinking(): void {
    if (this.info && !this.capabilities.includes('thinking')) {
      this.io.err(`warning: model "${this.model}" does not support thinking output\n`);
    }
  }
}

/** Go's strings.Fields. */
export function fields(s: string): string[] {
  return s.split(/\s+/).filter((f) => f !== '');
}
