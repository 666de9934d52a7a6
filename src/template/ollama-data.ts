/**
 * The data Ollama hands its templates, as typed Go values: messages are structs (unknown
 * field → execution error), tools / tool properties / tool-call arguments print as JSON
 * through String(), property types print as `string` or `[string null]`.
 */
import { goJSON, JSONObject } from './json.js';
import { formatValue } from './printing.js';
import { GoMap, GoSlice, GoStruct, isPlainObject } from './values.js';

/** A chat message in Ollama's API JSON form. */
export interface TemplateMessageInput {
  role: string;
  content?: string;
  thinking?: string;
  /** Base64 strings (API form) or raw bytes. */
  images?: ReadonlyArray<string | Uint8Array> | null;
  tool_calls?: ReadonlyArray<ToolCallInput> | null;
  tool_name?: string;
  tool_call_id?: string;
}

export interface ToolCallInput {
  id?: string;
  type?: string;
  function: { index?: number; name: string; arguments?: Record<string, unknown> | null };
}

/** A tool in Ollama's API JSON form. */
export interface ToolInput {
  type?: string;
  items?: unknown;
  function: {
    name: string;
    description?: string;
    parameters?: {
      type?: string;
      $defs?: unknown;
      items?: unknown;
      required?: string[] | null;
      properties?: Record<string, ToolPropertyInput> | null;
    };
  };
}

export interface ToolPropertyInput {
  anyOf?: ToolPropertyInput[];
  type?: string | string[];
  items?: unknown;
  description?: string;
  enum?: unknown[];
  properties?: Record<string, ToolPropertyInput> | null;
  required?: string[];
}

const obj = (v: unknown): Record<string, unknown> | null => (isPlainObject(v) ? v : null);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const arr = (v: unknown): unknown[] | null => (Array.isArray(v) ? v : null);

function propertyType(t: unknown): GoSlice {
  const types = typeof t === 'string' ? [t] : Array.isArray(t) ? t.filter((x) => typeof x === 'string') : null;
  return new GoSlice('api.PropertyType', types, {
    string: (s) => {
      const items = s.items ?? [];
      if (items.length === 0) return '';
      if (items.length === 1) return items[0] as string;
      return formatValue([...items]);
    },
    json: (s) => {
      const items = s.items ?? [];
      return items.length === 1 ? items[0] : [...items];
    },
  });
}

/** Nested schemas of a tool property: its `anyOf` items and `properties` values. */
function subSchemas(input: unknown): unknown[] {
  const p = obj(input);
  if (!p) return [];
  const nested = obj(p.properties);
  return [...(arr(p.anyOf) ?? []), ...(nested ? Object.values(nested) : [])];
}

/**
 * api.ToolProperty. Schemas may nest as deep as a request body may (10,000 levels), so the
 * nested ones are converted first, deepest first, from an explicit list instead of by recursion.
 */
export function toolProperty(input: unknown): GoStruct {
  const order: unknown[] = [];
  for (const todo = [input]; todo.length > 0; ) {
    const n = todo.pop();
    order.push(n);
    todo.push(...subSchemas(n));
  }
  const done = new Map<unknown, GoStruct>();
  const sub = (v: unknown): GoStruct => done.get(v)!;
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i];
    if (!done.has(n)) done.set(n, oneToolProperty(n, sub));
  }
  return done.get(input)!;
}

/** One api.ToolProperty whose nested schemas are already converted (`sub`). */
function oneToolProperty(input: unknown, sub: (v: unknown) => GoStruct): GoStruct {
  const p = obj(input) ?? {};
  const anyOf = arr(p.anyOf);
  const nested = obj(p.properties);
  const nestedProps = nested
    ? new JSONObject(Object.entries(nested).map(([k, v]) => [k, sub(v)] as const))
    : null;
  const fields: Array<[string, unknown]> = [
    ['AnyOf', new GoSlice('[]api.ToolProperty', anyOf ? anyOf.map(sub) : null)],
    ['Type', propertyType(p.type)],
    ['Items', p.items ?? null],
    ['Description', str(p.description)],
    ['Enum', new GoSlice('[]interface {}', arr(p.enum))],
    ['Properties', nestedProps
      ? new GoMap('*api.ToolPropertiesMap', Object.fromEntries(nestedProps.entries.map(([k, v]) => [k, v])), {
        string: () => goJSON(nestedProps),
        json: () => nestedProps,
      })
      : new GoMap('*api.ToolPropertiesMap', null, { string: () => '{}' })],
    ['Required', new GoSlice('[]string', arr(p.required))],
  ];
  return new GoStruct('api.ToolProperty', fields, {
    json: () => {
      const out: Array<[string, unknown]> = [];
      if (anyOf && anyOf.length > 0) out.push(['anyOf', anyOf.map(sub)]);
      const type = fields[1]?.[1] as GoSlice;
      if ((type.items ?? []).length > 0) out.push(['type', type]);
      if (p.items !== undefined && p.items !== null) out.push(['items', p.items]);
      if (str(p.description) !== '') out.push(['description', p.description]);
      const en = arr(p.enum);
      if (en && en.length > 0) out.push(['enum', en]);
      if (nestedProps) out.push(['properties', nestedProps]);
      const req = arr(p.required);
      if (req && req.length > 0) out.push(['required', req]);
      return new JSONObject(out);
    },
  });
}

/** api.ToolPropertiesMap at the top of parameters: sorted keys; String() of nil is `{}`. */
function propertiesMap(input: unknown): GoMap {
  const props = obj(input);
  const entries = props ? Object.fromEntries(Object.entries(props).map(([k, v]) => [k, toolProperty(v)])) : null;
  return new GoMap('*api.ToolPropertiesMap', entries, {
    string: (m) => (m.entries === null ? '{}' : goJSON(m.entries)),
  });
}

function stringerJSON(self: GoStruct): string {
  return goJSON(self);
}

/** The template's view of one tool (with String() = JSON at every level). */
export function templateTool(input: ToolInput): GoStruct {
  const t = obj(input) ?? {};
  const f = obj(t.function) ?? {};
  const params = obj(f.parameters) ?? {};
  const required = arr(params.required);
  const parameters = new GoStruct('api.ToolFunctionParameters', [
    ['Type', str(params.type)],
    ['Defs', params.$defs ?? null],
    ['Items', params.items ?? null],
    ['Required', new GoSlice('[]string', required)],
    ['Properties', propertiesMap(params.properties)],
  ], {
    string: stringerJSON,
    json: (s) => {
      const out: Array<[string, unknown]> = [['type', s.get('Type')]];
      if (params.$defs !== undefined && params.$defs !== null) out.push(['$defs', params.$defs]);
      if (params.items !== undefined && params.items !== null) out.push(['items', params.items]);
      if (required && required.length > 0) out.push(['required', required]);
      out.push(['properties', s.get('Properties')]);
      return new JSONObject(out);
    },
  });
  const fn = new GoStruct('api.ToolFunction', [
    ['Name', str(f.name)],
    ['Description', str(f.description)],
    ['Parameters', parameters],
  ], {
    string: stringerJSON,
    json: (s) => new JSONObject([['name', s.get('Name')], ['description', s.get('Description')], ['parameters', parameters]]),
  });
  return new GoStruct('template.templateTool', [
    ['Type', str(t.type)],
    ['Items', t.items ?? null],
    ['Function', fn],
  ], {
    string: stringerJSON,
    json: (s) => {
      const out: Array<[string, unknown]> = [['type', s.get('Type')]];
      if (t.items !== undefined && t.items !== null) out.push(['items', t.items]);
      out.push(['function', fn]);
      return new JSONObject(out);
    },
  });
}

/** `.Tools`: a list whose String() is JSON; nil (prints `null`) when there are no tools. */
export function templateTools(tools: ReadonlyArray<ToolInput> | null | undefined): GoSlice {
  const items = tools && tools.length > 0 ? tools.map(templateTool) : null;
  return new GoSlice('template.templateTools', items, { string: (s) => goJSON(s) });
}

/** api.ToolCallFunctionArguments: String() is JSON with sorted keys, `{}` when nil. */
export function toolCallArguments(args: unknown): GoMap {
  return new GoMap('api.ToolCallFunctionArguments', obj(args), {
    string: (m) => (m.entries === null ? '{}' : goJSON(m.entries)),
  });
}

function templateToolCall(input: ToolCallInput): GoStruct {
  const c = obj(input) ?? {};
  const f = obj(c.function) ?? {};
  const index = typeof f.index === 'number' && Number.isInteger(f.index) ? BigInt(f.index) : 0n;
  const fn = new GoStruct('template.templateToolCallFunction', [
    ['Index', index],
    ['Name', str(f.name)],
    ['Arguments', toolCallArguments(f.arguments)],
  ], {
    json: (s) => new JSONObject([['index', s.get('Index')], ['name', s.get('Name')], ['arguments', s.get('Arguments')]]),
  });
  return new GoStruct('template.templateToolCall', [['ID', str(c.id)], ['Function', fn]], {
    json: (s) => {
      const out: Array<[string, unknown]> = [];
      if (s.get('ID') !== '') out.push(['id', s.get('ID')]);
      out.push(['function', fn]);
      return new JSONObject(out);
    },
  });
}

function imageBytes(img: string | Uint8Array): Uint8Array {
  return typeof img === 'string' ? new Uint8Array(Buffer.from(img, 'base64')) : img;
}

/** One message as the template sees it (a Go struct pointer). */
export function templateMessage(m: TemplateMessageInput): GoStruct {
  const images = m.images && m.images.length > 0 ? m.images.map(imageBytes) : null;
  const calls = m.tool_calls && m.tool_calls.length > 0 ? m.tool_calls.map(templateToolCall) : null;
  return new GoStruct('*template.templateMessage', [
    ['Role', m.role],
    ['Content', str(m.content)],
    ['Thinking', str(m.thinking)],
    ['Images', new GoSlice('[]api.ImageData', images)],
    ['ToolCalls', new GoSlice('[]template.templateToolCall', calls)],
    ['ToolName', str(m.tool_name)],
    ['ToolCallID', str(m.tool_call_id)],
  ]);
}
