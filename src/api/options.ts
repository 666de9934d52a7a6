/**
 * Every model option Ollama knows (reference §3.7, §5.4): its type, its default, and how it is
 * read from a Modelfile PARAMETER / REPL `/set parameter` (strings, Go's FormatParams rules) and
 * from an API request's `options` object (JSON, Go's Options.FromMap rules).
 *
 * Beyond Ollama, values that could only hurt the runtime (negative num_ctx, a thread count in
 * the millions…) are refused with a clear message (status 400).
 */

export type OptionType = 'int' | 'float' | 'bool' | 'string[]';

export interface OptionSpec {
  readonly name: string;
  readonly type: OptionType;
  /** `runner` options need a model reload when they change; `predict` ones are per request. */
  readonly group: 'runner' | 'predict';
  /** Ollama's DefaultOptions value; undefined = unset (nullable in Ollama). */
  readonly default: number | boolean | readonly string[] | undefined;
  /** Inclusive bounds for int options (ours, against absurd values). */
  readonly min?: number;
  readonly max?: number;
  readonly description: string;
}

const INT32_MAX = 2147483647;
/** Upper bound for num_ctx: 16M tokens, above any trained context we know of. */
export const MAX_NUM_CTX = 16777216;

/** The default num_ctx on a machine without a GPU (Ollama's smallest VRAM tier). */
export const DEFAULT_NUM_CTX = 4096;

/** The table, in Ollama's struct order (predict options, then runner options). */
export const OPTION_SPECS: readonly OptionSpec[] = [
  { name: 'num_keep', type: 'int', group: 'predict', default: 4, min: -1, max: INT32_MAX, description: 'Tokens kept from the prompt start on a context shift' },
  { name: 'seed', type: 'int', group: 'predict', default: -1, description: 'Random number seed (-1 = random)' },
  { name: 'num_predict', type: 'int', group: 'predict', default: -1, description: 'Max number of tokens to predict (-1 = until a stop)' },
  { name: 'top_k', type: 'int', group: 'predict', default: 40, min: -1, max: INT32_MAX, description: 'Pick from top k num of tokens' },
  { name: 'top_p', type: 'float', group: 'predict', default: 0.9, description: 'Pick token based on sum of probabilities' },
  { name: 'min_p', type: 'float', group: 'predict', default: 0.0, description: 'Pick token based on top token probability * min_p' },
  { name: 'typical_p', type: 'float', group: 'predict', default: 1.0, description: 'Locally typical sampling' },
  { name: 'repeat_last_n', type: 'int', group: 'predict', default: 64, min: -1, max: INT32_MAX, description: 'How far back to look for repetitions (0 = off, -1 = num_ctx)' },
  { name: 'temperature', type: 'float', group: 'predict', default: 0.8, description: 'Creativity level' },
  { name: 'repeat_penalty', type: 'float', group: 'predict', default: 1.0, description: 'How strongly to penalize repetitions' },
  { name: 'presence_penalty', type: 'float', group: 'predict', default: 0.0, description: 'Penalty for tokens already present' },
  { name: 'frequency_penalty', type: 'float', group: 'predict', default: 0.0, description: 'Penalty scaled by token frequency' },
  { name: 'stop', type: 'string[]', group: 'predict', default: [], description: 'Stop sequences' },
  { name: 'draft_num_predict', type: 'int', group: 'predict', default: 4, min: 0, max: 1024, description: 'Tokens drafted per step by a DRAFT model' },
  { name: 'num_ctx', type: 'int', group: 'runner', default: DEFAULT_NUM_CTX, min: 0, max: MAX_NUM_CTX, description: 'Context size' },
  { name: 'num_batch', type: 'int', group: 'runner', default: 512, min: 1, max: 1048576, description: 'Prompt processing batch size' },
  { name: 'num_gpu', type: 'int', group: 'runner', default: -1, min: -1, max: INT32_MAX, description: 'Layers to send to the GPU (-1 = auto, 0 = CPU only)' },
  { name: 'main_gpu', type: 'int', group: 'runner', default: undefined, min: 0, max: INT32_MAX, description: 'GPU used for small tensors' },
  { name: 'use_mmap', type: 'bool', group: 'runner', default: undefined, description: 'Memory-map the model file (unset = auto)' },
  { name: 'num_thread', type: 'int', group: 'runner', default: 0, min: 0, max: 1024, description: 'CPU threads (0 = runtime default)' },
];

const SPECS: ReadonlyMap<string, OptionSpec> = new Map(OPTION_SPECS.map((s) => [s.name, s]));

/** The spec of an option name (case-sensitive, as in Ollama), or undefined. */
export function optionSpec(name: string): OptionSpec | undefined {
  return SPECS.get(name);
}

/**
 * Names a Modelfile may still carry: Ollama prints `warning: parameter <name> is deprecated` and
 * skips them. Through the API (or `/set parameter`) they are simply unknown.
 */
export const DEPRECATED_PARAMETERS: readonly string[] = [
  'penalize_newline',
  'low_vram',
  'f16_kv',
  'logits_all',
  'vocab_only',
  'use_mlock',
  'mirostat',
  'mirostat_tau',
  'mirostat_eta',
];

export function isDeprecatedParameter(name: string): boolean {
  return DEPRECATED_PARAMETERS.includes(name);
}

export interface Options {
  num_keep: number;
  seed: number;
  num_predict: number;
  top_k: number;
  top_p: number;
  min_p: number;
  typical_p: number;
  repeat_last_n: number;
  temperature: number;
  repeat_penalty: number;
  presence_penalty: number;
  frequency_penalty: number;
  stop: string[];
  draft_num_predict: number;
  num_ctx: number;
  num_batch: number;
  num_gpu: number;
  /** unset = let the runtime choose */
  main_gpu?: number;
  /** unset = auto */
  use_mmap?: boolean;
  num_thread: number;
}

export type OptionName = keyof Options;

/**
 * Ollama's DefaultOptions. num_ctx depends on the machine in Ollama (OLLAMA_CONTEXT_LENGTH or a
 * VRAM tier): pass the server's choice, else DEFAULT_NUM_CTX (4096, the no-GPU tier).
 */
export function defaultOptions(numCtx: number = DEFAULT_NUM_CTX): Options {
  return {
    num_keep: 4,
    seed: -1,
    num_predict: -1,
    top_k: 40,
    top_p: 0.9,
    min_p: 0.0,
    typical_p: 1.0,
    repeat_last_n: 64,
    temperature: 0.8,
    repeat_penalty: 1.0,
    presence_penalty: 0.0,
    frequency_penalty: 0.0,
    stop: [],
    draft_num_predict: 4,
    num_ctx: numCtx,
    num_batch: 512,
    num_gpu: -1,
    num_thread: 0,
  };
}

/**
 * A bad option or parameter value. `status` is what the server answers: Ollama answers type
 * errors in request options with 500; unknown names and malformed values with 400.
 */
export class OptionError extends Error {
  constructor(
    message: string,
    readonly status: number = 400,
    readonly option?: string,
  ) {
    super(message);
    this.name = 'OptionError';
  }
}

/** A typed parameter value as it travels in `/api/create` `parameters` and the params layer. */
export type ParameterValue = number | boolean | string[];

const GO_BOOL_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_BOOL_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);
const INT_RE = /^[+-]?[0-9]+$/;
// Go ParseFloat syntax (decimal and hex mantissas; underscores only allowed with a base prefix).
const DEC_FLOAT_RE = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const HEX_FLOAT_RE = /^([+-]?)0[xX]((?:[0-9a-fA-F_]+\.?[0-9a-fA-F_]*|\.[0-9a-fA-F_]+))[pP]([+-]?[0-9_]+)$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's `%s` of a []string: `[a b c]`. */
const goList = (vals: readonly string[]): string => `[${vals.join(' ')}]`;

function parseGoHexFloat(m: RegExpExecArray): number {
  const [, sign, mant, exp] = m;
  const clean = mant!.replace(/_/g, '');
  const [intPart = '', fracPart = ''] = clean.split('.');
  let value = 0;
  for (const c of intPart) value = value * 16 + parseInt(c, 16);
  let scale = 1 / 16;
  for (const c of fracPart) {
    value += parseInt(c, 16) * scale;
    scale /= 16;
  }
  return (sign === '-' ? -1 : 1) * value * 2 ** Number(exp!.replace(/_/g, ''));
}

/** The shortest decimal that reads back as the same float32 (how Go marshals a float32). */
export function float32Shortest(x: number): number {
  const f = Math.fround(x);
  if (!Number.isFinite(f) || f === 0) return f;
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}

/** Go's strconv.ParseFloat(s, 32) for a finite value; undefined when Go would fail (or give NaN/Inf). */
function parseGoFloat32(s: string): number | undefined {
  let v: number;
  if (DEC_FLOAT_RE.test(s)) v = Number(s);
  else {
    const hex = HEX_FLOAT_RE.exec(s);
    if (!hex) return undefined;
    v = parseGoHexFloat(hex);
  }
  const f = Math.fround(v);
  if (!Number.isFinite(f)) return undefined; // Go: value out of range
  return float32Shortest(f);
}

function checkRange(spec: OptionSpec, n: number): void {
  if (spec.min !== undefined && n < spec.min) {
    throw new OptionError(`option "${spec.name}" must be at least ${spec.min}, got ${n}`, 400, spec.name);
  }
  if (spec.max !== undefined && n > spec.max) {
    throw new OptionError(`option "${spec.name}" must be at most ${spec.max}, got ${n}`, 400, spec.name);
  }
}

/**
 * Types one Modelfile PARAMETER or REPL `/set parameter` value, as Go's FormatParams does:
 * int → integer, float → float32 (returned as its shortest decimal), bool → Go ParseBool,
 * stop → the list of values. With several values, scalar options use the first (errors print
 * them all, Go-style: `invalid int value [a b]`).
 *
 * Errors (OptionError, status 400): `unknown parameter 'x'`, `invalid int value [x]`,
 * `invalid float value [x]`, `invalid bool value [x]`, and our range checks. Deprecated names
 * are unknown here; the Modelfile layer turns them into warnings first.
 */
export function parseParameterValue(name: string, raw: string | readonly string[]): ParameterValue {
  const vals: readonly string[] = typeof raw === 'string' ? [raw] : raw;
  const spec = SPECS.get(name);
  if (!spec) throw new OptionError(`unknown parameter '${name}'`, 400, name);
  if (spec.type === 'string[]') return [...vals];
  const first = vals[0] ?? '';
  switch (spec.type) {
    case 'int': {
      if (!INT_RE.test(first)) throw new OptionError(`invalid int value ${goList(vals)}`, 400, name);
      const big = BigInt(first);
      if (big < INT64_MIN || big > INT64_MAX) throw new OptionError(`invalid int value ${goList(vals)}`, 400, name);
      const n = Number(big);
      checkRange(spec, n);
      return n;
    }
    case 'float': {
      const f = parseGoFloat32(first);
      if (f === undefined) throw new OptionError(`invalid float value ${goList(vals)}`, 400, name);
      return f;
    }
    case 'bool': {
      if (GO_BOOL_TRUE.has(first)) return true;
      if (GO_BOOL_FALSE.has(first)) return false;
      throw new OptionError(`invalid bool value ${goList(vals)}`, 400, name);
    }
  }
}

/** Reads one JSON value for an option, as Go's Options.FromMap (type errors → status 500). */
function readJsonOption(spec: OptionSpec, val: unknown): number | boolean | string[] {
  const key = spec.name;
  switch (spec.type) {
    case 'int': {
      if (typeof val !== 'number' || !Number.isFinite(val)) {
        throw new OptionError(`option "${key}" must be of type integer`, 500, key);
      }
      const n = Math.trunc(val) + 0; // JSON numbers are float64 in Go; int64(f) truncates (+0 drops -0)
      checkRange(spec, n);
      return n;
    }
    case 'float':
      if (typeof val !== 'number' || !Number.isFinite(val)) {
        throw new OptionError(`option "${key}" must be of type float32`, 500, key);
      }
      return val;
    case 'bool':
      if (typeof val !== 'boolean') throw new OptionError(`option "${key}" must be of type boolean`, 500, key);
      return val;
    case 'string[]': {
      if (!Array.isArray(val)) throw new OptionError(`option "${key}" must be of type array`, 500, key);
      const out: string[] = [];
      for (const item of val) {
        if (typeof item !== 'string') {
          throw new OptionError(`option "${key}" must be of an array of strings`, 500, key);
        }
        out.push(item);
      }
      return out;
    }
  }
}

export interface AppliedOptions {
  options: Options;
  /** Keys that are not options (Ollama logs `invalid option provided` and ignores them). */
  ignored: string[];
}

/**
 * Merges a JSON `options` object (a request's, or a model's params layer) over `base`, as Ollama
 * does: unknown keys ignored (returned in `ignored` so the server can log a warning), `null`
 * values skipped, JSON numbers accepted for int options (truncated toward zero), type errors
 * thrown as OptionError with Ollama's text and status 500, absurd values with status 400.
 * `base` is not modified. `undefined`/`null` options return a copy of `base`.
 */
export function applyRequestOptions(base: Options, requestOptions: unknown): AppliedOptions {
  const options: Options = { ...base, stop: [...base.stop] };
  const ignored: string[] = [];
  if (requestOptions === undefined || requestOptions === null) return { options, ignored };
  if (typeof requestOptions !== 'object' || Array.isArray(requestOptions)) {
    throw new OptionError('options must be a JSON object', 400);
  }
  const target = options as unknown as Record<string, unknown>;
  for (const [key, val] of Object.entries(requestOptions as Record<string, unknown>)) {
    const spec = SPECS.get(key);
    if (!spec) {
      ignored.push(key);
      continue;
    }
    if (val === null || val === undefined) continue;
    target[key] = readJsonOption(spec, val);
  }
  return { options, ignored };
}

/**
 * Checks a whole options object (e.g. after merging) against the table's types and bounds;
 * throws OptionError (400) naming the first bad option.
 */
export function validateOptions(opts: Partial<Options>): void {
  for (const spec of OPTION_SPECS) {
    const v = (opts as Record<string, unknown>)[spec.name];
    if (v === undefined) continue;
    switch (spec.type) {
      case 'int':
        if (typeof v !== 'number' || !Number.isInteger(v)) {
          throw new OptionError(`option "${spec.name}" must be of type integer`, 400, spec.name);
        }
        checkRange(spec, v);
        break;
      case 'float':
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new OptionError(`option "${spec.name}" must be of type float32`, 400, spec.name);
        }
        break;
      case 'bool':
        if (typeof v !== 'boolean') throw new OptionError(`option "${spec.name}" must be of type boolean`, 400, spec.name);
        break;
      case 'string[]':
        if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
          throw new OptionError(`option "${spec.name}" must be of an array of strings`, 400, spec.name);
        }
        break;
    }
  }
}

/** Go's `%v` of a parameter value when printed in a Modelfile (ints as integers). */
export function isIntOption(name: string): boolean {
  return SPECS.get(name)?.type === 'int';
}
