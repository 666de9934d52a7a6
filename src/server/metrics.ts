/**
 * Tollama only, off by default: `GET /metrics` in Prometheus' text format (version 0.0.4) when
 * OLLAMA_METRICS is true. Ollama has no metrics endpoint, so with it off the API is Ollama's
 * byte for byte (`/metrics` is `404 page not found`). What a balancer or a dashboard needs
 * (docs/replicas.md): requests by route and status, requests in flight, the scheduler's queue,
 * loaded models, tokens and generation time (tokens/s = rate of one over the other), model load
 * times, and whether the store is read-only.
 */
import type { Middleware, Router } from './http.js';

/** Counters of one process (one `serve`). */
class Counters {
  requests = new Map<string, number>();
  inFlight = 0;
  promptTokens = 0;
  generatedTokens = 0;
  /** Σ eval_duration in seconds. */
  generationSeconds = 0;
  loadSeconds = 0;
  loads = 0;
}

export const counters = new Counters();

/** Records one finished generation's counts (its `prompt_eval_count`, `eval_count`, `eval_duration` ns). */
export function recordGeneration(promptTokens: number | undefined, evalCount: number | undefined, evalDurationNs: number | undefined): void {
  counters.promptTokens += promptTokens ?? 0;
  counters.generatedTokens += evalCount ?? 0;
  counters.generationSeconds += (evalDurationNs ?? 0) / 1e9;
}

export function recordLoad(seconds: number): void {
  counters.loads++;
  counters.loadSeconds += seconds;
}

/** Counts every request by its route pattern (unknown paths as `other`) and status code. */
export function requestMetrics(router: Router): Middleware {
  return (ctx) => {
    const route = router.patternOf(ctx.path) ?? 'other';
    counters.inFlight++;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      counters.inFlight--;
      const key = `${ctx.method}\u0000${route}\u0000${ctx.res.statusCode}`;
      counters.requests.set(key, (counters.requests.get(key) ?? 0) + 1);
    };
    ctx.res.once('finish', finish);
    ctx.res.once('close', finish);
    return false;
  };
}

export interface Gauges {
  queued: number;
  loaded: Array<{ name: string; size: number; size_vram: number }>;
  readOnly: boolean;
}

function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toPrecision(9).replace(/\.?0+$/, '');
}

/** The exposition text. */
export function renderMetrics(g: Gauges, c: Counters = counters): string {
  const out: string[] = [];
  const metric = (name: string, type: string, help: string, rows: Array<[string, number]>): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of rows) out.push(`${name}${labels} ${num(v)}`);
  };
  const reqRows: Array<[string, number]> = [...c.requests.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => {
      const [method, route, code] = k.split('\u0000') as [string, string, string];
      return [`{method="${label(method)}",route="${label(route)}",code="${code}"}`, v];
    });
  metric('tollama_requests_total', 'counter', 'HTTP requests answered, by method, route pattern and status code.', reqRows);
  metric('tollama_requests_in_flight', 'gauge', 'HTTP requests being answered (streams included).', [['', c.inFlight]]);
  metric('tollama_queue_depth', 'gauge', 'Requests waiting in the scheduler for a model load or a free slot (OLLAMA_MAX_QUEUE bounds it).', [['', g.queued]]);
  metric('tollama_loaded_models', 'gauge', 'Models loaded now (what /api/ps lists).', [['', g.loaded.length]]);
  metric(
    'tollama_loaded_model_bytes',
    'gauge',
    'Memory of each loaded model, as /api/ps reports its size.',
    g.loaded.map((m) => [`{model="${label(m.name)}"}`, m.size]),
  );
  metric('tollama_prompt_tokens_total', 'counter', 'Prompt tokens evaluated (prompt_eval_count).', [['', c.promptTokens]]);
  metric('tollama_generated_tokens_total', 'counter', 'Tokens generated (eval_count).', [['', c.generatedTokens]]);
  metric('tollama_generation_seconds_total', 'counter', 'Time spent generating them (eval_duration); tokens/s = rate(generated_tokens) / rate(generation_seconds).', [
    ['', c.generationSeconds],
  ]);
  out.push('# HELP tollama_model_load_seconds Model loads and the time they took.', '# TYPE tollama_model_load_seconds summary');
  out.push(`tollama_model_load_seconds_sum ${num(c.loadSeconds)}`, `tollama_model_load_seconds_count ${c.loads}`);
  metric('tollama_store_read_only', 'gauge', '1 when the model store is read-only (OLLAMA_READONLY or a read-only mount).', [['', g.readOnly ? 1 : 0]]);
  return out.join('\n') + '\n';
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
