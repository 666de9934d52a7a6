/**
 * A bounded Jinja engine for GGUF chat templates: `@huggingface/jinja`'s parser and interpreter
 * (trim_blocks and lstrip_blocks on, as transformers and llama.cpp render chat templates), with
 * the globals chat templates expect and limits for untrusted templates. The library evaluates
 * synchronously, so the limits are counted inside the evaluation: every node evaluated and every
 * block run is a step (at most 5 000 000, as the Go-template engine), a render has a deadline
 * (2 s), no string may grow past the output bound (16 MiB, as the Go-template engine) nor a list
 * past 1 000 000 items, `range()` refuses more than 100 000 items (jinja2's sandbox limit), and
 * recursion that exhausts the stack becomes an error. A bad template costs one bounded render
 * and an error; the server keeps serving.
 */
import { Environment, Interpreter, Template } from '@huggingface/jinja';
import { compatGlobals, patchTemplate, pyStr, STATEMENT_TYPES, type RuntimeValue } from './compat.js';

export interface JinjaLimits {
  /** Nodes evaluated before the render is stopped. */
  maxSteps?: number;
  /** Longest string (UTF-16 units) any value may reach, the output included. */
  maxOutput?: number;
  /** Milliseconds a render may take (checked every 256 steps). */
  timeoutMs?: number;
}

export const JINJA_MAX_STEPS = 5_000_000;
export const JINJA_MAX_OUTPUT = 16 * 1024 * 1024;
/**
 * A step of the library costs from well under a microsecond to ~20 µs (each loop iteration
 * builds scopes), so the step bound alone could take minutes: the render also has a deadline.
 */
export const JINJA_TIMEOUT_MS = 2_000;
/** Longest list a render may build (its items are objects: far fewer than the characters). */
export const JINJA_MAX_ITEMS = 1_000_000;
/** jinja2's sandbox refuses larger ranges (MAX_RANGE), with the message used here. */
export const JINJA_MAX_RANGE = 100_000;

/** The template could not be parsed, raised an exception, or failed while rendering. */
export class JinjaError extends Error {
  /** 'parse': the template text is not valid Jinja; 'render': it failed on this input. */
  constructor(
    message: string,
    readonly phase: 'parse' | 'render',
  ) {
    super(message);
    this.name = 'JinjaError';
  }
}

/** A safety limit stopped the render. */
export class JinjaLimitError extends JinjaError {
  constructor(message: string) {
    super(message, 'render');
    this.name = 'JinjaLimitError';
  }
}

/** The template called raise_exception(message). */
export class JinjaRaisedError extends JinjaError {
  constructor(message: string) {
    super(message, 'render');
    this.name = 'JinjaRaisedError';
  }
}

export interface CompiledJinja {
  readonly source: string;
  readonly template: Template;
}

const cache = new Map<string, CompiledJinja>();

/** Parses a template once (cached by text). Throws JinjaError('parse'). */
export function compileJinja(source: string): CompiledJinja {
  let c = cache.get(source);
  if (c) return c;
  try {
    c = { source, template: new Template(patchTemplate(source)) };
  } catch (err) {
    throw new JinjaError(`chat template: ${messageOf(err)}`, 'parse');
  }
  cache.set(source, c);
  if (cache.size > 32) cache.delete(cache.keys().next().value!);
  return c;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

type Node = { type: string; operand?: Node; filter?: { type: string; value?: unknown } };

type SelectNode = Node & { operand: Node; filter: { type: string; value?: string; callee?: { type: string; value: string }; args?: Node[] } };
/** `x | select(...)` / `x | reject(...)` (or without arguments). */
const isSelectFilter = (n: Node | undefined): n is SelectNode => {
  if (n?.type !== 'FilterExpression' || n.operand === undefined || !n.filter) return false;
  const f = n.filter as SelectNode['filter'];
  const name = f.type === 'Identifier' ? f.value : f.type === 'CallExpression' && f.callee?.type === 'Identifier' ? f.callee.value : undefined;
  return name === 'select' || name === 'reject';
};
const selectName = (n: SelectNode): string => (n.filter.type === 'Identifier' ? n.filter.value! : n.filter.callee!.value);

/** `x | string`: Python's str() (compat.ts: pyStr), not the library's JavaScript form. */
const isStringFilter = (n: Node | undefined): n is Node & { operand: Node } =>
  n?.type === 'FilterExpression' && n.filter?.type === 'Identifier' && n.filter.value === 'string' && n.operand !== undefined;
type Evaluate = (node: Node, env: unknown) => RuntimeValue;
type EvaluateBlock = (statements: Node[], env: unknown) => RuntimeValue;

/** The library's StringValue class (not exported): the value an empty template renders to. */
const StringValue = new Interpreter().run(new Template('').parsed).constructor as new (s: string) => RuntimeValue;

/**
 * Renders with `vars` as the template's variables (plain JSON-like values; objects keep their
 * key order). Throws JinjaRaisedError, JinjaLimitError or JinjaError('render').
 */
export function renderJinja(
  c: CompiledJinja,
  vars: Record<string, unknown>,
  limits: JinjaLimits = {},
  onGlobals?: (variables: ReadonlyMap<string, RuntimeValue>) => void,
): string {
  const maxSteps = limits.maxSteps ?? JINJA_MAX_STEPS;
  const maxOutput = limits.maxOutput ?? JINJA_MAX_OUTPUT;
  const timeoutMs = limits.timeoutMs ?? JINJA_TIMEOUT_MS;
  const deadline = performance.now() + timeoutMs;
  const env = new Environment();
  const raised = { message: undefined as string | undefined };
  const globals: Record<string, unknown> = {
    true: true,
    false: false,
    none: null,
    True: true,
    False: false,
    None: null,
    raise_exception: (message: unknown) => {
      raised.message = typeof message === 'string' ? message : String(message);
      throw new JinjaRaisedError(raised.message);
    },
    range: (start: number, stop?: number, step = 1) => boundedRange(start, stop, step),
    ...compatGlobals(),
    ...vars,
  };
  try {
    for (const [k, v] of Object.entries(globals)) env.set(k, v);
    // The runtime values the template will read (llama.cpp's capability probes watch some of them).
    onGlobals?.((env as unknown as { variables: ReadonlyMap<string, RuntimeValue> }).variables);
  } catch (err) {
    if (err instanceof RangeError) throw new JinjaLimitError('chat template input is nested too deeply');
    throw new JinjaError(`chat template: ${messageOf(err)}`, 'render');
  }

  const interp = new Interpreter(env);
  const self = interp as unknown as { evaluate: Evaluate; evaluateBlock: EvaluateBlock };
  const evaluate = self.evaluate.bind(interp);
  let steps = 0;
  const step = () => {
    if (++steps > maxSteps) throw new JinjaLimitError(`chat template exceeded ${maxSteps} evaluation steps`);
    if ((steps & 255) === 0 && performance.now() > deadline) throw new JinjaLimitError(`chat template took longer than ${timeoutMs} ms`);
  };
  self.evaluate = (node, scope) => {
    step();
    let v: RuntimeValue;
    if (isStringFilter(node)) v = new StringValue(pyStr(self.evaluate(node.operand, scope)));
    else if (isSelectFilter(node)) v = selectReject(node, scope);
    else v = evaluate(node, scope);
    if (typeof v.value === 'string' && v.value.length > maxOutput) throw new JinjaLimitError(`chat template output exceeds ${maxOutput} bytes`);
    if (Array.isArray(v.value) && v.value.length > JINJA_MAX_ITEMS) throw new JinjaLimitError(`chat template list exceeds ${JINJA_MAX_ITEMS} items`);
    return v;
  };
  // `select` / `reject` with a test (the library has only selectattr / rejectattr).
  const selectReject = (node: SelectNode, scope: unknown): RuntimeValue => {
    const operand = self.evaluate(node.operand, scope);
    if (!Array.isArray(operand.value)) throw new JinjaError(`chat template: ${selectName(node)} expects a list, got ${operand.type}`, 'render');
    const [name, ...args] = (node.filter.args ?? []).map((a) => self.evaluate(a, scope));
    const tests = (scope as { tests: ReadonlyMap<string, (...v: RuntimeValue[]) => boolean> }).tests;
    let test = (x: RuntimeValue) => (x as unknown as { __bool__(): { value: boolean } }).__bool__().value;
    if (name !== undefined) {
      const fn = tests.get(String(name.value));
      if (!fn) throw new JinjaError(`chat template: no test named '${String(name.value)}'`, 'render');
      test = (x) => fn(x, ...args);
    }
    const keep = selectName(node) === 'select';
    const items = (operand.value as RuntimeValue[]).filter((x) => test(x) === keep);
    return new (operand.constructor as new (v: RuntimeValue[]) => RuntimeValue)(items);
  };
  // Output as jinja2 prints it (compat.ts: pyStr); statements give their text as before.
  self.evaluateBlock = (statements, scope) => {
    // Every block run is a step too: a loop with an empty body still costs.
    step();
    let out = '';
    for (const st of statements) {
      const v = self.evaluate(st, scope);
      if (!STATEMENT_TYPES.has(st?.type)) out += pyStr(v);
      else if (v.type !== 'NullValue' && v.type !== 'UndefinedValue') out += v.toString();
      if (out.length > maxOutput) throw new JinjaLimitError(`chat template output exceeds ${maxOutput} bytes`);
    }
    return new StringValue(out);
  };
  try {
    const out = interp.run(c.template.parsed).value;
    return typeof out === 'string' ? out : String(out);
  } catch (err) {
    // raise_exception's message is what counts, whatever the library made of the throw.
    if (raised.message !== undefined) throw new JinjaRaisedError(raised.message);
    if (err instanceof JinjaError) throw err;
    if (err instanceof RangeError && /call stack/i.test(err.message)) throw new JinjaLimitError('chat template recursion is too deep');
    if (err instanceof RangeError && /string length/i.test(err.message)) throw new JinjaLimitError(`chat template output exceeds ${maxOutput} bytes`);
    throw new JinjaError(`chat template: ${messageOf(err)}`, 'render');
  }
}

function boundedRange(start: number, stop: number | undefined, step: number): number[] {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  if (![start, stop, step].every((n) => Number.isInteger(n))) throw new JinjaError('range() arguments must be integers', 'render');
  if (step === 0) throw new JinjaError('range() step must not be zero', 'render');
  const n = Math.max(0, step > 0 ? Math.ceil((stop - start) / step) : Math.ceil((start - stop) / -step));
  if (n > JINJA_MAX_RANGE) throw new JinjaLimitError(`Range too big. The sandbox blocks ranges larger than MAX_RANGE (${JINJA_MAX_RANGE}).`);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(start + i * step);
  return out;
}
