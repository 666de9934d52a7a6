/**
 * Evaluator for parsed Go templates, following text/template/exec.go semantics
 * (missingkey=zero), with limits so an untrusted template cannot run away.
 */
import type {
  AnyNode, ArgNode, ChainNode, CommandNode, FieldNode, IdentifierNode, ListNode, Node, PipeNode,
  RangeNode, VariableNode,
} from './ast.js';
import { nodeString } from './ast.js';
import { TemplateExecError, TemplateLimitError } from './errors.js';
import { FUNCS, FuncError, type FuncEnv, type ParamKind } from './funcs.js';
import type { ParsedTemplate } from './parser.js';
import { formatAction, formatValue } from './printing.js';
import {
  GoMap, GoStruct, isPlainObject, isTrue, kindOf, mapGet, mapKeys, sliceItems, typeName,
} from './values.js';

export interface ExecOptions {
  /** Clock for currentDate/yesterdayDate (default: the system clock, local time). */
  now?: () => Date;
  /** Maximum output (and string value) size in UTF-16 units. Default 16 MiB. */
  maxOutput?: number;
  /** Maximum number of evaluation steps (nodes walked + range iterations). Default 5 000 000. */
  maxSteps?: number;
  /** Maximum nesting of {{template}} calls. Default 100. */
  maxDepth?: number;
  /** Milliseconds an execution may take (checked every 256 steps). Default 2 000. */
  timeoutMs?: number;
}

export const DEFAULT_MAX_OUTPUT = 16 * 1024 * 1024;
export const DEFAULT_MAX_STEPS = 5_000_000;
export const DEFAULT_MAX_DEPTH = 100;
/** A step costs up to a few microseconds (printing values), so the step bound alone is not a time bound. */
export const DEFAULT_TIMEOUT_MS = 2_000;

const NO_FINAL = Symbol('missingVal');
type Final = unknown;
type Flow = 'break' | 'continue' | undefined;

interface Variable {
  name: string;
  value: unknown;
}

class State {
  private vars: Variable[] = [];
  private out: string[] = [];
  private outLen = 0;
  private steps = 0;
  private depth = 0;
  private tmplName: string;
  private readonly env: FuncEnv;
  private readonly maxOutput: number;
  private readonly maxSteps: number;
  private readonly maxDepth: number;
  private readonly timeoutMs: number;
  private readonly deadline: number;

  constructor(private readonly t: ParsedTemplate, opts: ExecOptions) {
    this.tmplName = t.name;
    this.env = { now: opts.now ?? (() => new Date()) };
    this.maxOutput = opts.maxOutput ?? DEFAULT_MAX_OUTPUT;
    this.maxSteps = opts.maxSteps ?? DEFAULT_MAX_STEPS;
    this.maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.deadline = performance.now() + this.timeoutMs;
  }

  run(root: ListNode, data: unknown): string {
    this.vars = [{ name: '$', value: data }];
    this.walk(data, root);
    return this.out.join('');
  }

  private fail(node: AnyNode, msg: string): never {
    throw new TemplateExecError(`${this.location(node)}: ${msg}`);
  }

  private location(node: AnyNode): string {
    const text = this.t.text;
    const pos = Math.min(node.pos, text.length);
    let line = 1;
    for (let i = 0; i < pos; i++) if (text.charCodeAt(i) === 10) line++;
    const col = pos - (text.lastIndexOf('\n', pos - 1) + 1);
    return `template: ${this.t.name}:${line}:${col}: executing ${JSON.stringify(this.tmplName)} at <${truncateContext(nodeString(node))}>`;
  }

  private step(node: AnyNode): void {
    if (++this.steps > this.maxSteps) {
      throw new TemplateLimitError(`${this.location(node)}: template exceeded ${this.maxSteps} evaluation steps`);
    }
    if ((this.steps & 255) === 0 && performance.now() > this.deadline) {
      throw new TemplateLimitError(`${this.location(node)}: template took longer than ${this.timeoutMs} ms`);
    }
  }

  private write(node: AnyNode, s: string): void {
    this.outLen += s.length;
    if (this.outLen > this.maxOutput) {
      throw new TemplateLimitError(`${this.location(node)}: template output exceeds ${this.maxOutput} bytes`);
    }
    this.out.push(s);
  }

  // ---- variables ----
  private varValue(node: AnyNode, name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) return v.value;
    }
    this.fail(node, `undefined variable: ${name}`);
  }
  private setVar(node: AnyNode, name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) {
        v.value = value;
        return;
      }
    }
    this.fail(node, `undefined variable: ${name}`);
  }
  private setTopVar(n: number, value: unknown): void {
    const v = this.vars[this.vars.length - n];
    if (v) v.value = value;
  }

  // ---- walking ----
  private walk(dot: unknown, node: Node): Flow {
    this.step(node);
    switch (node.type) {
      case 'list':
        for (const n of node.nodes) {
          const flow = this.walk(dot, n);
          if (flow) return flow;
        }
        return undefined;
      case 'text':
        this.write(node, node.text);
        return undefined;
      case 'comment':
        return undefined;
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.write(node, formatAction(val));
        return undefined;
      }
      case 'break':
      case 'continue':
        return node.type;
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        try {
          const val = this.evalPipeline(dot, node.pipe);
          if (isTrue(val)) return this.walk(node.type === 'with' ? val : dot, node.list);
          if (node.elseList) return this.walk(dot, node.elseList);
          return undefined;
        } finally {
          this.vars.length = mark;
        }
      }
      case 'range':
        return this.walkRange(dot, node);
      case 'template': {
        const tree = this.t.templates.get(node.name);
        if (!tree) this.fail(node, `template ${JSON.stringify(node.name)} not defined`);
        if (this.depth >= this.maxDepth) {
          throw new TemplateLimitError(`${this.location(node)}: exceeded maximum template depth (${this.maxDepth})`);
        }
        const newDot = node.pipe ? this.evalPipeline(dot, node.pipe) : undefined;
        const saved = { vars: this.vars, name: this.tmplName };
        this.vars = [{ name: '$', value: newDot }];
        this.tmplName = node.name;
        this.depth++;
        try {
          this.walk(newDot, tree);
        } finally {
          this.depth--;
          this.vars = saved.vars;
          this.tmplName = saved.name;
        }
        return undefined;
      }
    }
  }

  private walkRange(dot: unknown, r: RangeNode): Flow {
    const mark = this.vars.length;
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark2 = this.vars.length;
      const decl = r.pipe.decl;
      const one = (index: unknown, elem: unknown): Flow => {
        this.step(r);
        if (decl.length > 0) {
          if (r.pipe.isAssign) this.setVar(r, (decl[decl.length > 1 ? 0 : 0] as VariableNode).ident[0] as string, decl.length > 1 ? index : elem);
          else this.setTopVar(1, elem);
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(r, (decl[1] as VariableNode).ident[0] as string, elem);
          else this.setTopVar(2, index);
        }
        try {
          return this.walk(elem, r.list);
        } finally {
          this.vars.length = mark2;
        }
      };
      let ran = false;
      switch (kindOf(val)) {
        case 'slice': {
          const items = sliceItems(val);
          for (let i = 0; i < items.length; i++) {
            ran = true;
            if (one(BigInt(i), items[i]) === 'break') break;
          }
          break;
        }
        case 'int': {
          if (decl.length > 1) this.fail(r, `can't use ${formatValue(val)} to iterate over more than one variable`);
          const n = val as bigint;
          for (let i = 0n; i < n; i++) {
            ran = true;
            if (one(i, i) === 'break') break;
          }
          break;
        }
        case 'map': {
          const m = val as GoMap | Record<string, unknown>;
          for (const k of mapKeys(m)) {
            ran = true;
            if (one(k, mapGet(m, k).value) === 'break') break;
          }
          break;
        }
        case 'nil':
          break;
        default:
          this.fail(r.pipe, `range can't iterate over ${formatValue(val)}`);
      }
      if (!ran && r.elseList) return this.walk(dot, r.elseList);
      return undefined;
    } finally {
      this.vars.length = mark;
    }
  }

  // ---- evaluation ----
  private evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    let value: unknown = NO_FINAL;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    for (const v of pipe.decl) {
      const name = v.ident[0] as string;
      if (pipe.isAssign) this.setVar(v, name, value);
      else this.vars.push({ name, value });
    }
    return value;
  }

  private notAFunction(args: ArgNode[], final: Final): void {
    if (args.length > 1 || final !== NO_FINAL) {
      this.fail(args[0] as ArgNode, `can't give argument to non-function ${nodeString(args[0] as ArgNode)}`);
    }
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0] as ArgNode;
    switch (first.type) {
      case 'field': return this.evalFieldChain(dot, dot, first, first.ident, cmd.args, final);
      case 'chain': return this.evalChain(dot, first, cmd.args, final);
      case 'identifier': return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable': return this.evalVariable(dot, first, cmd.args, final);
      default: break;
    }
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool': return first.value;
      case 'dot': return dot;
      case 'nil': this.fail(first, 'nil is not a command');
      case 'number': return first.value;
      case 'string': return first.text;
    }
  }

  private evalChain(dot: unknown, chain: ChainNode, args: ArgNode[], final: Final): unknown {
    if (chain.node.type === 'nil') this.fail(chain, `indirection through explicit nil in ${nodeString(chain)}`);
    const recv = this.evalArg(dot, chain.node);
    return this.evalFieldChain(dot, recv, chain, chain.field, args, final);
  }

  private evalVariable(dot: unknown, v: VariableNode, args: ArgNode[], final: Final): unknown {
    const value = this.varValue(v, v.ident[0] as string);
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  private evalFieldChain(
    dot: unknown, receiver: unknown, node: AnyNode, ident: string[], args: ArgNode[], final: Final,
  ): unknown {
    let recv = receiver;
    for (let i = 0; i < ident.length - 1; i++) recv = this.evalField(node, ident[i] as string, [], NO_FINAL, recv);
    return this.evalField(node, ident[ident.length - 1] as string, args, final, recv);
  }

  private evalField(node: AnyNode, name: string, args: ArgNode[], final: Final, recv: unknown): unknown {
    const hasArgs = args.length > 1 || final !== NO_FINAL;
    if (recv === undefined) return undefined; // invalid receiver (no data): Go returns the zero Value
    if (recv instanceof GoStruct) {
      if (!recv.has(name)) this.fail(node, `can't evaluate field ${name} in type ${recv.typeName}`);
      if (hasArgs) this.fail(node, `${name} has arguments but cannot be invoked as function`);
      return recv.get(name);
    }
    if (recv instanceof GoMap || isPlainObject(recv)) {
      if (hasArgs) this.fail(node, `${name} is not a method but has arguments`);
      return mapGet(recv, name).value;
    }
    if (recv === null) this.fail(node, `nil pointer evaluating interface {}.${name}`);
    const k = kindOf(recv);
    const type = k === 'string' || k === 'float' || k === 'bool' ? 'interface {}' : typeName(recv);
    this.fail(node, `can't evaluate field ${name} in type ${type}`);
  }

  private evalArg(dot: unknown, n: ArgNode): unknown {
    switch (n.type) {
      case 'dot': return dot;
      case 'nil': return null;
      case 'field': return this.evalFieldChain(dot, dot, n, n.ident, [n], NO_FINAL);
      case 'variable': return this.evalVariable(dot, n, [n], NO_FINAL);
      case 'pipe': return this.evalPipeline(dot, n);
      case 'identifier': return this.evalFunction(dot, n, n, [n], NO_FINAL);
      case 'chain': return this.evalChain(dot, n, [n], NO_FINAL);
      case 'bool': return n.value;
      case 'number': return n.value;
      case 'string': return n.text;
    }
  }

  private checkParam(node: AnyNode, v: unknown, kind: ParamKind): unknown {
    if (kind === 'string' && typeof v !== 'string') {
      if (v === null || v === undefined) this.fail(node, 'invalid value; expected string');
      this.fail(node, `wrong type for value; expected string; got ${typeName(v)}`);
    }
    return v === undefined ? null : v;
  }

  private evalFunction(
    dot: unknown, ident: IdentifierNode, node: CommandNode | IdentifierNode, args: ArgNode[], final: Final,
  ): unknown {
    const name = ident.ident;
    const spec = FUNCS.get(name);
    if (!spec) this.fail(node, `${JSON.stringify(name)} is not a defined function`);
    const argNodes = args.slice(1);
    const numIn = argNodes.length + (final !== NO_FINAL ? 1 : 0);
    const numFixed = spec.params.length;
    if (spec.variadic) {
      if (numIn < numFixed) this.fail(node, `wrong number of args for ${name}: want at least ${numFixed} got ${numIn}`);
    } else if (numIn !== numFixed) {
      this.fail(node, `wrong number of args for ${name}: want ${numFixed} got ${numIn}`);
    }
    if (name === 'and' || name === 'or') {
      let v: unknown = null;
      for (const a of argNodes) {
        v = this.evalArg(dot, a);
        if (isTrue(v) === (name === 'or')) return v;
      }
      if (final !== NO_FINAL) v = final;
      return v === undefined ? null : v;
    }
    const kindAt = (i: number): ParamKind => spec.params[i] ?? spec.variadic ?? 'any';
    const argv = argNodes.map((a, i) => this.checkParam(a, this.evalArg(dot, a), kindAt(i)));
    if (final !== NO_FINAL) argv.push(this.checkParam(node, final, kindAt(argv.length)));
    let result: unknown;
    try {
      result = spec.call(argv, this.env);
    } catch (e) {
      if (e instanceof FuncError) this.fail(node, `error calling ${name}: ${e.message}`);
      throw e;
    }
    if (typeof result === 'string' && result.length > this.maxOutput) {
      throw new TemplateLimitError(`${this.location(node)}: value exceeds ${this.maxOutput} bytes`);
    }
    return result;
  }
}

function truncateContext(s: string): string {
  return s.length > 20 ? `${s.slice(0, 20)}...` : s;
}

/** Executes a parsed template (its root, or `root` when given) on `data`. */
export function execute(t: ParsedTemplate, data: unknown, opts: ExecOptions = {}, root: ListNode = t.root): string {
  try {
    return new State(t, opts).run(root, data);
  } catch (e) {
    if (e instanceof TemplateExecError) throw e;
    // Anything else (e.g. a stack overflow on absurdly nested data) is still a template error, never a crash.
    if (e instanceof RangeError) throw new TemplateLimitError(`template: ${t.name}: execution nested too deeply`);
    throw new TemplateExecError(`template: ${t.name}: ${(e as Error)?.message ?? String(e)}`);
  }
}
