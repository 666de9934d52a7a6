/**
 * JSON exactly as Go's encoding/json writes it, so blobs we create hash to the same digests
 * as Ollama's:
 *
 * - plain objects are Go structs: fields in insertion order, `undefined` fields left out
 *   (model `omitempty` by leaving a field undefined);
 * - `Map`s and `goMap(obj)` are Go maps: keys sorted by their UTF-8 bytes
 *   (`{ sortKeys: true }` treats every plain object as a map, like a decoded `map[string]any`);
 * - strings escape `"` `\` `\b` `\f` `\n` `\r` `\t`, other controls as `\u00XX`, `<` `>` `&`
 *   as `\u003c` `\u003e` `\u0026`, U+2028/U+2029, and lone surrogates become `\ufffd`;
 * - numbers in Go's float64 form (`0.7`, `1`, `1e-7`, `1e+21`, `-0`); NaN/±Inf are errors;
 * - `goEncode` adds the trailing newline of `json.Encoder.Encode`; `goMarshal` does not.
 */
import { createHash } from 'node:crypto';
import {
  CONFIG_MEDIA_TYPE,
  MANIFEST_MEDIA_TYPE,
  type ConfigV2,
  type Layer,
  type Manifest,
} from './store/types.js';

export class GoJSONError extends Error {
  readonly status = 500;
  constructor(message: string) {
    super(`json: ${message}`);
    this.name = 'GoJSONError';
  }
}

/** Marks an object as a Go map (keys sorted on output). */
export class GoMap {
  constructor(readonly value: Record<string, unknown> | Map<string, unknown>) {}
}
export function goMap(value: Record<string, unknown> | Map<string, unknown>): GoMap {
  return new GoMap(value);
}

/** Pre-encoded JSON inserted verbatim (Go's json.RawMessage). The caller vouches for it. */
export class GoRaw {
  constructor(readonly json: string) {}
}

/** A float32 value (e.g. Ollama's `Options.Temperature`), printed in float32's shortest form. */
export function float32(n: number): GoRaw {
  return new GoRaw(goFloat32(n));
}

export interface GoJSONOptions {
  /** Treat every plain object as a map (sorted keys), as for a decoded `map[string]any`. */
  sortKeys?: boolean;
  /** Go's default is true (`SetEscapeHTML(false)` turns it off). */
  escapeHTML?: boolean;
}

const HEX = '0123456789abcdef';

/** A Go JSON string literal. */
export function goQuote(s: string, escapeHTML = true): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | null = null;
    if (c < 0x20) {
      switch (c) {
        case 0x08: esc = '\\b'; break;
        case 0x0c: esc = '\\f'; break;
        case 0x0a: esc = '\\n'; break;
        case 0x0d: esc = '\\r'; break;
        case 0x09: esc = '\\t'; break;
        default: esc = '\\u00' + HEX[c >> 4]! + HEX[c & 0xf]!;
      }
    } else if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = '\\\\';
    else if (escapeHTML && (c === 0x3c || c === 0x3e || c === 0x26)) esc = '\\u00' + HEX[c >> 4]! + HEX[c & 0xf]!;
    else if (c === 0x2028) esc = '\\u2028';
    else if (c === 0x2029) esc = '\\u2029';
    else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++; // a valid pair: copied as is
        continue;
      }
      esc = '\\ufffd'; // invalid UTF-16 → what Go writes for invalid UTF-8
    }
    if (esc !== null) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

/** Go's float64 encoding (strconv 'f'/-1, or 'e' below 1e-6 / from 1e21, exponent cleaned). */
export function goFloat(n: number): string {
  if (!Number.isFinite(n)) throw new GoJSONError(`unsupported value: ${n}`);
  if (Object.is(n, -0)) return '-0';
  // JavaScript's Number#toString picks the same shortest digits and the same thresholds for
  // exponent form as Go (1e-6 ≤ |n| < 1e21), and writes `1e-7` where Go writes `1e-07` and
  // then cleans it to `1e-7`.
  return String(n);
}

/** Go's float32 encoding: the shortest decimal that round-trips through float32. */
export function goFloat32(n: number): string {
  if (!Number.isFinite(n)) throw new GoJSONError(`unsupported value: ${n}`);
  const f = Math.fround(n);
  if (Object.is(f, -0)) return '-0';
  if (f === 0) return '0';
  for (let p = 1; p <= 9; p++) {
    const d = Number(f.toPrecision(p));
    if (Math.fround(d) === f) return String(d);
  }
  return String(f);
}

function compareUTF8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Values nested deeper than this are encoded by `encodeDeep`, which keeps its own stack: Go's
 * encoder has no depth limit (a request body may nest 10,000 levels), the JavaScript stack does.
 * Shallower values, i.e. every response line, take the plain recursive path.
 */
const RECURSIVE_DEPTH = 200;

function sortedEntries(entries: Array<[string, unknown]>): Array<[string, unknown]> {
  const kept = entries.filter(([, v]) => v !== undefined);
  kept.sort(([a], [b]) => compareUTF8(a, b));
  return kept;
}

function encodeMap(entries: Array<[string, unknown]>, opts: Required<GoJSONOptions>, depth: number): string {
  return '{' + sortedEntries(entries).map(([k, v]) => goQuote(k, opts.escapeHTML) + ':' + enc(v, opts, depth + 1)).join(',') + '}';
}

/** A scalar's JSON, or undefined when `v` is a container (array, object, map). */
function encodeLeaf(v: unknown, opts: Required<GoJSONOptions>): string | undefined {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return goQuote(v, opts.escapeHTML);
    case 'number':
      return goFloat(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      break;
    default:
      throw new GoJSONError(`unsupported type: ${typeof v}`);
  }
  if (v instanceof GoRaw) return v.json;
  if (v instanceof Float32Array) return '[' + Array.from(v, goFloat32).join(',') + ']';
  if (v instanceof Uint8Array) return '"' + Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') + '"';
  return undefined;
}

function enc(v: unknown, opts: Required<GoJSONOptions>, depth: number): string {
  if (depth > RECURSIVE_DEPTH) return encodeDeep(v, opts);
  const leaf = encodeLeaf(v, opts);
  if (leaf !== undefined) return leaf;
  if (v instanceof GoMap) {
    const m = v.value;
    return encodeMap(m instanceof Map ? [...m.entries()] : Object.entries(m), opts, depth);
  }
  if (v instanceof Map) return encodeMap([...v.entries()].map(([k, x]) => [String(k), x]), opts, depth);
  if (Array.isArray(v)) return '[' + v.map((x) => enc(x, opts, depth + 1)).join(',') + ']';
  const o = v as Record<string, unknown> & { toJSON?: () => unknown };
  if (typeof o.toJSON === 'function') return enc(o.toJSON(), opts, depth + 1);
  if (opts.sortKeys) return encodeMap(Object.entries(o), opts, depth);
  const fields: string[] = [];
  for (const [k, x] of Object.entries(o)) {
    if (x === undefined) continue;
    fields.push(goQuote(k, opts.escapeHTML) + ':' + enc(x, opts, depth + 1));
  }
  return '{' + fields.join(',') + '}';
}

/** An open container of encodeDeep: an array's items, or an object's entries (keys quoted). */
interface Frame {
  node: object;
  items: unknown[];
  keys: string[] | undefined;
  next: number;
}

/**
 * The same encoding as `enc`, for any depth, without recursion: open containers are frames on
 * an explicit stack. A value that contains itself is an error, as in Go (which notices it
 * past 1,000 levels), instead of an endless loop.
 */
function encodeDeep(root: unknown, opts: Required<GoJSONOptions>): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  const path = new Set<object>();
  let v = root;
  for (;;) {
    // write `v`: a leaf, or open its container
    const leaf = encodeLeaf(v, opts);
    if (leaf !== undefined) out.push(leaf);
    else {
      const node = v as object & { toJSON?: () => unknown };
      if (!Array.isArray(node) && !(node instanceof GoMap) && !(node instanceof Map) && typeof node.toJSON === 'function') {
        v = node.toJSON();
        continue;
      }
      if (path.has(node)) throw new GoJSONError('unsupported value: encountered a cycle');
      let frame: Frame;
      if (Array.isArray(node)) frame = { node, items: node, keys: undefined, next: 0 };
      else {
        let entries: Array<[string, unknown]>;
        if (node instanceof GoMap) entries = sortedEntries(node.value instanceof Map ? [...node.value.entries()] : Object.entries(node.value));
        else if (node instanceof Map) entries = sortedEntries([...node.entries()].map(([k, x]) => [String(k), x]));
        else if (opts.sortKeys) entries = sortedEntries(Object.entries(node));
        else entries = Object.entries(node).filter(([, x]) => x !== undefined);
        frame = { node, items: entries.map(([, x]) => x), keys: entries.map(([k]) => goQuote(k, opts.escapeHTML)), next: 0 };
      }
      out.push(frame.keys ? '{' : '[');
      path.add(node);
      stack.push(frame);
    }
    // move to the next value to write, closing finished containers
    let top = stack[stack.length - 1];
    while (top && top.next === top.items.length) {
      out.push(top.keys ? '}' : ']');
      path.delete(top.node);
      stack.pop();
      top = stack[stack.length - 1];
    }
    if (!top) return out.join('');
    const sep = top.next > 0 ? ',' : '';
    out.push(top.keys ? sep + top.keys[top.next]! + ':' : sep);
    v = top.items[top.next++];
  }
}

/** Go's json.Marshal (no trailing newline). */
export function goMarshal(v: unknown, opts: GoJSONOptions = {}): string {
  return enc(v, { sortKeys: opts.sortKeys ?? false, escapeHTML: opts.escapeHTML ?? true }, 0);
}

/** Go's json.NewEncoder(w).Encode(v): Marshal plus a trailing newline. */
export function goEncode(v: unknown, opts: GoJSONOptions = {}): string {
  return goMarshal(v, opts) + '\n';
}

/** `sha256:<hex>` of a string or buffer. */
export function sha256Digest(data: string | Uint8Array): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

/** A finished blob: its bytes, digest and size. */
export interface EncodedBlob {
  bytes: Buffer;
  digest: string;
  size: number;
}

export function blobOf(text: string | Buffer): EncodedBlob {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return { bytes, digest: sha256Digest(bytes), size: bytes.length };
}

/** ConfigV2 as a Go struct value (field order and omitempty as in model.ConfigV2). */
export function configV2Value(c: ConfigV2): Record<string, unknown> {
  const nonEmpty = <T>(x: T | undefined | null | ''): T | undefined =>
    x === '' || x === null || x === 0 || (Array.isArray(x) && x.length === 0) ? undefined : (x ?? undefined);
  const draft = c.draft
    ? {
        model_format: nonEmpty(c.draft.model_format),
        architecture: nonEmpty(c.draft.architecture),
        tensor_prefix: nonEmpty(c.draft.tensor_prefix),
        config: c.draft.config ?? undefined,
      }
    : undefined;
  return {
    model_format: c.model_format ?? '',
    model_family: c.model_family ?? '',
    model_families: c.model_families ?? null,
    model_type: c.model_type ?? '',
    file_type: c.file_type ?? '',
    renderer: nonEmpty(c.renderer),
    parser: nonEmpty(c.parser),
    requires: nonEmpty(c.requires),
    remote_host: nonEmpty(c.remote_host),
    remote_model: nonEmpty(c.remote_model),
    capabilities: nonEmpty(c.capabilities),
    context_length: nonEmpty(c.context_length),
    embedding_length: nonEmpty(c.embedding_length),
    base_name: nonEmpty(c.base_name),
    draft,
    architecture: c.architecture ?? 'amd64',
    os: c.os ?? 'linux',
  };
}

/** The config blob bytes, as Ollama's create writes them (with trailing newline). */
export function encodeConfigV2(c: ConfigV2): EncodedBlob {
  return blobOf(goEncode(configV2Value(c)));
}

function layerValue(l: Layer): Record<string, unknown> {
  return {
    mediaType: l.mediaType,
    digest: l.digest,
    size: l.size,
    from: l.from || undefined,
    name: l.name || undefined,
  };
}

/** Builds the schema-2 manifest object for a config layer and layers. */
export function buildManifest(config: Layer, layers: Layer[]): Manifest {
  return { schemaVersion: 2, mediaType: MANIFEST_MEDIA_TYPE, config, layers };
}

/** A config layer descriptor for a config blob. */
export function configLayer(blob: EncodedBlob): Layer {
  return { mediaType: CONFIG_MEDIA_TYPE, digest: blob.digest, size: blob.size };
}

/** Manifest bytes as Ollama's create writes them (Go encoder, trailing newline). */
export function encodeManifest(m: Manifest): EncodedBlob {
  return blobOf(
    goEncode({
      schemaVersion: m.schemaVersion,
      mediaType: m.mediaType,
      config: layerValue(m.config),
      layers: m.layers.map(layerValue),
    }),
  );
}

/** A params blob (a Go `map[string]any`: keys sorted at every level). */
export function encodeParams(params: Record<string, unknown>): EncodedBlob {
  return blobOf(goEncode(params, { sortKeys: true }));
}

/**
 * A messages blob: Go's `[]api.Message` encoded. Pass each message with its fields in Go's
 * order (`role`, `content`, then optional ones left undefined when empty).
 */
export function encodeMessages(messages: ReadonlyArray<{ role: string; content: string }>): EncodedBlob {
  return blobOf(goEncode(messages));
}
