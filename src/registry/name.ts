/**
 * Model names, parsed and validated exactly as Ollama does (ollama:types/model/name.go):
 *
 *   [scheme://][host/][namespace/]model[:tag]
 *
 * Defaults: scheme `https`, host `registry.ollama.ai`, namespace `library`, tag `latest`.
 * An explicit but empty part (`n/m:`, `/m`) is invalid; `@digest` is not supported.
 *
 * A name is the only thing that ever becomes a manifest path, so validity here is also the
 * path-safety check: every part starts with `[A-Za-z0-9_]` and continues with
 * `[A-Za-z0-9_-]`, `.` (not in namespace) and `:` (host only) — no `/`, `\`, NUL, `..` start.
 */

export const DEFAULT_SCHEME = 'https';
export const DEFAULT_HOST = 'registry.ollama.ai';
export const DEFAULT_NAMESPACE = 'library';
export const DEFAULT_TAG = 'latest';

/** Ollama's sentinel for an explicitly empty part; never valid. */
const MISSING = '!MISSING!';

export interface ModelName {
  scheme: string;
  host: string;
  namespace: string;
  model: string;
  tag: string;
}

type PartKind = 'host' | 'namespace' | 'model' | 'tag';

export class InvalidNameError extends Error {
  readonly status = 400;
  /** The exact text Ollama answers with (`invalid model name`), for byte-compatible bodies. */
  readonly ollamaMessage = 'invalid model name';
  constructor(
    readonly input: string,
    readonly rule: string,
  ) {
    super(`invalid model name: ${rule}`);
    this.name = 'InvalidNameError';
  }
}

/** Quote a value for an error message: JSON-quoted (NULs and controls visible), capped. */
function show(v: string): string {
  const s = v.length > 60 ? v.slice(0, 60) + '…' : v;
  return JSON.stringify(s);
}

function cutLast(s: string, sep: string): [before: string, after: string, ok: boolean] {
  const i = s.lastIndexOf(sep);
  if (i < 0) return [s, '', false];
  return [s.slice(0, i), s.slice(i + sep.length), true];
}

/** Like cutLast, but an empty side becomes the MISSING sentinel (Ollama's cutPromised). */
function cutPromised(s: string, sep: string): [string, string, boolean] {
  const [b, a, ok] = cutLast(s, sep);
  if (!ok) return [b, a, false];
  return [b || MISSING, a || MISSING, true];
}

interface BareName {
  scheme: string;
  host: string;
  namespace: string;
  model: string;
  tag: string;
}

/** Ollama's ParseNameBare: split into parts without defaults or validation. */
export function parseNameBare(input: string): BareName {
  const n: BareName = { scheme: '', host: '', namespace: '', model: '', tag: '' };
  let s = input;
  // "/" is not a tag character, so a ":" after the last "/" starts the tag.
  if (s.lastIndexOf(':') > s.lastIndexOf('/')) {
    [s, n.tag] = cutPromised(s, ':');
  }
  let promised: boolean;
  [s, n.model, promised] = cutPromised(s, '/');
  if (!promised) {
    n.model = s;
    return n;
  }
  [s, n.namespace, promised] = cutPromised(s, '/');
  if (!promised) {
    n.namespace = s;
    return n;
  }
  const i = s.indexOf('://');
  if (i >= 0) {
    n.scheme = s.slice(0, i);
    n.host = s.slice(i + 3);
  } else {
    n.host = s;
  }
  return n;
}

function isAlnumUnderscore(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f
  );
}

const MAX_LEN: Record<PartKind, number> = { host: 350, namespace: 80, model: 80, tag: 80 };

function allowedChars(kind: PartKind): string {
  switch (kind) {
    case 'host':
      return "letters, digits, '_', '-', '.' and ':'";
    case 'namespace':
      return "letters, digits, '_' and '-'";
    default:
      return "letters, digits, '_', '-' and '.'";
  }
}

/** Returns null when `s` is a valid part of the given kind, else the violated rule. */
export function partError(kind: PartKind, s: string): string | null {
  if (s === MISSING || s.length === 0) return `${kind} is empty`;
  if (s.length > MAX_LEN[kind]) {
    return `${kind} ${show(s)} is longer than ${MAX_LEN[kind]} characters`;
  }
  if (kind === 'host' && s.includes('/')) {
    return `too many '/'-separated parts (expected [host/][namespace/]model[:tag])`;
  }
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (i === 0) {
      if (!isAlnumUnderscore(c)) return `${kind} ${show(s)} must start with a letter, digit or '_'`;
      continue;
    }
    if (isAlnumUnderscore(c) || c === 0x2d /* - */) continue;
    if (c === 0x2e /* . */ && kind !== 'namespace') continue;
    if (c === 0x3a /* : */ && kind === 'host') continue;
    return `${kind} ${show(s)} contains ${show(s[i]!)}; allowed are ${allowedChars(kind)}`;
  }
  return null;
}

/** Why `input` is not a valid model name, or null when it is. */
function nameError(input: string, n: BareName): string | null {
  if (input.length === 0) return 'name is empty';
  if (input.includes('@')) return "digests ('@') are not supported in model names";
  if (n.scheme !== '' && n.scheme !== 'http' && n.scheme !== 'https') {
    return `scheme ${show(n.scheme)} is not supported (use http:// or https://)`;
  }
  for (const kind of ['host', 'namespace', 'model', 'tag'] as const) {
    const err = partError(kind, n[kind]);
    if (err) return err;
  }
  return null;
}

/** Parses and validates a name, filling in defaults. Throws InvalidNameError. */
export function parseModelName(input: string): ModelName {
  if (typeof input !== 'string') throw new InvalidNameError(String(input), 'name must be a string');
  const bare = parseNameBare(input);
  const n: ModelName = {
    scheme: bare.scheme || DEFAULT_SCHEME,
    host: bare.host || DEFAULT_HOST,
    namespace: bare.namespace || DEFAULT_NAMESPACE,
    model: bare.model,
    tag: bare.tag || DEFAULT_TAG,
  };
  const err = nameError(input, { ...n, scheme: bare.scheme });
  if (err) throw new InvalidNameError(input, err);
  return n;
}

/** parseModelName, returning null instead of throwing. */
export function tryParseModelName(input: string): ModelName | null {
  try {
    return parseModelName(input);
  } catch {
    return null;
  }
}

export function isValidModelName(input: string): boolean {
  return tryParseModelName(input) !== null;
}

/** `host/namespace/model:tag` — Ollama's String(), used as an internal key. */
export function fullName(n: ModelName): string {
  return `${n.host}/${n.namespace}/${n.model}:${n.tag}`;
}

const eqFold = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * Ollama's DisplayShortest: `model:tag` for the default host and namespace,
 * `namespace/model:tag` for another namespace, else `host/namespace/model:tag`.
 */
export function displayShortest(n: ModelName): string {
  if (!eqFold(n.host, DEFAULT_HOST)) return `${n.host}/${n.namespace}/${n.model}:${n.tag}`;
  if (!eqFold(n.namespace, DEFAULT_NAMESPACE)) return `${n.namespace}/${n.model}:${n.tag}`;
  return `${n.model}:${n.tag}`;
}

/** Case-insensitive equality of host, namespace, model and tag (the scheme is ignored). */
export function namesEqual(a: ModelName, b: ModelName): boolean {
  return (
    eqFold(a.host, b.host) &&
    eqFold(a.namespace, b.namespace) &&
    eqFold(a.model, b.model) &&
    eqFold(a.tag, b.tag)
  );
}

/** A case-folded key for maps of names (`namesEqual` names share a key). */
export function nameKey(n: ModelName): string {
  return fullName(n).toLowerCase();
}

/**
 * The manifest's path under `manifests/`, as parts: `[host, namespace, model, tag]`.
 * Re-validates every part, so a hand-built ModelName cannot smuggle `..` into a path.
 */
export function manifestRelPath(n: ModelName): string[] {
  for (const kind of ['host', 'namespace', 'model', 'tag'] as const) {
    const err = partError(kind, n[kind]);
    if (err) throw new InvalidNameError(fullName(n), err);
  }
  return [n.host, n.namespace, n.model, n.tag];
}

/**
 * The inverse of manifestRelPath (Ollama's ParseNameFromFilepath): exactly four valid parts,
 * else null.
 */
export function nameFromRelPath(parts: readonly string[]): ModelName | null {
  if (parts.length !== 4) return null;
  const [host, namespace, model, tag] = parts as [string, string, string, string];
  const n: ModelName = { scheme: DEFAULT_SCHEME, host, namespace, model, tag };
  for (const kind of ['host', 'namespace', 'model', 'tag'] as const) {
    if (partError(kind, n[kind])) return null;
  }
  return n;
}

/** The registry base URL of a name: `scheme://host` (e.g. `https://registry.ollama.ai`). */
export function registryBaseURL(n: ModelName): string {
  return `${n.scheme}://${n.host}`;
}
