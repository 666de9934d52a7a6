/**
 * Go struct field order and `omitempty` for Ollama's response types, so the server's JSON bytes
 * match Ollama's (Go encodes struct fields in declaration order and drops empty omitempty fields).
 * Re-exported from types.ts.
 */

// Field order (Go struct order) and omitempty, for byte-compatible output.
//
// Each entry is `name`, `name?` (omitempty) and optionally `:Type` / `:Type[]` naming a nested
// struct whose fields are ordered too. Objects without a nested type are maps / raw values and
// are written as they are.

const METRICS = [
  'total_duration?',
  'load_duration?',
  'prompt_eval_count?',
  'prompt_eval_duration?',
  'eval_count?',
  'eval_duration?',
] as const;

export const WIRE_ORDER = {
  Message: ['role', 'content', 'thinking?', 'images?', 'tool_calls?:ToolCall[]', 'tool_name?', 'tool_call_id?'],
  ToolCall: ['id?', 'function:ToolCallFunction'],
  ToolCallFunction: ['index', 'name', 'arguments'],
  TokenLogprob: ['token', 'logprob', 'bytes?'],
  Logprob: ['token', 'logprob', 'bytes?', 'top_logprobs?:TokenLogprob[]'],
  DebugInfo: ['rendered_template', 'image_count?'],
  GenerateResponse: [
    'model', 'remote_model?', 'remote_host?', 'created_at', 'response', 'thinking?', 'done',
    'done_reason?', 'context?', ...METRICS, 'tool_calls?:ToolCall[]', '_debug_info?:DebugInfo',
    'logprobs?:Logprob[]',
  ],
  ChatResponse: [
    'model', 'remote_model?', 'remote_host?', 'created_at', 'message:Message', 'done',
    'done_reason?', '_debug_info?:DebugInfo', 'logprobs?:Logprob[]', ...METRICS,
  ],
  EmbedResponse: ['model', 'embeddings', 'total_duration?', 'load_duration?', 'prompt_eval_count?'],
  EmbeddingResponse: ['embedding'],
  ProgressResponse: ['status', 'digest?', 'total?', 'completed?'],
  ModelDetails: [
    'parent_model', 'format', 'family', 'families', 'parameter_size', 'quantization_level',
    'context_length?', 'embedding_length?',
  ],
  Tensor: ['name', 'type', 'shape'],
  ShowResponse: [
    'license?', 'modelfile?', 'parameters?', 'template?', 'system?', 'renderer?', 'parser?',
    'details:ModelDetails', 'messages?:Message[]', 'remote_model?', 'remote_host?', 'model_info?',
    'projector_info?', 'tensors?:Tensor[]', 'capabilities?', 'modified_at', 'requires?',
  ],
  ListModelResponse: [
    'name', 'model', 'remote_model?', 'remote_host?', 'modified_at', 'size', 'digest',
    'details:ModelDetails', 'capabilities?',
  ],
  ListResponse: ['models:ListModelResponse[]'],
  ProcessModelResponse: [
    'name', 'model', 'size', 'digest', 'details:ModelDetails', 'expires_at', 'size_vram',
    'context_length',
  ],
  ProcessResponse: ['models:ProcessModelResponse[]'],
  VersionResponse: ['version'],
  ErrorResponse: ['error'],
} as const satisfies Record<string, readonly string[]>;

export type WireType = keyof typeof WIRE_ORDER;

interface FieldSpec {
  name: string;
  omitEmpty: boolean;
  nested?: WireType;
  array: boolean;
}

interface TypeSpec {
  fields: FieldSpec[];
  known: Set<string>;
}

const specCache = new Map<WireType, TypeSpec>();

function typeSpec(type: WireType): TypeSpec {
  let spec = specCache.get(type);
  if (!spec) {
    const fields = (WIRE_ORDER[type] as readonly string[]).map((raw): FieldSpec => {
      const [head, nestedRaw] = raw.split(':') as [string, string | undefined];
      const omitEmpty = head.endsWith('?');
      const name = omitEmpty ? head.slice(0, -1) : head;
      const array = nestedRaw?.endsWith('[]') ?? false;
      const nested = (array ? nestedRaw!.slice(0, -2) : nestedRaw) as WireType | undefined;
      return nested ? { name, omitEmpty, nested, array } : { name, omitEmpty, array };
    });
    spec = { fields, known: new Set(fields.map((f) => f.name)) };
    specCache.set(type, spec);
  }
  return spec;
}

/** Go's notion of an empty value for `omitempty`: false, 0, "", nil, empty slice or map. */
export function isGoEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (ArrayBuffer.isView(v)) return (v as unknown as { length: number }).length === 0;
  return false;
}

/**
 * Returns a copy of `value` with keys in Go struct order for `type`, omitempty fields dropped
 * when empty, and nested structs ordered too. Keys not in the table are appended at the end
 * (never silently lost). Structs (nested types) are never dropped by omitempty unless absent,
 * as in Go; maps are dropped when empty.
 */
export function toWire(type: WireType, value: object): Record<string, unknown> {
  const src = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const { fields, known } = typeSpec(type);
  for (const f of fields) {
    let v = src[f.name];
    if (v === undefined) continue;
    if (f.omitEmpty) {
      if (isGoEmpty(v)) continue;
      if (!f.nested && isPlainObject(v) && Object.keys(v).length === 0) continue;
    }
    if (f.nested && v !== null && typeof v === 'object') {
      const t = f.nested;
      v = f.array && Array.isArray(v) ? v.map((item) => (isPlainObject(item) ? toWire(t, item) : item)) : toWire(t, v);
    }
    out[f.name] = v;
  }
  for (const k in src) {
    if (!known.has(k) && Object.hasOwn(src, k) && src[k] !== undefined) out[k] = src[k];
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}
