/**
 * A parsed Modelfile → the fields of an `/api/create` request (reference §1.4, §3.9), as
 * Ollama's client builds them: PARAMETERs typed through the options table (repeated `stop`
 * collected into a list, deprecated names turned into warnings), MESSAGEs, LICENSEs as a list,
 * REQUIRES checked as semver.
 *
 * FROM / ADAPTER / DRAFT references need the file system (is it a local path? hash it) and are
 * returned as `sources`; `completeCreateRequest` applies Ollama's rules once a resolver has
 * hashed the local ones.
 */
import { OptionError, type ParameterValue, isDeprecatedParameter, parseParameterValue } from '../api/options.js';
import { type Modelfile, ModelfileError } from './types.js';

/** The Modelfile-derived part of an `/api/create` body (JSON field names). */
export interface CreateRequestFields {
  from?: string;
  /** file name → `sha256:<hex>` */
  files?: Record<string, string>;
  adapters?: Record<string, string>;
  draft_files?: Record<string, string>;
  template?: string;
  system?: string;
  license?: string[];
  parameters?: Record<string, ParameterValue>;
  messages?: Array<{ role: string; content: string }>;
  renderer?: string;
  parser?: string;
  requires?: string;
}

/** A FROM (`model`), ADAPTER or DRAFT reference, as written, in Modelfile order. */
export interface ModelfileSource {
  kind: 'model' | 'adapter' | 'draft';
  ref: string;
}

export interface CreateRequestDraft {
  /** Every field except from/files/adapters/draft_files. */
  request: CreateRequestFields;
  sources: ModelfileSource[];
  /** Lines to print to stdout, e.g. `warning: parameter mirostat is deprecated`. */
  warnings: string[];
}

const NUM = '(?:0|[1-9][0-9]*)';
const IDENT = '[0-9A-Za-z-]+';
const PRERELEASE_ID = `(?:${NUM}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`;
const SEMVER_RE = new RegExp(
  `^v${NUM}(?:\\.${NUM}(?:\\.${NUM}(?:-${PRERELEASE_ID}(?:\\.${PRERELEASE_ID})*)?(?:\\+${IDENT}(?:\\.${IDENT})*)?)?)?$`,
);

/** golang.org/x/mod/semver.IsValid: `vMAJOR[.MINOR[.PATCH[-pre][+build]]]`, no leading zeros. */
export function isValidSemver(v: string): boolean {
  return SEMVER_RE.test(v);
}

/** REQUIRES value → stored form (`v` prefix optional, stored without it). */
export function normalizeRequires(value: string): string {
  const v = value.startsWith('v') ? value : 'v' + value;
  if (!isValidSemver(v)) throw new ModelfileError('requires must be a valid semver (e.g. 0.14.0)');
  return v.slice(1);
}

/**
 * Builds the create request fields from a Modelfile. Throws ModelfileError (400) with Ollama's
 * text: `unknown parameter 'x'`, `invalid int value [x]`, `invalid float value [x]`,
 * `invalid bool value [x]`, `requires must be a valid semver (e.g. 0.14.0)`.
 */
export function modelfileToCreateRequest(mf: Modelfile): CreateRequestDraft {
  const request: CreateRequestFields = {};
  const sources: ModelfileSource[] = [];
  const warnings: string[] = [];
  const params: Record<string, ParameterValue> = {};
  const messages: Array<{ role: string; content: string }> = [];
  const licenses: string[] = [];

  for (const c of mf.commands) {
    switch (c.kind) {
      case 'from':
        sources.push({ kind: 'model', ref: c.value });
        break;
      case 'adapter':
        sources.push({ kind: 'adapter', ref: c.value });
        break;
      case 'draft':
        sources.push({ kind: 'draft', ref: c.value });
        break;
      case 'template':
        request.template = c.value;
        break;
      case 'system':
        request.system = c.value;
        break;
      case 'renderer':
        request.renderer = c.value;
        break;
      case 'parser':
        request.parser = c.value;
        break;
      case 'license':
        licenses.push(c.value);
        break;
      case 'requires':
        request.requires = normalizeRequires(c.value);
        break;
      case 'message':
        messages.push({ role: c.role, content: c.content });
        break;
      case 'parameter': {
        if (isDeprecatedParameter(c.name)) {
          warnings.push(`warning: parameter ${c.name} is deprecated`);
          break;
        }
        let v: ParameterValue;
        try {
          v = parseParameterValue(c.name, c.value);
        } catch (e) {
          if (e instanceof OptionError) throw new ModelfileError(e.message);
          throw e;
        }
        const prev = params[c.name];
        params[c.name] = Array.isArray(prev) && Array.isArray(v) ? [...prev, ...v] : v;
        break;
      }
    }
  }

  // Ollama's JSON omits empty strings (omitempty): an empty SYSTEM/TEMPLATE leaves the base's.
  for (const k of ['template', 'system', 'renderer', 'parser', 'requires'] as const) {
    if (request[k] === '') delete request[k];
  }
  if (Object.keys(params).length > 0) request.parameters = params;
  if (messages.length > 0) request.messages = messages;
  if (licenses.length > 0) request.license = licenses;
  return { request, sources, warnings };
}

/**
 * Resolves one source: for a local path (relative to the Modelfile's directory, `~` expanded),
 * the files it names mapped to their digests; `null` when it is not a local path (allowed only
 * for FROM, which then names a model).
 */
export type SourceResolver = (source: ModelfileSource) => Promise<Record<string, string> | null>;

/**
 * Applies Ollama's rules to the resolved sources: a FROM that is not a local path sets `from`
 * (the last such FROM wins); local FROM files are merged into `files`; the last ADAPTER's files
 * replace `adapters`; DRAFT files are merged into `draft_files`. An ADAPTER or DRAFT that is
 * not a local path is an error.
 */
export async function completeCreateRequest(
  draft: CreateRequestDraft,
  resolve: SourceResolver,
): Promise<CreateRequestFields> {
  const request: CreateRequestFields = { ...draft.request };
  for (const source of draft.sources) {
    const files = await resolve(source);
    if (files === null) {
      if (source.kind !== 'model') {
        throw new ModelfileError(`${source.kind.toUpperCase()} ${source.ref}: no such file or directory`);
      }
      request.from = source.ref;
      continue;
    }
    if (source.kind === 'model') request.files = { ...(request.files ?? {}), ...files };
    else if (source.kind === 'adapter') request.adapters = { ...files };
    else request.draft_files = { ...(request.draft_files ?? {}), ...files };
  }
  return request;
}
