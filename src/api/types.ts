/**
 * Wire types for Ollama's REST API, with Ollama's exact JSON field names (ollama:api/types.go).
 *
 * TypeScript interfaces do not fix key order, but Ollama's JSON output does (Go encodes struct
 * fields in declaration order and drops `omitempty` fields holding a zero value). The
 * `WIRE_ORDER` table in wire.ts records, per response type, the Go field order and which fields are
 * `omitempty`; `toWire()` turns a plain object into one with that key order, so the server's
 * bytes match Ollama's. Interface members are declared in the same order as the Go struct.
 *
 * Fields that are not `omitempty` in Go are required here: producers must fill them (with `""`,
 * `0`, `false` or `null` as Go would).
 */

/** `keep_alive`: a number of seconds or a Go duration string (`"5m"`, `"1h30m"`, `"-1"`). */
export type KeepAlive = number | string;

/** `think`: a boolean or an effort level. */
export type ThinkValue = boolean | 'high' | 'medium' | 'low' | 'max';

/** `format`: `"json"`, a JSON Schema object, or empty (`""`/`null`/absent = unconstrained). */
export type Format = '' | 'json' | Record<string, unknown> | null;

/** A base64-encoded image (Go `ImageData` is `[]byte`, which JSON-encodes as base64). */
export type ImageData = string;

/** Request-level model options (`options`); see src/api/options.ts for the table. */
export type Options = Record<string, unknown>;

export type Capability = 'completion' | 'tools' | 'insert' | 'vision' | 'embedding' | 'thinking' | 'audio' | (string & {});

// ---------------------------------------------------------------------------------------------
// Metrics and shared pieces

/** Embedded in generate/chat responses; all fields are integer nanoseconds or counts, omitempty. */
export interface Metrics {
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
}

export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes?: number[];
}

export interface Logprob extends TokenLogprob {
  top_logprobs?: TokenLogprob[];
}

export interface DebugInfo {
  rendered_template: string;
  image_count?: number;
}

export interface ToolCallFunction {
  /** Always present in responses. */
  index: number;
  name: string;
  /** Argument object; key order as produced by the model. */
  arguments: Record<string, unknown>;
}

export interface ToolCall {
  /** `call_` + 8 random `[a-z0-9]` on the server side; omitempty. */
  id?: string;
  function: ToolCallFunction;
}

export interface ToolProperty {
  type?: string | string[];
  items?: unknown;
  description?: string;
  enum?: unknown[];
  properties?: Record<string, ToolProperty>;
  [extra: string]: unknown;
}

export interface ToolFunctionParameters {
  type: string;
  $defs?: unknown;
  items?: unknown;
  required?: string[];
  properties: Record<string, ToolProperty>;
  [extra: string]: unknown;
}

export interface ToolFunction {
  name: string;
  description?: string;
  parameters: ToolFunctionParameters;
}

export interface Tool {
  type: string; // "function"
  items?: unknown;
  function: ToolFunction;
}

export type Role = 'system' | 'user' | 'assistant' | 'tool' | (string & {});

export interface Message {
  role: Role;
  /** Always present on the wire, possibly `""`. */
  content: string;
  thinking?: string;
  images?: ImageData[];
  tool_calls?: ToolCall[];
  tool_name?: string;
  tool_call_id?: string;
}

// ---------------------------------------------------------------------------------------------
// Generate / chat

export interface GenerateRequest {
  model: string;
  prompt?: string;
  suffix?: string;
  system?: string;
  template?: string;
  /** Deprecated conversation tokens. */
  context?: number[];
  stream?: boolean;
  raw?: boolean;
  format?: Format;
  keep_alive?: KeepAlive;
  images?: ImageData[];
  options?: Options;
  think?: ThinkValue;
  truncate?: boolean;
  shift?: boolean;
  _debug_render_only?: boolean;
  logprobs?: boolean;
  top_logprobs?: number;
}

export interface GenerateResponse extends Metrics {
  model: string;
  remote_model?: string;
  remote_host?: string;
  /** RFC3339Nano, UTC (`…Z`). */
  created_at: string;
  response: string;
  thinking?: string;
  done: boolean;
  done_reason?: string;
  context?: number[];
  // Metrics sit here in the Go struct.
  tool_calls?: ToolCall[];
  _debug_info?: DebugInfo;
  logprobs?: Logprob[];
}

export interface ChatRequest {
  model: string;
  messages?: Message[];
  stream?: boolean;
  format?: Format;
  keep_alive?: KeepAlive;
  tools?: Tool[];
  options?: Options;
  think?: ThinkValue;
  truncate?: boolean;
  shift?: boolean;
  _debug_render_only?: boolean;
  logprobs?: boolean;
  top_logprobs?: number;
}

export interface ChatResponse extends Metrics {
  model: string;
  remote_model?: string;
  remote_host?: string;
  created_at: string;
  message: Message;
  done: boolean;
  done_reason?: string;
  _debug_info?: DebugInfo;
  logprobs?: Logprob[];
  // Metrics follow in the Go struct.
}

// ---------------------------------------------------------------------------------------------
// Embeddings

export interface EmbedRequest {
  model: string;
  input?: string | string[];
  keep_alive?: KeepAlive;
  truncate?: boolean;
  dimensions?: number;
  options?: Options;
}

export interface EmbedResponse {
  model: string;
  embeddings: number[][];
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
}

/** Legacy `/api/embeddings`. */
export interface EmbeddingRequest {
  model: string;
  prompt?: string;
  keep_alive?: KeepAlive;
  options?: Options;
}

export interface EmbeddingResponse {
  embedding: number[];
}

// ---------------------------------------------------------------------------------------------
// Model management

export interface CreateRequest {
  model: string;
  stream?: boolean;
  quantize?: string;
  from?: string;
  /** file name → digest (`sha256:<hex>`). */
  files?: Record<string, string>;
  adapters?: Record<string, string>;
  draft_files?: Record<string, string>;
  template?: string;
  license?: string | string[];
  system?: string;
  parameters?: Record<string, unknown>;
  messages?: Message[];
  renderer?: string;
  parser?: string;
  requires?: string;
  draft_quantize?: string;
  remote_host?: string;
  info?: Record<string, unknown>;
  /** Deprecated alias of `model`. */
  name?: string;
  /** Deprecated alias of `quantize`. */
  quantization?: string;
}

export interface ProgressResponse {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

export interface ShowRequest {
  model: string;
  system?: string;
  /** Deprecated. */
  template?: string;
  verbose?: boolean;
  options?: Options;
  /** Deprecated alias of `model`. */
  name?: string;
}

export interface ModelDetails {
  parent_model: string;
  format: string;
  family: string;
  /** Go `[]string` without omitempty: `null` when the model has none. */
  families: string[] | null;
  parameter_size: string;
  quantization_level: string;
  context_length?: number;
  embedding_length?: number;
}

export interface Tensor {
  name: string;
  type: string;
  shape: number[];
}

export interface ShowResponse {
  license?: string;
  modelfile?: string;
  parameters?: string;
  template?: string;
  system?: string;
  renderer?: string;
  parser?: string;
  details?: ModelDetails;
  messages?: Pick<Message, 'role' | 'content'>[];
  remote_model?: string;
  remote_host?: string;
  model_info?: Record<string, unknown>;
  projector_info?: Record<string, unknown>;
  tensors?: Tensor[];
  capabilities?: Capability[];
  /** RFC3339Nano with local offset. */
  modified_at?: string;
  requires?: string;
}

export interface ListModelResponse {
  name: string;
  model: string;
  remote_model?: string;
  remote_host?: string;
  /** RFC3339Nano with local offset. */
  modified_at: string;
  size: number;
  /** Bare hex sha256 of the manifest file. */
  digest: string;
  details: ModelDetails;
  capabilities?: Capability[];
}

export interface ListResponse {
  models: ListModelResponse[];
}

export interface ProcessModelResponse {
  name: string;
  model: string;
  size: number;
  digest: string;
  details: ModelDetails;
  /** RFC3339Nano with local offset. */
  expires_at: string;
  size_vram: number;
  context_length: number;
}

export interface ProcessResponse {
  models: ProcessModelResponse[];
}

export interface CopyRequest {
  source: string;
  destination: string;
}

export interface DeleteRequest {
  model: string;
  /** Deprecated alias of `model`. */
  name?: string;
}

export interface PullRequest {
  model: string;
  insecure?: boolean;
  stream?: boolean;
  /** Deprecated alias of `model`. */
  name?: string;
}

export type PushRequest = PullRequest;

export interface VersionResponse {
  version: string;
}

export interface ErrorResponse {
  error: string;
}

export { WIRE_ORDER, isGoEmpty, toWire, type WireType } from './wire.js';
