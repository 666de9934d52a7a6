import { Client } from '../api/client.js';
import { humanNumber } from '../api/format.js';
import type { ShowResponse } from '../api/types.js';
import type { CommandFlags } from './spec.js';
import { infoSection } from './table.js';

const CONTENT_FLAGS = ['license', 'modelfile', 'parameters', 'template', 'system'] as const;

/** Go's `%v` of a model_info value in the Metadata section (`%g` for numbers, short arrays). */
function metaValue(v: unknown): string {
  if (typeof v === 'number') return goG(v);
  if (Array.isArray(v)) {
    const s = `[${v.map((x) => metaValue(x)).join(' ')}]`;
    if (s.length <= 10) return s;
    return `${s.slice(0, 10)}...+${v.length} more]`.replace(/\s+\.\.\./, ' ...');
  }
  return String(v);
}

/** Go's `%g` with shortest precision: exponent form when the exponent is < -4 or >= 6. */
export function goG(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
  if (v === 0) return '0';
  const [mant, expStr] = v.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) {
    const abs = Math.abs(exp);
    return `${mant}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' + abs : abs}`;
  }
  return String(v);
}

function firstLines(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.slice(0, 2).join('\n') + (lines.length > 2 ? '\n...' : '');
}

/** The default `ollama show` output (reference §1.5). */
export function formatShow(res: ShowResponse, verbose: boolean): string {
  let out = '';
  const details = res.details;
  const info = res.model_info;
  const rows: string[][] = [];
  if (res.remote_host) {
    rows.push(['Remote model', res.remote_model ?? '']);
    rows.push(['Remote URL', res.remote_host]);
  }
  if (info) {
    const arch = String(info['general.architecture'] ?? '');
    rows.push(['architecture', arch]);
    const params = details?.parameter_size || (typeof info['general.parameter_count'] === 'number' ? humanNumber(info['general.parameter_count'] as number) : '');
    rows.push(['parameters', params]);
    const ctx = info[`${arch}.context_length`];
    if (ctx !== undefined) rows.push(['context length', String(ctx)]);
    const emb = info[`${arch}.embedding_length`];
    if (emb !== undefined) rows.push(['embedding length', String(emb)]);
  } else if (details) {
    rows.push(['architecture', details.family]);
    rows.push(['parameters', details.parameter_size]);
  }
  if (details) rows.push(['quantization', details.quantization_level]);
  if (res.requires) rows.push(['requires', res.requires]);
  out += infoSection('Model', rows);

  if (res.capabilities?.length) out += infoSection('Capabilities', res.capabilities.map((c) => [c]));

  if (res.projector_info) {
    const p = res.projector_info;
    const arch = String(p['general.architecture'] ?? '');
    const prow: string[][] = [['architecture', arch]];
    if (typeof p['general.parameter_count'] === 'number') prow.push(['parameters', humanNumber(p['general.parameter_count'] as number)]);
    for (const [key, label] of [
      ['vision.embedding_length', 'embedding length'],
      ['vision.projection_dim', 'dimensions'],
    ] as const) {
      const v = p[`${arch}.${key}`];
      if (v !== undefined) prow.push([label, String(v)]);
    }
    out += infoSection('Projector', prow);
  }

  if (res.parameters) {
    const prow = res.parameters
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.trim().split(/\s+/));
    if (prow.length) out += infoSection('Parameters', prow);
  }

  if (verbose && info) {
    const keys = Object.keys(info).sort();
    out += infoSection('Metadata', keys.map((k) => [k, metaValue(info[k])]));
  }
  if (verbose && res.tensors?.length) {
    out += infoSection('Tensors', res.tensors.map((t) => [t.name, t.type, `[${t.shape.join(' ')}]`]));
  }
  if (res.system) out += infoSection('System', [[firstLines(res.system)]], 100);
  if (res.license) out += infoSection('License', [[firstLines(res.license)]], 100);
  return out;
}

/** `ollama show MODEL [--license|--modelfile|--parameters|--template|--system] [-v]`. */
export async function run(args: string[], flags: CommandFlags): Promise<void> {
  const chosen = CONTENT_FLAGS.filter((f) => flags[f] === true);
  if (chosen.length > 1) throw new Error("only one of '--license', '--modelfile', '--parameters', '--system', or '--template' can be specified");
  const res = await new Client().request<ShowResponse>('POST', '/api/show', { model: args[0], verbose: flags.verbose === true });
  const which = chosen[0];
  if (which === 'license' || which === 'modelfile' || which === 'parameters') {
    process.stdout.write(`${res[which] ?? ''}\n`);
    return;
  }
  if (which === 'template' || which === 'system') {
    process.stdout.write(res[which] ?? '');
    return;
  }
  process.stdout.write(formatShow(res, flags.verbose === true));
}
