/**
 * A parsed Modelfile: the ordered list of its instructions, with accessors.
 *
 * Commands keep exactly what Ollama's parser keeps (values already unquoted and trimmed), but
 * typed: a PARAMETER is `{kind:'parameter', name, value}` and a MESSAGE `{kind:'message', role,
 * content}` instead of Ollama's `Name`/`Args` strings, so `PARAMETER model x` can never be
 * mistaken for a FROM.
 */
import { formatCommand } from './formatter.js';

/** Instructions whose value is a single string. `from` is FROM. */
export type ValueKind =
  | 'from'
  | 'adapter'
  | 'draft'
  | 'template'
  | 'system'
  | 'license'
  | 'requires'
  | 'renderer'
  | 'parser';

export type MessageRole = 'system' | 'user' | 'assistant';

export type Command =
  | { kind: ValueKind; value: string }
  | { kind: 'parameter'; name: string; value: string }
  | { kind: 'message'; role: MessageRole; content: string };

export type ValueCommand = Extract<Command, { value: string; kind: ValueKind }>;
export type ParameterCommand = Extract<Command, { kind: 'parameter' }>;
export type MessageCommand = Extract<Command, { kind: 'message' }>;

/** The instruction words Ollama accepts, in the order its error message lists them. */
export const INSTRUCTIONS = [
  'from',
  'license',
  'template',
  'system',
  'adapter',
  'draft',
  'renderer',
  'parser',
  'parameter',
  'message',
  'requires',
] as const;

export const MESSAGE_ROLES: readonly MessageRole[] = ['system', 'user', 'assistant'];

/**
 * A Modelfile that cannot be parsed or turned into a create request. `message` is Ollama's
 * text (e.g. `(line 3): command must be one of …`, `unexpected EOF`, `no FROM line`);
 * `line` is set for errors Ollama reports with a line number.
 */
export class ModelfileError extends Error {
  readonly status = 400;
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line !== undefined && line > 0 ? `(line ${line}): ${message}` : message);
    this.name = 'ModelfileError';
  }
}

export class Modelfile {
  readonly commands: readonly Command[];

  constructor(commands: readonly Command[]) {
    this.commands = commands;
  }

  private values(kind: ValueKind): string[] {
    const out: string[] = [];
    for (const c of this.commands) if (c.kind === kind) out.push((c as ValueCommand).value);
    return out;
  }

  private last(kind: ValueKind): string | undefined {
    const all = this.values(kind);
    return all.length > 0 ? all[all.length - 1] : undefined;
  }

  /** Every FROM value, in order (FROM may repeat: several weight files / projectors). */
  get froms(): string[] {
    return this.values('from');
  }
  /** The first FROM value (a parsed Modelfile always has one). */
  get from(): string {
    return this.values('from')[0] ?? '';
  }
  get adapters(): string[] {
    return this.values('adapter');
  }
  get drafts(): string[] {
    return this.values('draft');
  }
  /** The last TEMPLATE (last one wins), or undefined. */
  get template(): string | undefined {
    return this.last('template');
  }
  /** The last SYSTEM (last one wins), or undefined. */
  get system(): string | undefined {
    return this.last('system');
  }
  /** Every LICENSE, in order (each becomes a license layer). */
  get licenses(): string[] {
    return this.values('license');
  }
  get requires(): string | undefined {
    return this.last('requires');
  }
  get renderer(): string | undefined {
    return this.last('renderer');
  }
  get parser(): string | undefined {
    return this.last('parser');
  }
  /** Every PARAMETER as written (untyped), in order. */
  get parameters(): Array<{ name: string; value: string }> {
    const out: Array<{ name: string; value: string }> = [];
    for (const c of this.commands) if (c.kind === 'parameter') out.push({ name: c.name, value: c.value });
    return out;
  }
  /** Every MESSAGE, in order. */
  get messages(): Array<{ role: MessageRole; content: string }> {
    const out: Array<{ role: MessageRole; content: string }> = [];
    for (const c of this.commands) if (c.kind === 'message') out.push({ role: c.role, content: c.content });
    return out;
  }

  /** Ollama's Modelfile.String(): one instruction per line, each ending in a newline. */
  toString(): string {
    let out = '';
    for (const c of this.commands) out += formatCommand(c) + '\n';
    return out;
  }
}
