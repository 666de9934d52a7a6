/** The REPL's server-backed slash commands: /list, /load, /save, /show (reference §2.2). */
import type { ListResponse, ProgressResponse, ShowResponse } from '../../api/types.js';
import { tryParseModelName } from '../../registry/name.js';
import { formatList } from '../list.js';
import { formatShow } from '../show.js';
import { USAGE_SHOW } from './help.js';
import { fields, goValue, type Action, type Session } from './session.js';

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Think default (§1.6 step 3): an explicit choice wins, else true iff the model can think. */
export function inferThink(s: Session): void {
  if (s.thinkExplicit) return;
  s.think = s.capabilities.includes('thinking') ? true : undefined;
}

/** Loads the model into memory: an empty `/api/generate` with keep_alive and think. */
export async function loadModel(s: Session, signal?: AbortSignal): Promise<void> {
  const body: Record<string, unknown> = { model: s.model };
  if (s.keepAlive !== undefined) body.keep_alive = s.keepAlive;
  if (s.think !== undefined) body.think = s.think;
  for await (const _ of s.client.stream('/api/generate', body, signal)) {
    /* drain */
  }
}

export async function listCommand(s: Session, line: string): Promise<Action | void> {
  const res = await s.client.request<ListResponse>('GET', '/api/tags');
  s.io.out(formatList(res, fields(line).slice(1)));
}

export async function loadCommand(s: Session, line: string): Promise<Action | void> {
  const args = fields(line);
  if (args.length !== 2) {
    s.io.out('Usage:\n  /load <modelname>\n');
    return;
  }
  const saved = { model: s.model, messages: s.messages, info: s.info, think: s.think };
  const restore = () => Object.assign(s, saved);
  s.model = args[1]!;
  s.messages = [];
  s.io.out(`Loading model '${s.model}'\n`);
  try {
    s.info = await s.client.request<ShowResponse>('POST', '/api/show', { model: s.model });
    inferThink(s);
    await loadModel(s);
  } catch (err) {
    const msg = errorText(err);
    if (msg.includes('not found') || (err as { status?: number }).status === 404) {
      s.io.out(`Couldn't find model '${args[1]}'\n`);
      restore();
      return;
    }
    if (msg.includes('does not support thinking')) {
      s.io.out(`error: ${msg}\n`);
      return;
    }
    throw err;
  }
}

export async function saveCommand(s: Session, line: string): Promise<Action | void> {
  const args = fields(line);
  if (args.length !== 2) {
    s.io.out('Usage:\n  /save <modelname>\n');
    return;
  }
  const name = args[1]!;
  const invalid = () => s.io.out(`error: The model name '${name}' is invalid\n`);
  if (!tryParseModelName(name)) {
    invalid();
    return;
  }
  const req: Record<string, unknown> = { model: name, from: await saveBase(s) };
  if (s.system !== '') req.system = s.system;
  if (Object.keys(s.options).length > 0) req.parameters = { ...s.options };
  const messages = [...(s.info?.messages ?? []), ...s.messages];
  if (messages.length > 0) req.messages = messages;
  try {
    for await (const _ of s.client.stream<ProgressResponse>('/api/create', req)) {
      /* progress ignored */
    }
  } catch (err) {
    if (errorText(err).includes('invalid model name')) {
      invalid();
      return;
    }
    throw err;
  }
  s.io.out(`Created new model '${name}'\n`);
}

/**
 * The `from` of /save: Ollama uses `details.parent_model` when it parses as a name, but for a
 * model created from a GGUF file that is the file's name (`stories260K.gguf` parses as a name
 * too), and the server would then try to pull it from the registry. So the parent is used only
 * when the server has it; otherwise the session's own model is the base.
 */
async function saveBase(s: Session): Promise<string> {
  const parent = s.info?.details?.parent_model ?? '';
  if (parent === '' || !tryParseModelName(parent)) return s.model;
  try {
    await s.client.request<ShowResponse>('POST', '/api/show', { model: parent });
    return parent;
  } catch {
    return s.model;
  }
}

export async function showCommand(s: Session, line: string): Promise<Action | void> {
  const args = fields(line);
  if (args.length < 2) {
    s.io.err(USAGE_SHOW);
    return;
  }
  const req: Record<string, unknown> = { model: s.model };
  if (s.system !== '') req.system = s.system;
  if (Object.keys(s.options).length > 0) req.options = { ...s.options };
  let resp: ShowResponse;
  try {
    resp = await s.client.request<ShowResponse>('POST', '/api/show', req);
  } catch (err) {
    s.io.out("error: couldn't get model\n");
    throw err;
  }
  const out = (t: string) => s.io.out(t + '\n');
  switch (args[1]) {
    case 'info':
      s.io.err(formatShow(resp, false));
      break;
    case 'license':
      out(resp.license ? resp.license : 'No license was specified for this model.');
      break;
    case 'modelfile':
      out(resp.modelfile ?? '');
      break;
    case 'parameters': {
      out('Model defined parameters:');
      if (!resp.parameters) out('  No additional parameters were specified for this model.');
      else for (const l of resp.parameters.split('\n')) out(`  ${l}`);
      out('');
      const keys = Object.keys(s.options);
      if (keys.length > 0) {
        out('User defined parameters:');
        for (const k of keys) out(`  ${k.padEnd(30)} ${goValue(s.options[k]!)}`);
        out('');
      }
      break;
    }
    case 'system':
      if (s.system !== '') out(s.system + '\n');
      else if (resp.system) out(resp.system + '\n');
      else out('No system message was specified for this model.');
      break;
    case 'template':
      out(resp.template ? resp.template : 'No prompt template was specified for this model.');
      break;
    default:
      out(`Unknown command '/show ${args[1]}'. Type /? for help`);
  }
}
