/**
 * `/api/create` request validation (reference §3.9): everything that can be refused before a
 * single byte is written, with Ollama's texts. The result is a normalized plan for build.ts.
 */
import { BadRequestError } from '../api/errors.js';
import { isValidDigest } from '../registry/digest.js';
import { parseQuantizeType, QuantizeTypeError } from '../registry/gguf/filetypes.js';
import { parseModelName, type ModelName } from '../registry/name.js';
import { PARSER_NAMES } from '../prompt/capabilities.js';
import { OLLAMA_RENDERER_NAMES } from '../prompt/renderers/index.js';
import { parseGoTemplate } from '../template/index.js';

/** One uploaded file named in `files` / `adapters`. */
export interface NamedBlob {
  name: string;
  digest: string;
}

export interface CreateMessage {
  role: string;
  content: string;
  thinking?: string;
}

export interface CreatePlan {
  name: ModelName;
  /** The base model's name (`from`), when the request names one. */
  fromModel?: string;
  /** `from: "sha256:<hex>"`: a blob already in the store, verified before use. */
  fromBlob?: string;
  files: NamedBlob[];
  adapters: NamedBlob[];
  template?: string;
  system?: string;
  license: string[];
  parameters?: Record<string, unknown>;
  messages?: CreateMessage[];
  renderer?: string;
  parser?: string;
  requires?: string;
  /** `quantize`: the target file type (canonical, parseQuantizeType) and the name as asked. */
  quantize?: { type: string; asked: string };
}

/** A create request that cannot be carried out. Always 400. */
export class CreateRequestError extends BadRequestError {
  constructor(message: string) {
    super(message);
    this.name = 'CreateRequestError';
  }
}

const BLOB_REF_RE = /^sha256[:-]([0-9a-f]{64})$/;

/** Go's io/fs.ValidPath: unrooted, slash-separated, no empty, `.` or `..` elements. */
export function isValidRelativePath(p: string): boolean {
  if (p === '.') return true;
  if (p === '' || p.includes('\0')) return false;
  for (const el of p.split('/')) {
    if (el === '' || el === '.' || el === '..') return false;
  }
  // Backslashes are path separators on Windows; refuse them everywhere so a name can never
  // climb out of a folder on any platform.
  return !p.includes('\\');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optString(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new CreateRequestError(`${key} must be a string`);
  return v;
}

function blobMap(o: Record<string, unknown>, key: string): NamedBlob[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!isObject(v)) throw new CreateRequestError(`${key} must be an object mapping file names to digests`);
  const out: NamedBlob[] = [];
  for (const [name, digest] of Object.entries(v)) {
    if (!isValidRelativePath(name)) throw new CreateRequestError('file path must be relative');
    if (!isValidDigest(digest)) throw new CreateRequestError('invalid digest format');
    out.push({ name, digest });
  }
  return out;
}

function licenses(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new CreateRequestError('license must be a string or a list of strings');
}

function messages(v: unknown): CreateMessage[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new CreateRequestError('messages must be a list');
  return v.map((m) => {
    if (!isObject(m) || typeof m.role !== 'string' || (m.content !== undefined && typeof m.content !== 'string')) {
      throw new CreateRequestError('each message needs a string role and content');
    }
    const out: CreateMessage = { role: m.role.toLowerCase(), content: (m.content as string | undefined) ?? '' };
    if (typeof m.thinking === 'string' && m.thinking !== '') out.thinking = m.thinking;
    return out;
  });
}

/**
 * Validates a decoded `/api/create` body. Throws CreateRequestError (400) with Ollama's texts:
 * `invalid model name`, `file path must be relative`, `invalid digest format`,
 * `neither 'from' or 'files' was specified`, `template error: …`.
 */
/**
 * A RENDERER / PARSER name Ollama 0.33 does not know is refused at create (Ollama stores any
 * name; a typo then only shows at chat time, as a 500 or a silent fallback). Names Ollama knows
 * are kept, ported or not, so models made by Ollama build here unchanged.
 */
function refuseUnknownName(kind: 'renderer' | 'parser', name: string | undefined, known: readonly string[]): void {
  if (name && !known.includes(name)) throw new BadRequestError(`unknown ${kind} "${name}" (Ollama 0.33 knows: ${known.join(', ')})`);
}

export function validateCreateRequest(body: unknown): CreatePlan {
  if (!isObject(body)) throw new CreateRequestError('request body must be a JSON object');
  const rawName = optString(body, 'model') || optString(body, 'name') || '';
  let name: ModelName;
  try {
    name = parseModelName(rawName);
  } catch {
    throw new CreateRequestError('invalid model name');
  }

  const files = blobMap(body, 'files');
  const adapters = blobMap(body, 'adapters');
  const drafts = blobMap(body, 'draft_files');
  const from = optString(body, 'from') ?? '';
  if (from === '' && files.length === 0) throw new CreateRequestError("neither 'from' or 'files' was specified");
  if (drafts.length > 0) throw new CreateRequestError('DRAFT models are not supported by this server yet');
  if (adapters.length > 1) throw new CreateRequestError('only one adapter is currently supported');
  if (optString(body, 'remote_host')) throw new CreateRequestError('remote models are not supported by this server yet');
  const quantize = optString(body, 'quantize') || optString(body, 'quantization');
  let quantizeType: string | undefined;
  if (quantize) {
    try {
      quantizeType = parseQuantizeType(quantize);
    } catch (e) {
      if (e instanceof QuantizeTypeError) throw new CreateRequestError(e.message);
      throw e;
    }
  }

  const template = optString(body, 'template');
  if (template) {
    try {
      parseGoTemplate(template);
    } catch (e) {
      throw new CreateRequestError(`template error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  const parameters = body.parameters;
  if (parameters !== undefined && parameters !== null && !isObject(parameters)) {
    throw new CreateRequestError('parameters must be an object');
  }

  const plan: CreatePlan = {
    name,
    files,
    adapters,
    license: licenses(body.license),
  };
  if (from !== '') {
    const m = BLOB_REF_RE.exec(from);
    if (m) plan.fromBlob = `sha256:${m[1]}`;
    else plan.fromModel = from;
  }
  if (template) plan.template = template;
  if (quantizeType) plan.quantize = { type: quantizeType, asked: quantize!.toUpperCase() };
  const system = optString(body, 'system');
  if (system) plan.system = system;
  if (isObject(parameters)) plan.parameters = parameters;
  const msgs = messages(body.messages);
  if (msgs && msgs.length > 0) plan.messages = msgs;
  for (const k of ['renderer', 'parser', 'requires'] as const) {
    const v = optString(body, k);
    if (v) plan[k] = v;
  }
  refuseUnknownName('renderer', plan.renderer, OLLAMA_RENDERER_NAMES);
  refuseUnknownName('parser', plan.parser, PARSER_NAMES);
  return plan;
}
