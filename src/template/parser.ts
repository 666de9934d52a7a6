/**
 * Parser for Go text/template: items from the lexer → a Go-shaped tree (ast.ts).
 * Follows text/template/parse: lexical variable scoping, `else if`/`else with` as a
 * nested node alone in the else list, `break`/`continue` only inside `range`, and
 * unknown functions rejected at parse time.
 */
import type {
  ArgNode, BranchFields, ChainNode, CommandNode, IfNode, ListNode, Node, PipeNode, RangeNode,
  TemplateNode, VariableNode, WithNode,
} from './ast.js';
import { nodeString } from './ast.js';
import { TemplateError } from './errors.js';
import { type Item, type ItemType, lex } from './lexer.js';
import { parseNumber, unquote, unquoteChar } from './literals.js';

/** A parsed template set: the root tree (name "") plus `define`/`block` trees. */
export interface ParsedTemplate {
  /** Name of the root template (Ollama uses ""). */
  name: string;
  root: ListNode;
  /** Every template of the set by name, including the root. */
  templates: Map<string, ListNode>;
  /** Original text. */
  text: string;
}

export interface ParseOptions {
  /** Function names callable from the template (checked at parse time, as Go does). */
  funcs: ReadonlySet<string>;
  name?: string;
}

/** Nesting limit for parenthesised pipelines and control blocks (protects the JS stack). */
export const MAX_PARSE_DEPTH = 200;

type ElseOrEnd = { type: 'else' | 'end'; pos: number; line: number };
type ListItem = Node | ElseOrEnd;

class Parser {
  private items: Item[];
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private depth = 0;
  private line = 1;
  readonly templates = new Map<string, ListNode>();

  constructor(
    private readonly text: string,
    private readonly name: string,
    private readonly funcs: ReadonlySet<string>,
  ) {
    this.items = lex(text);
  }

  fail(msg: string, line = this.line): never {
    throw new TemplateError(`template: ${this.name}:${line}: ${msg}`, 'parse');
  }

  private next(): Item {
    const it = this.items[Math.min(this.i, this.items.length - 1)] as Item;
    this.i++;
    this.line = it.line;
    if (it.type === 'error') this.fail(it.val, it.line);
    return it;
  }
  private backup(n = 1): void {
    this.i -= n;
  }
  private peek(): Item {
    return this.items[Math.min(this.i, this.items.length - 1)] as Item;
  }
  private nextNonSpace(): Item {
    let it = this.next();
    while (it.type === 'space') it = this.next();
    return it;
  }
  private peekNonSpace(): Item {
    const save = this.i;
    const it = this.nextNonSpace();
    this.i = save;
    return it;
  }
  private expect(type: ItemType, context: string): Item {
    const it = this.nextNonSpace();
    if (it.type !== type) this.unexpected(it, context);
    return it;
  }
  private unexpected(it: Item, context: string): never {
    if (it.type === 'error') this.fail(it.val, it.line);
    this.fail(`unexpected ${itemString(it)} in ${context}`, it.line);
  }
  private enter(): void {
    if (++this.depth > MAX_PARSE_DEPTH) this.fail(`template nesting exceeds ${MAX_PARSE_DEPTH} levels`);
  }
  private leave(): void {
    this.depth--;
  }

  parse(): ListNode {
    const root: ListNode = { type: 'list', nodes: [], pos: 0, line: 1 };
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const save = this.i;
        this.next();
        if (this.nextNonSpace().type === 'define') {
          this.parseDefinition();
          continue;
        }
        this.i = save;
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.fail(`unexpected {{${n.type}}}`, n.line);
      root.nodes.push(n as Node);
    }
    this.addTemplate(this.name, root);
    return root;
  }

  private addTemplate(name: string, list: ListNode): void {
    const existing = this.templates.get(name);
    if (existing && !isEmptyTree(existing) && !isEmptyTree(list)) {
      this.fail(`template: multiple definition of template "${name}"`);
    }
    if (!existing || !isEmptyTree(list)) this.templates.set(name, list);
  }

  private parseTemplateName(it: Item, context: string): string {
    if (it.type !== 'string' && it.type !== 'rawString') this.unexpected(it, context);
    try {
      return unquote(it.val);
    } catch {
      this.fail(`invalid syntax: ${it.val}`, it.line);
    }
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const name = this.parseTemplateName(this.nextNonSpace(), context);
    this.expect('rightDelim', context);
    const savedVars = this.vars;
    const savedRange = this.rangeDepth;
    this.vars = ['$'];
    this.rangeDepth = 0;
    const { list, next } = this.itemList();
    if (next.type !== 'end') this.fail(`unexpected {{${next.type}}} in ${context}`, next.line);
    this.vars = savedVars;
    this.rangeDepth = savedRange;
    this.addTemplate(name, list);
  }

  private itemList(): { list: ListNode; next: ElseOrEnd } {
    const start = this.peekNonSpace();
    const list: ListNode = { type: 'list', nodes: [], pos: start.pos, line: start.line };
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return { list, next: n as ElseOrEnd };
      list.nodes.push(n as Node);
    }
    this.fail('unexpected EOF');
  }

  private textOrAction(): ListItem {
    const it = this.nextNonSpace();
    switch (it.type) {
      case 'text':
        return { type: 'text', text: it.val, pos: it.pos, line: it.line };
      case 'leftDelim': {
        this.enter();
        try {
          return this.action();
        } finally {
          this.leave();
        }
      }
      default:
        this.unexpected(it, 'input');
    }
  }

  private action(): ListItem {
    const it = this.nextNonSpace();
    switch (it.type) {
      case 'block': return this.blockControl();
      case 'break':
      case 'continue': {
        const end = this.nextNonSpace();
        if (end.type !== 'rightDelim') this.unexpected(end, `{{${it.type}}}`);
        if (this.rangeDepth === 0) this.fail(`{{${it.type}}} outside {{range}}`, it.line);
        return { type: it.type, pos: it.pos, line: it.line };
      }
      case 'else': {
        const peek = this.peekNonSpace();
        if (peek.type === 'if' || peek.type === 'with') return { type: 'else', pos: peek.pos, line: peek.line };
        const tok = this.expect('rightDelim', 'else');
        return { type: 'else', pos: tok.pos, line: tok.line };
      }
      case 'end': {
        const tok = this.expect('rightDelim', 'end');
        return { type: 'end', pos: tok.pos, line: tok.line };
      }
      case 'if': return this.control('if') as IfNode;
      case 'range': return this.control('range') as RangeNode;
      case 'with': return this.control('with') as WithNode;
      case 'template': return this.templateControl();
      default: break;
    }
    this.backup();
    const tok = this.peek();
    return { type: 'action', pipe: this.pipeline('command', 'rightDelim'), pos: tok.pos, line: tok.line };
  }

  private control(kind: 'if' | 'range' | 'with'): BranchFields & { type: 'if' | 'range' | 'with' } {
    const mark = this.vars.length;
    const start = this.items[this.i - 1] as Item;
    try {
      const pipe = this.pipeline(kind, 'rightDelim');
      if (kind === 'range') this.rangeDepth++;
      const first = this.itemList();
      if (kind === 'range') this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (first.next.type === 'else') {
        const peek = this.peekNonSpace();
        if ((kind === 'if' && peek.type === 'if') || (kind === 'with' && peek.type === 'with')) {
          this.nextNonSpace();
          elseList = { type: 'list', nodes: [], pos: first.next.pos, line: first.next.line };
          this.enter();
          try {
            elseList.nodes.push(this.control(kind) as Node);
          } finally {
            this.leave();
          }
        } else {
          const second = this.itemList();
          if (second.next.type !== 'end') this.fail(`expected end; found {{${second.next.type}}}`, second.next.line);
          elseList = second.list;
        }
      }
      return { type: kind, pipe, list: first.list, elseList, pos: start.pos, line: start.line };
    } finally {
      this.vars.length = mark;
    }
  }

  private templateControl(): TemplateNode {
    const context = 'template clause';
    const tok = this.nextNonSpace();
    const name = this.parseTemplateName(tok, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { type: 'template', name, pipe, pos: tok.pos, line: tok.line };
  }

  private blockControl(): TemplateNode {
    const context = 'block clause';
    const tok = this.nextNonSpace();
    const name = this.parseTemplateName(tok, context);
    const pipe = this.pipeline(context, 'rightDelim');
    const savedVars = this.vars;
    const savedRange = this.rangeDepth;
    this.vars = ['$'];
    this.rangeDepth = 0;
    const { list, next } = this.itemList();
    if (next.type !== 'end') this.fail(`unexpected {{${next.type}}} in ${context}`, next.line);
    this.vars = savedVars;
    this.rangeDepth = savedRange;
    this.addTemplate(name, list);
    return { type: 'template', name, pipe, pos: tok.pos, line: tok.line };
  }

  private newVariable(it: Item): VariableNode {
    return { type: 'variable', ident: it.val.split('.'), pos: it.pos, line: it.line };
  }

  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const start = this.peekNonSpace();
    const pipe: PipeNode = { type: 'pipe', isAssign: false, decl: [], cmds: [], pos: start.pos, line: start.line };
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      const save = this.i;
      this.nextNonSpace();
      const next = this.peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign';
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v));
        this.vars.push(v.val);
        break;
      }
      if (next.type === 'comma') {
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v));
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.peekNonSpace().type;
          if (p === 'variable' || p === 'rightDelim' || p === 'rightParen') continue;
          this.fail('range can only initialize variables');
        }
        this.fail(`too many declarations in ${context}`);
      }
      this.i = save;
      break;
    }
    for (;;) {
      const tok = this.nextNonSpace();
      if (tok.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (tok.type) {
        case 'bool': case 'char': case 'dot': case 'field': case 'identifier': case 'number':
        case 'nil': case 'rawString': case 'string': case 'variable': case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(tok, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.fail(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const t = c.args[0]?.type;
      if (t === 'bool' || t === 'dot' || t === 'nil' || t === 'number' || t === 'string') {
        this.fail(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private command(): CommandNode {
    const start = this.peekNonSpace();
    const cmd: CommandNode = { type: 'command', args: [], pos: start.pos, line: start.line };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const tok = this.next();
      if (tok.type === 'space') continue;
      if (tok.type === 'rightDelim' || tok.type === 'rightParen') this.backup();
      else if (tok.type !== 'pipe') this.unexpected(tok, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.fail('empty command');
    return cmd;
  }

  private operand(): ArgNode | null {
    const node = this.term();
    if (!node) return null;
    if (this.peek().type !== 'field') return node;
    const pos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().type === 'field') fields.push(this.next().val.slice(1));
    switch (node.type) {
      case 'field': return { type: 'field', ident: [...node.ident, ...fields], pos, line: node.line };
      case 'variable': return { type: 'variable', ident: [...node.ident, ...fields], pos, line: node.line };
      case 'bool': case 'string': case 'number': case 'nil': case 'dot':
        this.fail(`unexpected . after term ${JSON.stringify(nodeString(node))}`);
      default: {
        const chain: ChainNode = { type: 'chain', node, field: fields, pos, line: node.line };
        return chain;
      }
    }
  }

  private term(): ArgNode | null {
    const tok = this.nextNonSpace();
    const at = { pos: tok.pos, line: tok.line };
    switch (tok.type) {
      case 'identifier':
        if (!this.funcs.has(tok.val)) this.fail(`function ${JSON.stringify(tok.val)} not defined`, tok.line);
        return { type: 'identifier', ident: tok.val, ...at };
      case 'dot': return { type: 'dot', ...at };
      case 'nil': return { type: 'nil', ...at };
      case 'variable': {
        const v = this.newVariable(tok);
        if (!this.vars.includes(v.ident[0] as string)) this.fail(`undefined variable ${JSON.stringify(v.ident[0])}`, tok.line);
        return v;
      }
      case 'field': return { type: 'field', ident: [tok.val.slice(1)], ...at };
      case 'bool': return { type: 'bool', value: tok.val === 'true', ...at };
      case 'char':
        try {
          return { type: 'number', text: tok.val, value: BigInt(unquoteChar(tok.val)), ...at };
        } catch {
          this.fail(`malformed character constant: ${tok.val}`, tok.line);
        }
      case 'number':
        try {
          return { type: 'number', text: tok.val, value: parseNumber(tok.val), ...at };
        } catch (e) {
          this.fail((e as Error).message, tok.line);
        }
      case 'leftParen': {
        this.enter();
        try {
          return this.pipeline('parenthesized pipeline', 'rightParen');
        } finally {
          this.leave();
        }
      }
      case 'string':
      case 'rawString':
        try {
          return { type: 'string', quoted: tok.val, text: unquote(tok.val), ...at };
        } catch {
          this.fail(`invalid syntax: ${tok.val}`, tok.line);
        }
      default:
        this.backup();
        return null;
    }
  }
}

function itemString(it: Item): string {
  switch (it.type) {
    case 'eof': return 'EOF';
    case 'error': return it.val;
    case 'rightDelim': return '"}}"';
    case 'leftDelim': return '"{{"';
    case 'block': case 'break': case 'continue': case 'define': case 'else': case 'end':
    case 'if': case 'range': case 'template': case 'with': case 'nil':
      return `<${it.val}>`;
    default:
      return JSON.stringify(it.val);
  }
}

function isEmptyTree(list: ListNode): boolean {
  return list.nodes.every((n) => n.type === 'text' && n.text.trim() === '');
}

/** Parses template text. Throws TemplateError (phase "parse") with a Go-like message. */
export function parse(text: string, options: ParseOptions): ParsedTemplate {
  const name = options.name ?? '';
  const p = new Parser(text, name, options.funcs);
  const root = p.parse();
  return { name, root, templates: p.templates, text };
}
